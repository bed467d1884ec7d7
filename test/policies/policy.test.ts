import { describe, expect, it } from 'vitest';
import { actions, can, assertCan, effectiveWorkspaceRole, canInOrganization, type Action, type PolicyResource } from '../../src/policies/policy';
import { workspaceRoles, type WorkspaceRole } from '../../src/db/schema';
import { ForbiddenError } from '../../src/domain/errors';

const me = 'user-me';
const other = 'user-other';

// O = owner, A = admin, E = editor, C = contributor, V = viewer. Each row lists who is allowed.
type Row = { action: Action; resource?: PolicyResource; allowed: string; note: string };
const ALL = 'OAECV';
const rows: Row[] = [
  { action: 'workspace.read', allowed: ALL, note: 'everyone reads' },
  { action: 'members.read', allowed: ALL, note: 'everyone sees members' },
  { action: 'accounts.read', allowed: ALL, note: 'everyone sees accounts' },
  { action: 'posts.read', allowed: ALL, note: 'everyone sees posts' },
  { action: 'queue.read', allowed: ALL, note: 'everyone sees the queue' },
  { action: 'workspace.update', allowed: 'OA', note: 'settings' },
  { action: 'tokens.manage', allowed: 'OA', note: 'API tokens' },
  { action: 'accounts.manage', allowed: 'OA', note: 'accounts' },
  { action: 'webhooks.manage', allowed: 'OA', note: 'webhooks' },
  { action: 'slots.read', allowed: ALL, note: 'everyone sees the posting slots' },
  { action: 'slots.manage', allowed: 'OAE', note: 'editors plan the queue' },
  { action: 'invitations.manage', allowed: 'OA', note: 'pending invitations' },
  { action: 'inbox.read', allowed: ALL, note: 'everyone reads the inbox' },
  { action: 'inbox.reply', allowed: 'OAE', note: 'a reply goes out at once, like scheduling: no contributors or viewers' },
  { action: 'inbox.triage', allowed: 'OAEC', note: 'contributors triage (status, assignee, tags, notes); viewers only read' },
  { action: 'inbox.manage', allowed: 'OAE', note: 'editors keep saved replies and rules' },
  { action: 'inbox.moderate', allowed: 'OAE', note: 'hiding or deleting on the network changes what the public sees: editors and up, like replying' },
  { action: 'inbox.settings', allowed: 'OA', note: 'business hours, SLA target and the Telegram bot token are workspace settings' },
  { action: 'metrics.read', allowed: ALL, note: 'everyone reads metrics' },
  { action: 'analytics.read', allowed: ALL, note: 'everyone, viewers (clients) included, reads KPIs and best times' },
  { action: 'listening.read', allowed: ALL, note: 'everyone reads listening streams, volumes, alerts and testimonials' },
  { action: 'listening.manage', allowed: 'OAE', note: 'editors and above save queries and alert settings' },
  { action: 'testimonials.manage', allowed: 'OAE', note: 'editors and above keep testimonials and record permission' },
  { action: 'competitors.read', allowed: ALL, note: 'everyone, viewers included, reads competitor benchmarks' },
  { action: 'competitors.manage', allowed: 'OAE', note: 'editors and above add and remove competitors' },
  { action: 'hashtags.manage', allowed: 'OAE', note: 'editors curate the shared hashtag sets; everyone reads them with posts.read' },
  { action: 'campaigns.manage', allowed: 'OAE', note: 'editors keep media plans, spend, conversions and post links; everyone reads campaigns with analytics.read' },
  { action: 'goals.manage', allowed: 'OA', note: 'KPI goals are the targets the team is measured against: admins and owners set them' },
  { action: 'reports.manage', allowed: 'OA', note: 'report branding and e-mail schedules are workspace settings that mail people outside Herald' },
  { action: 'members.manage', resource: { targetRole: 'owner' }, allowed: 'O', note: 'only owners touch owners' },
  { action: 'members.manage', resource: { targetRole: 'admin' }, allowed: 'OA', note: 'admins manage admins' },
  { action: 'members.manage', resource: { targetRole: 'viewer' }, allowed: 'OA', note: 'admins manage viewers' },
  { action: 'members.manage', allowed: 'O', note: 'without target role, only owners (fail closed)' },
  { action: 'posts.create', allowed: 'OAEC', note: 'contributors create drafts' },
  { action: 'posts.approve', allowed: 'OAE', note: 'contributors never approve' },
  { action: 'posts.schedule', allowed: 'OAE', note: 'contributors never schedule' },
  { action: 'posts.cancel', allowed: 'OAE', note: 'contributors never cancel' },
  { action: 'posts.approve', resource: { authorId: me, state: 'in_review' }, allowed: 'OAE', note: 'not even their own' },
  { action: 'posts.schedule', resource: { authorId: me, state: 'approved' }, allowed: 'OAE', note: 'not even their own' },
  { action: 'posts.edit', resource: { authorId: me, state: 'draft' }, allowed: 'OAEC', note: 'own draft' },
  { action: 'posts.edit', resource: { authorId: me, state: 'in_review' }, allowed: 'OAEC', note: 'own post in review' },
  { action: 'posts.edit', resource: { authorId: me, state: 'approved' }, allowed: 'OAEC', note: 'own approved post (the edit returns it to review)' },
  { action: 'posts.edit', resource: { authorId: me, state: 'scheduled' }, allowed: 'OAEC', note: 'own scheduled post (the edit returns it to review)' },
  { action: 'posts.edit', resource: { authorId: me, state: 'publishing' }, allowed: 'OAE', note: 'own post being published' },
  { action: 'posts.edit', resource: { authorId: me, state: 'published' }, allowed: 'OAE', note: 'own published post' },
  { action: 'posts.edit', resource: { authorId: other, state: 'draft' }, allowed: 'OAE', note: "someone else's draft" },
  { action: 'posts.edit', allowed: 'OAE', note: 'no resource: fail closed for contributors' },
  { action: 'posts.delete', resource: { authorId: me, state: 'draft' }, allowed: 'OAEC', note: 'own draft' },
  { action: 'posts.delete', resource: { authorId: me, state: 'in_review' }, allowed: 'OAEC', note: 'own post in review' },
  { action: 'posts.delete', resource: { authorId: me, state: 'approved' }, allowed: 'OAE', note: 'own approved post' },
  { action: 'posts.delete', resource: { authorId: other, state: 'in_review' }, allowed: 'OAE', note: "someone else's post" },
  { action: 'posts.submit', resource: { authorId: me, state: 'draft' }, allowed: 'OAEC', note: 'own draft' },
  { action: 'posts.submit', resource: { authorId: other, state: 'draft' }, allowed: 'OAE', note: "someone else's draft" },
  { action: 'posts.submit', resource: { authorId: me, state: 'scheduled' }, allowed: 'OAE', note: 'not a draft' },
  { action: 'posts.submit', allowed: 'OAE', note: 'no resource' },
];

const letter: Record<WorkspaceRole, string> = { owner: 'O', admin: 'A', editor: 'E', contributor: 'C', viewer: 'V' };

describe('policy matrix', () => {
  const cases = rows.flatMap((r) =>
    workspaceRoles.map((role) => ({ ...r, role, expected: r.allowed.includes(letter[role]) })),
  );
  it.each(cases)('$role $action $note → $expected', ({ role, action, resource, expected }) => {
    expect(can({ userId: me, role }, action, resource)).toBe(expected);
  });

  it('covers every action', () => {
    const covered = new Set(rows.map((r) => r.action));
    expect([...actions].filter((a) => !covered.has(a))).toEqual([]);
  });

  it('viewers can do nothing but read', () => {
    for (const action of actions) {
      const resource = { authorId: me, state: 'draft', targetRole: 'viewer' as const };
      expect(can({ userId: me, role: 'viewer' }, action, resource)).toBe(action.endsWith('.read'));
    }
  });

  it('owners can do everything', () => {
    for (const action of actions) expect(can({ userId: me, role: 'owner' }, action, { authorId: other, state: 'published', targetRole: 'owner' })).toBe(true);
  });

  it('assertCan throws a 403 ForbiddenError naming the role and action', () => {
    expect(() => assertCan({ userId: me, role: 'contributor' }, 'posts.approve')).toThrow(ForbiddenError);
    expect(() => assertCan({ userId: me, role: 'contributor' }, 'posts.approve')).toThrow(/contributor.*posts\.approve/);
    expect(() => assertCan({ userId: me, role: 'editor' }, 'posts.approve')).not.toThrow();
  });
});

describe('organisation roles', () => {
  it.each([
    ['viewer', 'owner', 'owner'],
    ['viewer', 'admin', 'admin'],
    ['owner', 'admin', 'owner'],
    ['editor', 'member', 'editor'],
    [null, 'member', null],
    [null, null, null],
    [null, 'owner', 'owner'],
    ['contributor', null, 'contributor'],
  ] as const)('workspace %s + organisation %s → %s', (ws, org, expected) => {
    expect(effectiveWorkspaceRole(ws, org)).toBe(expected);
  });

  it('only organisation owners and admins create workspaces', () => {
    expect(canInOrganization('owner', 'workspaces.create')).toBe(true);
    expect(canInOrganization('admin', 'workspaces.create')).toBe(true);
    expect(canInOrganization('member', 'workspaces.create')).toBe(false);
    expect(canInOrganization(null, 'workspaces.create')).toBe(false);
  });
});
