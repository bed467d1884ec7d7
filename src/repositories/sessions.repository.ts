/**
 * Browser sessions. The id column holds sha256(cookie value), so a leaked database does not yield
 * usable cookies.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A stored session. */
export interface SessionRow {
  id: string;
  user_id: string;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}

/** Stores a session. */
export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** The session with this hashed id if it has not expired at `nowIso`. */
export async function findLiveSession(db: Db, id: string, nowIso: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).where('expires_at', '>', nowIso).executeTakeFirst();
}

/** Deletes a session (logout). */
export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/**
 * Deletes at most `limit` sessions that expired at or before `nowIso` (the ones findLiveSession
 * already refuses); returns how many. PostgreSQL has no DELETE … LIMIT, so the bound is a subquery
 * on the ids, which SQLite runs the same way.
 */
export async function deleteExpiredSessions(db: Db, nowIso: string, limit = 1000): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where('id', 'in', db.selectFrom('sessions').select('id').where('expires_at', '<=', nowIso).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
