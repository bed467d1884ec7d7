/**
 * The inbox: messages ingested by the inbound sync (list with filters and cursor pages) and replies
 * sent through the account's connector, threaded under the message. Text is the network's plain text
 * and is only ever shown as text. Every reply is recorded as an `inbox.reply.sent` event naming who
 * sent it.
 */
import { z } from 'zod';
import { ConnectorError } from '../connectors/connector';
import type { InboxMessageRow } from '../db/schema';
import { ConflictError, DomainError, NotFoundError, TooManyRequestsError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan, type Action } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { findInboxMessage, listInboxMessages as listRows, type InboxMessageWithPost } from '../repositories/inbox-messages.repository';
import { accountAuth, accountContext } from '../publishing/connector-context';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { flagAccount, storedNetworkLimits } from '../accounts/account-flags';
import { parseInput } from './posts.use-case';
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
}

/** A sent reply. */
export interface InboxReplyView {
  messageId: string;
  externalId: string;
  url: string | null;
  sentAt: string;
}

/** Body of a reply. */
export const replyInputSchema = z.object({ text: z.string().min(1, 'Write a reply').max(20_000) }).strict();

/** Filters of the list (already validated as strings by the route). */
export interface InboxListInput {
  accountId?: string;
  network?: string;
  kind?: InboxMessageRow['kind'];
  since?: string;
  cursor?: string;
  limit: number;
}

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

function view(m: InboxMessageWithPost): InboxMessageView {
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
  };
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
  // An id that cannot exist matches nothing; no need to tell the caller more than "empty".
  if (f.accountId !== undefined && !isId(f.accountId)) return { items: [], nextCursor: null };
  const rows = await listRows(ctx.db, ctx.workspaceId, { ...f, since, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  return { items: page.map(view), nextCursor: rows.length > f.limit ? page[page.length - 1]!.id : null };
}

/** One message of the workspace. */
export async function getInboxMessage(ctx: UseCaseContext, id: string): Promise<InboxMessageView> {
  await authorize(ctx, 'inbox.read');
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  return view(m);
}

/** How long a reply may take on the network. */
const replyTimeoutMs = 30_000;

/**
 * Replies to a message on its network, threaded under it. The text is checked with the connector's own
 * `validate` (with the account's server limits) before anything is sent.
 */
export async function replyToInboxMessage(ctx: UseCaseContext, id: string, raw: z.input<typeof replyInputSchema>): Promise<InboxReplyView> {
  await authorize(ctx, 'inbox.reply');
  const input = parseInput(replyInputSchema, raw);
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  if (m.deleted_at) throw new ConflictError('This message was deleted on the network; there is nothing to reply to');
  const account = await findAccount(ctx.db, ctx.workspaceId, m.account_id);
  if (!account) throw new ConflictError('The account this message came to was removed from Herald');
  if (account.status !== 'ok') throw new ConflictError(`${account.handle} needs to be reconnected before you can reply (${account.status_reason ?? account.status})`);
  const connector = ctx.services.connectors.has(account.network) ? ctx.services.connectors.get(account.network) : null;
  if (!connector?.comments) throw new ConflictError(`Herald cannot reply on ${connector?.displayName ?? account.network}`);

  const checked = connector.validate({ text: input.text }, { networkLimits: storedNetworkLimits(account.network_limits) });
  if (!checked.valid) {
    throw new ValidationError(`${connector.displayName} would not accept this reply: ${checked.errors.map((e) => e.message).join('; ')}`, checked.errors.map((e) => ({ path: 'text', code: e.code, message: e.message })));
  }

  const idempotencyKey = newId();
  let result: { externalId: string; url: string | null };
  try {
    result = await connector.comments.reply(
      { auth: accountAuth(ctx.services, account), parentExternalId: m.external_id, rootExternalId: m.root_external_id, text: input.text, idempotencyKey },
      accountContext(ctx.services, account.id, replyTimeoutMs),
    );
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    switch (e.kind) {
      case 'invalid_content':
        throw new ValidationError(`${connector.displayName} refused the reply: ${e.message}`, [{ path: 'text', code: 'invalid_content', message: e.message }]);
      case 'rate_limited':
        throw new TooManyRequestsError(`${connector.displayName} asks to slow down: ${e.message}`, Math.max(1, Math.ceil((e.opts.retryAfterMs ?? 60_000) / 1000)));
      case 'auth_expired':
      case 'disconnected': {
        const reason = e.kind === 'auth_expired' ? `${connector.displayName} refused the account's credentials: ${e.message}. Reconnect the account.` : `${connector.displayName} says the account is no longer available: ${e.message}`;
        await ctx.db.transaction().execute((trx) => flagAccount(ctx.services, trx, account, e.kind === 'auth_expired' ? 'needs_reconnect' : 'disconnected', reason));
        throw new ConflictError(reason);
      }
      default:
        throw new DomainError(
          502,
          'Network unavailable',
          e.opts.outcomeUnknown
            ? `${connector.displayName} did not answer after the reply was sent (${e.message}); check the conversation on the network before sending it again`
            : `${connector.displayName} could not be reached: ${e.message}. Try again.`,
        );
    }
  }

  const sentAt = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'inbox.reply.sent',
      subjectId: m.id,
      actorId: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      payload: { messageId: m.id, accountId: account.id, network: account.network, externalId: result.externalId, url: result.url, text: input.text },
    });
  });
  ctx.services.log.info({ messageId: m.id, accountId: account.id, network: account.network }, 'inbox reply sent');
  return { messageId: m.id, externalId: result.externalId, url: result.url, sentAt };
}
