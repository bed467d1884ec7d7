/**
 * The one place permission rules live. Routes and use cases ask `can`/`assertCan`; nothing else
 * compares roles. Rules (see test/policies/policy.test.ts for the full matrix):
 * - viewers (clients) may read everything in their workspace and change nothing;
 * - contributors may create drafts, delete their own drafts and posts in review, edit their own posts
 *   until publishing starts (an edit of an approved or scheduled post sends it back to review, see
 *   posts.use-case.ts), and submit their own drafts for approval; they never approve, schedule or cancel;
 * - everyone reads the inbox, metrics and analytics (KPIs, best times); replying from the inbox needs an editor (it publishes at once);
 * - contributors and above triage the inbox (status, assignee, priority, tags, internal notes); editors
 *   manage saved replies and inbox rules and hide/delete messages on the network; admins set the inbox settings (business hours, SLA, Telegram bot);
 * - editors may do everything on posts, including approve and schedule, and edit the accounts'
 *   posting slots (the queue), listening queries and alert settings, and the testimonials library;
 * - everyone reads listening streams, volumes, alerts and testimonials, and competitor benchmarks; editors add and remove competitors;
 * - everyone reads hashtag sets (posts.read); editors create, rename and delete them (hashtags.manage);
 * - everyone reads reports (analytics.read); admins manage report branding and e-mail schedules (reports.manage);
 * - everyone reads campaigns and goals (analytics.read); editors plan campaigns and record spend and conversions (campaigns.manage); admins set KPI goals (goals.manage);
 * - admins additionally manage accounts, members (but not owners), API tokens, webhooks and the
 *   workspace settings, and list and revoke invitations (creating one is also members.manage with its role);
 * - owners may do everything.
 */
import { ForbiddenError } from '../domain/errors';
import { workspaceRoles, type OrganizationRole, type WorkspaceRole } from '../db/schema';

/** Every action a permission check can name. */
export const actions = [
  'workspace.read',
  'workspace.update',
  'members.read',
  'members.manage',
  'tokens.manage',
  'accounts.read',
  'accounts.manage',
  'posts.read',
  'posts.create',
  'posts.edit',
  'posts.submit',
  'posts.approve',
  'posts.schedule',
  'posts.cancel',
  'posts.delete',
  'webhooks.manage',
  'queue.read',
  'slots.read',
  'slots.manage',
  'invitations.manage',
  'inbox.read',
  'inbox.reply',
  'inbox.triage',
  'inbox.manage',
  'inbox.moderate',
  'inbox.settings',
  'metrics.read',
  'analytics.read',
  'listening.read',
  'listening.manage',
  'testimonials.manage',
  'competitors.read',
  'competitors.manage',
  'reports.manage',
  'hashtags.manage',
  'campaigns.manage',
  'goals.manage',
] as const;
export type Action = (typeof actions)[number];

/** Who asks: a user with their effective role in the workspace concerned. */
export interface PolicyActor {
  userId: string;
  role: WorkspaceRole;
}

/**
 * What the action touches, when the rule depends on it. For posts: `authorId` and `state` (the post's
 * state, e.g. `draft` or `in_review`). For members.manage: `targetRole`, the role the member has or is
 * being given (check both when changing a role). A rule that depends on the resource denies when the
 * resource is not given, so a forgotten argument fails closed.
 */
export interface PolicyResource {
  authorId?: string;
  state?: string;
  targetRole?: WorkspaceRole;
}

const rank: Record<WorkspaceRole, number> = { owner: 5, admin: 4, editor: 3, contributor: 2, viewer: 1 };

/** True when `role` is at least as strong as `min`. */
export function roleAtLeast(role: WorkspaceRole, min: WorkspaceRole): boolean {
  return rank[role] >= rank[min];
}

/** The stronger of two roles (either may be absent). */
export function strongerRole(a: WorkspaceRole | null | undefined, b: WorkspaceRole | null | undefined): WorkspaceRole | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return rank[a] >= rank[b] ? a : b;
}

/** Roles in order, strongest first (re-exported so callers need not reach into the schema). */
export const rolesStrongestFirst: readonly WorkspaceRole[] = workspaceRoles;

const contributorDeletableStates = new Set(['draft', 'in_review']);
// Editing an approved/scheduled post is allowed because the edit returns it to review: nothing a
// contributor writes reaches a network without an editor's approval.
const contributorEditableStates = new Set(['draft', 'in_review', 'approved', 'scheduled']);

function ownPost(actor: PolicyActor, resource: PolicyResource | undefined): boolean {
  return resource?.authorId !== undefined && resource.authorId === actor.userId;
}

/** Whether `actor` may perform `action` (on `resource`, when the rule depends on it). */
export function can(actor: PolicyActor, action: Action, resource?: PolicyResource): boolean {
  const role = actor.role;
  switch (action) {
    case 'workspace.read':
    case 'members.read':
    case 'accounts.read':
    case 'posts.read':
    case 'queue.read':
    case 'slots.read':
    case 'inbox.read':
    case 'metrics.read':
    case 'analytics.read':
    case 'listening.read':
    case 'competitors.read':
      return true;
    case 'workspace.update':
    case 'tokens.manage':
    case 'accounts.manage':
    case 'webhooks.manage':
    case 'invitations.manage':
    case 'inbox.settings':
    // Report branding and schedules speak for the agency and mail people outside Herald.
    case 'reports.manage':
    // Goals are the targets the team is measured against: set by whoever runs the workspace.
    case 'goals.manage':
      return roleAtLeast(role, 'admin');
    case 'members.manage':
      if (role === 'owner') return true;
      // Admins manage everyone below owner; the target role must be known to tell.
      return role === 'admin' && resource?.targetRole !== undefined && resource.targetRole !== 'owner';
    case 'posts.create':
    // Triage changes only Herald's own bookkeeping; nothing reaches a network.
    case 'inbox.triage':
      return roleAtLeast(role, 'contributor');
    case 'posts.edit':
      if (roleAtLeast(role, 'editor')) return true;
      return role === 'contributor' && ownPost(actor, resource) && contributorEditableStates.has(resource?.state ?? '');
    case 'posts.delete':
      if (roleAtLeast(role, 'editor')) return true;
      return role === 'contributor' && ownPost(actor, resource) && contributorDeletableStates.has(resource?.state ?? '');
    case 'posts.submit':
      if (roleAtLeast(role, 'editor')) return true;
      return role === 'contributor' && ownPost(actor, resource) && resource?.state === 'draft';
    case 'posts.approve':
    case 'posts.schedule':
    case 'posts.cancel':
    case 'slots.manage':
    // Listening queries, alert settings and testimonials shape what the team watches and quotes: editors.
    case 'listening.manage':
    case 'testimonials.manage':
    // Competitors are looked up and collected on the workspace's behalf: editors choose them.
    case 'competitors.manage':
    // Replying speaks for the brand in public right away (no approval step), like scheduling a post.
    case 'inbox.reply':
    // Saved replies and rules speak and act for the whole team.
    case 'inbox.manage':
    // Hashtag sets are shared by everyone who composes: editors curate them.
    case 'hashtags.manage':
    // Media plans, spend and conversions are the team's campaign bookkeeping: editors keep them.
    case 'campaigns.manage':
    // Hiding or deleting on the network changes what the public sees at once, like replying.
    case 'inbox.moderate':
      return roleAtLeast(role, 'editor');
    default: {
      const unknown: never = action;
      throw new Error(`unknown action ${String(unknown)}`);
    }
  }
}

/** Throws a 403 ForbiddenError unless `can` allows the action. */
export function assertCan(actor: PolicyActor, action: Action, resource?: PolicyResource): void {
  if (!can(actor, action, resource)) throw new ForbiddenError(`Your role (${actor.role}) does not allow ${action}`);
}

/**
 * The workspace role an organisation role grants in every workspace of that organisation: agency
 * owners and admins manage all client workspaces; plain members get nothing implicitly.
 */
export function roleGrantedByOrganization(role: OrganizationRole | null | undefined): WorkspaceRole | null {
  if (role === 'owner') return 'owner';
  if (role === 'admin') return 'admin';
  return null;
}

/** A user's effective role in a workspace: the stronger of the direct and the organisation-granted role. */
export function effectiveWorkspaceRole(workspaceRole: WorkspaceRole | null | undefined, organizationRole: OrganizationRole | null | undefined): WorkspaceRole | null {
  return strongerRole(workspaceRole, roleGrantedByOrganization(organizationRole));
}

/** Organisation-level actions. */
export type OrganizationAction = 'workspaces.create';

/** Whether an organisation role allows an organisation-level action. */
export function canInOrganization(role: OrganizationRole | null | undefined, action: OrganizationAction): boolean {
  switch (action) {
    case 'workspaces.create':
      return role === 'owner' || role === 'admin';
  }
}
