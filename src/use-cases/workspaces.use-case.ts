/**
 * Workspaces: listing what a user can see, creating one inside an organisation, reading and updating
 * settings, and computing a user's effective role (the basis of every access check).
 */
import type { Kysely } from 'kysely';
import type { Database, WorkspaceRole, WorkspaceRow } from '../db/schema';
import type { Actor, UseCaseContext } from '../server/services';
import type { ServiceContext } from './users.use-case';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan, canInOrganization, effectiveWorkspaceRole, type PolicyActor } from '../policies/policy';
import { toPage, type Page, type PageRequest } from '../http/page';
import {
  findWorkspace,
  findWorkspaceWithRoles,
  insertWorkspace,
  listWorkspacesVisibleTo,
  updateWorkspace as updateWorkspaceRow,
} from '../repositories/workspaces.repository';
import { findOrganizationRole, listManagedOrganizations } from '../repositories/organizations.repository';
import { insertMembership } from '../repositories/memberships.repository';
import { validateName, validateTimeZone } from './users.use-case';

/** A workspace together with the viewer's effective role there. */
export interface WorkspaceWithRole {
  workspace: WorkspaceRow;
  role: WorkspaceRole;
}

/**
 * The user's effective role in a workspace, or null when they cannot see it (including when the id
 * is malformed or the workspace does not exist: callers answer 404 in every such case).
 */
export async function effectiveRole(db: Kysely<Database>, userId: string, workspaceId: string): Promise<WorkspaceRole | null> {
  if (!isId(workspaceId)) return null;
  const row = await findWorkspaceWithRoles(db, userId, workspaceId);
  if (!row) return null;
  return effectiveWorkspaceRole(row.workspace_role, row.organization_role);
}

/**
 * The acting user's policy identity in the context's workspace, or null for system actors (CLI,
 * worker), which are trusted. Throws NotFoundError when a user cannot see the workspace.
 */
export async function policyActor(ctx: UseCaseContext): Promise<PolicyActor | null> {
  if (ctx.actor.kind !== 'user') return null;
  if (ctx.actor.tokenWorkspaceId !== undefined && ctx.actor.tokenWorkspaceId !== ctx.workspaceId) throw new NotFoundError('Workspace');
  const role = await effectiveRole(ctx.db, ctx.actor.userId, ctx.workspaceId);
  if (!role) throw new NotFoundError('Workspace');
  return { userId: ctx.actor.userId, role };
}

/** Workspaces a user can see (an API token sees only its own), ordered by id. */
export async function listWorkspacesForUser(
  ctx: Pick<ServiceContext, 'db'>,
  userId: string,
  page: PageRequest,
  opts: { onlyWorkspaceId?: string } = {},
): Promise<Page<WorkspaceWithRole>> {
  const rows = await listWorkspacesVisibleTo(ctx.db, userId, page, opts.onlyWorkspaceId);
  const items: WorkspaceWithRole[] = [];
  for (const r of rows) {
    const role = effectiveWorkspaceRole(r.workspace_role, r.organization_role);
    if (!role) continue;
    items.push({ workspace: { id: r.id, organization_id: r.organization_id, name: r.name, timezone: r.timezone, created_at: r.created_at }, role });
  }
  return toPage(items, page.limit, (i) => i.workspace.id);
}

/** Input of `createWorkspace`. */
export interface CreateWorkspaceInput {
  name: string;
  timezone?: string;
  /** Organisation to create it in; default the first one the actor owns or administers. */
  organizationId?: string;
}

/**
 * Creates a workspace in an organisation the acting user owns or administers (system actors must name
 * the organisation). The creating user becomes its owner. API tokens cannot create workspaces: each
 * is scoped to one workspace.
 */
export async function createWorkspace(ctx: ServiceContext & { actor: Actor }, input: CreateWorkspaceInput): Promise<WorkspaceWithRole> {
  const name = validateName(input.name);
  const timezone = validateTimeZone(input.timezone ?? 'UTC');
  const actor = ctx.actor;
  let organizationId = input.organizationId;
  if (actor.kind === 'user') {
    if (actor.via === 'token') throw new ForbiddenError('API tokens are scoped to one workspace and cannot create workspaces');
    if (organizationId !== undefined) {
      const role = isId(organizationId) ? await findOrganizationRole(ctx.db, organizationId, actor.userId) : undefined;
      if (!role) throw new NotFoundError('Organisation');
      if (!canInOrganization(role, 'workspaces.create')) throw new ForbiddenError('Only organisation owners and admins can create workspaces');
    } else {
      const managed = await listManagedOrganizations(ctx.db, actor.userId);
      const first = managed.find((o) => canInOrganization(o.role, 'workspaces.create'));
      if (!first) throw new ForbiddenError('Only organisation owners and admins can create workspaces');
      organizationId = first.id;
    }
  } else if (organizationId === undefined) {
    throw new ValidationError('organizationId is required', [{ path: 'organizationId', message: 'Name the organisation' }]);
  }
  const now = ctx.services.now().toISOString();
  const workspace: WorkspaceRow = { id: newId(), organization_id: organizationId, name, timezone, created_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    await insertWorkspace(trx, workspace);
    if (actor.kind === 'user') await insertMembership(trx, { workspace_id: workspace.id, user_id: actor.userId, role: 'owner', created_at: now });
  });
  return { workspace, role: 'owner' };
}

/** The context's workspace (the caller has checked access). */
export async function getWorkspace(ctx: UseCaseContext): Promise<WorkspaceRow> {
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  return ws;
}

/** Changes a workspace's name and/or time zone (admins and owners). */
export async function updateWorkspace(ctx: UseCaseContext, patch: { name?: string; timezone?: string }): Promise<WorkspaceRow> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'workspace.update');
  const clean: { name?: string; timezone?: string } = {};
  if (patch.name !== undefined) clean.name = validateName(patch.name);
  if (patch.timezone !== undefined) clean.timezone = validateTimeZone(patch.timezone);
  await updateWorkspaceRow(ctx.db, ctx.workspaceId, clean);
  return getWorkspace(ctx);
}
