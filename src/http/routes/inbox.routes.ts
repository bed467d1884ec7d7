/**
 * The inbox of a workspace: messages ingested from the networks (newest first, filtered, searched),
 * conversations, work states, assignment, tags, notes, bulk changes, replies through the account's
 * connector (idempotent per `Idempotency-Key`), saved replies, settings (business hours, SLA), rules and
 * SLA metrics. Message text is plain text: clients must render it as text.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { getInboxMessage, inboxKinds, listInboxMessages, replyInputSchema, replyToInboxMessage } from '../../use-cases/inbox.use-case';
import { deleteInboxReply, moderateInboxMessage, moderationInputSchema } from '../../use-cases/inbox-moderation.use-case';
import { moderationVerbs } from '../../inbox/moderation-actions';
import {
  addInboxNote,
  bulkChangeInboxMessages,
  bulkChangeSchema,
  changeInboxMessage,
  createInboxRule,
  createInboxSavedReply,
  deleteInboxRule,
  deleteInboxSavedReply,
  getConversation,
  getInboxSettings,
  inboxMetrics,
  inboxSettingsInputSchema,
  listInboxRules,
  listInboxSavedReplies,
  messageChangeSchema,
  noteInputSchema,
  renderInboxSavedReply,
  ruleInputSchema,
  rulePatchSchema,
  savedReplyInputSchema,
  savedReplyPatchSchema,
  updateInboxRule,
  updateInboxSavedReply,
  updateInboxSettings,
} from '../../use-cases/inbox-workflow.use-case';
import { relabelInboxMessageSentiment, sentimentRelabelSchema, undoInboxMessageSentimentRelabel } from '../../use-cases/sentiment-corrections.use-case';
import { inboxPriorities, inboxStatuses } from '../../inbox/inbox-tables';
import { businessHoursSchema } from '../../inbox/business-hours';
import { ruleActionsSchema, ruleConditionsSchema } from '../../inbox/inbox-rules';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

const InboxMessageSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    network: z.string(),
    externalId: z.string(),
    kind: z.enum(inboxKinds),
    parentExternalId: z.string().nullable(),
    rootExternalId: z.string().nullable(),
    targetId: z.string().nullable().openapi({ description: 'Our post target the conversation belongs to, when known' }),
    postId: z.string().nullable(),
    author: z.object({ externalId: z.string(), handle: z.string(), displayName: z.string().nullable(), followers: z.number().nullable() }),
    text: z.string().openapi({ description: 'Plain text as the network sent it; render as text, never as HTML' }),
    url: z.string().nullable(),
    lang: z.string().nullable(),
    createdAt: z.string().openapi({ description: 'When the network says it was written' }),
    receivedAt: z.string(),
    editedAt: z.string().nullable(),
    deletedAt: z.string().nullable().openapi({ description: 'Set when the network reported it deleted' }),
    status: z.enum(inboxStatuses),
    assigneeId: z.string().nullable(),
    priority: z.enum(inboxPriorities),
    sentiment: z.object({ label: z.enum(['negative', 'neutral', 'positive']), score: z.number(), lang: z.string() }).nullable(),
    tags: z.array(z.string()),
    sla: z.object({ dueAt: z.string().nullable(), breached: z.boolean(), firstResponseAt: z.string().nullable() }).openapi({ description: 'First-response due time in business hours; breached when answered (or still open) after it' }),
    resolvedAt: z.string().nullable(),
    threadKey: z.string().openapi({ description: 'The conversation; direct messages share one per correspondent (`dm:<author id>`)' }),
    moderation: z
      .object({
        hiddenAt: z.string().nullable(),
        hiddenBy: z.string().nullable(),
        deletedAt: z.string().nullable(),
        deletedBy: z.string().nullable(),
        actions: z.array(z.enum(moderationVerbs)),
      })
      .openapi({ description: "What Herald did to the message on the network (who, when) and the moderation actions its network allows on it now" }),
  })
  .openapi('InboxMessage');

const InboxReplyRecordSchema = z
  .object({ id: z.string(), messageId: z.string(), text: z.string(), externalId: z.string().nullable(), url: z.string().nullable(), sentAt: z.string().nullable(), sentBy: z.string().nullable(), deletedAt: z.string().nullable(), deletedBy: z.string().nullable() })
  .openapi('InboxReplyRecord');

const InboxReplySchema = z
  .object({ messageId: z.string(), externalId: z.string(), url: z.string().nullable(), sentAt: z.string(), idempotencyKey: z.string(), replayed: z.boolean().openapi({ description: 'True when an earlier reply with the same key is returned and nothing was sent now' }) })
  .openapi('InboxReply');

const NoteSchema = z.object({ id: z.string(), messageId: z.string(), text: z.string(), author: z.object({ id: z.string().nullable(), name: z.string().nullable() }), createdAt: z.string() }).openapi('InboxNote');

const ConversationSchema = z
  .object({
    message: InboxMessageSchema,
    ancestors: z.array(InboxMessageSchema),
    children: z.array(InboxMessageSchema),
    thread: z.array(InboxMessageSchema),
    post: z.object({ targetId: z.string(), postId: z.string(), text: z.string(), url: z.string().nullable(), publishedAt: z.string().nullable() }).nullable(),
    notes: z.array(NoteSchema),
    history: z
      .array(z.object({ type: z.string(), at: z.string(), actor: z.object({ id: z.string().nullable(), name: z.string().nullable() }), details: z.record(z.string(), z.unknown()) }))
      .openapi({ description: 'Every workflow event of the message, oldest first, with who did it (null = Herald: ingest, rules)' }),
    replies: z.array(InboxReplyRecordSchema.extend({ senderName: z.string().nullable() })).openapi({ description: 'Our replies sent from Herald in this conversation, oldest first, with who sent them' }),
    canDeleteReplies: z.boolean().openapi({ description: "Whether the account's network lets Herald delete our replies" }),
  })
  .openapi('InboxConversation');

const SavedReplySchema = z.object({ id: z.string(), name: z.string(), text: z.string(), createdAt: z.string(), updatedAt: z.string() }).openapi('InboxSavedReply');
const SettingsSchema = z
  .object({ businessHours: businessHoursSchema, zone: z.string(), firstResponseMinutes: z.number(), telegramBotTokenSet: z.boolean(), updatedAt: z.string().nullable() })
  .openapi('InboxSettings');
const RuleSchema = z.object({ id: z.string(), name: z.string(), active: z.boolean(), conditions: ruleConditionsSchema, actions: ruleActionsSchema, createdAt: z.string(), updatedAt: z.string() }).openapi('InboxRule');
const Durations = { count: z.number(), meanMinutes: z.number().nullable(), medianMinutes: z.number().nullable() };
const MetricsSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }),
    received: z.number(),
    responded: z.number(),
    responseRate: z.number().nullable(),
    firstResponse: z.object(Durations).openapi({ description: 'Business minutes from receipt to the first reply sent from Herald' }),
    resolution: z.object({ ...Durations, calendarMeanMinutes: z.number().nullable(), calendarMedianMinutes: z.number().nullable() }),
    breached: z.number(),
    breachRate: z.number().nullable(),
    firstResponseTargetMinutes: z.number(),
    sentiment: z
      .object({ negative: z.number(), neutral: z.number(), positive: z.number(), unlabelled: z.number(), negativeShare: z.number().nullable() })
      .openapi({ description: 'Messages of the period per sentiment label; negativeShare = negative / labelled messages (null when none is labelled)' }),
  })
  .openapi('InboxMetrics');

const q = (name: string, description: string) => ({ param: { name, in: 'query' as const }, description });
const ListQuery = PageQuerySchema.extend({
  accountId: z.string().optional().openapi(q('accountId', 'Only messages to this account')),
  network: z.string().optional().openapi(q('network', 'Only messages from this network')),
  kind: z.enum(inboxKinds).optional().openapi({ param: { name: 'kind', in: 'query' } }),
  since: z.string().optional().openapi(q('since', 'Only messages written at or after this ISO instant')),
  until: z.string().optional().openapi(q('until', 'Only messages written before this ISO instant')),
  status: z.string().optional().openapi(q('status', 'Comma-separated: new, assigned, waiting, resolved')),
  sentiment: z.string().optional().openapi(q('sentiment', 'Comma-separated: negative, neutral, positive')),
  assignee: z.string().optional().openapi(q('assignee', 'A member id, `me`, or `none` for unassigned')),
  tag: z.string().optional().openapi(q('tag', 'Only messages with this tag')),
  lang: z.string().optional().openapi(q('lang', 'Language (primary subtag, e.g. `ru`): the network\'s, else the detected one')),
  priority: z.enum(inboxPriorities).optional().openapi({ param: { name: 'priority', in: 'query' } }),
  breached: z.enum(['true', 'false']).optional().openapi(q('breached', 'Only messages whose first response is (or was) late, or only those that are not')),
  q: z.string().max(1000).optional().openapi(q('q', 'Words that must all occur in the text, author handle or name (case-insensitive, substring)')),
}).strict();

const MessageParams = WorkspaceParamsSchema.extend({ messageId: z.string().openapi({ param: { name: 'messageId', in: 'path' } }) }).strict();
const SavedReplyParams = WorkspaceParamsSchema.extend({ savedReplyId: z.string().openapi({ param: { name: 'savedReplyId', in: 'path' } }) }).strict();
const RenderParams = MessageParams.extend({ savedReplyId: z.string().openapi({ param: { name: 'savedReplyId', in: 'path' } }) }).strict();
const RuleParams = WorkspaceParamsSchema.extend({ ruleId: z.string().openapi({ param: { name: 'ruleId', in: 'path' } }) }).strict();
const MetricsQuery = z
  .object({
    from: z.string().optional().openapi(q('from', 'Start of the period (ISO instant; default 30 days before `to`)')),
    to: z.string().optional().openapi(q('to', 'End of the period, exclusive (ISO instant; default now)')),
    accountId: z.string().optional().openapi(q('accountId', 'Only messages to this account')),
  })
  .strict();
const ReplyHeaders = z.object({ 'idempotency-key': z.string().optional().openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Idempotency-Key: a retry with the same key returns the first reply and never sends twice' }) });

const base = '/api/v1/workspaces/{workspaceId}/inbox-messages';
const ws = '/api/v1/workspaces/{workspaceId}';
const tags = ['inbox'];

const list = createRoute({ method: 'get', path: base, tags, summary: 'Comments, replies, mentions, quotes and direct messages received by the accounts, newest first, filtered and searched', security: authenticated, request: { params: WorkspaceParamsSchema, query: ListQuery }, responses: { 200: jsonResponse(pageSchema(InboxMessageSchema, 'InboxMessagePage'), 'A page of messages'), ...workspaceProblems } });
const read = createRoute({ method: 'get', path: `${base}/{messageId}`, tags, summary: 'One message', security: authenticated, request: { params: MessageParams }, responses: { 200: jsonResponse(InboxMessageSchema, 'The message'), ...workspaceProblems } });
const change = createRoute({ method: 'patch', path: `${base}/{messageId}`, tags, summary: 'Change status, assignee, priority or tags (contributors and above)', security: authenticated, request: { params: MessageParams, body: jsonBody(messageChangeSchema) }, responses: { 200: jsonResponse(InboxMessageSchema, 'Changed'), ...workspaceProblems } });
const bulk = createRoute({ method: 'post', path: `${base}/bulk`, tags, summary: 'The same change for up to 500 messages, all or nothing (contributors and above)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(bulkChangeSchema) }, responses: { 200: jsonResponse(z.object({ changed: z.number(), items: z.array(InboxMessageSchema) }).openapi('InboxBulkResult'), 'Changed'), ...workspaceProblems } });
const conversation = createRoute({ method: 'get', path: `${base}/{messageId}/conversation`, tags, summary: 'A message in its thread, with our post and the internal notes', security: authenticated, request: { params: MessageParams }, responses: { 200: jsonResponse(ConversationSchema, 'The conversation'), ...workspaceProblems } });
const note = createRoute({ method: 'post', path: `${base}/{messageId}/notes`, tags, summary: 'Add an internal note (never sent to the network; contributors and above)', security: authenticated, request: { params: MessageParams, body: jsonBody(noteInputSchema) }, responses: { 201: jsonResponse(NoteSchema, 'Added'), ...workspaceProblems } });
const reply = createRoute({ method: 'post', path: `${base}/{messageId}/reply`, tags, summary: 'Reply to a message on its network, threaded under it (editors and above); idempotent per Idempotency-Key', security: authenticated, request: { params: MessageParams, headers: ReplyHeaders, body: jsonBody(replyInputSchema) }, responses: { 201: jsonResponse(InboxReplySchema, 'Sent (or the earlier reply with this key)'), ...workspaceProblems, ...problemResponses(409, 429, 502) } });
const relabel = createRoute({ method: 'post', path: `${base}/{messageId}/sentiment`, tags, summary: "Relabel the message's sentiment (contributors and above); the workspace's later messages are labelled with what it teaches", security: authenticated, request: { params: MessageParams, body: jsonBody(sentimentRelabelSchema) }, responses: { 200: jsonResponse(InboxMessageSchema, 'Relabelled'), ...workspaceProblems } });
const unrelabel = createRoute({ method: 'delete', path: `${base}/{messageId}/sentiment`, tags, summary: "Undo the relabel of the message's sentiment (contributors and above): the correction is forgotten and the model's label comes back", security: authenticated, request: { params: MessageParams }, responses: { 200: jsonResponse(InboxMessageSchema, 'The message with the model label'), ...workspaceProblems, ...problemResponses(409) } });
const moderate = createRoute({ method: 'post', path: `${base}/{messageId}/moderation`, tags, summary: "Hide, unhide, delete or restore the message on its network, where the network allows it (editors and above)", security: authenticated, request: { params: MessageParams, body: jsonBody(moderationInputSchema) }, responses: { 200: jsonResponse(InboxMessageSchema, 'Done on the network; the message with its new state'), ...workspaceProblems, ...problemResponses(409, 429, 502) } });
const ReplyParams = WorkspaceParamsSchema.extend({ replyId: z.string().openapi({ param: { name: 'replyId', in: 'path' } }) }).strict();
const replyDelete = createRoute({ method: 'delete', path: `${ws}/inbox-replies/{replyId}`, tags, summary: 'Delete our reply on the network, where the network allows it (editors and above); the reply log keeps it, marked deleted', security: authenticated, request: { params: ReplyParams }, responses: { 200: jsonResponse(InboxReplyRecordSchema, 'Deleted on the network'), ...workspaceProblems, ...problemResponses(409, 429, 502) } });
const render = createRoute({ method: 'post', path: `${base}/{messageId}/saved-replies/{savedReplyId}/render`, tags, summary: 'A saved reply filled in for this message (plain text)', security: authenticated, request: { params: RenderParams }, responses: { 200: jsonResponse(z.object({ text: z.string() }).openapi('InboxRenderedReply'), 'The text'), ...workspaceProblems } });

const savedList = createRoute({ method: 'get', path: `${ws}/inbox-saved-replies`, tags, summary: 'Saved replies', security: authenticated, request: { params: WorkspaceParamsSchema }, responses: { 200: jsonResponse(z.object({ items: z.array(SavedReplySchema) }).openapi('InboxSavedReplyList'), 'Saved replies'), ...workspaceProblems } });
const savedCreate = createRoute({ method: 'post', path: `${ws}/inbox-saved-replies`, tags, summary: 'Save a reply with {{variables}} (editors and above)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(savedReplyInputSchema) }, responses: { 201: jsonResponse(SavedReplySchema, 'Saved'), ...workspaceProblems, ...problemResponses(409) } });
const savedUpdate = createRoute({ method: 'patch', path: `${ws}/inbox-saved-replies/{savedReplyId}`, tags, summary: 'Change a saved reply (editors and above)', security: authenticated, request: { params: SavedReplyParams, body: jsonBody(savedReplyPatchSchema) }, responses: { 200: jsonResponse(SavedReplySchema, 'Changed'), ...workspaceProblems, ...problemResponses(409) } });
const savedDelete = createRoute({ method: 'delete', path: `${ws}/inbox-saved-replies/{savedReplyId}`, tags, summary: 'Delete a saved reply (editors and above)', security: authenticated, request: { params: SavedReplyParams }, responses: { 204: { description: 'Deleted' }, ...workspaceProblems } });

const settingsRead = createRoute({ method: 'get', path: `${ws}/inbox-settings`, tags, summary: 'Business hours, first-response target and whether a Telegram bot is set', security: authenticated, request: { params: WorkspaceParamsSchema }, responses: { 200: jsonResponse(SettingsSchema, 'Settings'), ...workspaceProblems } });
const settingsWrite = createRoute({ method: 'put', path: `${ws}/inbox-settings`, tags, summary: 'Change the inbox settings (admins and above)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(inboxSettingsInputSchema) }, responses: { 200: jsonResponse(SettingsSchema, 'Settings'), ...workspaceProblems } });

const rulesList = createRoute({ method: 'get', path: `${ws}/inbox-rules`, tags, summary: 'Rules run on every new message, in this order', security: authenticated, request: { params: WorkspaceParamsSchema }, responses: { 200: jsonResponse(z.object({ items: z.array(RuleSchema) }).openapi('InboxRuleList'), 'Rules'), ...workspaceProblems } });
const ruleCreate = createRoute({ method: 'post', path: `${ws}/inbox-rules`, tags, summary: 'Create a rule (editors and above)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(ruleInputSchema) }, responses: { 201: jsonResponse(RuleSchema, 'Created'), ...workspaceProblems } });
const ruleUpdate = createRoute({ method: 'patch', path: `${ws}/inbox-rules/{ruleId}`, tags, summary: 'Change a rule (editors and above)', security: authenticated, request: { params: RuleParams, body: jsonBody(rulePatchSchema) }, responses: { 200: jsonResponse(RuleSchema, 'Changed'), ...workspaceProblems } });
const ruleDelete = createRoute({ method: 'delete', path: `${ws}/inbox-rules/{ruleId}`, tags, summary: 'Delete a rule (editors and above)', security: authenticated, request: { params: RuleParams }, responses: { 204: { description: 'Deleted' }, ...workspaceProblems } });

const metrics = createRoute({ method: 'get', path: `${ws}/inbox-metrics`, tags, summary: 'Response rate, first-response and resolution times (business minutes), SLA breaches', security: authenticated, request: { params: WorkspaceParamsSchema, query: MetricsQuery }, responses: { 200: jsonResponse(MetricsSchema, 'Metrics'), ...workspaceProblems } });

/** Registers the inbox routes. */
export function registerInboxRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await listInboxMessages(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(bulk, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.triage');
      return c.json(await bulkChangeInboxMessages(access.ctx, c.req.valid('json')), 200);
    })
    .openapi(read, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.read');
      return c.json(await getInboxMessage(access.ctx, messageId), 200);
    })
    .openapi(change, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.triage');
      return c.json(await changeInboxMessage(access.ctx, messageId, c.req.valid('json')), 200);
    })
    .openapi(moderate, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.moderate');
      return c.json(await moderateInboxMessage(access.ctx, messageId, c.req.valid('json')), 200);
    })
    .openapi(replyDelete, async (c) => {
      const { workspaceId, replyId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.moderate');
      return c.json(await deleteInboxReply(access.ctx, replyId), 200);
    })
    .openapi(conversation, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.read');
      return c.json(await getConversation(access.ctx, messageId), 200);
    })
    .openapi(note, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.triage');
      return c.json(await addInboxNote(access.ctx, messageId, c.req.valid('json')), 201);
    })
    .openapi(reply, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.reply');
      return c.json(await replyToInboxMessage(access.ctx, messageId, c.req.valid('json'), c.req.valid('header')['idempotency-key']), 201);
    })
    .openapi(relabel, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.triage');
      return c.json(await relabelInboxMessageSentiment(access.ctx, messageId, c.req.valid('json')), 200);
    })
    .openapi(unrelabel, async (c) => {
      const { workspaceId, messageId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.triage');
      return c.json(await undoInboxMessageSentimentRelabel(access.ctx, messageId), 200);
    })
    .openapi(render, async (c) => {
      const { workspaceId, messageId, savedReplyId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.read');
      return c.json(await renderInboxSavedReply(access.ctx, messageId, savedReplyId), 200);
    })
    .openapi(savedList, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await listInboxSavedReplies(access.ctx), 200);
    })
    .openapi(savedCreate, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.manage');
      return c.json(await createInboxSavedReply(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(savedUpdate, async (c) => {
      const { workspaceId, savedReplyId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.manage');
      return c.json(await updateInboxSavedReply(access.ctx, savedReplyId, c.req.valid('json')), 200);
    })
    .openapi(savedDelete, async (c) => {
      const { workspaceId, savedReplyId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.manage');
      await deleteInboxSavedReply(access.ctx, savedReplyId);
      return c.body(null, 204);
    })
    .openapi(settingsRead, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await getInboxSettings(access.ctx), 200);
    })
    .openapi(settingsWrite, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.settings');
      return c.json(await updateInboxSettings(access.ctx, c.req.valid('json')), 200);
    })
    .openapi(rulesList, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await listInboxRules(access.ctx), 200);
    })
    .openapi(ruleCreate, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.manage');
      return c.json(await createInboxRule(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(ruleUpdate, async (c) => {
      const { workspaceId, ruleId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.manage');
      return c.json(await updateInboxRule(access.ctx, ruleId, c.req.valid('json')), 200);
    })
    .openapi(ruleDelete, async (c) => {
      const { workspaceId, ruleId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'inbox.manage');
      await deleteInboxRule(access.ctx, ruleId);
      return c.body(null, 204);
    })
    .openapi(metrics, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'inbox.read');
      return c.json(await inboxMetrics(access.ctx, c.req.valid('query')), 200);
    });
}
