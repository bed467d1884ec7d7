/**
 * Invitations: an admin makes a one-time link (`<public url>/invite#<token>`) that lets one person join
 * the workspace with a role — a newcomer sets their name and password, someone already signed in just
 * joins. The token is shown once; only its sha256 is stored. Links expire (7 days by default), are
 * used at most once (a conditional update decides races) and can be revoked. E-mail sending is not
 * part of Herald yet: the admin passes the link on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { InvitationRow, WorkspaceRole } from '../db/schema';
import { workspaceRoles } from '../db/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { toPage, type Page, type PageRequest } from '../http/page';
import { assertCan } from '../policies/policy';
import { consumeInvitation, findInvitation, findInvitationByHash, insertInvitation, listInvitations as listInvitationRows, revokeInvitation as revokeInvitationRow } from '../repositories/invitations.repository';
import { findMember, insertMembership } from '../repositories/memberships.repository';
import { findUserById, normalizeEmail } from '../repositories/users.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import type { AppServices, UseCaseContext } from '../server/services';
import { parseInput } from './posts.use-case';
import { createUser, inTransaction, publicUser, validateEmail, type PublicUser, type ServiceContext } from './users.use-case';
import { policyActor } from './workspaces.use-case';

/** Every invitation token starts with this, so people and scanners can tell what it is. */
export const INVITATION_TOKEN_PREFIX = 'hinv_';
/** Default and longest lifetime of a link. */
export const DEFAULT_INVITATION_DAYS = 7;
export const MAX_INVITATION_DAYS = 30;

/** Where an invitation stands. */
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** An invitation as admins see it (never the token). */
export interface InvitationView {
  id: string;
  role: WorkspaceRole;
  email: string | null;
  status: InvitationStatus;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

/** Body of POST /invitations. */
export const createInvitationSchema = z
  .object({
    role: z.enum(workspaceRoles),
    email: z.string().max(320).optional(),
    expiresInDays: z.number().int().min(1).max(MAX_INVITATION_DAYS).optional(),
  })
  .strict();

/** Body of POST /invitations/accept. Without a password, the signed-in user joins. */
export const acceptInvitationSchema = z
  .object({
    token: z.string().min(1).max(200),
    name: z.string().max(200).optional(),
    email: z.string().max(320).optional(),
    password: z.string().max(1024).optional(),
  })
  .strict();

/** sha256 hex of an invitation token: how it is stored and looked up. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function statusOf(r: InvitationRow, now: Date): InvitationStatus {
  if (r.accepted_at) return 'accepted';
  if (r.revoked_at) return 'revoked';
  return Date.parse(r.expires_at) <= now.getTime() ? 'expired' : 'pending';
}

function view(r: InvitationRow, now: Date): InvitationView {
  return { id: r.id, role: r.role, email: r.email, status: statusOf(r, now), createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, acceptedAt: r.accepted_at };
}

/** The link a person opens; the token rides in the fragment so it never reaches server logs or referrers. */
export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/invite#${token}`;
}

/** Creates an invitation with `role` (admins may not invite owners); the token and link are returned only here. */
export async function createInvitation(ctx: UseCaseContext, raw: unknown): Promise<InvitationView & { token: string; url: string }> {
  const input = parseInput(createInvitationSchema, raw);
  const actor = await policyActor(ctx);
  if (actor) {
    assertCan(actor, 'invitations.manage');
    assertCan(actor, 'members.manage', { targetRole: input.role });
  }
  if (ctx.actor.kind !== 'user') throw new ForbiddenError('Only a person can invite');
  const email = input.email !== undefined && input.email.trim() !== '' ? validateEmail(input.email) : null;
  const now = ctx.services.now();
  const token = INVITATION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: InvitationRow = {
    id: newId(),
    workspace_id: ctx.workspaceId,
    role: input.role,
    email,
    token_hash: hashInvitationToken(token),
    created_by: ctx.actor.userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + (input.expiresInDays ?? DEFAULT_INVITATION_DAYS) * 86_400_000).toISOString(),
    accepted_at: null,
    accepted_by: null,
    revoked_at: null,
  };
  await insertInvitation(ctx.db, row);
  return { ...view(row, now), token, url: invitationUrl(ctx.services.config.publicUrl, token) };
}

/** Invitations of the workspace (all states, marked), ordered by id. */
export async function listInvitations(ctx: UseCaseContext, page: PageRequest): Promise<Page<InvitationView>> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'invitations.manage');
  const now = ctx.services.now();
  const rows = await listInvitationRows(ctx.db, ctx.workspaceId, page);
  return toPage(rows.map((r) => view(r, now)), page.limit, (i) => i.id);
}

/** Revokes an open invitation (404 for other workspaces' ids, 409 when already used). */
export async function revokeInvitation(ctx: UseCaseContext, id: string): Promise<void> {
  const actor = await policyActor(ctx);
  const row = isId(id) ? await findInvitation(ctx.db, ctx.workspaceId, id) : undefined;
  if (!row) throw new NotFoundError('Invitation');
  if (actor) {
    assertCan(actor, 'invitations.manage');
    assertCan(actor, 'members.manage', { targetRole: row.role });
  }
  if (row.accepted_at) throw new ConflictError('This invitation has already been used; remove the member instead');
  await revokeInvitationRow(ctx.db, ctx.workspaceId, id, ctx.services.now().toISOString());
}

/** What the invite page shows before someone accepts. */
export interface InvitationPreview {
  workspaceName: string;
  role: WorkspaceRole;
  email: string | null;
  expiresAt: string;
}

async function openInvitation(ctx: ServiceContext, token: string): Promise<InvitationRow> {
  const row = token.startsWith(INVITATION_TOKEN_PREFIX) && token.length <= 200 ? await findInvitationByHash(ctx.db, hashInvitationToken(token)) : undefined;
  if (!row) throw new NotFoundError('Invitation');
  const status = statusOf(row, ctx.services.now());
  if (status === 'accepted') throw new ConflictError('This invitation link has already been used. Sign in instead, or ask for a new link.');
  if (status === 'revoked') throw new ConflictError('This invitation link was withdrawn. Ask the person who invited you for a new one.');
  if (status === 'expired') throw new ConflictError('This invitation link has expired. Ask the person who invited you for a new one.');
  return row;
}

/** The workspace and role a valid token invites to. */
export async function previewInvitation(ctx: ServiceContext, token: string): Promise<InvitationPreview> {
  const row = await openInvitation(ctx, token);
  const ws = await findWorkspace(ctx.db, row.workspace_id);
  if (!ws) throw new NotFoundError('Invitation');
  return { workspaceName: ws.name, role: row.role, email: row.email, expiresAt: row.expires_at };
}

/** What accepting yields. */
export interface AcceptedInvitation {
  user: PublicUser;
  workspaceId: string;
  role: WorkspaceRole;
  /** True when a new user was created (the caller then signs them in). */
  created: boolean;
}

/**
 * Accepts an invitation. With a password: creates the user (name, e-mail — the invitation's when it
 * names one) and makes them a member. Without: `signedInUserId` joins. The link is used up in the
 * same transaction, so it works exactly once.
 */
export async function acceptInvitation(ctx: { db: ServiceContext['db']; services: Pick<AppServices, 'now'> }, raw: unknown, signedInUserId: string | null): Promise<AcceptedInvitation> {
  const input = parseInput(acceptInvitationSchema, raw);
  const row = await openInvitation(ctx, input.token);
  const nowIso = ctx.services.now().toISOString();
  const used = () => new ConflictError('This invitation link has just been used. Ask for a new one.');

  if (input.password === undefined) {
    if (!signedInUserId) {
      throw new ValidationError('Choose a password to create your account (or sign in first to join with the account you have)', [
        { path: 'password', code: 'required', message: 'Required to create your account' },
      ]);
    }
    const user = await findUserById(ctx.db, signedInUserId);
    if (!user) throw new NotFoundError('User');
    if (row.email && normalizeEmail(user.email) !== row.email) throw new ForbiddenError(`This invitation is for ${row.email}; sign in as that person to accept it`);
    await inTransaction(ctx.db, async (trx) => {
      if (await findMember(trx, row.workspace_id, user.id)) throw new ConflictError('You are already a member of this workspace');
      if (!(await consumeInvitation(trx, row.id, user.id, nowIso))) throw used();
      await insertMembership(trx, { workspace_id: row.workspace_id, user_id: user.id, role: row.role, created_at: nowIso });
    });
    return { user: publicUser(user), workspaceId: row.workspace_id, role: row.role, created: false };
  }

  const email = row.email ?? input.email;
  if (!email) throw new ValidationError('Enter your e-mail address', [{ path: 'email', code: 'required', message: 'Required' }]);
  if (row.email && input.email !== undefined && input.email.trim() !== '' && normalizeEmail(input.email) !== row.email) {
    throw new ValidationError(`This invitation is for ${row.email}`, [{ path: 'email', code: 'not_invited', message: `Use ${row.email}` }]);
  }
  const created = await inTransaction(ctx.db, async (trx) => {
    const made = await createUser({ db: trx, services: ctx.services }, { email, name: input.name ?? '', password: input.password ?? '' });
    if (!(await consumeInvitation(trx, row.id, made.user.id, nowIso))) throw used();
    await insertMembership(trx, { workspace_id: row.workspace_id, user_id: made.user.id, role: row.role, created_at: nowIso });
    return made.user;
  });
  return { user: created, workspaceId: row.workspace_id, role: row.role, created: true };
}
