/**
 * The `collect-metrics` job: reads counts through one account's connector `metrics` capability.
 * - An account snapshot (followers, following, posts) once a day.
 * - Per-post counts only for the published targets that are due by the observation schedule
 *   (metrics-schedule.ts), so the network is asked only for what is needed.
 * A count the network does not give is stored as NULL, never 0; ids the network no longer knows get
 * no row. After storing, the analytics rollups of the days touched are rebuilt (src/analytics).
 */
import { refreshRollups } from '../analytics/rollups';
import type { PostMetrics } from '../connectors/connector';
import { newId } from '../domain/ids';
import type { JobHandler } from '../jobs/job-queue';
import { accountAuth, accountContext } from '../publishing/connector-context';
import {
  insertAccountMetrics,
  insertPostMetrics,
  lastObservedAt,
  latestAccountMetrics,
  saveMetricsSyncedAt,
  targetsForMetrics,
  type PostMetricsRow,
} from '../repositories/metrics.repository';
import type { AppServices } from '../server/services';
import { runAccountJob, type AccountJobOutcome } from '../engagement/account-job';
import { engagementOptions, type EngagementOptions } from '../engagement/engagement-options';
import { observationDue, observationHorizonMs } from './metrics-schedule';

/** Job name; payload `{ accountId }`. */
export const collectMetricsTask = 'collect-metrics';
/** One waiting job per account. */
export const collectMetricsJobKey = (accountId: string) => `${collectMetricsTask}:${accountId}`;

/** External ids per `metrics.posts` call. */
const postsPerCall = 100;

/** What one collection did (for logs and tests). */
export interface MetricsCollectionReport {
  outcome: AccountJobOutcome;
  accountSnapshot: boolean;
  /** Targets the network was asked about. */
  asked: number;
  /** Observations stored. */
  observed: number;
}

/** A count as stored: a finite whole number, or null when the network gave none. */
function count(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : null;
}

function postRow(base: Pick<PostMetricsRow, 'workspace_id' | 'account_id' | 'target_id' | 'observed_at'>, m: PostMetrics, now: number): PostMetricsRow {
  return {
    id: newId(now),
    ...base,
    views: count(m.views),
    reach: count(m.reach),
    likes: count(m.likes),
    comments: count(m.comments),
    shares: count(m.shares),
    quotes: count(m.quotes),
    saves: count(m.saves),
    clicks: count(m.clicks),
    poll_votes: count(m.pollVotes),
    video_views: count(m.videoViews),
  };
}

/** Collects one account's due metrics now (the job body; also callable from tests). */
export async function collectMetrics(services: AppServices, accountId: string, overrides: Partial<EngagementOptions> = {}): Promise<MetricsCollectionReport> {
  const opts = engagementOptions(overrides);
  const report = { accountSnapshot: false, asked: 0, observed: 0 };
  const outcome = await runAccountJob(
    services,
    opts,
    { task: collectMetricsTask, accountId, intervalMs: opts.metricsIntervalMs, needs: (c) => c.metrics !== undefined },
    async (account, connector) => {
      const metrics = connector.metrics!;
      const db = services.database.db;
      const auth = accountAuth(services, account);
      const ctx = () => accountContext(services, account.id, opts.requestTimeoutMs);

      // The earliest instant whose rollups the new rows change.
      let touchedFrom: string | null = null;
      const touch = (at: string) => {
        if (touchedFrom === null || at < touchedFrom) touchedFrom = at;
      };
      const last = await latestAccountMetrics(db, account.id);
      if (!last || Date.parse(last.observed_at) <= services.now().getTime() - opts.accountSnapshotEveryMs) {
        const a = await metrics.account({ auth }, ctx());
        const now = services.now();
        await insertAccountMetrics(db, {
          id: newId(now.getTime()),
          workspace_id: account.workspace_id,
          account_id: account.id,
          observed_at: now.toISOString(),
          followers: count(a.followers),
          following: count(a.following),
          posts_count: count(a.posts),
        });
        report.accountSnapshot = true;
        touch(now.toISOString());
      }

      const now = services.now();
      const since = new Date(now.getTime() - observationHorizonMs - 24 * 3_600_000).toISOString();
      const targets = await targetsForMetrics(db, account.id, since);
      const lastSeen = await lastObservedAt(db, targets.map((t) => t.id));
      const due = targets.filter((t) => observationDue(t.published_at, lastSeen.get(t.id) ?? null, now));
      for (let i = 0; i < due.length; i += postsPerCall) {
        const chunk = due.slice(i, i + postsPerCall);
        report.asked += chunk.length;
        const counts = await metrics.posts({ auth, externalIds: chunk.map((t) => t.external_id) }, ctx());
        const at = services.now();
        const rows = chunk.flatMap((t) => {
          const m = Object.prototype.hasOwnProperty.call(counts, t.external_id) ? counts[t.external_id] : undefined;
          return m ? [postRow({ workspace_id: account.workspace_id, account_id: account.id, target_id: t.id, observed_at: at.toISOString() }, m, at.getTime())] : [];
        });
        await insertPostMetrics(db, rows);
        report.observed += rows.length;
        for (const t of chunk) if (rows.some((r) => r.target_id === t.id)) touch(t.published_at);
      }
      if (touchedFrom !== null) {
        // Dashboards read only the rollups; a failure here must not undo the stored observations.
        try {
          await refreshRollups(db, { accountId: account.id, from: touchedFrom, now: services.now() });
        } catch (e) {
          services.log.warn({ err: e, accountId: account.id }, 'refreshing analytics rollups failed; the next collection retries');
        }
      }
      await saveMetricsSyncedAt(db, account.id, services.now().toISOString());
    },
  );
  return { outcome, ...report };
}

/** The `collect-metrics` job handler. */
export function collectMetricsHandler(services: AppServices, overrides: Partial<EngagementOptions> = {}): JobHandler {
  return async (payload) => {
    if (typeof payload.accountId !== 'string') return;
    await collectMetrics(services, payload.accountId, overrides);
  };
}
