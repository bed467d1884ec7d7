/**
 * Users. E-mail addresses are stored lower-cased so look-ups are case-insensitive on both dialects.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, UserRow, UsersTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Normalises an e-mail address for storage and look-up. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The user with this e-mail address, if any. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

/** The user with this id, if any. */
export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a user (the e-mail must already be normalised). */
export async function insertUser(db: Db, row: Insertable<UsersTable>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

/** True when at least one user exists (first-run setup is closed then). */
export async function anyUserExists(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Updates a user's display name and/or interface language; returns the row afterwards, if it exists. */
export async function updateUserProfile(db: Db, id: string, changes: { name?: string; locale?: string }): Promise<UserRow | undefined> {
  if (changes.name !== undefined || changes.locale !== undefined) {
    await db.updateTable('users').set(changes).where('id', '=', id).execute();
  }
  return findUserById(db, id);
}
