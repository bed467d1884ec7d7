/**
 * Workspaces, and the query that tells what a user may see: a workspace is visible through a direct
 * membership or through an owner/admin role in its organisation.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganizationRole, WorkspaceRole, WorkspaceRow } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A workspace with the roles one user holds there directly and through its organisation. */
export interface WorkspaceWithRoles extends WorkspaceRow {
  workspace_role: WorkspaceRole | null;
  organization_role: OrganizationRole | null;
}

/** Creates a workspace. */
export async function insertWorkspace(db: Db, row: WorkspaceRow): Promise<void> {
  await db.insertInto('workspaces').values(row).execute();
}

/** The workspace with this id, if any. */
export async function findWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates name and/or time zone. */
export async function updateWorkspace(db: Db, id: string, patch: { name?: string; timezone?: string }): Promise<void> {
  if (patch.name === undefined && patch.timezone === undefined) return;
  await db.updateTable('workspaces').set(patch).where('id', '=', id).execute();
}

function withRoles(db: Db, userId: string) {
  return db
    .selectFrom('workspaces as w')
    .leftJoin('memberships as m', (j) => j.onRef('m.workspace_id', '=', 'w.id').on('m.user_id', '=', userId))
    .leftJoin('organization_members as om', (j) => j.onRef('om.organization_id', '=', 'w.organization_id').on('om.user_id', '=', userId))
    .select(['w.id', 'w.organization_id', 'w.name', 'w.timezone', 'w.created_at', 'm.role as workspace_role', 'om.role as organization_role']);
}

/** One workspace with the user's roles; undefined when the workspace does not exist. */
export async function findWorkspaceWithRoles(db: Db, userId: string, workspaceId: string): Promise<WorkspaceWithRoles | undefined> {
  return withRoles(db, userId).where('w.id', '=', workspaceId).executeTakeFirst();
}

/**
 * Workspaces the user can see, ordered by id, `limit + 1` rows from after `cursor`.
 * `onlyId` narrows the list to one workspace (API tokens see only theirs).
 */
export async function listWorkspacesVisibleTo(
  db: Db,
  userId: string,
  page: { limit: number; cursor?: string },
  onlyId?: string,
): Promise<WorkspaceWithRoles[]> {
  let q = withRoles(db, userId).where((eb) => eb.or([eb('m.role', 'is not', null), eb('om.role', 'in', ['owner', 'admin'])]));
  if (onlyId) q = q.where('w.id', '=', onlyId);
  if (page.cursor) q = q.where('w.id', '>', page.cursor);
  return q.orderBy('w.id').limit(page.limit + 1).execute();
}
