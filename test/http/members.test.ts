import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { workspaceRoles, type WorkspaceRole } from '../../src/db/schema';

describe.each(dialects())('members management (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });
  let owner: TestSession & { workspaceId: string };
  let ws: string;

  const roleOf = async (userId: string) =>
    (await t.current.services.database.db.selectFrom('memberships').select('role').where('workspace_id', '=', ws).where('user_id', '=', userId).executeTakeFirst())?.role;

  it('sets up', async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  // What each actor role may do to members (true = allowed).
  const expectations: Record<WorkspaceRole, { list: boolean; addViewer: boolean; addOwner: boolean; changeViewer: boolean; touchOwner: boolean; removeViewer: boolean }> = {
    owner: { list: true, addViewer: true, addOwner: true, changeViewer: true, touchOwner: true, removeViewer: true },
    admin: { list: true, addViewer: true, addOwner: false, changeViewer: true, touchOwner: false, removeViewer: true },
    editor: { list: true, addViewer: false, addOwner: false, changeViewer: false, touchOwner: false, removeViewer: false },
    contributor: { list: true, addViewer: false, addOwner: false, changeViewer: false, touchOwner: false, removeViewer: false },
    viewer: { list: true, addViewer: false, addOwner: false, changeViewer: false, touchOwner: false, removeViewer: false },
  };

  it.each(workspaceRoles.map((r) => [r]))('role matrix for a %s', async (role) => {
    const exp = expectations[role];
    const actor = await t.current.addUser(ws, role);
    const json = t.current.json;
    const deny = (ok: boolean) => (ok ? undefined : 403);

    const list = await json('GET', `/api/v1/workspaces/${ws}/members`, undefined, actor);
    expect(list.status).toBe(exp.list ? 200 : 403);

    const newEmail = `new-${role}@example.com`;
    const add = await json('POST', `/api/v1/workspaces/${ws}/members`, { email: newEmail, role: 'viewer', name: 'New', password: 'brand new password' }, actor);
    expect(add.status).toBe(deny(exp.addViewer) ?? 201);
    const added = await t.current.services.database.db.selectFrom('users').select('id').where('email', '=', newEmail).executeTakeFirst();
    expect(added !== undefined).toBe(exp.addViewer);

    const ownerEmail = `owner-by-${role}@example.com`;
    const addOwner = await json('POST', `/api/v1/workspaces/${ws}/members`, { email: ownerEmail, role: 'owner', name: 'Co-owner', password: 'co owner password' }, actor);
    expect(addOwner.status).toBe(deny(exp.addOwner) ?? 201);

    const target = await t.current.addUser(ws, 'viewer');
    const change = await json('PATCH', `/api/v1/workspaces/${ws}/members/${target.userId}`, { role: 'editor' }, actor);
    expect(change.status).toBe(deny(exp.changeViewer) ?? 200);
    expect(await roleOf(target.userId)).toBe(exp.changeViewer ? 'editor' : 'viewer');

    // Promoting someone to owner and touching an existing owner.
    const promote = await json('PATCH', `/api/v1/workspaces/${ws}/members/${target.userId}`, { role: 'owner' }, actor);
    expect(promote.status).toBe(deny(exp.touchOwner) ?? 200);
    const demoteOwner = await json('PATCH', `/api/v1/workspaces/${ws}/members/${owner.userId}`, { role: 'viewer' }, actor);
    expect(demoteOwner.status).toBe(deny(exp.touchOwner) ?? 200);
    expect(await roleOf(owner.userId)).toBe(exp.touchOwner ? 'viewer' : 'owner');
    if (exp.touchOwner) {
      // Restore for the next role under test (target is an owner now, so this is allowed).
      expect((await json('PATCH', `/api/v1/workspaces/${ws}/members/${owner.userId}`, { role: 'owner' }, actor)).status).toBe(200);
    }

    const victim = await t.current.addUser(ws, 'viewer');
    const remove = await json('DELETE', `/api/v1/workspaces/${ws}/members/${victim.userId}`, undefined, actor);
    expect(remove.status).toBe(deny(exp.removeViewer) ?? 204);
    expect(await roleOf(victim.userId)).toBe(exp.removeViewer ? undefined : 'viewer');
  });

  it('adding: existing users by e-mail, duplicates 409, unknown e-mail without password 422', async () => {
    const json = t.current.json;
    const existing = await t.current.addUser(ws, 'viewer');
    // Create a second workspace and add the existing user there by e-mail only.
    const other = ((await (await json('POST', '/api/v1/workspaces', { name: 'Other' }, owner)).json()) as { id: string }).id;
    const added = await json('POST', `/api/v1/workspaces/${other}/members`, { email: existing.email.toUpperCase(), role: 'contributor' }, owner);
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ userId: existing.userId, role: 'contributor' });
    expect((await json('POST', `/api/v1/workspaces/${other}/members`, { email: existing.email, role: 'viewer' }, owner)).status).toBe(409);
    expect((await json('POST', `/api/v1/workspaces/${other}/members`, { email: existing.email, role: 'viewer', name: 'X', password: 'another password' }, owner)).status).toBe(409);
    const unknown = await json('POST', `/api/v1/workspaces/${other}/members`, { email: 'ghost@example.com', role: 'viewer' }, owner);
    expect(unknown.status).toBe(422);
    expect((await json('POST', `/api/v1/workspaces/${other}/members`, { email: 'ghost@example.com', role: 'superuser' }, owner)).status).toBe(422);
    expect((await json('POST', `/api/v1/workspaces/${other}/members`, { email: 'ghost@example.com', role: 'viewer', name: 'G', password: 'short' }, owner)).status).toBe(422);
    expect(await t.current.services.database.db.selectFrom('users').select('id').where('email', '=', 'ghost@example.com').execute()).toHaveLength(0);
    // The new user can sign in with the password the admin set.
    expect((await json('POST', `/api/v1/workspaces/${other}/members`, { email: 'fresh@example.com', role: 'editor', name: 'Fresh', password: 'fresh password here' }, owner)).status).toBe(201);
    const fresh = await t.current.login('fresh@example.com', 'fresh password here');
    const list = (await (await json('GET', '/api/v1/workspaces', undefined, fresh)).json()) as { items: Array<{ id: string; role: string }> };
    expect(list.items).toEqual([expect.objectContaining({ id: other, role: 'editor' })]);
  });

  it('the last owner can be neither demoted nor removed', async () => {
    const json = t.current.json;
    const solo = ((await (await json('POST', '/api/v1/workspaces', { name: 'Solo' }, owner)).json()) as { id: string }).id;
    const demote = await json('PATCH', `/api/v1/workspaces/${solo}/members/${owner.userId}`, { role: 'admin' }, owner);
    expect(demote.status).toBe(409);
    expect((await json('DELETE', `/api/v1/workspaces/${solo}/members/${owner.userId}`, undefined, owner)).status).toBe(409);
    expect((await json('DELETE', `/api/v1/workspaces/${solo}/members/0190c7e2-1b2c-7d3e-8f40-1234567890ab`, undefined, owner)).status).toBe(404);
  });
});
