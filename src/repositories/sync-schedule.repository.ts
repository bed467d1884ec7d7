/**
 * Due times and leases of the per-account background jobs (inbound sync, metrics collection), kept as
 * rows of `rate_limit_windows` so every process shares them without a new table:
 * `window_start` holds an instant (the row is "taken" until then) and `count` the consecutive failures.
 *
 * - `<task>-due:<accountId>`: not before this instant may the scheduler enqueue the account's job again.
 * - `<task>-lease:<accountId>`: a run holds this until it ends (or the lease runs out after a crash),
 *   so two runs for one account never overlap even when a keyed job is re-added while one runs.
 */
import { sql } from 'kysely';
import type { Executor } from '../jobs/job-queue';

/** Key of an account's due row for `task`. */
export const dueKey = (task: string, accountId: string) => `${task}-due:${accountId}`;
/** Key of an account's lease row for `task`. */
export const leaseKey = (task: string, accountId: string) => `${task}-lease:${accountId}`;

/**
 * Takes `key` until `until` when it is free (absent, or its instant is at or before `now`). One
 * statement, so of many processes only one gets it. Keeps the failure count.
 */
export async function takeUntil(db: Executor, key: string, now: string, until: string): Promise<boolean> {
  const r = await sql<{ key: string }>`
    insert into rate_limit_windows (key, window_start, count) values (${key}, ${until}, 0)
    on conflict (key) do update set window_start = excluded.window_start
    where rate_limit_windows.window_start <= ${now}
    returning key`.execute(db);
  return r.rows.length > 0;
}

/** Frees a lease taken with {@link takeUntil}, only if it is still ours (same instant). */
export async function releaseLease(db: Executor, key: string, until: string): Promise<void> {
  await db.deleteFrom('rate_limit_windows').where('key', '=', key).where('window_start', '=', until).execute();
}

/** Sets when `key` is due next and its consecutive failure count. */
export async function setDue(db: Executor, key: string, at: string, failures: number): Promise<void> {
  await db
    .insertInto('rate_limit_windows')
    .values({ key, window_start: at, count: failures })
    .onConflict((oc) => oc.column('key').doUpdateSet({ window_start: at, count: failures }))
    .execute();
}

/** The consecutive failure count of `key` (0 when unknown). */
export async function failuresOf(db: Executor, key: string): Promise<number> {
  const row = await db.selectFrom('rate_limit_windows').select('count').where('key', '=', key).executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Live `ok` accounts on `networks` whose `task` is due at `now` (no due row, or its instant has
 * passed), oldest first. Reads only; the caller takes each with {@link takeUntil} before enqueueing.
 */
export async function dueAccounts(db: Executor, task: string, networks: string[], now: string, limit: number): Promise<Array<{ id: string; workspace_id: string; network: string }>> {
  if (networks.length === 0) return [];
  return db
    .selectFrom('accounts')
    .leftJoin('rate_limit_windows as due', (j) => j.on('due.key', '=', sql<string>`cast(${`${task}-due:`} as text) || accounts.id`))
    .select(['accounts.id', 'accounts.workspace_id', 'accounts.network'])
    .where('accounts.removed_at', 'is', null)
    .where('accounts.status', '=', 'ok')
    .where('accounts.network', 'in', networks)
    .where((eb) => eb.or([eb('due.window_start', 'is', null), eb('due.window_start', '<=', now)]))
    .orderBy('accounts.id')
    .limit(limit)
    .execute();
}
