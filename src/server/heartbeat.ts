/**
 * Worker heartbeats: each worker and scheduler role of a running process keeps one row in
 * `worker_heartbeats` fresh, so `/api/ready` and `herald queue status` can tell whether anything is
 * actually taking jobs. Rows of processes that died are left behind with an old `seen_at` and pruned
 * after a day.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logging/logger';

/** How often a heartbeat row is refreshed. */
export const heartbeatIntervalMs = 5_000;

/** How long a dead process's row is kept before it is pruned. */
const pruneAfterMs = 24 * 60 * 60 * 1000;

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops beating and removes this process's rows. */
  stop(): Promise<void>;
}

/** Upserts one heartbeat row. */
export async function beat(db: Kysely<Database>, workerId: string, role: string, now: Date): Promise<void> {
  await db
    .insertInto('worker_heartbeats')
    .values({ worker_id: workerId, role, seen_at: now.toISOString() })
    .onConflict((oc) => oc.column('worker_id').doUpdateSet({ role, seen_at: now.toISOString() }))
    .execute();
}

/** Beats now (so readiness is immediate), then every {@link heartbeatIntervalMs}. */
export async function startHeartbeat(opts: {
  db: Kysely<Database>;
  log: Logger;
  rows: Array<{ workerId: string; role: string }>;
  now: () => Date;
  intervalMs?: number;
}): Promise<Heartbeat> {
  const { db, log, rows, now } = opts;
  const beatAll = async () => {
    const t = now();
    for (const r of rows) await beat(db, r.workerId, r.role, t);
  };
  await beatAll();
  await db.deleteFrom('worker_heartbeats').where('seen_at', '<', new Date(now().getTime() - pruneAfterMs).toISOString()).execute();
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = beatAll()
      .catch((e: unknown) => log.warn({ err: e }, 'heartbeat failed'))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs ?? heartbeatIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
      const ids = rows.map((r) => r.workerId);
      if (ids.length) await db.deleteFrom('worker_heartbeats').where('worker_id', 'in', ids).execute();
    },
  };
}

/** Heartbeat rows seen within `freshMs` (live workers and schedulers), newest first. */
export async function liveHeartbeats(db: Kysely<Database>, now: Date, freshMs = 3 * heartbeatIntervalMs): Promise<Array<{ worker_id: string; role: string; seen_at: string }>> {
  return db
    .selectFrom('worker_heartbeats')
    .selectAll()
    .where('seen_at', '>=', new Date(now.getTime() - freshMs).toISOString())
    .orderBy('seen_at', 'desc')
    .execute();
}
