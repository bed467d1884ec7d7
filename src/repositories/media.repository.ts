/** Images attached to a post target (stored in the database so every process can read them). */
import type { MediaRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Inserts media rows. */
export async function insertMedia(db: Executor, rows: MediaRow[]): Promise<void> {
  if (rows.length) await db.insertInto('media').values(rows).execute();
}

/** A target's media in order, with the bytes. */
export async function mediaOfTarget(db: Executor, targetId: string): Promise<MediaRow[]> {
  return db.selectFrom('media').selectAll().where('target_id', '=', targetId).orderBy('position').execute();
}

/** Media metadata (no bytes) for several targets, for listings. */
export async function mediaMetaOfTargets(db: Executor, targetIds: string[]): Promise<Array<Omit<MediaRow, 'data'>>> {
  if (targetIds.length === 0) return [];
  return db
    .selectFrom('media')
    .select(['id', 'workspace_id', 'target_id', 'position', 'mime_type', 'size_bytes', 'alt', 'sha256', 'created_at'])
    .where('target_id', 'in', targetIds)
    .orderBy('target_id')
    .orderBy('position')
    .execute();
}

/** Removes a target's media (before replacing it on edit). */
export async function deleteMediaOfTarget(db: Executor, targetId: string): Promise<void> {
  await db.deleteFrom('media').where('target_id', '=', targetId).execute();
}
