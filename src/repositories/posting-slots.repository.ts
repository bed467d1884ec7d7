/** Weekly posting slots of accounts, and the targets that already occupy queue times. */
import type { PostingSlotRow, TargetState } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Slots of one account, ordered by weekday then time. */
export async function listSlots(db: Executor, workspaceId: string, accountId: string): Promise<PostingSlotRow[]> {
  return db
    .selectFrom('posting_slots')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('account_id', '=', accountId)
    .orderBy('weekday')
    .orderBy('time')
    .execute();
}

/** Slots of several accounts of a workspace. */
export async function listSlotsOfAccounts(db: Executor, workspaceId: string, accountIds: string[]): Promise<PostingSlotRow[]> {
  if (accountIds.length === 0) return [];
  return db.selectFrom('posting_slots').selectAll().where('workspace_id', '=', workspaceId).where('account_id', 'in', accountIds).execute();
}

/** Inserts one slot. */
export async function insertSlot(db: Executor, row: PostingSlotRow): Promise<void> {
  await db.insertInto('posting_slots').values(row).execute();
}

/** One slot of an account. */
export async function findSlot(db: Executor, workspaceId: string, accountId: string, weekday: number, time: string): Promise<PostingSlotRow | undefined> {
  return db
    .selectFrom('posting_slots')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('account_id', '=', accountId)
    .where('weekday', '=', weekday)
    .where('time', '=', time)
    .executeTakeFirst();
}

/** Deletes one slot by id; true when it existed in the workspace and account. */
export async function deleteSlot(db: Executor, workspaceId: string, accountId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('posting_slots').where('workspace_id', '=', workspaceId).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Deletes every slot of an account (before a replace). */
export async function deleteSlotsOfAccount(db: Executor, workspaceId: string, accountId: string): Promise<void> {
  await db.deleteFrom('posting_slots').where('workspace_id', '=', workspaceId).where('account_id', '=', accountId).execute();
}

/** Times (`scheduled_at`) of targets of these accounts in `states` within [from, to). */
export async function occupiedTimes(
  db: Executor,
  workspaceId: string,
  accountIds: string[],
  states: readonly TargetState[],
  from: string,
  to: string,
): Promise<Array<{ account_id: string; scheduled_at: string }>> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom('post_targets')
    .select(['account_id', 'scheduled_at'])
    .where('workspace_id', '=', workspaceId)
    .where('account_id', 'in', accountIds)
    .where('state', 'in', [...states])
    .where('scheduled_at', '>=', from)
    .where('scheduled_at', '<', to)
    .execute();
  return rows.filter((r): r is { account_id: string; scheduled_at: string } => r.scheduled_at !== null);
}
