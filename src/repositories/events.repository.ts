/** The domain event log: written in the same transaction as the change it describes. */
import type { EventRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';
import { insertRowsAsText } from './multi-row-insert.repository';

/** Appends one event. */
export async function insertEvent(db: Executor, row: EventRow): Promise<void> {
  await db.insertInto('events').values(row).execute();
}

/** One event by id. */
export async function findEvent(db: Executor, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Events about any of `subjectIds`, oldest first. */
export async function eventsForSubjects(db: Executor, subjectIds: string[], types?: string[]): Promise<EventRow[]> {
  if (subjectIds.length === 0) return [];
  let q = db.selectFrom('events').selectAll().where('subject_id', 'in', subjectIds);
  if (types?.length) q = q.where('type', 'in', types);
  return q.orderBy('id').execute();
}

/** Events of a workspace of the given type, oldest first (tests and audits). */
export async function eventsOfType(db: Executor, workspaceId: string, type: string): Promise<EventRow[]> {
  return db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).where('type', '=', type).orderBy('id').execute();
}

/** Events of a workspace about any of `subjectIds`, oldest first (a post's history). */
export async function eventsOfSubjectsInWorkspace(db: Executor, workspaceId: string, subjectIds: string[]): Promise<EventRow[]> {
  if (subjectIds.length === 0) return [];
  return db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).where('subject_id', 'in', subjectIds).orderBy('id').execute();
}

const eventColumns = ['id', 'workspace_id', 'type', 'subject_id', 'actor_id', 'payload', 'created_at'] as const;

/** Appends events with one multi-row INSERT per 2,000 rows (in the order given). */
export async function insertEvents(db: Executor, rows: readonly EventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await insertRowsAsText(db, 'events', eventColumns, rows.slice(i, i + 2000).map((r) => eventColumns.map((c) => r[c])));
  }
}
