/**
 * Failed-login counters in fixed windows, kept in the database so every API process shares them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** The counter for a key, if any. */
export async function findLoginAttempts(db: Db, key: string): Promise<{ key: string; window_start: string; count: number } | undefined> {
  return db.selectFrom('login_attempts').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Counts one failure atomically: a window that started before `windowCutoffIso` restarts at
 * `nowIso` with count 1, otherwise the count grows.
 */
export async function recordLoginFailure(db: Db, key: string, nowIso: string, windowCutoffIso: string): Promise<void> {
  await db
    .insertInto('login_attempts')
    .values({ key, window_start: nowIso, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when login_attempts.window_start < ${windowCutoffIso} then 1 else login_attempts.count + 1 end`,
        window_start: sql<string>`case when login_attempts.window_start < ${windowCutoffIso} then ${nowIso} else login_attempts.window_start end`,
      }),
    )
    .execute();
}

/** Forgets the counter for a key. */
export async function clearLoginAttempts(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('key', '=', key).execute();
}
