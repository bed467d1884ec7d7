/**
 * The scheduler's engagement sweep and the worker's engagement job handlers.
 *
 * The sweep enqueues `sync-inbound` for every `ok` account whose connector has `comments`, and
 * `collect-metrics` for every one whose connector has `metrics`, when the account is due (see
 * sync-schedule.repository.ts). Taking the due row and enqueueing the keyed job happen in one
 * transaction, so any number of schedulers may sweep at once. It also sends token expiry warnings,
 * deletes OAuth states that ran out and, at most once a minute per process, a batch of expired
 * login sessions.
 */
import type { AnyConnector } from '../connectors/connector';
import type { JobHandler } from '../jobs/job-queue';
import { deleteExpiredOAuthStates } from '../repositories/oauth.repository';
import { deleteExpiredSessions } from '../repositories/sessions.repository';
import { dueAccounts, dueKey, takeUntil } from '../repositories/sync-schedule.repository';
import type { AppServices } from '../server/services';
import { sweepTokenExpiry, type ExpirySweepReport } from '../accounts/expiry-warnings';
import { syncInboundHandler, syncInboundJobKey, syncInboundTask } from '../inbox/inbound-sync';
import { collectMetricsHandler, collectMetricsJobKey, collectMetricsTask } from '../metrics/metrics-collection';
import { inboxNotifyHandler } from '../inbox/inbox-notify';
import { inboxNotifyTask } from '../inbox/inbox-workflow';
import { engagementOptions, type EngagementOptions } from './engagement-options';

/** What one sweep did. */
export interface EngagementSweepReport {
  inboundEnqueued: number;
  metricsEnqueued: number;
  expiry: ExpirySweepReport;
  oauthStatesDeleted: number;
  /** Expired login sessions deleted (0 when the once-a-minute throttle skipped the step). */
  sessionsDeleted: number;
}

/** Expired sessions one sweep deletes at most; a bigger backlog drains over the next minutes. */
export const expiredSessionsBatch = 1000;
/** Least time between two expired-session deletions of one process. */
const sessionSweepEveryMs = 60_000;
const lastSessionSweep = new WeakMap<AppServices, number>();

async function deleteExpiredSessionsThrottled(services: AppServices): Promise<number> {
  const nowMs = services.now().getTime();
  // The sweep runs every few seconds; deleting sessions that are already refused is not urgent.
  const last = lastSessionSweep.get(services);
  if (last !== undefined && nowMs - last < sessionSweepEveryMs) return 0;
  lastSessionSweep.set(services, nowMs);
  return deleteExpiredSessions(services.database.db, new Date(nowMs).toISOString(), expiredSessionsBatch);
}

async function enqueueDue(
  services: AppServices,
  opts: EngagementOptions,
  task: string,
  jobKey: (accountId: string) => string,
  has: (c: AnyConnector) => boolean,
): Promise<number> {
  const db = services.database.db;
  const networks = services.connectors.list().filter(has).map((c) => c.id);
  const now = services.now();
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + opts.jobGraceMs).toISOString();
  let enqueued = 0;
  for (const a of await dueAccounts(db, task, networks, nowIso, opts.sweepBatch)) {
    await db.transaction().execute(async (trx) => {
      if (!(await takeUntil(trx, dueKey(task, a.id), nowIso, until))) return;
      // The job may retry a crashed run a few times; network failures are handled inside it.
      await services.queue.enqueue(task, { accountId: a.id }, { runAt: now, key: jobKey(a.id), maxAttempts: 3 }, trx);
      enqueued += 1;
    });
  }
  return enqueued;
}

/** One engagement sweep. */
export async function engagementSweep(services: AppServices, overrides: Partial<EngagementOptions> = {}): Promise<EngagementSweepReport> {
  const opts = engagementOptions(overrides);
  const inboundEnqueued = await enqueueDue(services, opts, syncInboundTask, syncInboundJobKey, (c) => c.comments !== undefined);
  const metricsEnqueued = await enqueueDue(services, opts, collectMetricsTask, collectMetricsJobKey, (c) => c.metrics !== undefined);
  const expiry = await sweepTokenExpiry(services, opts.sweepBatch);
  const oauthStatesDeleted = await deleteExpiredOAuthStates(services.database.db, services.now().toISOString());
  const sessionsDeleted = await deleteExpiredSessionsThrottled(services);
  return { inboundEnqueued, metricsEnqueued, expiry, oauthStatesDeleted, sessionsDeleted };
}

/** Handlers for `sync-inbound`, `collect-metrics` and `inbox-notify` (rule notifications). */
export function engagementHandlers(services: AppServices, overrides: Partial<EngagementOptions> = {}): Record<string, JobHandler> {
  return {
    [syncInboundTask]: syncInboundHandler(services, overrides),
    [collectMetricsTask]: collectMetricsHandler(services, overrides),
    [inboxNotifyTask]: inboxNotifyHandler(services),
  };
}
