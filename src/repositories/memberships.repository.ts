/**
 * Workspace memberships (direct roles of users in one workspace).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, WorkspaceRole } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A member as lists show them. */
export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: WorkspaceRole;
  created_at: string;
}

/** Adds a membership. */
export async function insertMembership(db: Db, row: { workspace_id: string; user_id: string; role: WorkspaceRole; created_at: string }): Promise<void> {
  await db.insertInto('memberships').values(row).execute();
}

/** One member of a workspace, if the user is one. */
export async function findMember(db: Db, workspaceId: string, userId: string): Promise<MemberRow | undefined> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

/** Members ordered by user id, `limit + 1` rows after `cursor`. */
export async function listMembers(db: Db, workspaceId: string, page: { limit: number; cursor?: string }): Promise<MemberRow[]> {
  let q = db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.workspace_id', '=', workspaceId);
  if (page.cursor) q = q.where('m.user_id', '>', page.cursor);
  return q.orderBy('m.user_id').limit(page.limit + 1).execute();
}

/** Changes a member's role; returns how many rows changed (0 when not a member). */
export async function updateMembershipRole(db: Db, workspaceId: string, userId: string, role: WorkspaceRole): Promise<number> {
  const r = await db.updateTable('memberships').set({ role }).where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Removes a membership; returns how many rows were deleted. */
export async function deleteMembership(db: Db, workspaceId: string, userId: string): Promise<number> {
  const r = await db.deleteFrom('memberships').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many direct owners a workspace has. */
export async function countOwners(db: Db, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
