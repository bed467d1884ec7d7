/**
 * Inbound sync and the inbox API for any connector with the `comments` capability, against a loopback
 * peer over real HTTP: back-fill tied to our posts, cursor, dedupe on re-delivery, edits, deletions,
 * hostile text, replies threaded on the network (and who sent them), the per-account lease, the
 * scheduler sweep, and auth / rate-limit failures acted on by the taxonomy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { dueKey } from '../../src/repositories/sync-schedule.repository';
import { engagementHandlers, engagementSweep } from '../../src/engagement/engagement-sweep';
import { syncInbound, syncInboundTask } from '../../src/inbox/inbound-sync';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from './engagement-peer';
import { insertPublishedTarget } from './published-target';

let peer: EngagementPeer;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url, { metrics: false }));
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

interface MessageBody {
  id: string;
  externalId: string;
  kind: string;
  targetId: string | null;
  postId: string | null;
  text: string;
  editedAt: string | null;
  deletedAt: string | null;
  author: { handle: string };
}

describe.each(dialects())('inbound sync and inbox (%s)', (dialect) => {
  // Ingest's analysis on a worker thread, as `herald serve` runs it by default (HERALD_ANALYSIS_THREADS=1);
  // the other inbox suites analyse on the calling thread.
  const t = useTestApp(dialect, { services: { connectors }, config: { analysisThreads: 1 } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  /** A peer account connected through the API (form credentials), with one published post. */
  async function connected(): Promise<{ handle: string; accountId: string; postExt: string; targetId: string; postId: string }> {
    const handle = `inbox-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'peer', credentials: { handle, password: 'pw' } }, owner);
    expect(res.status, await res.clone().text()).toBe(201);
    const accountId = ((await res.json()) as { id: string }).id;
    const postExt = `post-${handle}`;
    const ids = await insertPublishedTarget(t.current.services.database.db, { workspaceId: ws, authorId: owner.userId, accountId, network: 'peer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    return { handle, accountId, postExt, ...ids };
  }

  const messages = async (query = '', who: TestSession = owner) => {
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages${query}`, undefined, who);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { items: MessageBody[]; nextCursor: string | null };
  };
  const eventsOf = (type: string) => t.current.services.database.db.selectFrom('events').selectAll().where('type', '=', type).where('workspace_id', '=', ws).execute();

  it('back-fills, ties messages to our post (also replies to comments), keeps the cursor, dedupes re-delivery, reflects edits and deletions', async () => {
    const a = await connected();
    const c1 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan1', parentId: a.postExt, rootId: a.postExt, text: 'Love it' });
    const c2 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan2', parentId: a.postExt, rootId: a.postExt, text: 'Where can I buy?' });
    const r1 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan3', parentId: c1.id, rootId: null, text: 'Me too' });
    const m1 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan4', parentId: null, rootId: null, text: '@brand hello' });
    const webhook = await t.current.json('POST', `/api/v1/workspaces/${ws}/webhooks`, { url: 'http://127.0.0.1:9/hook', events: ['inbox.message.received'] }, owner);
    expect(webhook.status).toBe(201);

    const first = await syncInbound(t.current.services, a.accountId);
    expect(first).toEqual({ outcome: 'done', received: 4, edited: 0, deleted: 0 });
    // The connector was given the account's recent published post.
    expect(peer.postsGiven.at(-1)).toEqual([a.postExt]);
    const page = await messages(`?accountId=${a.accountId}`);
    const byExt = new Map(page.items.map((m) => [m.externalId, m]));
    expect(byExt.get(c1.id)).toMatchObject({ kind: 'comment', targetId: a.targetId, postId: a.postId, text: 'Love it', author: { handle: 'fan1' } });
    expect(byExt.get(c2.id)?.targetId).toBe(a.targetId);
    expect(byExt.get(r1.id)).toMatchObject({ kind: 'reply', targetId: a.targetId });
    expect(byExt.get(m1.id)).toMatchObject({ kind: 'mention', targetId: null });
    const received = (await eventsOf('inbox.message.received')).filter((e) => JSON.parse(e.payload).accountId === a.accountId);
    expect(received).toHaveLength(4);
    expect(JSON.parse(received[0]!.payload)).toMatchObject({ network: 'peer', text: expect.any(String), author: { handle: expect.any(String) }, backfill: true });
    const deliveries = await t.current.services.database.db.selectFrom('webhook_deliveries').selectAll().where('event_id', 'in', received.map((e) => e.id)).execute();
    expect(deliveries).toHaveLength(4);
    const account = await t.current.services.database.db.selectFrom('accounts').selectAll().where('id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(account.inbound_cursor).toBe(String(m1.seq));
    expect(account.inbound_synced_at).not.toBeNull();
    // Nothing new: asked from the cursor, nothing stored.
    const before = peer.requests.length;
    expect(await syncInbound(t.current.services, a.accountId)).toMatchObject({ received: 0, edited: 0, deleted: 0 });
    expect(peer.requests.slice(before).filter((l) => l.startsWith(`GET /comments?after=${m1.seq}&`))).toHaveLength(1);

    // The network re-delivers everything: still one row per message, no new events.
    peer.redeliverAll();
    expect(await syncInbound(t.current.services, a.accountId)).toMatchObject({ received: 0, edited: 0, deleted: 0 });
    expect((await messages(`?accountId=${a.accountId}`)).items).toHaveLength(4);
    expect((await eventsOf('inbox.message.received')).filter((e) => JSON.parse(e.payload).accountId === a.accountId)).toHaveLength(4);

    // Edit and delete on the network.
    peer.edit(c1.id, 'Love it!!! (edited)');
    peer.remove(c2.id);
    const c3 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan5', parentId: a.postExt, rootId: a.postExt, text: 'New one' });
    expect(await syncInbound(t.current.services, a.accountId)).toMatchObject({ received: 1, edited: 1, deleted: 1 });
    const after = new Map((await messages(`?accountId=${a.accountId}`)).items.map((m) => [m.externalId, m]));
    expect(after.get(c1.id)).toMatchObject({ text: 'Love it!!! (edited)', editedAt: expect.any(String), deletedAt: null });
    expect(after.get(c2.id)?.deletedAt).not.toBeNull();
    expect(after.get(c3.id)?.targetId).toBe(a.targetId);
    const live = (await eventsOf('inbox.message.received')).find((e) => JSON.parse(e.payload).externalId === c3.id)!;
    expect(JSON.parse(live.payload)).toMatchObject({ backfill: false, text: 'New one' });
    const one = await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages/${after.get(c2.id)!.id}`, undefined, owner);
    expect(one.status).toBe(200);
    expect((await one.json()) as MessageBody).toMatchObject({ externalId: c2.id, text: 'Where can I buy?', deletedAt: expect.any(String) });
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages/not-an-id`, undefined, owner)).status).toBe(404);
  });

  it('stores hostile text as text (NUL made safe for PostgreSQL) and lists with filters and cursor pages', async () => {
    const a = await connected();
    const hostile = '<script>alert(1)</script><a href="javascript:alert(2)">x</a>\u0000end';
    const h = peer.comment({ accountHandle: a.handle, authorHandle: 'troll', parentId: a.postExt, rootId: a.postExt, text: hostile });
    for (let i = 0; i < 4; i++) peer.comment({ accountHandle: a.handle, authorHandle: `fan${i}`, parentId: null, rootId: null, text: `mention ${i}` });
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(5);
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages?accountId=${a.accountId}&kind=comment`, undefined, owner);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const only = ((await res.json()) as { items: MessageBody[] }).items;
    expect(only.map((m) => m.externalId)).toEqual([h.id]);
    expect(only[0]!.text).toBe(hostile.replace('\u0000', '\uFFFD'));

    const p1 = await messages(`?accountId=${a.accountId}&limit=2`);
    expect(p1.items).toHaveLength(2);
    expect(p1.nextCursor).toBe(p1.items[1]!.id);
    const p2 = await messages(`?accountId=${a.accountId}&limit=2&cursor=${p1.nextCursor}`);
    const p3 = await messages(`?accountId=${a.accountId}&limit=2&cursor=${p2.nextCursor}`);
    const all = [...p1.items, ...p2.items, ...p3.items].map((m) => m.id);
    expect(new Set(all).size).toBe(5);
    expect(p3.nextCursor).toBeNull();
    expect([...all].sort().reverse()).toEqual(all);

    const viewer = await t.current.addUser(ws, 'viewer');
    expect((await messages(`?accountId=${a.accountId}&network=peer`, viewer)).items).toHaveLength(5);
    expect((await messages(`?accountId=${a.accountId}&network=other`)).items).toHaveLength(0);
    expect((await messages(`?accountId=${a.accountId}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toHaveLength(0);
    const badSince = await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages?since=yesterday`, undefined, owner);
    expect(badSince.status).toBe(422);
    const badKind = await t.current.json('GET', `/api/v1/workspaces/${ws}/inbox-messages?kind=spam`, undefined, owner);
    expect(badKind.status).toBe(422);
  });

  it('replies threaded under the message (editors and above), validated by the connector, recorded with who sent it; own replies are not inbox items', async () => {
    const a = await connected();
    const c = peer.comment({ accountHandle: a.handle, authorHandle: 'asker', parentId: a.postExt, rootId: a.postExt, text: 'Is it vegan?' });
    await syncInbound(t.current.services, a.accountId);
    const msg = (await messages(`?accountId=${a.accountId}`)).items.find((m) => m.externalId === c.id)!;
    const url = `/api/v1/workspaces/${ws}/inbox-messages/${msg.id}/reply`;

    for (const role of ['contributor', 'viewer'] as const) {
      const who = await t.current.addUser(ws, role);
      expect((await t.current.json('POST', url, { text: 'hi' }, who)).status).toBe(403);
    }
    const editor = await t.current.addUser(ws, 'editor');
    const sentBefore = peer.requests.filter((l) => l.startsWith('POST /comments')).length;
    const tooLong = await t.current.json('POST', url, { text: 'x'.repeat(201) }, editor);
    expect(tooLong.status).toBe(422);
    expect(((await tooLong.json()) as { detail: string }).detail).toMatch(/Peer would not accept this reply: The text is 201 characters; the limit is 200/);
    expect(peer.requests.filter((l) => l.startsWith('POST /comments')).length).toBe(sentBefore);

    const res = await t.current.json('POST', url, { text: 'Yes, 100% plant-based.' }, editor);
    expect(res.status, await res.clone().text()).toBe(201);
    const sent = (await res.json()) as { externalId: string; url: string };
    const onNetwork = peer.comments.find((x) => x.id === sent.externalId)!;
    expect(onNetwork).toMatchObject({ parentId: c.id, rootId: a.postExt, text: 'Yes, 100% plant-based.' });
    const recorded = (await eventsOf('inbox.reply.sent')).find((e) => e.subject_id === msg.id)!;
    expect(recorded.actor_id).toBe(editor.userId);
    expect(JSON.parse(recorded.payload)).toMatchObject({ externalId: sent.externalId, text: 'Yes, 100% plant-based.' });

    // Our reply comes back from the network: not an inbox item.
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(0);
    expect((await messages(`?accountId=${a.accountId}`)).items.map((m) => m.externalId)).toEqual([c.id]);

    // Deleted on the network → nothing to reply to.
    peer.remove(c.id);
    await syncInbound(t.current.services, a.accountId);
    expect((await t.current.json('POST', url, { text: 'late' }, editor)).status).toBe(409);
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/inbox-messages/0190c7e2-1b2c-7d3e-8f40-1234567890ab/reply`, { text: 'x' }, editor)).status).toBe(404);
  });

  it('reply failures follow the taxonomy: rate limit → 429 with Retry-After, refused credentials → 409 and the account flagged', async () => {
    const a = await connected();
    const c = peer.comment({ accountHandle: a.handle, authorHandle: 'asker', parentId: a.postExt, rootId: a.postExt, text: 'Hello?' });
    await syncInbound(t.current.services, a.accountId);
    const msg = (await messages(`?accountId=${a.accountId}`)).items.find((m) => m.externalId === c.id)!;
    const url = `/api/v1/workspaces/${ws}/inbox-messages/${msg.id}/reply`;

    peer.failNext('/comments', { status: 429, retryAfterSeconds: 30 });
    const limited = await t.current.json('POST', url, { text: 'hi' }, owner);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(30);

    peer.failNext('/comments', { status: 401 });
    const refused = await t.current.json('POST', url, { text: 'hi' }, owner);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/refused the account's credentials/);
    const acct = await t.current.services.database.db.selectFrom('accounts').select('status').where('id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(acct.status).toBe('needs_reconnect');
    expect((await eventsOf('account.needs_reconnect')).filter((e) => e.subject_id === a.accountId)).toHaveLength(1);
    const blocked = await t.current.json('POST', url, { text: 'hi' }, owner);
    expect(blocked.status).toBe(409);
    expect(((await blocked.json()) as { detail: string }).detail).toMatch(/needs to be reconnected/);
    expect(peer.comments.filter((x) => x.parentId === c.id)).toEqual([]);
  });

  it('auth failure flags the account needs_reconnect once (then it is skipped); a rate limit backs off past Retry-After', async () => {
    const a = await connected();
    peer.revoke(a.handle);
    expect((await syncInbound(t.current.services, a.accountId)).outcome).toBe('auth_expired');
    const db = t.current.services.database.db;
    const acct = await db.selectFrom('accounts').selectAll().where('id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(acct.status).toBe('needs_reconnect');
    expect(acct.status_reason).toMatch(/Peer refused the account's credentials.*Reconnect/);
    expect((await syncInbound(t.current.services, a.accountId)).outcome).toBe('skipped');
    expect((await eventsOf('account.needs_reconnect')).filter((e) => e.subject_id === a.accountId)).toHaveLength(1);

    const b = await connected();
    peer.failNext('/comments', { status: 429, retryAfterSeconds: 120 });
    const started = t.current.services.now().getTime();
    expect((await syncInbound(t.current.services, b.accountId)).outcome).toBe('rate_limited');
    const due = await db.selectFrom('rate_limit_windows').selectAll().where('key', '=', dueKey(syncInboundTask, b.accountId)).executeTakeFirstOrThrow();
    expect(Date.parse(due.window_start) - started).toBeGreaterThanOrEqual(120_000);
    expect(due.count).toBe(1);
    // A 500 is retried next round, with the failure counted.
    peer.failNext('/comments', { status: 500 });
    expect((await syncInbound(t.current.services, b.accountId)).outcome).toBe('failed');
    expect((await db.selectFrom('accounts').select('status').where('id', '=', b.accountId).executeTakeFirstOrThrow()).status).toBe('ok');
  });

  it('never runs two syncs of one account at once', async () => {
    const a = await connected();
    peer.comment({ accountHandle: a.handle, authorHandle: 'fan', parentId: a.postExt, rootId: a.postExt, text: 'hi' });
    peer.setCommentsDelay(300);
    try {
      const [x, y] = await Promise.all([syncInbound(t.current.services, a.accountId), syncInbound(t.current.services, a.accountId)]);
      expect([x.outcome, y.outcome].sort()).toEqual(['busy', 'done']);
    } finally {
      peer.setCommentsDelay(0);
    }
    // The lease was released: the next run goes ahead.
    expect((await syncInbound(t.current.services, a.accountId)).outcome).toBe('done');
  });

  it('the sweep enqueues one keyed job per due account and the worker runs it', async () => {
    const a = await connected();
    const c = peer.comment({ accountHandle: a.handle, authorHandle: 'swept', parentId: a.postExt, rootId: a.postExt, text: 'via the worker' });
    const services = t.current.services;
    const db = services.database.db;
    // Only this account is due: the others of this workspace were synced above (or are flagged).
    const first = await engagementSweep(services);
    expect(first.inboundEnqueued).toBeGreaterThanOrEqual(1);
    expect((await engagementSweep(services)).inboundEnqueued).toBe(0);
    const worker = await services.queue.startWorker(engagementHandlers(services), { concurrency: 2, workerId: `inbox-${dialect}`, pollIntervalMs: 25 });
    try {
      const until = Date.now() + 8_000;
      for (;;) {
        const row = await db.selectFrom('inbox_messages').select('id').where('external_id', '=', c.id).executeTakeFirst();
        if (row) break;
        if (Date.now() > until) throw new Error('the worker did not sync the account');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await worker.stop();
    }
    const due = await db.selectFrom('rate_limit_windows').selectAll().where('key', '=', dueKey(syncInboundTask, a.accountId)).executeTakeFirstOrThrow();
    expect(Date.parse(due.window_start)).toBeGreaterThan(Date.now() + 60_000);
  });
});
