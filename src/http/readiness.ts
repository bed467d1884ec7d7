/**
 * Readiness checks for GET /api/ready: the database answers, no migration is pending, and some worker
 * reported a heartbeat in the last 30 seconds (also when this process runs no worker itself: an API
 * without any worker would accept posts it never publishes).
 */
import type { Kysely } from 'kysely';
import { pingDatabase } from '../db/database';
import { pendingMigrations } from '../db/migrator';
import type { AppServices } from '../server/services';
import { liveHeartbeats } from '../server/heartbeat';

/** How fresh a worker heartbeat must be. */
export const HEARTBEAT_MAX_AGE_MS = 30_000;

/** One check: `ok` or what failed. */
export interface ReadinessReport {
  ready: boolean;
  checks: { database: string; migrations: string; worker: string };
}

/** Runs every check; never throws. */
export async function checkReadiness(services: AppServices): Promise<ReadinessReport> {
  const h = services.database;
  const checks = { database: 'ok', migrations: 'ok', worker: 'ok' };
  if (!(await pingDatabase(h))) {
    checks.database = 'failed: the database does not answer';
    checks.migrations = 'unknown';
    checks.worker = 'unknown';
    return { ready: false, checks };
  }
  try {
    const pending = await pendingMigrations(h.db as Kysely<unknown>, { dialect: h.dialect });
    if (pending.length) checks.migrations = `failed: ${pending.length} pending (${pending.join(', ')})`;
  } catch (e) {
    checks.migrations = `failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  try {
    // Scheduler processes beat too; only a worker makes posts actually publish.
    const live = (await liveHeartbeats(h.db, services.now(), HEARTBEAT_MAX_AGE_MS)).filter((b) => b.role === 'worker');
    if (live.length === 0) checks.worker = `failed: no worker heartbeat in the last ${HEARTBEAT_MAX_AGE_MS / 1000} s`;
  } catch (e) {
    checks.worker = `failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
