/** Hashtag sets (migration 0012-hashtag-sets). Every query is scoped by workspace. */
import type { HashtagSetRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** The workspace's sets, by name. */
export async function listHashtagSets(db: Executor, workspaceId: string): Promise<HashtagSetRow[]> {
  return db.selectFrom('hashtag_sets').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('id').execute();
}

/** One set of the workspace. */
export async function findHashtagSet(db: Executor, workspaceId: string, id: string): Promise<HashtagSetRow | undefined> {
  return db.selectFrom('hashtag_sets').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The workspace's set with this exact name. */
export async function findHashtagSetByName(db: Executor, workspaceId: string, name: string): Promise<HashtagSetRow | undefined> {
  return db.selectFrom('hashtag_sets').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

/** How many sets the workspace has. */
export async function countHashtagSets(db: Executor, workspaceId: string): Promise<number> {
  const r = await db.selectFrom('hashtag_sets').select((eb) => eb.fn.countAll<string | number>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Adds a set. */
export async function insertHashtagSet(db: Executor, row: HashtagSetRow): Promise<void> {
  await db.insertInto('hashtag_sets').values(row).execute();
}

/** Changes a set's name and/or tags. */
export async function updateHashtagSet(db: Executor, workspaceId: string, id: string, patch: Partial<Pick<HashtagSetRow, 'name' | 'tags' | 'updated_at'>>): Promise<void> {
  await db.updateTable('hashtag_sets').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Removes a set; false when there was none. */
export async function deleteHashtagSet(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('hashtag_sets').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
