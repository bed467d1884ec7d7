/**
 * Turns `--as EMAIL` and `--workspace NAME|ID` into the actor and workspace a use case runs for, so
 * CLI commands go through exactly the same access checks as the HTTP API.
 */
import type { AppServices, Actor, UseCaseContext } from '../server/services';
import type { UserRow, WorkspaceRole, WorkspaceRow } from '../db/schema';
import { findUserByEmail, findUserById } from '../repositories/users.repository';
import { listWorkspacesForUser } from '../use-cases/workspaces.use-case';
import { MAX_PAGE_LIMIT } from '../http/page';
import { listOwnerUserIds } from './cli-actor.repository';
import { CliError } from './cli-support';

/** The acting user. */
export interface CliActor {
  user: UserRow;
  actor: Actor;
}

/** Resolves `--as`; without it, the installation's only owner. */
export async function resolveActor(services: AppServices, asEmail: string | undefined): Promise<CliActor> {
  const db = services.database.db;
  let user: UserRow | undefined;
  if (asEmail) {
    user = await findUserByEmail(db, asEmail);
    if (!user) throw new CliError(`no user with the e-mail address "${asEmail}"`);
  } else {
    const owners = await listOwnerUserIds(db, 2);
    if (owners.length === 0) throw new CliError('there is no owner yet: create one with `herald user create --owner ...`');
    if (owners.length > 1) throw new CliError('several users own workspaces here: say who you act as with --as EMAIL');
    user = await findUserById(db, owners[0]!);
    if (!user) throw new CliError('the owner account vanished; pass --as EMAIL');
  }
  return { user, actor: { kind: 'user', userId: user.id, via: 'session' } };
}

/** Every workspace the user can see (the CLI lists at most a few hundred). */
export async function visibleWorkspaces(services: AppServices, userId: string): Promise<Array<{ workspace: WorkspaceRow; role: WorkspaceRole }>> {
  const out: Array<{ workspace: WorkspaceRow; role: WorkspaceRole }> = [];
  let cursor: string | undefined;
  do {
    const page = await listWorkspacesForUser({ db: services.database.db }, userId, { limit: MAX_PAGE_LIMIT, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * Resolves `--workspace` (an id or a name, case-insensitive) among the workspaces the actor can see;
 * without it, the actor's only workspace.
 */
export async function resolveWorkspace(services: AppServices, who: CliActor, ref: string | undefined): Promise<WorkspaceRow> {
  const all = await visibleWorkspaces(services, who.user.id);
  if (!ref) {
    if (all.length === 1) return all[0]!.workspace;
    if (all.length === 0) throw new CliError(`${who.user.email} has no workspace yet: create one with \`herald workspace create --name ...\``);
    throw new CliError(`${who.user.email} can see ${all.length} workspaces: pick one with --workspace (${all.map((w) => `"${w.workspace.name}"`).join(', ')})`);
  }
  const byId = all.find((w) => w.workspace.id === ref);
  if (byId) return byId.workspace;
  const byName = all.filter((w) => w.workspace.name.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1) return byName[0]!.workspace;
  if (byName.length > 1) throw new CliError(`several workspaces are called "${ref}": use an id (${byName.map((w) => w.workspace.id).join(', ')})`);
  throw new CliError(`${who.user.email} has no workspace "${ref}" (see \`herald workspace list\`)`);
}

/** The use-case context for one workspace command. */
export async function workspaceContext(services: AppServices, asEmail: string | undefined, workspaceRef: string | undefined): Promise<UseCaseContext & { user: UserRow; workspace: WorkspaceRow }> {
  const who = await resolveActor(services, asEmail);
  const workspace = await resolveWorkspace(services, who, workspaceRef);
  return { actor: who.actor, workspaceId: workspace.id, db: services.database.db, services, user: who.user, workspace };
}
