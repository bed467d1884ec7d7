import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { createApiToken } from '../../src/use-cases/api-tokens.use-case';

/** Every row of the tables these routes can change, to prove that nothing changed. */
async function snapshot(db: import('kysely').Kysely<import('../../src/db/schema').Database>) {
  return {
    workspaces: await db.selectFrom('workspaces').selectAll().orderBy('id').execute(),
    memberships: await db.selectFrom('memberships').selectAll().orderBy('workspace_id').orderBy('user_id').execute(),
    tokens: await db.selectFrom('api_tokens').select(['id', 'workspace_id', 'revoked_at', 'name']).orderBy('id').execute(),
    users: await db.selectFrom('users').select(['id', 'email']).orderBy('id').execute(),
  };
}

describe.each(dialects())('tenant isolation (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('a user of agency A gets 404 on every route with ids of agency B, and nothing changes', async () => {
    const a = await t.current.setupOwner({ email: 'a@example.com' });
    const aEditor = await t.current.addUser(a.workspaceId, 'editor');
    const db = t.current.services.database.db;
    const b = await createUser({ db, services: t.current.services }, { email: 'b@example.com', name: 'B', password: 'b password is long', owner: true });
    const wsB = b.workspace?.id ?? '';
    const bMember = await t.current.addUser(wsB, 'viewer');
    const bToken = await createApiToken({ actor: { kind: 'user', userId: b.user.id, via: 'session' }, workspaceId: wsB, db, services: t.current.services }, { name: 'b token' });
    const aToken = await t.current.createToken(a, a.workspaceId, 'a token');

    const before = await snapshot(db);
    const probes: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/workspaces/${wsB}`],
      ['PATCH', `/api/v1/workspaces/${wsB}`, { name: 'pwned' }],
      ['GET', `/api/v1/workspaces/${wsB}/members`],
      ['POST', `/api/v1/workspaces/${wsB}/members`, { email: 'a@example.com', role: 'owner' }],
      ['PATCH', `/api/v1/workspaces/${wsB}/members/${bMember.userId}`, { role: 'owner' }],
      ['DELETE', `/api/v1/workspaces/${wsB}/members/${bMember.userId}`],
      ['GET', `/api/v1/workspaces/${wsB}/tokens`],
      ['POST', `/api/v1/workspaces/${wsB}/tokens`, { name: 'steal' }],
      ['DELETE', `/api/v1/workspaces/${wsB}/tokens/${bToken.id}`],
      // B's ids through A's own workspace URL.
      ['PATCH', `/api/v1/workspaces/${a.workspaceId}/members/${bMember.userId}`, { role: 'viewer' }],
      ['DELETE', `/api/v1/workspaces/${a.workspaceId}/members/${b.user.id}`],
      ['DELETE', `/api/v1/workspaces/${a.workspaceId}/tokens/${bToken.id}`],
      // Malformed and unknown ids look the same.
      ['GET', '/api/v1/workspaces/not-a-uuid'],
      ['GET', '/api/v1/workspaces/0190c7e2-1b2c-7d3e-8f40-1234567890ab'],
    ];
    const bodies = new Set<string>();
    for (const who of [a, aEditor, aToken] as const) {
      for (const [method, path, body] of probes) {
        const res = await t.current.json(method, path, body, who);
        // Inside their own workspace an editor may be refused (403) before the foreign id is looked up.
        const ownWorkspace = path.includes(a.workspaceId);
        if (ownWorkspace && who === aEditor) expect([403, 404], `${method} ${path}`).toContain(res.status);
        else expect(res.status, `${method} ${path}`).toBe(404);
        const doc = (await res.json()) as { status: number; detail: string };
        expect(doc.status).toBe(res.status);
        if (path.includes(wsB) || path.includes('not-a-uuid') || path.includes('0190c7e2')) bodies.add(doc.detail);
      }
    }
    // Foreign, malformed and unknown workspace ids get the identical answer.
    expect([...bodies]).toEqual(['Workspace was not found']);
    expect(await snapshot(db)).toEqual(before);

    const listA = (await (await t.current.json('GET', '/api/v1/workspaces', undefined, a)).json()) as { items: Array<{ id: string }> };
    expect(listA.items.map((w) => w.id)).toEqual([a.workspaceId]);
    // And the other way round: B's member cannot see A.
    expect((await t.current.json('GET', `/api/v1/workspaces/${a.workspaceId}/members`, undefined, bMember)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${a.workspaceId}`, undefined, bToken.token)).status).toBe(404);
  });

  it('organisation owners/admins see every workspace of their organisation, plain org members do not', async () => {
    const db = t.current.services.database.db;
    const a = await t.current.login('a@example.com', 'correct horse battery');
    const created = await t.current.json('POST', '/api/v1/workspaces', { name: 'A second client' }, a);
    const ws2 = ((await created.json()) as { id: string }).id;
    const orgId = (await db.selectFrom('workspaces').select('organization_id').where('id', '=', ws2).executeTakeFirstOrThrow()).organization_id;
    // An organisation admin with no direct membership acts as admin in every workspace of the org.
    const orgAdmin = await createUser({ db, services: t.current.services }, { email: 'orgadmin@example.com', name: 'Org Admin', password: 'org admin password' });
    await db.insertInto('organization_members').values({ organization_id: orgId, user_id: orgAdmin.user.id, role: 'admin', created_at: new Date().toISOString() }).execute();
    const orgMember = await createUser({ db, services: t.current.services }, { email: 'orgmember@example.com', name: 'Org Member', password: 'org member password' });
    await db.insertInto('organization_members').values({ organization_id: orgId, user_id: orgMember.user.id, role: 'member', created_at: new Date().toISOString() }).execute();
    const admin = await t.current.login('orgadmin@example.com', 'org admin password');
    const member = await t.current.login('orgmember@example.com', 'org member password');

    const list = (await (await t.current.json('GET', '/api/v1/workspaces', undefined, admin)).json()) as { items: Array<{ id: string; role: string }> };
    expect(list.items).toHaveLength(2);
    expect(list.items.every((w) => w.role === 'admin')).toBe(true);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${ws2}`, { timezone: 'Asia/Tokyo' }, admin)).status).toBe(200);
    expect((await t.current.json('POST', '/api/v1/workspaces', { name: 'By org admin' }, admin)).status).toBe(201);

    const none = (await (await t.current.json('GET', '/api/v1/workspaces', undefined, member)).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws2}`, undefined, member)).status).toBe(404);
    expect((await t.current.json('POST', '/api/v1/workspaces', { name: 'Nope' }, member)).status).toBe(403);
  });

  it('lists are cursor-paginated by id', async () => {
    const a = await t.current.login('a@example.com', 'correct horse battery');
    for (let i = 0; i < 3; i++) expect((await t.current.json('POST', '/api/v1/workspaces', { name: `Page ${i}` }, a)).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await t.current.json('GET', `/api/v1/workspaces${q}`, undefined, a);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    const all = (await (await t.current.json('GET', '/api/v1/workspaces?limit=200', undefined, a)).json()) as { items: Array<{ id: string }>; nextCursor: string | null };
    expect(all.nextCursor).toBeNull();
    expect(seen).toEqual(all.items.map((w) => w.id));
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    expect((await t.current.json('GET', '/api/v1/workspaces?limit=0', undefined, a)).status).toBe(422);
    expect((await t.current.json('GET', '/api/v1/workspaces?cursor=garbage', undefined, a)).status).toBe(422);
    expect((await t.current.json('GET', '/api/v1/workspaces?unknown=1', undefined, a)).status).toBe(422);
  });
});
