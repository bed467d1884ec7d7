/**
 * The access check every workspace route starts with. Non-members, ids of workspaces an API token is
 * not scoped to, malformed ids and missing workspaces all get the same 404, so the API never reveals
 * that a workspace exists; members whose role does not allow the action get 403.
 */
import type { Context } from 'hono';
import type { WorkspaceRole } from '../db/schema';
import type { Actor, UseCaseContext } from '../server/services';
import { NotFoundError } from '../domain/errors';
import { assertCan, type Action, type PolicyActor, type PolicyResource } from '../policies/policy';
import { effectiveRole } from '../use-cases/workspaces.use-case';
import { actorFrom, requireUser } from './auth';
import type { AppEnv } from './env';

/** What a passed access check yields. */
export interface WorkspaceAccess {
  /** The effective role (direct membership or organisation owner/admin). */
  role: WorkspaceRole;
  /** For further `can`/`assertCan` checks on loaded resources. */
  policyActor: PolicyActor;
  actor: Actor;
  /** Ready to hand to use cases. */
  ctx: UseCaseContext;
}

/**
 * Authenticates, then checks that the user can see `workspaceId` (404 otherwise) and that their
 * effective role allows `action` (403 otherwise). Returns the role and a use-case context.
 */
export async function requireWorkspaceAccess(
  c: Context<AppEnv>,
  workspaceId: string,
  action: Action,
  resource?: PolicyResource,
): Promise<WorkspaceAccess> {
  const auth = requireUser(c);
  if (auth.token && auth.token.workspaceId !== workspaceId) throw new NotFoundError('Workspace');
  const services = c.var.services;
  const db = services.database.db;
  const role = await effectiveRole(db, auth.userId, workspaceId);
  if (!role) throw new NotFoundError('Workspace');
  const policyActor: PolicyActor = { userId: auth.userId, role };
  assertCan(policyActor, action, resource);
  const actor = actorFrom(auth);
  return { role, policyActor, actor, ctx: { actor, workspaceId, db, services } };
}
