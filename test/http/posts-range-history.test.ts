/**
 * GET /posts?from=&to= (scheduled_at range, validated, paginated) and GET /posts/{id}/history (who did
 * what, when; never secrets; other workspaces' posts are a 404), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { loopbackConnector, startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { createUser } from '../../src/use-cases/users.use-case';

let network: LoopbackNetwork;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  network = await startLoopbackNetwork();
  connectors.register(loopbackConnector(network.url));
});
afterAll(async () => network?.close());

interface Page {
  items: Array<{ id: string; scheduledAt: string | null }>;
  nextCursor: string | null;
}
interface History {
  items: Array<{ type: string; actor: { id: string; name: string } | null; reason: string | null; scheduledAt: string | null }>;
}

describe.each(dialects())('posts range filter and history (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let accountId: string;
  let n = 0;

  const connect = async (session: TestSession, workspaceId: string) => {
    const handle = `range-${dialect}-${++n}`;
    network.addAccount(handle, 'secret-pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${workspaceId}/accounts`, { network: 'loopback', credentials: { handle, password: 'secret-pw' } }, session);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const schedule = async (at: string, text = 'hello') => {
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text, targets: [{ accountId }], schedule: { at } }, owner);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const list = async (query: string) => t.current.json('GET', `/api/v1/workspaces/${ws}/posts?${query}`, undefined, owner);

  beforeAll(async () => {
    owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    ws = owner.workspaceId;
    accountId = await connect(owner, ws);
  });

  it('filters by scheduled_at in [from, to), keeps cursor pagination, leaves out unscheduled posts', async () => {
    const march = [];
    for (let d = 1; d <= 5; d++) march.push(await schedule(`2031-03-0${d}T10:00:00Z`));
    const april = await schedule('2031-04-01T00:00:00Z');
    const draft = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'no time', targets: [{ accountId }] }, owner);
    expect(draft.status).toBe(201);

    const all = (await (await list('from=2031-03-01T00:00:00Z&to=2031-04-01T00:00:00Z')).json()) as Page;
    expect(all.items.map((p) => p.id)).toEqual(march);
    // An offset instant means the same moment: 2031-04-01T02:00+02:00 is the April post's moment; to is exclusive.
    const offset = (await (await list(`from=${encodeURIComponent('2031-03-31T00:00:00+02:00')}&to=${encodeURIComponent('2031-04-01T02:00:01+02:00')}`)).json()) as Page;
    expect(offset.items.map((p) => p.id)).toEqual([april]);
    const exclusive = (await (await list(`from=2031-03-31T00:00:00Z&to=${encodeURIComponent('2031-04-01T02:00:00+02:00')}`)).json()) as Page;
    expect(exclusive.items).toEqual([]);

    const first = (await (await list('from=2031-03-01T00:00:00Z&to=2031-04-02T00:00:00Z&limit=4')).json()) as Page;
    expect(first.items.map((p) => p.id)).toEqual(march.slice(0, 4));
    expect(first.nextCursor).toBe(march[3]);
    const second = (await (await list(`from=2031-03-01T00:00:00Z&to=2031-04-02T00:00:00Z&limit=4&cursor=${first.nextCursor}`)).json()) as Page;
    expect(second.items.map((p) => p.id)).toEqual([march[4], april]);
    expect(second.nextCursor).toBeNull();

    // Only a lower bound: still no unscheduled post.
    const from = (await (await list('from=2031-03-05T00:00:00Z')).json()) as Page;
    expect(from.items.map((p) => p.id)).toEqual([march[4], april]);
  });

  it('refuses malformed or inverted ranges with a validation error (422)', async () => {
    for (const q of ['from=yesterday', 'to=2031-03-01', 'from=2031-03-01T00:00:00', 'from=2031-13-01T00:00:00Z', 'from=2031-03-02T00:00:00Z&to=2031-03-01T00:00:00Z', 'from=2031-03-01T00:00:00Z&to=2031-03-01T00:00:00Z']) {
      const res = await list(q);
      expect(res.status, q).toBe(422);
      const doc = (await res.json()) as { status: number; detail: string };
      expect(doc.status).toBe(422);
      expect(doc.detail).toMatch(/from|to/);
    }
  });

  it('history shows who submitted, rejected (with the comment), approved and scheduled, and no secrets', async () => {
    const contributor = await t.current.addUser(ws, 'contributor');
    const editor = await t.current.addUser(ws, 'editor');
    const created = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'please review', targets: [{ accountId }], action: 'submit' }, contributor);
    expect(created.status).toBe(201);
    const postId = ((await created.json()) as { id: string }).id;
    const post = (path: string, body: unknown, who: TestSession) => t.current.json('POST', `/api/v1/workspaces/${ws}/posts/${postId}/${path}`, body, who);
    expect((await post('reject', { reason: 'Fix the typo, please' }, editor)).status).toBe(200);
    expect((await post('submit', undefined, contributor)).status).toBe(200);
    expect((await post('approve', undefined, editor)).status).toBe(200);
    expect((await post('schedule', { schedule: { at: '2031-05-01T09:00:00Z' } }, editor)).status).toBe(200);

    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${postId}/history`, undefined, contributor);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('secret-pw');
    const history = JSON.parse(text) as History;
    const users = t.current.services.database.db.selectFrom('users').select(['id', 'name']);
    const names = new Map((await users.execute()).map((u) => [u.id, u.name]));
    expect(history.items.map((e) => [e.type, e.actor?.id])).toEqual([
      ['post.created', contributor.userId],
      ['post.submitted', contributor.userId],
      ['post.rejected', editor.userId],
      ['post.submitted', contributor.userId],
      ['post.approved', editor.userId],
      ['post.scheduled', editor.userId],
    ]);
    expect(history.items[2]!.reason).toBe('Fix the typo, please');
    expect(history.items[2]!.actor?.name).toBe(names.get(editor.userId));
    expect(history.items[5]!.scheduledAt).toBe('2031-05-01T09:00:00.000Z');
  });

  it("another workspace's post id is a 404 through every path, and unknown ids too", async () => {
    const db = t.current.services.database.db;
    const b = await createUser({ db, services: t.current.services }, { email: `b-${dialect}@example.com`, name: 'B', password: 'b password is long', owner: true });
    const wsB = b.workspace?.id ?? '';
    const bOwner = await t.current.login(`b-${dialect}@example.com`, 'b password is long');
    const bAccount = await connect(bOwner, wsB);
    const created = await t.current.json('POST', `/api/v1/workspaces/${wsB}/posts`, { text: 'B only', targets: [{ accountId: bAccount }], schedule: { at: '2031-03-03T10:00:00Z' } }, bOwner);
    expect(created.status).toBe(201);
    const bPost = ((await created.json()) as { id: string }).id;

    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${bPost}/history`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${wsB}/posts/${bPost}/history`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/0190c7e2-1b2c-7d3e-8f40-1234567890ab/history`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/not-an-id/history`, undefined, owner)).status).toBe(404);
    // B's post does not leak into A's range listing, B sees it in its own.
    const mine = (await (await list('from=2031-03-03T00:00:00Z&to=2031-03-04T00:00:00Z')).json()) as Page;
    expect(mine.items.map((p) => p.id)).not.toContain(bPost);
    const theirs = (await (await t.current.json('GET', `/api/v1/workspaces/${wsB}/posts?from=2031-03-03T00:00:00Z&to=2031-03-04T00:00:00Z`, undefined, bOwner)).json()) as Page;
    expect(theirs.items.map((p) => p.id)).toEqual([bPost]);
    const own = (await (await t.current.json('GET', `/api/v1/workspaces/${wsB}/posts/${bPost}/history`, undefined, bOwner)).json()) as History;
    expect(own.items.map((e) => e.type)).toEqual(['post.created', 'post.scheduled']);
  });
});
