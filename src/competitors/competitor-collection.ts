/**
 * Collecting competitors' public data through the connectors' `publicData` capability.
 *
 * `collectCompetitors(services, workspaceId)` visits every competitor of the workspace: a follower
 * snapshot when the last one is older than a day (less a little slack), then the recent posts with
 * their counts. Every run updates each post's latest counts; an observation row is stored when the
 * post is first seen and then at 1 h, 6 h and 24 h after publishing and daily up to 30 days (the
 * latest passed point without an observation at or after it), so growth after the first day is
 * visible without one row per run. A competitor that fails keeps its data and gets `last_error`;
 * the others are still collected.
 *
 * Scheduling: the scheduler's sweep (`competitorsSweep`) enqueues `collect-competitors {workspaceId}`
 * for workspaces that are due (due and lease rows in `rate_limit_windows`, as the engagement jobs do),
 * keyed per workspace, so any number of schedulers and workers may run.
 */
import { ConnectorError, type PublicPost } from '../connectors/connector';
import { newId } from '../domain/ids';
import type { JobHandler } from '../jobs/job-queue';
import {
  competitorPostsByExternalId,
  insertCompetitorObservations,
  insertCompetitorPost,
  insertCompetitorSnapshot,
  lastCompetitorObservations,
  latestCompetitorSnapshot,
  listCompetitors,
  updateCompetitor,
  updateCompetitorPost,
  workspacesWithCompetitorsDue,
  type CompetitorObservationRow,
  type CompetitorRow,
} from '../repositories/competitors.repository';
import { dueKey, leaseKey, releaseLease, setDue, takeUntil } from '../repositories/sync-schedule.repository';
import type { AppServices } from '../server/services';

/** Job name; payload `{ workspaceId }`. */
export const collectCompetitorsTask = 'collect-competitors';
/** One waiting job per workspace. */
export const collectCompetitorsJobKey = (workspaceId: string) => `${collectCompetitorsTask}:${workspaceId}`;

/** Tunables; production uses the defaults, tests pass small values. */
export interface CompetitorOptions {
  /** How often a workspace's competitors are collected. */
  collectIntervalMs: number;
  /** Minimum age of the latest follower snapshot before another is taken. */
  snapshotEveryMs: number;
  /** Recent posts read per competitor and run. */
  postsPerCompetitor: number;
  requestTimeoutMs: number;
  /** How long a run may hold a workspace before another may start. */
  leaseMs: number;
  /** An enqueued job not run within this long is enqueued again. */
  jobGraceMs: number;
  /** Workspaces one sweep enqueues. */
  sweepBatch: number;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** Defaults: hourly runs, daily snapshots, the newest 100 posts. */
export const defaultCompetitorOptions: CompetitorOptions = {
  collectIntervalMs: hour,
  snapshotEveryMs: day - 30 * minute,
  postsPerCompetitor: 100,
  requestTimeoutMs: 60_000,
  leaseMs: 15 * minute,
  jobGraceMs: 15 * minute,
  sweepBatch: 200,
};

/** Observation points after publishing: 1 h, 6 h, 24 h, then daily to 30 days. */
export const competitorObservationOffsetsMs: readonly number[] = [hour, 6 * hour, day, ...Array.from({ length: 29 }, (_, i) => (i + 2) * day)];

/** Whether a post needs an observation now (never observed, or a point passed since the last one). */
export function competitorObservationDue(publishedAt: string, lastObservedAt: string | null, now: Date): boolean {
  if (lastObservedAt === null) return true;
  const published = Date.parse(publishedAt);
  let latest: number | null = null;
  for (const off of competitorObservationOffsetsMs) {
    if (published + off > now.getTime()) break;
    latest = published + off;
  }
  return latest !== null && Date.parse(lastObservedAt) < latest;
}

/** What one run did. */
export interface CompetitorCollectionReport {
  competitors: number;
  snapshots: number;
  postsSeen: number;
  postsAdded: number;
  observations: number;
  failed: Array<{ competitorId: string; message: string }>;
}

const json = (tags: string[]) => JSON.stringify(tags);

async function collectOne(services: AppServices, c: CompetitorRow, opts: CompetitorOptions, report: CompetitorCollectionReport): Promise<void> {
  const db = services.database.db;
  const connector = services.connectors.has(c.network) ? services.connectors.get(c.network) : null;
  const pub = connector?.publicData;
  if (!pub) throw new ConnectorError('invalid_content', `Herald cannot read public ${connector?.displayName ?? c.network} accounts`);
  const ctx = { fetch: services.fetch, signal: AbortSignal.timeout(opts.requestTimeoutMs) };

  const last = await latestCompetitorSnapshot(db, c.id);
  if (!last || Date.parse(last.observed_at) <= services.now().getTime() - opts.snapshotEveryMs) {
    const profile = await pub.lookup({ query: c.handle, serviceUrl: c.service_url }, ctx).catch(async (e: unknown) => {
      // A handle that changed no longer resolves; the stable id may (Bluesky DIDs do).
      if (e instanceof ConnectorError && e.kind === 'invalid_content') return pub.lookup({ query: c.external_id, serviceUrl: c.service_url }, ctx);
      throw e;
    });
    if (profile.externalId !== c.external_id) throw new ConnectorError('invalid_content', `${c.handle} is now a different account on ${connector.displayName}; remove and add the competitor again`);
    const now = services.now();
    await insertCompetitorSnapshot(db, { id: newId(now.getTime()), competitor_id: c.id, workspace_id: c.workspace_id, observed_at: now.toISOString(), followers: profile.followers });
    await updateCompetitor(db, c.id, { followers: profile.followers, handle: profile.handle, display_name: profile.displayName, profile_url: profile.url ?? c.profile_url });
    report.snapshots += 1;
  }

  const posts: PublicPost[] = await pub.posts({ account: { externalId: c.external_id, handle: c.handle, serviceUrl: c.service_url }, limit: opts.postsPerCompetitor }, ctx);
  report.postsSeen += posts.length;
  const now = services.now();
  const nowIso = now.toISOString();
  const stored = new Map((await competitorPostsByExternalId(db, c.id, posts.map((p) => p.externalId))).map((r) => [r.external_id, r]));
  const lastSeen = await lastCompetitorObservations(db, [...stored.values()].map((r) => r.id));
  const observations: CompetitorObservationRow[] = [];
  const seen = new Set<string>();
  for (const p of posts) {
    if (seen.has(p.externalId)) continue;
    seen.add(p.externalId);
    const counts = { likes: p.likes, shares: p.shares, comments: p.comments, quotes: p.quotes, views: p.views };
    let postId: string;
    const existing = stored.get(p.externalId);
    if (existing) {
      postId = existing.id;
      await updateCompetitorPost(db, existing.id, { ...counts, last_seen_at: nowIso, text: p.text, hashtags: json(p.hashtags), content_type: p.contentType, url: p.url });
    } else {
      postId = newId(now.getTime());
      await insertCompetitorPost(db, {
        id: postId,
        competitor_id: c.id,
        workspace_id: c.workspace_id,
        external_id: p.externalId,
        url: p.url,
        published_at: p.createdAt,
        text: p.text,
        content_type: p.contentType,
        hashtags: json(p.hashtags),
        ...counts,
        first_seen_at: nowIso,
        last_seen_at: nowIso,
      });
      report.postsAdded += 1;
    }
    // Reposts carry no counts of their own: nothing to follow over time.
    if (p.contentType === 'repost') continue;
    if (competitorObservationDue(p.createdAt, existing ? (lastSeen.get(existing.id) ?? null) : null, now)) {
      observations.push({ id: newId(now.getTime()), post_id: postId, competitor_id: c.id, workspace_id: c.workspace_id, observed_at: nowIso, ...counts });
    }
  }
  await insertCompetitorObservations(db, observations);
  report.observations += observations.length;
}

/**
 * Collects every competitor of the workspace now (the job body; also callable from tests and tools).
 * Network failures are recorded per competitor (`last_error`) and never thrown.
 */
export async function collectCompetitors(services: AppServices, workspaceId: string, overrides: Partial<CompetitorOptions> = {}): Promise<CompetitorCollectionReport> {
  const opts = { ...defaultCompetitorOptions, ...overrides };
  const db = services.database.db;
  const report: CompetitorCollectionReport = { competitors: 0, snapshots: 0, postsSeen: 0, postsAdded: 0, observations: 0, failed: [] };
  for (const c of await listCompetitors(db, workspaceId)) {
    report.competitors += 1;
    try {
      await collectOne(services, c, opts, report);
      await updateCompetitor(db, c.id, { collected_at: services.now().toISOString(), last_error: null });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      report.failed.push({ competitorId: c.id, message });
      services.log.warn({ competitorId: c.id, network: c.network, err: e instanceof ConnectorError ? undefined : e, message }, 'competitor collection failed; retrying next round');
      await updateCompetitor(db, c.id, { last_error: message.slice(0, 500) });
    }
  }
  return report;
}

/** Enqueues `collect-competitors` for every workspace that is due; returns how many. */
export async function competitorsSweep(services: AppServices, overrides: Partial<CompetitorOptions> = {}): Promise<number> {
  const opts = { ...defaultCompetitorOptions, ...overrides };
  const db = services.database.db;
  const now = services.now();
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + opts.jobGraceMs).toISOString();
  let enqueued = 0;
  for (const ws of await workspacesWithCompetitorsDue(db, collectCompetitorsTask, nowIso, opts.sweepBatch)) {
    await db.transaction().execute(async (trx) => {
      if (!(await takeUntil(trx, dueKey(collectCompetitorsTask, ws), nowIso, until))) return;
      await services.queue.enqueue(collectCompetitorsTask, { workspaceId: ws }, { runAt: now, key: collectCompetitorsJobKey(ws), maxAttempts: 3 }, trx);
      enqueued += 1;
    });
  }
  return enqueued;
}

/** The `collect-competitors` job handler: one run per workspace at a time, then due again after the interval. */
export function competitorHandlers(services: AppServices, overrides: Partial<CompetitorOptions> = {}): Record<string, JobHandler> {
  const opts = { ...defaultCompetitorOptions, ...overrides };
  return {
    [collectCompetitorsTask]: async (payload) => {
      const workspaceId = payload.workspaceId;
      if (typeof workspaceId !== 'string') return;
      const db = services.database.db;
      const lease = leaseKey(collectCompetitorsTask, workspaceId);
      const leaseUntil = new Date(services.now().getTime() + opts.leaseMs).toISOString();
      if (!(await takeUntil(db, lease, services.now().toISOString(), leaseUntil))) return;
      try {
        await collectCompetitors(services, workspaceId, opts);
      } finally {
        await setDue(db, dueKey(collectCompetitorsTask, workspaceId), new Date(services.now().getTime() + opts.collectIntervalMs).toISOString(), 0);
        await releaseLease(db, lease, leaseUntil);
      }
    },
  };
}
