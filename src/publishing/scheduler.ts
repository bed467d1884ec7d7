/**
 * The scheduler sweep: repairs what crashes and lost jobs leave behind. Every step is either a
 * guarded UPDATE … RETURNING (only one process gets each row) or a keyed enqueue (repeating it is
 * harmless), so any number of processes may sweep at once.
 */
import { expireLeases, overdueScheduled, stampOverdue, unconfirmedDue, updateTargetIf } from '../repositories/post-targets.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { enqueueConfirm, enqueuePublish, publishJobKey } from './publish-jobs';
import { publishingOptions, type PublishingOptions } from './publishing-options';
import { targetEventPayload } from './target-events';
import { engagementSweep } from '../engagement/engagement-sweep';
import { competitorsSweep } from '../competitors/competitor-collection';
import { listeningSearchesSettled, listeningSweep } from '../listening/listening-matching';
import { reportsSweep } from '../reports/report-schedules';

/** What one sweep did (for logs and tests). */
export interface SweepReport {
  expired: number;
  requeued: number;
  confirms: number;
}

/** One sweep. */
export async function sweepOnce(services: AppServices, opts: PublishingOptions): Promise<SweepReport> {
  const db = services.database.db;
  const now = services.now();
  const nowIso = now.toISOString();

  // 1. Leases that ran out: the worker died or hung mid-send. The post may exist: confirm, never re-send.
  const expired = await db.transaction().execute(async (trx) => {
    const rows = await expireLeases(trx, nowIso);
    for (const row of rows) {
      const connector = services.connectors.has(row.network) ? services.connectors.get(row.network) : null;
      if (connector?.findPublished) await enqueueConfirm(services, trx, row.id, now);
      else await updateTargetIf(trx, row.id, ['unconfirmed'], { next_attempt_at: null });
      await recordEvent(services, trx, { workspaceId: row.workspace_id, type: 'post.target.unconfirmed', subjectId: row.id, actorId: null, payload: targetEventPayload(row) });
    }
    return rows.length;
  });

  // 2. Scheduled targets well past due: their job was lost (or never committed), or it waits behind a
  // backlog. Keyed, so idempotent; the stamp makes the next sweeps leave it alone for another grace
  // period, so a backlog is not re-enqueued on every sweep.
  const before = new Date(now.getTime() - opts.overdueGraceMs).toISOString();
  let requeued = 0;
  const overdue = await overdueScheduled(db, before, opts.sweepBatch);
  // A job that merely waits behind a backlog (or sits in a worker's local batch) is left alone: replacing
  // a fetched job would add a second one next to it and make the backlog longer. One held for longer
  // than the grace period may belong to a dead worker, so it is re-added as before.
  const live = await services.queue.liveKeys(overdue.map((t) => publishJobKey(t.id)), { heldWithinMs: opts.overdueGraceMs });
  for (const t of overdue) {
    // Keep the target's own due time: a re-added job takes its place in the queue's due-time order.
    const dueAt = new Date(Math.max(Date.parse(t.scheduled_at ?? nowIso), t.next_attempt_at ? Date.parse(t.next_attempt_at) : 0));
    await db.transaction().execute(async (trx) => {
      if (!(await stampOverdue(trx, t.id, 'scheduled', before, nowIso))) return;
      if (live.has(publishJobKey(t.id))) return;
      await enqueuePublish(services, trx, t.id, dueAt);
      requeued += 1;
    });
  }

  // 3. Unconfirmed targets whose check never ran (stamped the same way).
  let confirms = 0;
  for (const t of await unconfirmedDue(db, before, opts.sweepBatch)) {
    await db.transaction().execute(async (trx) => {
      if (!(await stampOverdue(trx, t.id, 'unconfirmed', before, nowIso))) return;
      await enqueueConfirm(services, trx, t.id, now);
      confirms += 1;
    });
  }

  const report = { expired, requeued, confirms };
  if (expired || requeued || confirms) services.log.info(report, 'scheduler sweep repaired targets');
  return report;
}

/** Starts sweeping every `config.schedulerIntervalMs`; `stop()` waits for a running sweep and background listening searches. */
export function startScheduler(services: AppServices, overrides: Partial<PublishingOptions> = {}): { stop(): Promise<void> } {
  const opts = publishingOptions(services, overrides);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = sweepOnce(services, opts)
      .then(() => undefined)
      .catch((e: unknown) => services.log.error({ err: e }, 'scheduler sweep failed'))
      // Inbound sync, metrics collection, token expiry warnings: independent of the publishing sweep.
      .then(() => engagementSweep(services))
      .then(() => undefined)
      .catch((e: unknown) => services.log.error({ err: e }, 'engagement sweep failed'))
      .then(() => competitorsSweep(services))
      .then(() => undefined)
      .catch((e: unknown) => services.log.error({ err: e }, 'competitors sweep failed'))
      // Listening: match new inbox messages against saved queries, spike checks (throttled inside).
      .then(() => listeningSweep(services))
      .then(() => undefined)
      .catch((e: unknown) => services.log.error({ err: e }, 'listening sweep failed'))
      // Scheduled report e-mails: one job per schedule and finished period (throttled inside).
      .then(() => reportsSweep(services))
      .then(() => undefined)
      .catch((e: unknown) => services.log.error({ err: e }, 'reports sweep failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.schedulerIntervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      // Network searches the listening sweep started run in the background: let them finish their writes.
      await listeningSearchesSettled();
    },
  };
}
