/**
 * The scheduler's engagement sweep and the worker's engagement job handlers.
 *
 * The sweep enqueues `sync-inbound` for every `ok` account whose connector has `comments`, and
 * `collect-metrics` for every one whose connector has `metrics`, when the account is due (see
 * sync-schedule.repository.ts). Taking the due row and enqueueing the keyed job happen in one
 * transaction, so any number of schedulers may sweep at once. It also sends token expiry warnings
 * and deletes OAuth states that ran out.
 */
import type { AnyConnector } from '../connectors/connector';
import type { JobHandler } from '../jobs/job-queue';
import { deleteExpiredOAuthStates } from '../repositories/oauth.repository';
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
  return { inboundEnqueued, metricsEnqueued, expiry, oauthStatesDeleted };
}

/** Handlers for `sync-inbound`, `collect-metrics` and `inbox-notify` (rule notifications). */
export function engagementHandlers(services: AppServices, overrides: Partial<EngagementOptions> = {}): Record<string, JobHandler> {
  return {
    [syncInboundTask]: syncInboundHandler(services, overrides),
    [collectMetricsTask]: collectMetricsHandler(services, overrides),
    [inboxNotifyTask]: inboxNotifyHandler(services),
  };
}
