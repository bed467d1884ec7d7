/** KPI goals (migrations 0013-campaigns, 0018-campaign-goals). Every query is scoped by workspace. */
import type { Selectable } from 'kysely';
import type { GoalsTable } from '../campaigns/campaign-tables';
import type { Executor } from '../jobs/job-queue';

/** A stored goal. */
export type GoalRow = Selectable<GoalsTable>;

/**
 * The workspace's goals, by period: all of them, those that may apply to one account's dashboard
 * (its own and workspace-wide ones, not campaign goals), or one campaign's.
 */
export async function listGoals(db: Executor, workspaceId: string, f: { accountId?: string; campaignId?: string } = {}): Promise<GoalRow[]> {
  let q = db.selectFrom('goals').selectAll().where('workspace_id', '=', workspaceId);
  if (f.accountId) {
    const accountId = f.accountId;
    q = q.where('campaign_id', 'is', null).where((eb) => eb.or([eb('account_id', 'is', null), eb('account_id', '=', accountId)]));
  }
  if (f.campaignId) q = q.where('campaign_id', '=', f.campaignId);
  return q.orderBy('from_day', 'desc').orderBy('definition_id').orderBy('id').execute();
}

/** Moves a campaign's goals to the campaign's new dates. */
export async function setCampaignGoalDates(db: Executor, workspaceId: string, campaignId: string, from: string, to: string, updatedAt: string): Promise<void> {
  await db.updateTable('goals').set({ from_day: from, to_day: to, updated_at: updatedAt }).where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).execute();
}

/** Removes a campaign's goals; how many went. */
export async function deleteCampaignGoals(db: Executor, workspaceId: string, campaignId: string): Promise<number> {
  const r = await db.deleteFrom('goals').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** One goal of the workspace. */
export async function findGoal(db: Executor, workspaceId: string, id: string): Promise<GoalRow | undefined> {
  return db.selectFrom('goals').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Adds a goal. */
export async function insertGoal(db: Executor, row: GoalRow): Promise<void> {
  await db.insertInto('goals').values(row).execute();
}

/** True when `e` is the database refusing a second goal for one campaign KPI (goals_campaign_kpi_uq). */
export function isCampaignGoalTaken(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: unknown }).code;
  // PostgreSQL names the index; SQLite names the columns.
  if (code === '23505') return e.message.includes('goals_campaign_kpi_uq');
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message.includes('goals.campaign_id');
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
