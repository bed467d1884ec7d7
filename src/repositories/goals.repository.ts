/** KPI goals (migration 0013-campaigns). Every query is scoped by workspace. */
import type { Selectable } from 'kysely';
import type { GoalsTable } from '../campaigns/campaign-tables';
import type { Executor } from '../jobs/job-queue';

/** A stored goal. */
export type GoalRow = Selectable<GoalsTable>;

/** The workspace's goals (optionally only those that may apply to one account), by period. */
export async function listGoals(db: Executor, workspaceId: string, f: { accountId?: string } = {}): Promise<GoalRow[]> {
  let q = db.selectFrom('goals').selectAll().where('workspace_id', '=', workspaceId);
  if (f.accountId) {
    const accountId = f.accountId;
    q = q.where((eb) => eb.or([eb('account_id', 'is', null), eb('account_id', '=', accountId)]));
  }
  return q.orderBy('from_day', 'desc').orderBy('definition_id').orderBy('id').execute();
}

/** One goal of the workspace. */
export async function findGoal(db: Executor, workspaceId: string, id: string): Promise<GoalRow | undefined> {
  return db.selectFrom('goals').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Adds a goal. */
export async function insertGoal(db: Executor, row: GoalRow): Promise<void> {
  await db.insertInto('goals').values(row).execute();
}

/** Changes a goal. */
export async function updateGoal(db: Executor, workspaceId: string, id: string, patch: Partial<Omit<GoalRow, 'id' | 'workspace_id' | 'created_at' | 'created_by'>>): Promise<void> {
  await db.updateTable('goals').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Removes a goal; false when there was none. */
export async function deleteGoal(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('goals').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
