/**
 * The one query only the CLI needs: who owns this installation, so `--as` can default to the only
 * owner on a single-user machine.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Distinct users holding an owner role in any organisation or workspace (at most `limit`). */
export async function listOwnerUserIds(db: Kysely<Database>, limit: number): Promise<string[]> {
  const org = await db.selectFrom('organization_members').select('user_id').where('role', '=', 'owner').distinct().limit(limit).execute();
  const ws = await db.selectFrom('memberships').select('user_id').where('role', '=', 'owner').distinct().limit(limit).execute();
  return [...new Set([...org, ...ws].map((r) => r.user_id))].slice(0, limit);
}
