/**
 * Personal API tokens. Only sha256(token) is stored; the visible prefix lets people tell tokens apart.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ApiTokensTable, Database } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A stored token. */
export type ApiTokenRow = Selectable<ApiTokensTable>;

/** Stores a token. */
export async function insertApiToken(db: Db, row: ApiTokenRow): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

/** The token with this hash (revoked or not). */
export async function findApiTokenByHash(db: Db, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** One token of a workspace. */
export async function findApiToken(db: Db, workspaceId: string, id: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Tokens of a workspace ordered by id, `limit + 1` rows after `cursor`. */
export async function listApiTokens(db: Db, workspaceId: string, page: { limit: number; cursor?: string }): Promise<ApiTokenRow[]> {
  let q = db.selectFrom('api_tokens').selectAll().where('workspace_id', '=', workspaceId);
  if (page.cursor) q = q.where('id', '>', page.cursor);
  return q.orderBy('id').limit(page.limit + 1).execute();
}

/** Marks a token revoked (idempotent); returns false when no such token exists in the workspace. */
export async function revokeApiToken(db: Db, workspaceId: string, id: string, nowIso: string): Promise<boolean> {
  const existing = await findApiToken(db, workspaceId, id);
  if (!existing) return false;
  if (existing.revoked_at === null) {
    await db.updateTable('api_tokens').set({ revoked_at: nowIso }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }
  return true;
}

/** Records use; the caller decides how often (at most once a minute) to keep writes rare. */
export async function touchApiToken(db: Db, id: string, nowIso: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: nowIso }).where('id', '=', id).execute();
}

/** Revokes every token a user holds in a workspace (when they leave it). */
export async function revokeUserTokensInWorkspace(db: Db, workspaceId: string, userId: string, nowIso: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: nowIso })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
