/**
 * Workspace members: list, add (an existing user, or a new one with a password), change role, remove.
 * Permission checks go through the policy with the target's role, so admins cannot touch owners.
 */
import type { WorkspaceRole } from '../db/schema';
import type { UseCaseContext } from '../server/services';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId } from '../domain/ids';
import { assertCan, type PolicyActor } from '../policies/policy';
import { toPage, type Page, type PageRequest } from '../http/page';
import { countOwners, deleteMembership, findMember, insertMembership, listMembers as listMemberRows, updateMembershipRole, type MemberRow } from '../repositories/memberships.repository';
import { findUserByEmail } from '../repositories/users.repository';
import { revokeUserTokensInWorkspace } from '../repositories/api-tokens.repository';
import { createUser, validateEmail } from './users.use-case';
import { policyActor } from './workspaces.use-case';

/** A member as the API shows them. */
export interface Member {
  userId: string;
  email: string;
  name: string;
  role: WorkspaceRole;
  addedAt: string;
}

function present(m: MemberRow): Member {
  return { userId: m.user_id, email: m.email, name: m.name, role: m.role, addedAt: m.created_at };
}

function check(actor: PolicyActor | null, targetRole: WorkspaceRole): void {
  if (actor) assertCan(actor, 'members.manage', { targetRole });
}

/** Members of the workspace, ordered by user id. */
export async function listMembers(ctx: UseCaseContext, page: PageRequest): Promise<Page<Member>> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'members.read');
  const rows = await listMemberRows(ctx.db, ctx.workspaceId, page);
  return toPage(rows.map(present), page.limit, (m) => m.userId);
}

/** Input of `addMember`: an existing user by e-mail, or a new user when name and password are given. */
export interface AddMemberInput {
  email: string;
  role: WorkspaceRole;
  name?: string;
  password?: string;
}

/**
 * Adds a member. When no user has the address, `name` and `password` create one; when one exists,
 * giving a password is refused (it would not be applied, and the caller should know).
 */
export async function addMember(ctx: UseCaseContext, input: AddMemberInput): Promise<Member> {
  const actor = await policyActor(ctx);
  check(actor, input.role);
  const email = validateEmail(input.email);
  let user = await findUserByEmail(ctx.db, email);
  if (user && input.password !== undefined) {
    throw new ConflictError(`A user with the e-mail address ${email} already exists; leave out name and password to add them`);
  }
  if (!user) {
    if (input.password === undefined || input.name === undefined) {
      throw new ValidationError(`No user has the e-mail address ${email}; give name and password to create one`, [
        { path: 'password', code: 'required', message: 'Required to create a new user' },
      ]);
    }
    await createUser(ctx, { email, name: input.name, password: input.password });
    user = await findUserByEmail(ctx.db, email);
    if (!user) throw new Error('created user vanished');
  }
  if (await findMember(ctx.db, ctx.workspaceId, user.id)) throw new ConflictError(`${email} is already a member of this workspace`);
  const now = ctx.services.now().toISOString();
  try {
    await insertMembership(ctx.db, { workspace_id: ctx.workspaceId, user_id: user.id, role: input.role, created_at: now });
  } catch (e) {
    if (await findMember(ctx.db, ctx.workspaceId, user.id)) throw new ConflictError(`${email} is already a member of this workspace`);
    throw e;
  }
  const m = await findMember(ctx.db, ctx.workspaceId, user.id);
  if (!m) throw new Error('membership vanished');
  return present(m);
}

async function requireMember(ctx: UseCaseContext, userId: string): Promise<MemberRow> {
  const m = isId(userId) ? await findMember(ctx.db, ctx.workspaceId, userId) : undefined;
  if (!m) throw new NotFoundError('Member');
  return m;
}

async function ensureAnotherOwner(ctx: UseCaseContext): Promise<void> {
  if ((await countOwners(ctx.db, ctx.workspaceId)) <= 1) {
    throw new ConflictError('A workspace needs at least one owner: make someone else owner first');
  }
}

/** Changes a member's role; admins may neither promote to nor demote from owner. */
export async function changeMemberRole(ctx: UseCaseContext, userId: string, role: WorkspaceRole): Promise<Member> {
  const actor = await policyActor(ctx);
  const m = await requireMember(ctx, userId);
  check(actor, m.role);
  check(actor, role);
  if (m.role === 'owner' && role !== 'owner') await ensureAnotherOwner(ctx);
  await updateMembershipRole(ctx.db, ctx.workspaceId, userId, role);
  return present({ ...m, role });
}

/** Removes a member and revokes their API tokens for this workspace. */
export async function removeMember(ctx: UseCaseContext, userId: string): Promise<void> {
  const actor = await policyActor(ctx);
  const m = await requireMember(ctx, userId);
  check(actor, m.role);
  if (m.role === 'owner') await ensureAnotherOwner(ctx);
  const now = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await deleteMembership(trx, ctx.workspaceId, userId);
    await revokeUserTokensInWorkspace(trx, ctx.workspaceId, userId, now);
  });
}
