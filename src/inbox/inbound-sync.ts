/**
 * The `sync-inbound` job: pulls comments, replies and mentions of one account through its connector's
 * `comments` capability and stores them in `inbox_messages`.
 *
 * - The connector gets the account's cursor and its posts published in the last 30 days; it may
 *   re-deliver items (Herald deduplicates on account + network id).
 * - New items become messages with an `inbox.message.received` event each; an item seen before with
 *   new text is an edit (text and `edited_at` change); an item reported deleted gets `deleted_at`.
 * - A message is tied to our post target when its root or parent is one of our published posts, or
 *   when it answers a message already tied to one.
 * - Messages, events, the new cursor and `inbound_synced_at` commit in one transaction: a crash
 *   re-fetches from the old cursor and the dedupe makes that harmless.
 * - Messages the account wrote itself (our own replies coming back) are not inbox items.
 * - The inbox workflow (src/inbox/inbox-workflow.ts) runs in the same transaction: sentiment, thread,
 *   SLA due time and search text on insert; reopening the thread, its assignee and the rules after.
 */
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow, InboxMessagesTable } from '../db/schema';
import type { Insertable } from 'kysely';
import { newId } from '../domain/ids';
import type { Executor, JobHandler } from '../jobs/job-queue';
import { accountAuth, accountContext } from '../publishing/connector-context';
import {
  findInboxMessageByExternalId,
  insertInboxMessageIfNew,
  messageTargetsByExternalIds,
  messageThreadKeysByExternalIds,
  publishedTargetsSince,
  saveInboundCursor,
  targetsByExternalIds,
  updateInboxMessage,
} from '../repositories/inbox-messages.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { runAccountJob, type AccountJobOutcome } from '../engagement/account-job';
import { engagementOptions, type EngagementOptions } from '../engagement/engagement-options';
import { ingestWorkflow, searchTextOf, type IngestWorkflow } from './inbox-workflow';
import { fetchDirectMessages } from './dm-sync';
import { saveDmCursor } from '../repositories/inbox-moderation.repository';

/** Job name; payload `{ accountId }`. */
export const syncInboundTask = 'sync-inbound';
/** One waiting job per account. */
export const syncInboundJobKey = (accountId: string) => `${syncInboundTask}:${accountId}`;

/** What one sync stored (for logs and tests). */
export interface InboundSyncReport {
  outcome: AccountJobOutcome;
  received: number;
  edited: number;
  deleted: number;
}

/** Posts handed to `comments.fetch` at most (newest first). */
const maxPostsPerFetch = 500;
/** Longest text kept in an event payload (the message itself keeps everything). */
const eventTextMax = 1000;

/**
 * Text as stored: NUL (which PostgreSQL text cannot hold) becomes U+FFFD, so one hostile comment
 * cannot stop an account's sync. Everything else is kept as the network sent it and shown as text.
 */
function storable(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

function isoOr(value: string | null | undefined, fallback: string): string {
  if (!value) return fallback;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/** Stores one batch for the account (inside the caller's transaction). */
async function storeItems(services: AppServices, trx: Executor, account: AccountRow, items: InboundMessage[], nowIso: string): Promise<Omit<InboundSyncReport, 'outcome'>> {
  const report = { received: 0, edited: 0, deleted: 0 };
  const own = items.filter((i) => i.author.externalId !== account.external_id);
  // Oldest first, so a reply in the same batch finds the comment it answers already stored.
  own.sort((a, b) => isoOr(a.createdAt, nowIso).localeCompare(isoOr(b.createdAt, nowIso)));
  const refs = [...new Set(own.flatMap((i) => [i.rootExternalId, i.parentExternalId]).filter((x): x is string => typeof x === 'string' && x !== ''))];
  const ourTargets = await targetsByExternalIds(trx, account.id, refs);
  const messageTargets = await messageTargetsByExternalIds(trx, account.id, refs);
  // Loaded on the first new or edited message: most syncs bring nothing and need no rules or model.
  let loaded: IngestWorkflow | null = null;
  const workflow = async () => (loaded ??= await ingestWorkflow(services, trx, account.workspace_id));
  const backfill = account.inbound_cursor === null;
  // Thread keys of messages already stored that new ones may answer (external id → thread key).
  const threadKeys = await messageThreadKeysByExternalIds(trx, account.id, refs);
  const targetOf = (i: InboundMessage): string | null => {
    const byRoot = i.rootExternalId ? ourTargets.get(i.rootExternalId) : undefined;
    if (byRoot) return byRoot;
    if (!i.parentExternalId) return null;
    return ourTargets.get(i.parentExternalId) ?? messageTargets.get(i.parentExternalId) ?? null;
  };

  for (const item of own) {
    const targetId = targetOf(item);
    const existing = await findInboxMessageByExternalId(trx, account.id, item.externalId);
    if (!existing) {
      // Deleted before we ever saw it: nothing to show.
      if (item.deleted) continue;
      const row: Insertable<InboxMessagesTable> = {
        id: newId(services.now().getTime()),
        workspace_id: account.workspace_id,
        account_id: account.id,
        network: account.network,
        external_id: item.externalId,
        kind: item.kind,
        parent_external_id: item.parentExternalId,
        root_external_id: item.rootExternalId,
        target_id: targetId,
        author_external_id: storable(item.author.externalId),
        author_handle: storable(item.author.handle),
        author_name: item.author.displayName === null ? null : storable(item.author.displayName),
        author_followers: typeof item.author.followers === 'number' && Number.isFinite(item.author.followers) ? Math.trunc(item.author.followers) : null,
        text: storable(item.text),
        url: item.url,
        lang: item.lang ?? null,
        network_created_at: isoOr(item.createdAt, nowIso),
        received_at: nowIso,
        edited_at: item.editedAt ? isoOr(item.editedAt, nowIso) : null,
        deleted_at: null,
      };
      (await workflow()).prepare(row, threadKeys, (ext) => ourTargets.has(ext), backfill);
      const stored = await insertInboxMessageIfNew(trx, row);
      if (!stored) continue;
      messageTargets.set(row.external_id, targetId);
      threadKeys.set(row.external_id, stored.thread_key ?? row.external_id);
      report.received += 1;
      await recordEvent(services, trx, {
        workspaceId: account.workspace_id,
        type: 'inbox.message.received',
        subjectId: row.id,
        actorId: null,
        payload: {
          messageId: row.id,
          accountId: account.id,
          network: account.network,
          kind: row.kind,
          externalId: row.external_id,
          parentExternalId: row.parent_external_id,
          targetId: row.target_id,
          author: { handle: row.author_handle, displayName: row.author_name },
          text: row.text.length > eventTextMax ? `${row.text.slice(0, eventTextMax)}…` : row.text,
          url: row.url,
          createdAt: row.network_created_at,
          // The first sync back-fills history: subscribers may not want to notify anyone about it.
          backfill,
          sentiment: { label: row.sentiment_label, score: row.sentiment_score, lang: row.sentiment_lang },
        },
      });
      await (await workflow()).afterInsert(stored, backfill);
      continue;
    }
    const patch: Partial<Insertable<InboxMessagesTable>> = {};
    if (item.deleted) {
      if (!existing.deleted_at) {
        patch.deleted_at = nowIso;
        report.deleted += 1;
      }
    } else if (storable(item.text) !== existing.text) {
      patch.text = storable(item.text);
      patch.edited_at = isoOr(item.editedAt, nowIso);
      patch.search_text = searchTextOf(patch.text, existing.author_handle, existing.author_name);
      Object.assign(patch, (await workflow()).sentimentColumns(patch.text, existing.lang));
      report.edited += 1;
    }
    if (!existing.target_id && targetId) patch.target_id = targetId;
    if (Object.keys(patch).length) await updateInboxMessage(trx, existing.id, patch);
  }
  return report;
}

/** Syncs one account now (the job body; also callable from tests and the CLI). */
export async function syncInbound(services: AppServices, accountId: string, overrides: Partial<EngagementOptions> = {}): Promise<InboundSyncReport> {
  const opts = engagementOptions(overrides);
  let counts = { received: 0, edited: 0, deleted: 0 };
  const outcome = await runAccountJob(
    services,
    opts,
    { task: syncInboundTask, accountId, intervalMs: opts.inboundIntervalMs, needs: (c) => c.comments !== undefined || c.directMessages?.fetch !== undefined },
    async (account, connector) => {
      const comments = connector.comments;
      const db = services.database.db;
      const since = new Date(services.now().getTime() - opts.inboundPostsWindowMs).toISOString();
      const posts = (await publishedTargetsSince(db, account.id, since, maxPostsPerFetch)).map((t) => ({ externalId: t.external_id, publishedAt: t.published_at }));
      const result = comments
        ? await comments.fetch({ auth: accountAuth(services, account), cursor: account.inbound_cursor, posts }, accountContext(services, account.id, opts.requestTimeoutMs))
        : { items: [], cursor: account.inbound_cursor };
      // Direct messages read apart from comments (their own cursor); see src/inbox/dm-sync.ts.
      const dms = await fetchDirectMessages(services, account, connector, opts.requestTimeoutMs);
      const nowIso = services.now().toISOString();
      counts = await db.transaction().execute(async (trx) => {
        const r = await storeItems(services, trx, account, result.items, nowIso);
        await saveInboundCursor(trx, account.id, result.cursor, nowIso);
        if (dms) {
          // The first DM sync back-fills like the first comments sync (no SLA, no notifications).
          const d = await storeItems(services, trx, { ...account, inbound_cursor: dms.previous }, dms.items, nowIso);
          await saveDmCursor(trx, account.id, dms.cursor, nowIso);
          return { received: r.received + d.received, edited: r.edited + d.edited, deleted: r.deleted + d.deleted };
        }
        return r;
      });
      if (counts.received || counts.edited || counts.deleted) services.log.info({ accountId: account.id, network: account.network, ...counts }, 'inbound messages synced');
    },
  );
  return { outcome, ...counts };
}

/** The `sync-inbound` job handler. */
export function syncInboundHandler(services: AppServices, overrides: Partial<EngagementOptions> = {}): JobHandler {
  return async (payload) => {
    if (typeof payload.accountId !== 'string') return;
    await syncInbound(services, payload.accountId, overrides);
  };
}

/**
 * Stores items that arrived outside a sync (a live stream, see src/streaming/) for the account: the
 * same dedupe, threads, workflow and events as a sync, in one transaction. `backfill: false` files
 * them as live messages even before the account's first sync has run.
 */
export async function ingestInboundItems(services: AppServices, account: AccountRow, items: InboundMessage[], opts: { backfill?: boolean } = {}): Promise<Omit<InboundSyncReport, 'outcome'>> {
  const nowIso = services.now().toISOString();
  const as = opts.backfill === false && account.inbound_cursor === null ? { ...account, inbound_cursor: '' } : account;
  return services.database.db.transaction().execute((trx) => storeItems(services, trx, as, items, nowIso));
}
