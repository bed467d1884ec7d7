/**
 * Fixed-window counters shared by every process through the database (rate_limit_windows).
 * One upsert both checks and counts, so two workers can never both take the last slot.
 */
import { sql } from 'kysely';
import type { Executor } from '../jobs/job-queue';

/**
 * Takes one slot of `key`'s window starting at `windowStart` if fewer than `limit` were taken;
 * returns true when the slot was granted. A newer window resets the count. A request for an OLDER
 * window than the stored one (a worker that read the clock just before a boundary and reached the
 * database just after another one crossed it) is refused: letting it reset the row would give the
 * current window a fresh budget and grant more than `limit`. `windowStart` values are ISO instants
 * of one format, so text order is time order on both dialects.
 */
export async function takeWindowSlot(db: Executor, key: string, windowStart: string, limit: number): Promise<boolean> {
  const r = await sql<{ count: number }>`
    insert into rate_limit_windows (key, window_start, count) values (${key}, ${windowStart}, 1)
    on conflict (key) do update set
      count = case when rate_limit_windows.window_start = excluded.window_start then rate_limit_windows.count + 1 else 1 end,
      window_start = excluded.window_start
    where rate_limit_windows.window_start < excluded.window_start
      or (rate_limit_windows.window_start = excluded.window_start and rate_limit_windows.count < ${limit})
    returning count`.execute(db);
  return r.rows.length > 0;
}

/** Gives back a slot taken by `takeWindowSlot` that was not used (same window only). */
export async function returnWindowSlot(db: Executor, key: string, windowStart: string): Promise<void> {
  await db
    .updateTable('rate_limit_windows')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .where('count', '>', 0)
    .execute();
}
