/**
 * Moderation on the network from the inbox: hide / unhide / delete / restore someone's message, and
 * delete one of our own replies — each only where the message's connector declares it (generic: no
 * network is named). Editors and above (`inbox.moderate`). The network is asked first; what Herald
 * stores about it (hidden/deleted, by whom, when) and the event (`inbox.message.moderated`,
 * `inbox.reply.deleted`, both webhook-able) commit in one transaction afterwards.
 */
import { z } from 'zod';
import { ConnectorError, type AnyConnector } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { ConflictError, DomainError, NotFoundError } from '../domain/errors';
import { isId } from '../domain/ids';
import { throwIfAccountFailure } from '../accounts/account-failures';
import { moderatedMessage, moderationActionFor, moderationVerbs, stateAllows, type ModerationVerb } from '../inbox/moderation-actions';
import { assertCan } from '../policies/policy';
import { accountContext, accountAuth } from '../publishing/connector-context';
import { findAccount } from '../repositories/accounts.repository';
import { findInboxMessage } from '../repositories/inbox-messages.repository';
import { findReply, markReplyDeleted, setMessageModeration } from '../repositories/inbox-moderation.repository';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { inboxMessageViews, type InboxMessageView } from './inbox.use-case';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** Body of a moderation request. */
export const moderationInputSchema = z.object({ action: z.enum(moderationVerbs).describe('hide, unhide, delete (on the network) or restore') }).strict();

/** A reply of ours as the API shows it. */
export interface InboxReplyRecordView {
  id: string;
  messageId: string;
  text: string;
  externalId: string | null;
  url: string | null;
  sentAt: string | null;
  sentBy: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
}

/** How long one moderation call may take on the network. */
const moderationTimeoutMs = 30_000;

const done: Record<ModerationVerb, string> = { hide: 'hidden', unhide: 'shown again', delete: 'deleted', restore: 'restored' };

async function authorize(ctx: UseCaseContext): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'inbox.moderate');
}

async function usableAccount(ctx: UseCaseContext, accountId: string): Promise<{ account: AccountRow; connector: AnyConnector }> {
  const account = await findAccount(ctx.db, ctx.workspaceId, accountId);
  if (!account) throw new ConflictError('The account this message came to was removed from Herald');
  if (account.status !== 'ok') throw new ConflictError(`${account.handle} needs to be reconnected first (${account.status_reason ?? account.status})`);
  const connector = ctx.services.connectors.has(account.network) ? ctx.services.connectors.get(account.network) : null;
  if (!connector) throw new ConflictError(`Herald no longer knows the network ${account.network}`);
  return { account, connector };
}

/** The connector's failure in the inbox's terms (the account is flagged when the network says so). */
async function failure(ctx: UseCaseContext, connector: AnyConnector, account: AccountRow, e: unknown, what: string): Promise<never> {
  if (!(e instanceof ConnectorError)) throw e;
  await throwIfAccountFailure(ctx, connector, account, e);
  if (e.kind === 'invalid_content') throw new ConflictError(`${connector.displayName} refused to ${what}: ${e.message}`);
  throw new DomainError(502, 'Network unavailable', `${connector.displayName} could not be reached to ${what}: ${e.message}. Try again.`);
}

/**
 * Hides, shows again, deletes or restores a message on its network, as the message's connector allows;
 * returns the message with its new moderation state.
 */
export async function moderateInboxMessage(ctx: UseCaseContext, id: string, raw: unknown): Promise<InboxMessageView> {
  await authorize(ctx);
  const { action: verb } = parseInput(moderationInputSchema, raw);
  const m = isId(id) ? await findInboxMessage(ctx.db, ctx.workspaceId, id) : undefined;
  if (!m) throw new NotFoundError('Message');
  const { account, connector } = await usableAccount(ctx, m.account_id);
  const action = moderationActionFor(connector, verb, m);
  if (!action) throw new ConflictError(`${connector.displayName} does not let Herald ${verb} this ${m.kind === 'dm' ? 'direct message' : m.kind}`);
  if (!stateAllows(verb, m)) {
    const why = m.deleted_at || m.network_deleted_at ? 'it is no longer on the network' : verb === 'hide' ? 'it is already hidden' : verb === 'unhide' ? 'it is not hidden' : 'it was not deleted from Herald';
    throw new ConflictError(`This message cannot be ${done[verb]}: ${why}`);
  }
  try {
    await action.run({ auth: accountAuth(ctx.services, account), message: moderatedMessage(m) }, accountContext(ctx.services, account.id, moderationTimeoutMs));
  } catch (e) {
    await failure(ctx, connector, account, e, `${verb} the message`);
  }
  const at = ctx.services.now().toISOString();
  const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  const patch =
    verb === 'hide'
      ? { network_hidden_at: at, network_hidden_by: by }
      : verb === 'unhide'
        ? { network_hidden_at: null, network_hidden_by: null }
        : verb === 'delete'
          ? { network_deleted_at: at, network_deleted_by: by }
          : { network_deleted_at: null, network_deleted_by: null };
  await ctx.db.transaction().execute(async (trx) => {
    await setMessageModeration(trx, ctx.workspaceId, m.id, patch);
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'inbox.message.moderated',
      subjectId: m.id,
      actorId: by,
      payload: { messageId: m.id, action: verb, accountId: account.id, network: account.network, externalId: m.external_id },
    });
  });
  ctx.services.log.info({ messageId: m.id, accountId: account.id, network: account.network, action: verb }, 'inbox message moderated on the network');
  const fresh = await findInboxMessage(ctx.db, ctx.workspaceId, m.id);
  return (await inboxMessageViews(ctx, [fresh ?? m]))[0]!;
}

/** The view of one of our replies. */
export function replyRecordView(r: { id: string; message_id: string; text: string; external_id: string | null; url: string | null; sent_at: string | null; sent_by: string | null; deleted_at: string | null; deleted_by: string | null }): InboxReplyRecordView {
  return { id: r.id, messageId: r.message_id, text: r.text, externalId: r.external_id, url: r.url, sentAt: r.sent_at, sentBy: r.sent_by, deletedAt: r.deleted_at, deletedBy: r.deleted_by };
}

/** Deletes one of our replies on the network (where the connector can); the reply log keeps it, marked deleted. */
export async function deleteInboxReply(ctx: UseCaseContext, replyId: string): Promise<InboxReplyRecordView> {
  await authorize(ctx);
  const r = isId(replyId) ? await findReply(ctx.db, ctx.workspaceId, replyId) : undefined;
  if (!r) throw new NotFoundError('Reply');
  if (r.state !== 'sent' || !r.external_id) throw new ConflictError('This reply never reached the network; there is nothing to delete');
  if (r.deleted_at) throw new ConflictError('This reply was already deleted on the network');
  const m = await findInboxMessage(ctx.db, ctx.workspaceId, r.message_id);
  if (!m) throw new NotFoundError('Reply');
  const { account, connector } = await usableAccount(ctx, m.account_id);
  const deleteReply = connector.moderation?.deleteReply;
  if (!deleteReply) throw new ConflictError(`${connector.displayName} does not let Herald delete replies`);
  try {
    await deleteReply({ auth: accountAuth(ctx.services, account), externalId: r.external_id, parentExternalId: m.external_id }, accountContext(ctx.services, account.id, moderationTimeoutMs));
  } catch (e) {
    await failure(ctx, connector, account, e, 'delete the reply');
  }
  const at = ctx.services.now().toISOString();
  const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await markReplyDeleted(trx, ctx.workspaceId, r.id, at, by))) return;
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'inbox.reply.deleted',
      subjectId: m.id,
      actorId: by,
      payload: { messageId: m.id, replyId: r.id, accountId: account.id, network: account.network, externalId: r.external_id },
    });
  });
  const fresh = await findReply(ctx.db, ctx.workspaceId, r.id);
  return replyRecordView(fresh ?? r);
}
