/**
 * The inbox: messages ingested by the inbound sync (list with filters, full-text search and cursor
 * pages) and replies sent through the account's connector, threaded under the message. Text is the
 * network's plain text and is only ever shown as text. Every reply is recorded as an `inbox.reply.sent`
 * event naming who sent it. Replies are idempotent per `Idempotency-Key`: a retry with the same key
 * returns the first reply instead of sending again (and the connector gets the same key, so a network
 * that dedupes, like Bluesky's deterministic record keys, cannot post twice after an unknown outcome).
 * The first reply to a message is its first response (SLA) and moves it to `waiting`.
 */
import { z } from 'zod';
import { ConnectorError } from '../connectors/connector';
import type { InboxMessageRow } from '../db/schema';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan, type Action } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { findInboxMessage, listInboxMessages as listRows, type InboxMessageWithPost } from '../repositories/inbox-messages.repository';
import { claimReply, finishReply, reclaimReply, tagsOf, updateMessages } from '../repositories/inbox-workflow.repository';
import { inboxPriorities, inboxStatuses, type InboxPriority, type InboxStatus } from '../inbox/inbox-tables';
import { accountAuth, accountContext } from '../publishing/connector-context';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { storedNetworkLimits } from '../accounts/account-flags';
import { throwIfAccountFailure } from '../accounts/account-failures';
import { parseInput } from './posts.use-case';
import { availableModeration, type ModerationVerb } from '../inbox/moderation-actions';
import { policyActor } from './workspaces.use-case';

/** Kinds of inbound messages. */
export const inboxKinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const;

/** A message as the API shows it. */
export interface InboxMessageView {
  id: string;
  accountId: string;
  network: string;
  externalId: string;
  kind: InboxMessageRow['kind'];
  parentExternalId: string | null;
  rootExternalId: string | null;
  /** Our post target (and post) the conversation belongs to, when known. */
  targetId: string | null;
  postId: string | null;
  author: { externalId: string; handle: string; displayName: string | null; followers: number | null };
  /** Plain text; render as text, never as HTML. */
  text: string;
  url: string | null;
  lang: string | null;
  createdAt: string;
  receivedAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  status: InboxStatus;
  assigneeId: string | null;
  priority: InboxPriority;
  sentiment: { label: 'negative' | 'neutral' | 'positive'; score: number; lang: string } | null;
  tags: string[];
  /** First-response SLA in business time; `breached` when the first response came (or is) late. */
  sla: { dueAt: string | null; breached: boolean; firstResponseAt: string | null };
  resolvedAt: string | null;
  /** The conversation (thread) this message belongs to, per account; `dm:<author>` for direct messages. */
  threadKey: string;
  /**
   * What Herald did to the message on the network (who, when) and which moderation actions the
   * account's network allows on it now (`hide`, `unhide`, `delete`, `restore`).
   */
  moderation: { hiddenAt: string | null; hiddenBy: string | null; deletedAt: string | null; deletedBy: string | null; actions: ModerationVerb[] };
}

/** A sent reply. */
export interface InboxReplyView {
  messageId: string;
  externalId: string;
  url: string | null;
  sentAt: string;
  idempotencyKey: string;
  /** True when this answer repeats an earlier reply with the same key (nothing was sent now). */
  replayed: boolean;
}

const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'An idempotency key is 1–200 visible ASCII characters');

/** Body of a reply. */
export const replyInputSchema = z
  .object({
    text: z.string().min(1, 'Write a reply').max(20_000),
    idempotencyKey: idempotencyKeySchema.optional().describe('Same as the Idempotency-Key header; a retry with the same key never sends twice'),
  })
  .strict();

/** Filters of the list (already validated as strings by the route). */
export interface InboxListInput {
  accountId?: string;
  network?: string;
  kind?: InboxMessageRow['kind'];
  since?: string;
  until?: string;
  /** Comma-separated statuses. */
  status?: string;
  /** Comma-separated sentiment labels. */
  sentiment?: string;
  /** A user id, `me`, or `none` (unassigned). */
  assignee?: string;
  tag?: string;
  lang?: string;
  priority?: InboxPriority;
  breached?: 'true' | 'false';
  /** Words that must all occur in the text, author handle or name (case-insensitive). */
  q?: string;
  cursor?: string;
  limit: number;
}

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

/** The API view of a message (tags from `tagsOf`, `now` for the breach flag). */
export function inboxMessageView(m: InboxMessageWithPost, tags: string[], now: string, actions: ModerationVerb[] = []): InboxMessageView {
  return {
    id: m.id,
    accountId: m.account_id,
    network: m.network,
    externalId: m.external_id,
    kind: m.kind,
    parentExternalId: m.parent_external_id,
    rootExternalId: m.root_external_id,
    targetId: m.target_id,
    postId: m.post_id,
    author: { externalId: m.author_external_id, handle: m.author_handle, displayName: m.author_name, followers: m.author_followers },
    text: m.text,
    url: m.url,
    lang: m.lang,
    createdAt: m.network_created_at,
    receivedAt: m.received_at,
    editedAt: m.edited_at,
    deletedAt: m.deleted_at,
    status: m.status,
    assigneeId: m.assignee_id,
    priority: m.priority,
    sentiment: m.sentiment_label === null ? null : { label: m.sentiment_label, score: m.sentiment_score ?? 0, lang: m.sentiment_lang ?? 'und' },
    tags,
    sla: { dueAt: m.sla_due_at, breached: m.sla_due_at !== null && (m.first_response_at ?? now) > m.sla_due_at, firstResponseAt: m.first_response_at },
    resolvedAt: m.resolved_at,
    threadKey: m.thread_key ?? m.root_external_id ?? m.external_id,
    moderation: { hiddenAt: m.network_hidden_at, hiddenBy: m.network_hidden_by, deletedAt: m.network_deleted_at, deletedBy: m.network_deleted_by, actions },
  };
}

/** Views of several messages with their tags. */
export async function inboxMessageViews(ctx: UseCaseContext, rows: InboxMessageWithPost[]): Promise<InboxMessageView[]> {
  const tags = await tagsOf(ctx.db, rows.map((r) => r.id));
  const now = ctx.services.now().toISOString();
  const connectorOf = (network: string) => (ctx.services.connectors.has(network) ? ctx.services.connectors.get(network) : null);
  return rows.map((r) => inboxMessageView(r, tags.get(r.id) ?? [], now, availableModeration(connectorOf(r.network), r)));
}

function listOf<T extends string>(raw: string | undefined, allowed: readonly T[], field: string): T[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
  if (bad.length) throw new ValidationError(`${field} must be one or more of ${allowed.join(', ')} (comma-separated); got ${bad.join(', ')}`, [{ path: field, code: 'invalid_enum', message: `one of ${allowed.join(', ')}` }]);
  return parts as T[];
}

/** Search words: lower-cased, at most 10, each at most 100 characters. */
function searchWords(q: string | undefined): string[] | undefined {
  if (q === undefined) return undefined;
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 10) throw new ValidationError('Search for at most 10 words at once', [{ path: 'q', code: 'too_many_words', message: 'at most 10 words' }]);
  if (words.some((w) => w.length > 100)) throw new ValidationError('A search word may be at most 100 characters long', [{ path: 'q', code: 'too_long', message: 'at most 100 characters per word' }]);
  return words.length ? words : undefined;
}

function instant(value: string, field: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with an offset, like 2026-03-29T00:00:00Z`, [{ path: field, code: 'invalid_instant', message: 'ISO instant with an offset expected' }]);
  return new Date(ms).toISOString();
}

/** Messages of the workspace, newest received first; `cursor` is the previous page's `nextCursor`. */
export async function listInboxMessages(ctx: UseCaseContext, f: InboxListInput): Promise<{ items: InboxMessageView[]; nextCursor: string | null }> {
  await authorize(ctx, 'inbox.read');
  const since = f.since === undefined ? undefined : instant(f.since, 'since');
  const until = f.until === undefined ? undefined : instant(f.until, 'until');
  const status = listOf(f.status, inboxStatuses, 'status');
  const sentiment = listOf(f.sentiment, ['negative', 'neutral', 'positive'] as const, 'sentiment');
  const words = searchWords(f.q);
  let assigneeId: string | null | undefined;
  if (f.assignee === 'none') assigneeId = null;
  else if (f.assignee === 'me') assigneeId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  else assigneeId = f.assignee;
  // An id that cannot exist matches nothing; no need to tell the caller more than "empty".
  if (f.accountId !== undefined && !isId(f.accountId)) return { items: [], nextCursor: null };
  if (typeof assigneeId === 'string' && !isId(assigneeId)) return { items: [], nextCursor: null };
  const tag = f.tag?.trim().toLowerCase();
  const lang = f.lang?.trim().toLowerCase().split(/[-_]/)[0];
  const rows = await listRows(ctx.db, ctx.workspaceId, {
    accountId: f.accountId,
    network: f.network,
    kind: f.kind,
    since,
    until,
    status,
    sentiment,
    assigneeId,
    tag: tag || undefined,
    lang: lang || undefined,
    priority: f.priority,
    breached: f.breached === undefined ? undefined : f.breached === 'true',
    now: ctx.services.now().toISOString(),
    words,
    cursor: f.cursor,
    limit: f.limit + 1,
  });
  const page = rows.slice(0, f.limit);
  return { items: await inboxMessageViews(ctx, page), nextCursor: rows.length > f.limit ? page[page.length - 1]!.id : null };
}

/** One message of the workspace. */
export async function getInboxMessage(ctx: UseCaseContext, id: string): Promise<InboxMessageView> {
  await authorize(ctx, 'inbox.read');
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  return (await inboxMessageViews(ctx, [m]))[0]!;
}

/** How long a reply may take on the network. */
const replyTimeoutMs = 30_000;

/**
 * Replies to a message on its network, threaded under it. The text is checked with the connector's own
 * `validate` (with the account's server limits) before anything is sent.
 */
export async function replyToInboxMessage(ctx: UseCaseContext, id: string, raw: z.input<typeof replyInputSchema>, headerKey?: string): Promise<InboxReplyView> {
  await authorize(ctx, 'inbox.reply');
  const input = parseInput(replyInputSchema, raw);
  if (headerKey !== undefined) {
    const k = idempotencyKeySchema.safeParse(headerKey);
    if (!k.success) throw new ValidationError('The Idempotency-Key header must be 1–200 visible ASCII characters', [{ path: 'Idempotency-Key', code: 'invalid_key', message: 'visible ASCII, 1–200 characters' }]);
    if (input.idempotencyKey !== undefined && input.idempotencyKey !== headerKey) throw new ValidationError('The Idempotency-Key header and the body\'s idempotencyKey differ; send one of them', [{ path: 'idempotencyKey', code: 'key_mismatch', message: 'differs from the header' }]);
  }
  const idempotencyKey = headerKey ?? input.idempotencyKey ?? newId();
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  if (m.deleted_at) throw new ConflictError('This message was deleted on the network; there is nothing to reply to');
  if (m.network_deleted_at) throw new ConflictError('This message was deleted on the network from Herald; restore it first to reply');
  const account = await findAccount(ctx.db, ctx.workspaceId, m.account_id);
  if (!account) throw new ConflictError('The account this message came to was removed from Herald');
  if (account.status !== 'ok') throw new ConflictError(`${account.handle} needs to be reconnected before you can reply (${account.status_reason ?? account.status})`);
  const connector = ctx.services.connectors.has(account.network) ? ctx.services.connectors.get(account.network) : null;
  // A direct message is answered privately through the DM capability, never as a public reply.
  const isDm = m.kind === 'dm';
  if (!connector || (isDm ? !connector.directMessages : !connector.comments)) throw new ConflictError(`Herald cannot ${isDm ? 'answer direct messages' : 'reply'} on ${connector?.displayName ?? account.network}`);

  const checked = connector.validate({ text: input.text }, { networkLimits: storedNetworkLimits(account.network_limits) });
  if (!checked.valid) {
    throw new ValidationError(`${connector.displayName} would not accept this reply: ${checked.errors.map((e) => e.message).join('; ')}`, checked.errors.map((e) => ({ path: 'text', code: e.code, message: e.message })));
  }

  const senderId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  const attemptId = newId(ctx.services.now().getTime());
  const claim = await claimReply(ctx.db, { id: attemptId, workspace_id: ctx.workspaceId, message_id: m.id, idempotency_key: idempotencyKey, state: 'sending', text: input.text, external_id: null, url: null, sent_by: senderId, created_at: ctx.services.now().toISOString(), sent_at: null, deleted_at: null, deleted_by: null });
  let replyId = attemptId;
  if (!claim.claimed) {
    const prior = claim.existing;
    if (prior.message_id !== m.id || prior.text !== input.text) throw new ConflictError('This Idempotency-Key was already used for a different reply; use a new key for a new reply');
    if (prior.state === 'sent') return { messageId: m.id, externalId: prior.external_id ?? '', url: prior.url, sentAt: prior.sent_at ?? prior.created_at, idempotencyKey, replayed: true };
    // An attempt still `sending` long after any send could take belonged to a process that died: take it
    // over (the connector key stays the same, so a network that dedupes does not post twice).
    const staleBefore = new Date(ctx.services.now().getTime() - 2 * replyTimeoutMs).toISOString();
    if (!(await reclaimReply(ctx.db, prior.id, input.text, senderId, ctx.services.now().toISOString(), staleBefore))) throw new ConflictError('A reply with this Idempotency-Key is being sent right now; try again in a moment to get its result');
    replyId = prior.id;
  }
  let result: { externalId: string; url: string | null };
  try {
    // The attempt's id is stable across retries of one key: a network that dedupes by it posts once.
    const auth = accountAuth(ctx.services, account);
    const io = accountContext(ctx.services, account.id, replyTimeoutMs);
    result = isDm
      ? await connector.directMessages!.send({ auth, messageExternalId: m.external_id, correspondent: { externalId: m.author_external_id, handle: m.author_handle }, text: input.text, idempotencyKey: replyId }, io)
      : await connector.comments!.reply({ auth, parentExternalId: m.external_id, rootExternalId: m.root_external_id, text: input.text, idempotencyKey: replyId }, io);
  } catch (e) {
    // Failed (or unknown) attempts may be retried with the same key; the connector key stays the same.
    await finishReply(ctx.db, replyId, { state: 'failed' });
    if (!(e instanceof ConnectorError)) throw e;
    await throwIfAccountFailure(ctx, connector, account, e);
    if (e.kind === 'invalid_content') throw new ValidationError(`${connector.displayName} refused the reply: ${e.message}`, [{ path: 'text', code: 'invalid_content', message: e.message }]);
    throw new DomainError(
      502,
      'Network unavailable',
      e.opts.outcomeUnknown
        ? `${connector.displayName} did not answer after the reply was sent (${e.message}); check the conversation on the network before sending it again`
        : `${connector.displayName} could not be reached: ${e.message}. Try again.`,
    );
  }

  const sentAt = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await finishReply(trx, replyId, { state: 'sent', external_id: result.externalId, url: result.url, sent_at: sentAt });
    const fresh = await findInboxMessage(trx, ctx.workspaceId, m.id);
    if (fresh) {
      // Answered: the ball is in the author's court. The first reply is the SLA's first response.
      const patch = { status: 'waiting' as const, status_changed_at: sentAt, ...(fresh.first_response_at ? {} : { first_response_at: sentAt, first_response_by: senderId }) };
      await updateMessages(trx, ctx.workspaceId, [m.id], patch);
      if (fresh.status !== 'waiting') {
        await recordEvent(ctx.services, trx, { workspaceId: ctx.workspaceId, type: 'inbox.message.status_changed', subjectId: m.id, actorId: senderId, payload: { messageId: m.id, from: fresh.status, to: 'waiting', reason: 'replied' } });
      }
    }
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'inbox.reply.sent',
      subjectId: m.id,
      actorId: senderId,
      payload: { messageId: m.id, accountId: account.id, network: account.network, externalId: result.externalId, url: result.url, text: input.text, idempotencyKey, ...(isDm ? { direct: true } : {}) },
    });
  });
  ctx.services.log.info({ messageId: m.id, accountId: account.id, network: account.network }, 'inbox reply sent');
  return { messageId: m.id, externalId: result.externalId, url: result.url, sentAt, idempotencyKey, replayed: false };
}
