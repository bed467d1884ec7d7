/**
 * The inbox workflow: conversations, work states, assignment, priority, tags, internal notes, bulk
 * changes, saved replies, inbox settings (business hours, first-response target, Telegram bot), rules
 * and the SLA metrics. Every change commits with one event per message (or object) naming the actor.
 *
 * States: new → assigned → waiting → resolved. Assigning a `new` message makes it `assigned`;
 * unassigning an `assigned` one makes it `new`; `assigned` needs an assignee; resolving stamps
 * `resolved_at`; a reply moves it to `waiting` (inbox.use-case.ts); a new message in the thread reopens
 * it (src/inbox/inbox-workflow.ts).
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, InboxMessagesTable } from '../db/schema';
import type { Updateable } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { isValidTimeZone } from '../domain/schedule-time';
import { assertCan, type Action } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { eventsOfSubjectsInWorkspace } from '../repositories/events.repository';
import { findInboxMessage, type InboxMessageWithPost } from '../repositories/inbox-messages.repository';
import { sentRepliesOf } from '../repositories/inbox-moderation.repository';
import { replyRecordView, type InboxReplyRecordView } from './inbox-moderation.use-case';
import {
  addTags,
  deleteRule,
  deleteSavedReply,
  findInboxSettings,
  findRule,
  findSavedReply,
  findSavedReplyByName,
  insertNote,
  insertRule,
  insertSavedReply,
  isWorkspaceMember,
  listRules,
  listSavedReplies,
  messagesByIds,
  messagesForMetrics,
  sentimentCountsForMetrics,
  notesOf,
  openMessagesWithDueTimes,
  removeTags,
  targetForConversation,
  threadMessages,
  updateMessages,
  updateRule,
  updateSavedReply,
  upsertInboxSettings,
  userNames,
  workspaceTimezone,
} from '../repositories/inbox-workflow.repository';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { addBusinessMinutes, businessHoursSchema, businessMsBetween, defaultBusinessHours, type BusinessHours } from '../inbox/business-hours';
import { normaliseTag, ruleActionsSchema, ruleConditionsSchema, type RuleActions, type RuleConditions } from '../inbox/inbox-rules';
import { inboxPriorities, inboxStatuses, type InboxRuleRow, type InboxSavedReplyRow, type InboxStatus } from '../inbox/inbox-tables';
import { defaultFirstResponseMinutes, slaSettings } from '../inbox/inbox-workflow';
import { renderTemplate, templateVariables, unknownVariables } from '../inbox/reply-template';
import { inboxMessageViews, type InboxMessageView } from './inbox.use-case';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

const actorId = (ctx: UseCaseContext) => (ctx.actor.kind === 'user' ? ctx.actor.userId : null);
const event = (ctx: UseCaseContext, db: Kysely<Database>, type: string, subjectId: string, payload: Record<string, unknown>) =>
  recordEvent(ctx.services, db, { workspaceId: ctx.workspaceId, type, subjectId, actorId: actorId(ctx), payload });

async function loadMessage(ctx: UseCaseContext, id: string): Promise<InboxMessageWithPost> {
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  return m;
}

// ---------------------------------------------------------------------------------------------------
// Conversations

/** A message in its conversation, with our post, notes and who is who. */
export interface ConversationView {
  message: InboxMessageView;
  /** From the thread's first message down to the message's parent. */
  ancestors: InboxMessageView[];
  /** Direct answers to the message. */
  children: InboxMessageView[];
  /** Every stored message of the thread, oldest first (at most 500). */
  thread: InboxMessageView[];
  /** Our post the conversation belongs to, when known. */
  post: { targetId: string; postId: string; text: string; url: string | null; publishedAt: string | null } | null;
  notes: NoteView[];
  /** What happened to the message, oldest first: every workflow event with who did it (null = Herald). */
  history: HistoryEntry[];
  /** Our replies sent from Herald to messages of this conversation, oldest first, with who sent them. */
  replies: Array<InboxReplyRecordView & { senderName: string | null }>;
  /** Whether the account's network lets Herald delete our replies. */
  canDeleteReplies: boolean;
}

/** One change in a message's history. */
export interface HistoryEntry {
  type: string;
  at: string;
  actor: { id: string | null; name: string | null };
  details: Record<string, unknown>;
}

/** An internal note. */
export interface NoteView {
  id: string;
  messageId: string;
  text: string;
  author: { id: string | null; name: string | null };
  createdAt: string;
}

/** The conversation view of a message. */
export async function getConversation(ctx: UseCaseContext, id: string): Promise<ConversationView> {
  await authorize(ctx, 'inbox.read');
  const m = await loadMessage(ctx, id);
  const key = m.thread_key ?? m.root_external_id ?? m.external_id;
  const rows = await threadMessages(ctx.db, ctx.workspaceId, m.account_id, key, 500);
  if (!rows.some((r) => r.id === m.id)) rows.push(m);
  const views = await inboxMessageViews(ctx, rows);
  const byExt = new Map(views.map((v) => [v.externalId, v]));
  const ancestors: InboxMessageView[] = [];
  const seen = new Set<string>([m.external_id]);
  for (let p = m.parent_external_id; p && byExt.has(p) && !seen.has(p); p = byExt.get(p)!.parentExternalId) {
    seen.add(p);
    ancestors.unshift(byExt.get(p)!);
  }
  const targetId = m.target_id ?? rows.find((r) => r.target_id)?.target_id ?? null;
  const target = targetId ? await targetForConversation(ctx.db, ctx.workspaceId, targetId) : undefined;
  return {
    message: views.find((v) => v.id === m.id)!,
    ancestors,
    children: views.filter((v) => v.parentExternalId === m.external_id && v.id !== m.id),
    thread: views,
    post: target ? { targetId: target.id, postId: target.post_id, text: target.text, url: target.external_url, publishedAt: target.published_at } : null,
    notes: (await notesOf(ctx.db, ctx.workspaceId, [m.id])).map((n) => ({ id: n.id, messageId: n.message_id, text: n.text, author: { id: n.author_id, name: n.author_name }, createdAt: n.created_at })),
    history: await historyOf(ctx, m.id),
    replies: (await sentRepliesOf(ctx.db, ctx.workspaceId, rows.map((r) => r.id))).map((r) => ({ ...replyRecordView(r), senderName: r.sender_name })),
    canDeleteReplies: ctx.services.connectors.has(m.network) && ctx.services.connectors.get(m.network).moderation?.deleteReply !== undefined,
  };
}

async function historyOf(ctx: UseCaseContext, messageId: string): Promise<HistoryEntry[]> {
  const events = (await eventsOfSubjectsInWorkspace(ctx.db, ctx.workspaceId, [messageId])).filter((e) => e.type.startsWith('inbox.'));
  const names = await userNames(ctx.db, [...new Set(events.flatMap((e) => (e.actor_id ? [e.actor_id] : [])))]);
  return events.map((e) => {
    const { messageId: _m, ...details } = JSON.parse(e.payload) as Record<string, unknown>;
    return { type: e.type, at: e.created_at, actor: { id: e.actor_id, name: e.actor_id ? (names.get(e.actor_id) ?? null) : null }, details };
  });
}

// ---------------------------------------------------------------------------------------------------
// Changes (one message or many)

/** A change to messages; every field optional, at least one given. */
export const messageChangeSchema = z
  .object({
    status: z.enum(inboxStatuses).optional(),
    assigneeId: z.string().nullable().optional().describe('A workspace member, or null to unassign'),
    priority: z.enum(inboxPriorities).optional(),
    addTags: z.array(z.string()).max(20).optional(),
    removeTags: z.array(z.string()).max(20).optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'Say what to change: status, assigneeId, priority, addTags or removeTags' });
export type MessageChange = z.output<typeof messageChangeSchema>;

/** Bulk change: the same change for up to 500 messages, all or nothing. */
export const bulkChangeSchema = z.object({ messageIds: z.array(z.string()).min(1, 'Pick at least one message').max(500, 'At most 500 messages at once'), change: messageChangeSchema }).strict();

function tagsOrThrow(raw: string[] | undefined, field: string): string[] {
  const out: string[] = [];
  for (const t of raw ?? []) {
    const n = normaliseTag(t);
    if (!n) throw new ValidationError(`Tag "${t.slice(0, 60)}" is not valid: 1–50 characters, no commas`, [{ path: field, code: 'invalid_tag', message: '1–50 characters, no commas' }]);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

async function assertMember(ctx: UseCaseContext, userId: string, field: string): Promise<void> {
  if (!isId(userId) || !(await isWorkspaceMember(ctx.db, ctx.workspaceId, userId))) {
    throw new ValidationError('Messages can only be assigned to members of this workspace', [{ path: field, code: 'not_a_member', message: 'not a member of this workspace' }]);
  }
}

/** Applies one validated change to loaded messages inside `trx`; records events. */
async function applyChange(ctx: UseCaseContext, trx: Kysely<Database>, messages: InboxMessageWithPost[], change: MessageChange, add: string[], remove: string[]): Promise<void> {
  const now = ctx.services.now().toISOString();
  for (const m of messages) {
    const patch: Updateable<InboxMessagesTable> = {};
    let assignee = m.assignee_id;
    let status: InboxStatus = m.status;
    if (change.assigneeId !== undefined && change.assigneeId !== m.assignee_id) {
      assignee = change.assigneeId;
      patch.assignee_id = assignee;
      if (assignee && status === 'new') status = 'assigned';
      if (!assignee && status === 'assigned') status = 'new';
    }
    if (change.status !== undefined) status = change.status;
    if (status === 'assigned' && !assignee) throw new ValidationError('A message can be "assigned" only with an assignee: give assigneeId', [{ path: 'status', code: 'needs_assignee', message: 'give assigneeId' }]);
    if (status !== m.status) {
      patch.status = status;
      patch.status_changed_at = now;
      patch.resolved_at = status === 'resolved' ? now : null;
    }
    if (change.priority !== undefined && change.priority !== m.priority) patch.priority = change.priority;
    if (Object.keys(patch).length) await updateMessages(trx, ctx.workspaceId, [m.id], patch);
    if (patch.assignee_id !== undefined) await event(ctx, trx, 'inbox.message.assigned', m.id, { messageId: m.id, from: m.assignee_id, assigneeId: assignee, reason: 'member' });
    if (patch.status !== undefined) await event(ctx, trx, 'inbox.message.status_changed', m.id, { messageId: m.id, from: m.status, to: status, reason: 'member' });
    if (patch.priority !== undefined) await event(ctx, trx, 'inbox.message.priority_changed', m.id, { messageId: m.id, from: m.priority, to: patch.priority, reason: 'member' });
    const added = await addTags(trx, ctx.workspaceId, add.map((tag) => ({ messageId: m.id, tag })), now);
    if (added.length) await event(ctx, trx, 'inbox.message.tagged', m.id, { messageId: m.id, tags: added.map((a) => a.tag), reason: 'member' });
    if (remove.length && (await removeTags(trx, ctx.workspaceId, [m.id], remove)) > 0) await event(ctx, trx, 'inbox.message.untagged', m.id, { messageId: m.id, tags: remove });
  }
}

/** Changes one message (status, assignee, priority, tags). */
export async function changeInboxMessage(ctx: UseCaseContext, id: string, raw: unknown): Promise<InboxMessageView> {
  await authorize(ctx, 'inbox.triage');
  const change = parseInput(messageChangeSchema, raw);
  const m = await loadMessage(ctx, id);
  const add = tagsOrThrow(change.addTags, 'addTags');
  const remove = tagsOrThrow(change.removeTags, 'removeTags');
  if (change.assigneeId) await assertMember(ctx, change.assigneeId, 'assigneeId');
  await ctx.db.transaction().execute((trx) => applyChange(ctx, trx, [m], change, add, remove));
  return (await inboxMessageViews(ctx, [await loadMessage(ctx, id)]))[0]!;
}

/** Applies one change to many messages: every id must be a message of the workspace, or nothing changes. */
export async function bulkChangeInboxMessages(ctx: UseCaseContext, raw: unknown): Promise<{ changed: number; items: InboxMessageView[] }> {
  await authorize(ctx, 'inbox.triage');
  const input = parseInput(bulkChangeSchema, raw);
  const ids = [...new Set(input.messageIds)];
  const add = tagsOrThrow(input.change.addTags, 'change.addTags');
  const remove = tagsOrThrow(input.change.removeTags, 'change.removeTags');
  if (input.change.assigneeId) await assertMember(ctx, input.change.assigneeId, 'change.assigneeId');
  const found = await messagesByIds(ctx.db, ctx.workspaceId, ids.filter(isId));
  const missing = ids.filter((id) => !found.some((m) => m.id === id));
  if (missing.length) {
    throw new ValidationError(`${missing.length} of the messages do not exist in this workspace; nothing was changed`, missing.slice(0, 20).map((id) => ({ path: 'messageIds', code: 'not_found', message: `no message ${id.slice(0, 40)}` })));
  }
  await ctx.db.transaction().execute((trx) => applyChange(ctx, trx, found, input.change, add, remove));
  const rows = await messagesByIds(ctx.db, ctx.workspaceId, ids);
  return { changed: rows.length, items: await inboxMessageViews(ctx, rows) };
}

/** Body of an internal note. */
export const noteInputSchema = z.object({ text: z.string().trim().min(1, 'Write the note').max(10_000) }).strict();

/** Adds an internal note (never sent to the network). */
export async function addInboxNote(ctx: UseCaseContext, id: string, raw: unknown): Promise<NoteView> {
  await authorize(ctx, 'inbox.triage');
  const input = parseInput(noteInputSchema, raw);
  const m = await loadMessage(ctx, id);
  const row = { id: newId(ctx.services.now().getTime()), workspace_id: ctx.workspaceId, message_id: m.id, author_id: actorId(ctx), text: input.text, created_at: ctx.services.now().toISOString() };
  await ctx.db.transaction().execute(async (trx) => {
    await insertNote(trx, row);
    await event(ctx, trx, 'inbox.note.added', m.id, { messageId: m.id, noteId: row.id });
  });
  const names = row.author_id ? await userNames(ctx.db, [row.author_id]) : new Map<string, string>();
  return { id: row.id, messageId: m.id, text: row.text, author: { id: row.author_id, name: row.author_id ? (names.get(row.author_id) ?? null) : null }, createdAt: row.created_at };
}

// ---------------------------------------------------------------------------------------------------
// Saved replies

/** A saved reply. */
export interface SavedReplyView {
  id: string;
  name: string;
  text: string;
  createdAt: string;
  updatedAt: string;
}

const savedReplyText = z
  .string()
  .min(1, 'Write the reply')
  .max(10_000)
  .superRefine((t, c) => {
    const unknown = unknownVariables(t);
    if (unknown.length) c.addIssue({ code: 'custom', message: `Unknown variable(s) ${unknown.map((u) => `{{${u}}}`).join(', ')}; known: ${templateVariables.map((v) => `{{${v}}}`).join(', ')}` });
  });
/** Body of a new saved reply. */
export const savedReplyInputSchema = z.object({ name: z.string().trim().min(1, 'Name the reply').max(100), text: savedReplyText }).strict();
/** Body of a saved reply change. */
export const savedReplyPatchSchema = z.object({ name: z.string().trim().min(1).max(100).optional(), text: savedReplyText.optional() }).strict();

const savedView = (r: InboxSavedReplyRow): SavedReplyView => ({ id: r.id, name: r.name, text: r.text, createdAt: r.created_at, updatedAt: r.updated_at });

/** Saved replies of the workspace by name. */
export async function listInboxSavedReplies(ctx: UseCaseContext): Promise<{ items: SavedReplyView[] }> {
  await authorize(ctx, 'inbox.read');
  return { items: (await listSavedReplies(ctx.db, ctx.workspaceId)).map(savedView) };
}

/** Creates a saved reply (names are unique per workspace). */
export async function createInboxSavedReply(ctx: UseCaseContext, raw: unknown): Promise<SavedReplyView> {
  await authorize(ctx, 'inbox.manage');
  const input = parseInput(savedReplyInputSchema, raw);
  if (await findSavedReplyByName(ctx.db, ctx.workspaceId, input.name)) throw new ConflictError(`A saved reply named "${input.name}" already exists`);
  const now = ctx.services.now().toISOString();
  const row: InboxSavedReplyRow = { id: newId(ctx.services.now().getTime()), workspace_id: ctx.workspaceId, name: input.name, text: input.text, created_by: actorId(ctx), created_at: now, updated_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    await insertSavedReply(trx, row);
    await event(ctx, trx, 'inbox.saved_reply.created', row.id, { savedReplyId: row.id, name: row.name });
  });
  return savedView(row);
}

/** Changes a saved reply. */
export async function updateInboxSavedReply(ctx: UseCaseContext, id: string, raw: unknown): Promise<SavedReplyView> {
  await authorize(ctx, 'inbox.manage');
  const input = parseInput(savedReplyPatchSchema, raw);
  const r = isId(id) ? await findSavedReply(ctx.db, ctx.workspaceId, id) : undefined;
  if (!r) throw new NotFoundError('Saved reply');
  if (input.name && input.name !== r.name && (await findSavedReplyByName(ctx.db, ctx.workspaceId, input.name))) throw new ConflictError(`A saved reply named "${input.name}" already exists`);
  const now = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await updateSavedReply(trx, ctx.workspaceId, id, { ...(input.name ? { name: input.name } : {}), ...(input.text ? { text: input.text } : {}), updated_at: now });
    await event(ctx, trx, 'inbox.saved_reply.updated', id, { savedReplyId: id, fields: Object.keys(input) });
  });
  return savedView({ ...r, ...(input.name ? { name: input.name } : {}), ...(input.text ? { text: input.text } : {}), updated_at: now });
}

/** Deletes a saved reply. */
export async function deleteInboxSavedReply(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'inbox.manage');
  await ctx.db.transaction().execute(async (trx) => {
    if (!isId(id) || !(await deleteSavedReply(trx, ctx.workspaceId, id))) throw new NotFoundError('Saved reply');
    await event(ctx, trx, 'inbox.saved_reply.deleted', id, { savedReplyId: id });
  });
}

/** A saved reply filled in for one message (plain text, ready to send or edit). */
export async function renderInboxSavedReply(ctx: UseCaseContext, messageId: string, savedReplyId: string): Promise<{ text: string }> {
  await authorize(ctx, 'inbox.read');
  const m = await loadMessage(ctx, messageId);
  const r = isId(savedReplyId) ? await findSavedReply(ctx.db, ctx.workspaceId, savedReplyId) : undefined;
  if (!r) throw new NotFoundError('Saved reply');
  const account = await findAccount(ctx.db, ctx.workspaceId, m.account_id);
  const me = actorId(ctx);
  const names = me ? await userNames(ctx.db, [me]) : new Map<string, string>();
  return {
    text: renderTemplate(r.text, {
      'author.name': m.author_name ?? m.author_handle,
      'author.handle': m.author_handle,
      'account.handle': account?.handle ?? null,
      'account.name': account?.display_name ?? account?.handle ?? null,
      network: m.network,
      'message.text': m.text,
      'member.name': me ? (names.get(me) ?? null) : null,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Settings

/** The inbox settings as the API shows them (the bot token never leaves Herald). */
export interface InboxSettingsView {
  businessHours: BusinessHours;
  /** The zone the hours are in (the workspace's unless set). */
  zone: string;
  firstResponseMinutes: number;
  telegramBotTokenSet: boolean;
  updatedAt: string | null;
}

/** Body of a settings change. `telegramBotToken`: a token sets it, null clears it, absent keeps it. */
export const inboxSettingsInputSchema = z
  .object({
    businessHours: businessHoursSchema.optional(),
    firstResponseMinutes: z.number().int().min(1, 'At least one minute').max(60 * 24 * 30, 'At most 30 days').optional(),
    telegramBotToken: z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, 'A Telegram bot token looks like 123456:ABC-DEF… (from @BotFather)').nullable().optional(),
  })
  .strict();

const botTokenContext = (workspaceId: string) => `inbox-settings:${workspaceId}:telegram-bot-token`;

/** The workspace's Telegram bot token for notifications, if set. */
export async function inboxTelegramBotToken(ctx: Pick<UseCaseContext, 'db' | 'services' | 'workspaceId'>): Promise<string | null> {
  const row = await findInboxSettings(ctx.db, ctx.workspaceId);
  return row?.telegram_bot_token_enc ? ctx.services.secrets.open<string>(row.telegram_bot_token_enc, botTokenContext(ctx.workspaceId)) : null;
}

/** The workspace's inbox settings (defaults when never saved). */
export async function getInboxSettings(ctx: UseCaseContext): Promise<InboxSettingsView> {
  await authorize(ctx, 'inbox.read');
  const row = await findInboxSettings(ctx.db, ctx.workspaceId);
  const zone = await workspaceTimezone(ctx.db, ctx.workspaceId);
  const hours = row ? businessHoursSchema.parse(JSON.parse(row.business_hours)) : defaultBusinessHours;
  return { businessHours: hours, zone: hours.zone ?? zone, firstResponseMinutes: row?.first_response_minutes ?? defaultFirstResponseMinutes, telegramBotTokenSet: Boolean(row?.telegram_bot_token_enc), updatedAt: row?.updated_at ?? null };
}

/** Open messages received this far back get new due times when the hours or the target change. */
const retimeWindowMs = 30 * 86_400_000;

/**
 * Changes the inbox settings. When the hours or the target change, unanswered open messages of the last
 * 30 days get due times under the new settings (older ones keep theirs); the event says how many.
 */
export async function updateInboxSettings(ctx: UseCaseContext, raw: unknown): Promise<InboxSettingsView> {
  await authorize(ctx, 'inbox.settings');
  const input = parseInput(inboxSettingsInputSchema, raw);
  if (input.businessHours?.zone && !isValidTimeZone(input.businessHours.zone)) throw new ValidationError(`"${input.businessHours.zone}" is not an IANA time zone (like Europe/Stockholm)`, [{ path: 'businessHours.zone', code: 'invalid_zone', message: 'IANA time zone expected' }]);
  const row = await findInboxSettings(ctx.db, ctx.workspaceId);
  const now = ctx.services.now().toISOString();
  const tokenEnc = input.telegramBotToken === undefined ? (row?.telegram_bot_token_enc ?? null) : input.telegramBotToken === null ? null : ctx.services.secrets.seal(input.telegramBotToken, botTokenContext(ctx.workspaceId));
  await ctx.db.transaction().execute(async (trx) => {
    await upsertInboxSettings(trx, {
      workspace_id: ctx.workspaceId,
      business_hours: JSON.stringify(input.businessHours ?? (row ? JSON.parse(row.business_hours) : defaultBusinessHours)),
      first_response_minutes: input.firstResponseMinutes ?? row?.first_response_minutes ?? defaultFirstResponseMinutes,
      telegram_bot_token_enc: tokenEnc,
      updated_at: now,
      updated_by: actorId(ctx),
    });
    let retimed = 0;
    if (input.businessHours !== undefined || input.firstResponseMinutes !== undefined) {
      const sla = await slaSettings(trx, ctx.workspaceId);
      const since = new Date(ctx.services.now().getTime() - retimeWindowMs).toISOString();
      for (const m of await openMessagesWithDueTimes(trx, ctx.workspaceId, since)) {
        const due = addBusinessMinutes(sla.calendar, Date.parse(m.received_at), sla.firstResponseMinutes);
        const dueAt = due === null ? null : new Date(due).toISOString();
        if (dueAt === m.sla_due_at) continue;
        await updateMessages(trx, ctx.workspaceId, [m.id], { sla_due_at: dueAt });
        retimed += 1;
      }
    }
    // The token itself is a secret: the event only says whether it changed.
    await event(ctx, trx, 'inbox.settings.updated', ctx.workspaceId, { fields: Object.keys(input), retimedMessages: retimed });
  });
  return getInboxSettings(ctx);
}

// ---------------------------------------------------------------------------------------------------
// Rules

/** A rule as the API shows it. */
export interface InboxRuleView {
  id: string;
  name: string;
  active: boolean;
  conditions: RuleConditions;
  actions: RuleActions;
  createdAt: string;
  updatedAt: string;
}

/** Body of a new rule. */
export const ruleInputSchema = z.object({ name: z.string().trim().min(1, 'Name the rule').max(100), active: z.boolean().default(true), conditions: ruleConditionsSchema, actions: ruleActionsSchema }).strict();
/** Body of a rule change. */
export const rulePatchSchema = z.object({ name: z.string().trim().min(1).max(100).optional(), active: z.boolean().optional(), conditions: ruleConditionsSchema.optional(), actions: ruleActionsSchema.optional() }).strict();

const ruleView = (r: InboxRuleRow): InboxRuleView => ({ id: r.id, name: r.name, active: r.active === 1, conditions: JSON.parse(r.conditions) as RuleConditions, actions: JSON.parse(r.actions) as RuleActions, createdAt: r.created_at, updatedAt: r.updated_at });

/** Checks what a rule's actions need: a member to assign to, valid tags, SMTP / a bot for notifications. */
async function checkedActions(ctx: UseCaseContext, a: RuleActions): Promise<RuleActions> {
  if (a.assignTo) await assertMember(ctx, a.assignTo, 'actions.assignTo');
  const tags = a.tags ? tagsOrThrow(a.tags, 'actions.tags') : undefined;
  for (const n of a.notify ?? []) {
    if (n.channel === 'email' && !ctx.services.config.smtp) throw new ValidationError('E-mail notifications need an SMTP server: the operator sets HERALD_SMTP_URL', [{ path: 'actions.notify', code: 'smtp_not_configured', message: 'HERALD_SMTP_URL is not set' }]);
    if (n.channel === 'telegram' && !(await inboxTelegramBotToken(ctx))) throw new ValidationError('Telegram notifications need the workspace\'s bot token: set telegramBotToken in the inbox settings first', [{ path: 'actions.notify', code: 'telegram_not_configured', message: 'no bot token' }]);
  }
  return { ...a, ...(tags ? { tags } : {}) };
}

/** Rules of the workspace (the order they run in). */
export async function listInboxRules(ctx: UseCaseContext): Promise<{ items: InboxRuleView[] }> {
  await authorize(ctx, 'inbox.read');
  return { items: (await listRules(ctx.db, ctx.workspaceId)).map(ruleView) };
}

/** Creates a rule; it runs on messages received from now on. */
export async function createInboxRule(ctx: UseCaseContext, raw: unknown): Promise<InboxRuleView> {
  await authorize(ctx, 'inbox.manage');
  const input = parseInput(ruleInputSchema, raw);
  const actions = await checkedActions(ctx, input.actions);
  const now = ctx.services.now().toISOString();
  const row: InboxRuleRow = { id: newId(ctx.services.now().getTime()), workspace_id: ctx.workspaceId, name: input.name, conditions: JSON.stringify(input.conditions), actions: JSON.stringify(actions), active: input.active ? 1 : 0, created_by: actorId(ctx), created_at: now, updated_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    await insertRule(trx, row);
    await event(ctx, trx, 'inbox.rule.created', row.id, { ruleId: row.id, name: row.name });
  });
  return ruleView(row);
}

/** Changes a rule. */
export async function updateInboxRule(ctx: UseCaseContext, id: string, raw: unknown): Promise<InboxRuleView> {
  await authorize(ctx, 'inbox.manage');
  const input = parseInput(rulePatchSchema, raw);
  const r = isId(id) ? await findRule(ctx.db, ctx.workspaceId, id) : undefined;
  if (!r) throw new NotFoundError('Rule');
  const actions = input.actions ? await checkedActions(ctx, input.actions) : undefined;
  const now = ctx.services.now().toISOString();
  const patch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.active !== undefined ? { active: input.active ? 1 : 0 } : {}),
    ...(input.conditions ? { conditions: JSON.stringify(input.conditions) } : {}),
    ...(actions ? { actions: JSON.stringify(actions) } : {}),
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await updateRule(trx, ctx.workspaceId, id, patch);
    await event(ctx, trx, 'inbox.rule.updated', id, { ruleId: id, fields: Object.keys(input) });
  });
  return ruleView({ ...r, ...patch });
}

/** Deletes a rule. */
export async function deleteInboxRule(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'inbox.manage');
  await ctx.db.transaction().execute(async (trx) => {
    if (!isId(id) || !(await deleteRule(trx, ctx.workspaceId, id))) throw new NotFoundError('Rule');
    await event(ctx, trx, 'inbox.rule.deleted', id, { ruleId: id });
  });
}

// ---------------------------------------------------------------------------------------------------
// Metrics

/** Mean and median, in minutes (null when there is nothing to measure). */
export interface Durations {
  count: number;
  meanMinutes: number | null;
  medianMinutes: number | null;
}

/** The inbox's "frequency and quality of responses" over a period. */
export interface InboxMetricsView {
  period: { from: string; to: string };
  /** Messages received in the period (not deleted on the network). */
  received: number;
  /** Of those, answered from Herald. */
  responded: number;
  /** responded / received (null with nothing received). */
  responseRate: number | null;
  /** Time to the first response, in business minutes. */
  firstResponse: Durations;
  /** Time from receipt to resolution, in business minutes and in calendar minutes. */
  resolution: Durations & { calendarMeanMinutes: number | null; calendarMedianMinutes: number | null };
  /** First responses late against the target, plus unanswered messages already past it. */
  breached: number;
  /** breached / received. */
  breachRate: number | null;
  firstResponseTargetMinutes: number;
  /**
   * Messages of the period per sentiment label (`unlabelled`: no label stored). negativeShare =
   * negative / labelled (negative + neutral + positive), rounded to 4 places; null with none labelled.
   */
  sentiment: { negative: number; neutral: number; positive: number; unlabelled: number; negativeShare: number | null };
}

/** Query of the metrics. */
export interface InboxMetricsInput {
  from?: string;
  to?: string;
  accountId?: string;
}

function durations(values: number[]): Durations {
  if (values.length === 0) return { count: 0, meanMinutes: null, medianMinutes: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const round = (ms: number) => Math.round((ms / 60_000) * 100) / 100;
  return { count: values.length, meanMinutes: round(values.reduce((s, v) => s + v, 0) / values.length), medianMinutes: round(median) };
}

function instantParam(value: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with an offset, like 2026-03-29T00:00:00Z`, [{ path: field, code: 'invalid_instant', message: 'ISO instant with an offset expected' }]);
  return ms;
}

/** Response rate, first-response and resolution times of messages received in [from, to) (default: the last 30 days). */
export async function inboxMetrics(ctx: UseCaseContext, q: InboxMetricsInput): Promise<InboxMetricsView> {
  await authorize(ctx, 'inbox.read');
  const nowMs = ctx.services.now().getTime();
  const toMs = q.to === undefined ? nowMs : instantParam(q.to, 'to');
  const fromMs = q.from === undefined ? toMs - 30 * 86_400_000 : instantParam(q.from, 'from');
  if (fromMs >= toMs) throw new ValidationError('from must be before to', [{ path: 'from', code: 'invalid_range', message: 'from must be before to' }]);
  if (toMs - fromMs > 400 * 86_400_000) throw new ValidationError('The period may be at most 400 days long', [{ path: 'from', code: 'range_too_long', message: 'at most 400 days' }]);
  if (q.accountId !== undefined && !isId(q.accountId)) throw new NotFoundError('Account');
  const sla = await slaSettings(ctx.db, ctx.workspaceId);
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const rows = await messagesForMetrics(ctx.db, ctx.workspaceId, from, to, q.accountId);
  const first: number[] = [];
  const resolution: number[] = [];
  const calendarResolution: number[] = [];
  let breached = 0;
  const nowIso = new Date(nowMs).toISOString();
  for (const r of rows) {
    const received = Date.parse(r.received_at);
    if (r.first_response_at) first.push(businessMsBetween(sla.calendar, received, Date.parse(r.first_response_at)));
    if (r.resolved_at) {
      resolution.push(businessMsBetween(sla.calendar, received, Date.parse(r.resolved_at)));
      calendarResolution.push(Math.max(0, Date.parse(r.resolved_at) - received));
    }
    if (r.sla_due_at && (r.first_response_at ?? nowIso) > r.sla_due_at) breached += 1;
  }
  const cal = durations(calendarResolution);
  const sentiment = { negative: 0, neutral: 0, positive: 0, unlabelled: 0 };
  for (const c of await sentimentCountsForMetrics(ctx.db, ctx.workspaceId, from, to, q.accountId)) sentiment[c.label ?? 'unlabelled'] += c.count;
  const labelled = sentiment.negative + sentiment.neutral + sentiment.positive;
  return {
    period: { from, to },
    received: rows.length,
    responded: first.length,
    responseRate: rows.length ? Math.round((first.length / rows.length) * 10_000) / 10_000 : null,
    firstResponse: durations(first),
    resolution: { ...durations(resolution), calendarMeanMinutes: cal.meanMinutes, calendarMedianMinutes: cal.medianMinutes },
    breached,
    breachRate: rows.length ? Math.round((breached / rows.length) * 10_000) / 10_000 : null,
    firstResponseTargetMinutes: sla.firstResponseMinutes,
    sentiment: { ...sentiment, negativeShare: labelled ? Math.round((sentiment.negative / labelled) * 10_000) / 10_000 : null },
  };
}

