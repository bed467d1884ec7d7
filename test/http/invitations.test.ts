/**
 * Invitations over HTTP on SQLite and PostgreSQL: an admin makes a one-time link (token shown once,
 * only its hash stored), a newcomer previews and accepts it with name and password (signed in, member
 * with the role), the link never works twice, expires, can be revoked, respects "only owners invite
 * owners" and the invited address; a signed-in user can join with it too.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { sessionCookieFrom, useTestApp } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';

interface Created {
  id: string;
  role: string;
  status: string;
  token: string;
  url: string;
  expiresAt: string;
}

describe.each(dialects())('invitations (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('creates a link shown once, previews it, accepts it once with a new user who is then signed in', async () => {
    const owner = await t.current.setupOwner();
    const ws = owner.workspaceId;
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'editor' }, owner);
    expect(res.status).toBe(201);
    const inv = (await res.json()) as Created;
    expect(inv.token).toMatch(/^hinv_[A-Za-z0-9_-]{43}$/);
    expect(inv.url).toBe(`http://127.0.0.1:3000/invite#${inv.token}`);
    expect(inv.status).toBe('pending');
    expect(Date.parse(inv.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    // Only the hash is stored; the list never shows the token.
    const row = await t.current.services.database.db.selectFrom('invitations').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(inv.token).digest('hex'));
    const listed = await (await t.current.json('GET', `/api/v1/workspaces/${ws}/invitations`, undefined, owner)).text();
    expect(listed).not.toContain(inv.token);
    expect(JSON.parse(listed).items).toEqual([expect.objectContaining({ id: inv.id, role: 'editor', status: 'pending', email: null })]);

    const preview = await t.current.json('POST', '/api/v1/invitations/preview', { token: inv.token });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({ workspaceName: 'My workspace', role: 'editor', email: null });

    const short = await t.current.json('POST', '/api/v1/invitations/accept', { token: inv.token, name: 'Eve', email: `eve-${dialect}@example.com`, password: 'short' });
    expect(short.status).toBe(422);
    const accepted = await t.current.json('POST', '/api/v1/invitations/accept', { token: inv.token, name: 'Eve', email: `eve-${dialect}@example.com`, password: 'a long enough password' });
    expect(accepted.status).toBe(201);
    const body = (await accepted.json()) as { user: { id: string; name: string }; workspaceId: string; role: string; csrfToken: string };
    expect(body).toMatchObject({ workspaceId: ws, role: 'editor', user: { name: 'Eve' } });
    const cookie = sessionCookieFrom(accepted);
    expect(cookie).toBeTruthy();
    // The new session works and sees the workspace with the invited role.
    const wsRes = await t.current.request(`/api/v1/workspaces/${ws}`, { headers: { cookie: cookie! } });
    expect(((await wsRes.json()) as { role: string }).role).toBe('editor');

    const again = await t.current.json('POST', '/api/v1/invitations/accept', { token: inv.token, name: 'Mallory', email: `mallory-${dialect}@example.com`, password: 'a long enough password' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already been used/);
    expect((await t.current.json('POST', '/api/v1/invitations/preview', { token: inv.token })).status).toBe(409);
    expect((await t.current.json('POST', '/api/v1/invitations/preview', { token: 'hinv_nope' })).status).toBe(404);
    const after = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/invitations`, undefined, owner)).json()) as { items: Array<{ status: string }> };
    expect(after.items[0]?.status).toBe('accepted');
  });

  it('expires, can be revoked, binds to the invited address, and keeps owners to owners', async () => {
    // First-run setup is used up: this agency's owner is created directly and signs in.
    const made = await createUser({ db: t.current.services.database.db, services: t.current.services }, { email: `agency-${dialect}@example.com`, name: 'Agency', password: 'a long enough password', owner: true });
    const o = await t.current.login(`agency-${dialect}@example.com`, 'a long enough password');
    const ws = made.workspace!.id;
    const admin = await t.current.addUser(ws, 'admin');
    const editor = await t.current.addUser(ws, 'editor');

    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'owner' }, admin)).status).toBe(403);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'viewer' }, editor)).status).toBe(403);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/invitations`, undefined, editor)).status).toBe(403);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'viewer', expiresInDays: 31 }, o)).status).toBe(422);

    const revoked = (await (await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'viewer' }, admin)).json()) as Created;
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${ws}/invitations/${revoked.id}`, undefined, admin)).status).toBe(204);
    const afterRevoke = await t.current.json('POST', '/api/v1/invitations/accept', { token: revoked.token, name: 'R', email: `r-${dialect}@example.com`, password: 'a long enough password' });
    expect(afterRevoke.status).toBe(409);
    expect(((await afterRevoke.json()) as { detail: string }).detail).toMatch(/withdrawn/);

    const short = (await (await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'viewer', expiresInDays: 1 }, o)).json()) as Created;
    t.current.services.advanceClock(86_400_000 + 1000);
    try {
      const late = await t.current.json('POST', '/api/v1/invitations/accept', { token: short.token, name: 'L', email: `l-${dialect}@example.com`, password: 'a long enough password' });
      expect(late.status).toBe(409);
      expect(((await late.json()) as { detail: string }).detail).toMatch(/expired/);
    } finally {
      t.current.services.advanceClock(-(86_400_000 + 1000));
    }

    const forAddress = (await (await t.current.json('POST', `/api/v1/workspaces/${ws}/invitations`, { role: 'contributor', email: `Named-${dialect}@Example.com` }, o)).json()) as Created & { email: string };
    expect(forAddress.email).toBe(`named-${dialect}@example.com`);
    const wrong = await t.current.json('POST', '/api/v1/invitations/accept', { token: forAddress.token, name: 'N', email: `someone-${dialect}@example.com`, password: 'a long enough password' });
    expect(wrong.status).toBe(422);
    // Without an e-mail the invited one is used.
    const right = await t.current.json('POST', '/api/v1/invitations/accept', { token: forAddress.token, name: 'N', password: 'a long enough password' });
    expect(right.status).toBe(201);
    expect((await t.current.login(`named-${dialect}@example.com`, 'a long enough password')).userId).toBeTruthy();

    // A signed-in user joins another workspace with a link (CSRF applies), without a password.
    const other = await t.current.addUser(ws, 'viewer');
    const second = await t.current.json('POST', '/api/v1/workspaces', { name: 'Second' }, o);
    const secondWs = ((await second.json()) as { id: string }).id;
    const join = (await (await t.current.json('POST', `/api/v1/workspaces/${secondWs}/invitations`, { role: 'editor' }, o)).json()) as Created;
    expect(join.token).toBeTruthy();
    const noCsrf = await t.current.request('/api/v1/invitations/accept', { method: 'POST', headers: { cookie: other.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ token: join.token }) });
    expect(noCsrf.status, await noCsrf.clone().text()).toBe(403);
    const anonymous = await t.current.json('POST', '/api/v1/invitations/accept', { token: join.token });
    expect(anonymous.status).toBe(422);
    const joined = await t.current.json('POST', '/api/v1/invitations/accept', { token: join.token }, other);
    expect(joined.status).toBe(201);
    expect(await joined.json()).toMatchObject({ workspaceId: secondWs, role: 'editor', csrfToken: null });
  });
});
