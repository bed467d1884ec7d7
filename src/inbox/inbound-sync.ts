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
 * - A page is stored as one batch (src/inbox/ingest-batch.ts): a fixed number of SQL statements
 *   whatever its size, with the same outcome as storing its items one by one, oldest first. Its
 *   sentiment and listening matches are worked out before the transaction opens
 *   (src/inbox/inbound-analysis.ts, on an analysis thread when HERALD_ANALYSIS_THREADS > 0).
 */
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import type { Executor, JobHandler } from '../jobs/job-queue';
import { accountAuth, accountContext } from '../publishing/connector-context';
import { publishedTargetsSince, saveInboundCursor } from '../repositories/inbox-messages.repository';
import type { AppServices } from '../server/services';
import { runAccountJob, type AccountJobOutcome } from '../engagement/account-job';
import { engagementOptions, type EngagementOptions } from '../engagement/engagement-options';
import { ingestInboundBatch } from './ingest-batch';
import { analyzeInbound, type InboundAnalysis } from './inbound-analysis';
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
/**
 * Stores one batch for the account (inside the caller's transaction): the batch path of
 * src/inbox/ingest-batch.ts, a fixed number of statements per batch.
 */
async function storeItems(services: AppServices, trx: Executor, account: AccountRow, items: InboundMessage[], nowIso: string, analysis: InboundAnalysis): Promise<Omit<InboundSyncReport, 'outcome'>> {
  return ingestInboundBatch(services, trx, account, items, nowIso, analysis);
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
      // Scored and matched before the transaction (on an analysis thread when there is one), so the
      // database is held only for storing.
      const analysis = await analyzeInbound(services, db, account, result.items);
      const dmAnalysis = dms ? await analyzeInbound(services, db, account, dms.items) : null;
      const nowIso = services.now().toISOString();
      counts = await db.transaction().execute(async (trx) => {
        const r = await storeItems(services, trx, account, result.items, nowIso, analysis);
        await saveInboundCursor(trx, account.id, result.cursor, nowIso);
        if (dms) {
          // The first DM sync back-fills like the first comments sync (no SLA, no notifications).
          const d = await storeItems(services, trx, { ...account, inbound_cursor: dms.previous }, dms.items, nowIso, dmAnalysis!);
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
