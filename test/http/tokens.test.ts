import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';

describe.each(dialects())('API tokens over HTTP (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('a token works with bearer auth, needs no CSRF, and is scoped to its workspace only', async () => {
    const owner = await t.current.setupOwner();
    const second = await t.current.json('POST', '/api/v1/workspaces', { name: 'Other client' }, owner);
    expect(second.status).toBe(201);
    const otherWs = ((await second.json()) as { id: string }).id;

    const created = await t.current.json('POST', `/api/v1/workspaces/${owner.workspaceId}/tokens`, { name: 'ci' }, owner);
    expect(created.status).toBe(201);
    const info = (await created.json()) as { id: string; token: string; prefix: string };
    expect(info.token).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    expect(info.token.startsWith(info.prefix)).toBe(true);
    const stored = await t.current.services.database.db.selectFrom('api_tokens').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(info.token);
    expect(JSON.stringify(stored)).not.toContain(info.token);

    // Bearer: unsafe method without CSRF header is fine.
    const patch = await t.current.json('PATCH', `/api/v1/workspaces/${owner.workspaceId}`, { name: 'Renamed by token' }, info.token);
    expect(patch.status).toBe(200);
    const me = await t.current.json('GET', '/api/v1/me', undefined, info.token);
    expect(await me.json()).toMatchObject({ authMethod: 'token', csrfToken: null, tokenWorkspaceId: owner.workspaceId });

    // The owner can see the other workspace, but the token cannot: 404.
    expect((await t.current.json('GET', `/api/v1/workspaces/${otherWs}`, undefined, owner)).status).toBe(200);
    expect((await t.current.json('GET', `/api/v1/workspaces/${otherWs}`, undefined, info.token)).status).toBe(404);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${otherWs}`, { name: 'x' }, info.token)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${otherWs}/members`, undefined, info.token)).status).toBe(404);
    expect((await t.current.json('POST', `/api/v1/workspaces/${otherWs}/tokens`, { name: 'escalate' }, info.token)).status).toBe(404);
    const list = (await (await t.current.json('GET', '/api/v1/workspaces', undefined, info.token)).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((w) => w.id)).toEqual([owner.workspaceId]);
    // Tokens cannot create workspaces.
    expect((await t.current.json('POST', '/api/v1/workspaces', { name: 'From token' }, info.token)).status).toBe(403);
    const other = await t.current.services.database.db.selectFrom('workspaces').select('name').where('id', '=', otherWs).executeTakeFirstOrThrow();
    expect(other.name).toBe('Other client');
  });

  it('records last use at most once a minute', async () => {
    const owner = await t.current.login((await t.current.services.database.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const wsId = (await t.current.services.database.db.selectFrom('workspaces').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const token = await t.current.createToken(owner, wsId, 'usage');
    const row = () => t.current.services.database.db.selectFrom('api_tokens').select('last_used_at').where('name', '=', 'usage').executeTakeFirstOrThrow();
    expect((await row()).last_used_at).toBeNull();
    await t.current.json('GET', '/api/v1/me', undefined, token);
    const first = (await row()).last_used_at;
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5));
    await t.current.json('GET', '/api/v1/me', undefined, token);
    expect((await row()).last_used_at).toBe(first);
    t.current.services.advanceClock(61_000);
    try {
      await t.current.json('GET', '/api/v1/me', undefined, token);
      expect((await row()).last_used_at).not.toBe(first);
    } finally {
      t.current.services.advanceClock(-61_000);
    }
  });

  it('revoked and bogus tokens get 401; revocation of another workspace’s token is 404', async () => {
    const db = t.current.services.database.db;
    const owner = await t.current.login((await db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const [wsA, wsB] = (await db.selectFrom('workspaces').select('id').orderBy('id').execute()).map((w) => w.id);
    const tokenA = await t.current.createToken(owner, wsA ?? '', 'to revoke');
    const tokenB = await t.current.createToken(owner, wsB ?? '', 'in B');
    const idB = (await db.selectFrom('api_tokens').select('id').where('name', '=', 'in B').executeTakeFirstOrThrow()).id;
    const idA = (await db.selectFrom('api_tokens').select('id').where('name', '=', 'to revoke').executeTakeFirstOrThrow()).id;

    // Deleting B's token through A's URL: 404 and B's token keeps working.
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${wsA}/tokens/${idB}`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', '/api/v1/me', undefined, tokenB)).status).toBe(200);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${wsA}/tokens/not-an-id`, undefined, owner)).status).toBe(404);

    expect((await t.current.json('DELETE', `/api/v1/workspaces/${wsA}/tokens/${idA}`, undefined, owner)).status).toBe(204);
    const revoked = await t.current.json('GET', '/api/v1/me', undefined, tokenA);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('content-type')).toContain('application/problem+json');
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsA}`, undefined, tokenA)).status).toBe(401);
    expect((await t.current.json('GET', '/api/v1/me', undefined, 'hrld_bogus')).status).toBe(401);
    expect((await t.current.request('/api/v1/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);

    const listed = (await (await t.current.json('GET', `/api/v1/workspaces/${wsA}/tokens`, undefined, owner)).json()) as { items: Array<{ id: string; revokedAt: string | null }> };
    expect(listed.items.find((i) => i.id === idA)?.revokedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toMatch(/hrld_[A-Za-z0-9_-]{20,}/);
  });

  it('a token acts with its user’s current role: demoted or removed users lose access', async () => {
    const db = t.current.services.database.db;
    const owner = await t.current.login((await db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
    const wsA = (await db.selectFrom('workspaces').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const admin = await t.current.addUser(wsA, 'admin');
    const token = await t.current.createToken(admin, wsA, 'admin token');
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsA}/tokens`, undefined, token)).status).toBe(200);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${wsA}/members/${admin.userId}`, { role: 'viewer' }, owner)).status).toBe(200);
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsA}/tokens`, undefined, token)).status).toBe(403);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${wsA}/members/${admin.userId}`, undefined, owner)).status).toBe(204);
    // Removal revokes the member's tokens in that workspace.
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsA}`, undefined, token)).status).toBe(401);
  });

  it('only admins and owners manage tokens', async () => {
    const db = t.current.services.database.db;
    const wsA = (await db.selectFrom('workspaces').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const editor = await t.current.addUser(wsA, 'editor');
    expect((await t.current.json('POST', `/api/v1/workspaces/${wsA}/tokens`, { name: 'mine' }, editor)).status).toBe(403);
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsA}/tokens`, undefined, editor)).status).toBe(403);
    expect(await db.selectFrom('api_tokens').select('id').where('name', '=', 'mine').execute()).toHaveLength(0);
    // A user with no membership at all: 404 rather than 403.
    await createUser({ db, services: t.current.services }, { email: 'stranger@example.com', name: 'Stranger', password: 'a long enough password' });
    const stranger = await t.current.login('stranger@example.com', 'a long enough password');
    expect((await t.current.json('POST', `/api/v1/workspaces/${wsA}/tokens`, { name: 'mine' }, stranger)).status).toBe(404);
  });
});
