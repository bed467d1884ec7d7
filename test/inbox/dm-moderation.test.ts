/**
 * Direct messages and moderation in the inbox over HTTP, on SQLite and PostgreSQL, with the real
 * inbound sync reading a loopback peer (test/inbox/dm-peer.ts) through a connector that declares
 * `directMessages` and `moderation`: DMs ingested with their own cursor and threaded per
 * correspondent, the `dm` filter, a DM answered privately (never as a public reply) and recorded with
 * its sender, idempotent per key; hide / unhide / delete / restore only where the connector allows
 * it, editors and up, the state (who, when) and the event written together; our own replies deleted
 * on the network; failures leave nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { dmPeerConnector, startDmPeer, type DmPeer } from './dm-peer';
import { insertPublishedTarget } from './published-target';

let peer: DmPeer;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  peer = await startDmPeer();
  connectors.register(dmPeerConnector(peer.url));
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

interface Msg {
  id: string;
  externalId: string;
  kind: string;
  status: string;
  threadKey: string;
  author: { externalId: string; handle: string };
  moderation: { hiddenAt: string | null; hiddenBy: string | null; deletedAt: string | null; deletedBy: string | null; actions: string[] };
}
interface Conversation {
  thread: Msg[];
  replies: Array<{ id: string; text: string; externalId: string; sentBy: string; senderName: string | null; deletedAt: string | null; deletedBy: string | null }>;
  canDeleteReplies: boolean;
}

describe.each(dialects())('inbox DMs and moderation (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let editor: TestSession;
  let contributor: TestSession;
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
    editor = await t.current.addUser(ws, 'editor');
    contributor = await t.current.addUser(ws, 'contributor');
  });

  const api = (method: string, path: string, body?: unknown, who: TestSession = editor, headers?: Record<string, string>) =>
    t.current.request(`/api/v1/workspaces/${ws}${path}`, { method, headers: who.headers({ 'content-type': 'application/json', ...(headers ?? {}) }), body: body === undefined ? undefined : JSON.stringify(body) });
  const ok = async <T,>(res: Response, status = 200): Promise<T> => {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  };
  const db = () => t.current.services.database.db;
  const eventsOf = (type: string, subjectId: string) => db().selectFrom('events').selectAll().where('type', '=', type).where('subject_id', '=', subjectId).orderBy('id').execute();

  async function connected() {
    const handle = `dm-${dialect}-${++n}`;
    peer.addAccount(handle);
    const accountId = (await ok<{ id: string }>(await api('POST', '/accounts', { network: 'dmpeer', credentials: { handle } }, owner), 201)).id;
    const postExt = `post-${handle}`;
    await insertPublishedTarget(db(), { workspaceId: ws, authorId: owner.userId, accountId, network: 'dmpeer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    return { handle, accountId, postExt };
  }
  const byExt = async (accountId: string, query = '') => new Map((await ok<{ items: Msg[] }>(await api('GET', `/inbox-messages?accountId=${accountId}&limit=100${query}`))).items.map((m) => [m.externalId, m]));

  it('GET /networks declares the DM and moderation capabilities the connector has', async () => {
    const items = (await ok<{ items: Array<{ id: string; capabilities: Record<string, unknown> }> }>(await t.current.json('GET', '/api/v1/networks', undefined, editor))).items;
    expect(items.find((i) => i.id === 'dmpeer')!.capabilities).toMatchObject({ comments: true, directMessages: true, moderation: { hide: true, unhide: true, delete: true, restore: true, deleteReply: true } });
  });

  it('ingests DMs with their own cursor, one conversation per correspondent, filterable as kind dm', async () => {
    const a = await connected();
    const c1 = peer.comment(a.handle, 'fan', a.postExt, a.postExt, 'Nice post');
    const d1 = peer.dm(a.handle, 'alice', 'Hi, where is my order?');
    const d2 = peer.dm(a.handle, 'bob', 'Do you ship to Sweden?');
    const d3 = peer.dm(a.handle, 'alice', 'Order 1234, placed Monday');
    const first = await syncInbound(t.current.services, a.accountId);
    expect(first).toMatchObject({ outcome: 'done', received: 4 });
    // Each stream read once, from the start.
    expect(peer.requests.filter((r) => r.startsWith('GET /dms') || r.startsWith('GET /comments'))).toEqual(expect.arrayContaining(['GET /comments?after=0', 'GET /dms?after=0']));
    const cursor = await db().selectFrom('inbox_dm_cursors').select('cursor').where('account_id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(cursor.cursor).toBe(String(d3.seq));

    const dms = await byExt(a.accountId, '&kind=dm');
    expect([...dms.keys()].sort()).toEqual([d1.id, d2.id, d3.id].sort());
    expect(dms.get(d1.id)).toMatchObject({ kind: 'dm', threadKey: 'dm:u-alice' });
    expect(dms.get(d3.id)!.threadKey).toBe('dm:u-alice');
    expect(dms.get(d2.id)!.threadKey).toBe('dm:u-bob');
    const all = await byExt(a.accountId);
    expect(all.get(c1.id)).toMatchObject({ kind: 'comment', threadKey: c1.id });

    const conv = await ok<Conversation>(await api('GET', `/inbox-messages/${dms.get(d1.id)!.id}/conversation`));
    expect(conv.thread.map((m) => m.externalId)).toEqual([d1.id, d3.id]);

    // The next sync asks from the stored DM cursor and stores only what is new.
    peer.dm(a.handle, 'bob', 'Hello again');
    const before = peer.requests.length;
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(1);
    expect(peer.requests.slice(before)).toContain(`GET /dms?after=${d3.seq}`);
  });

  it('a DM service that is down does not hold back the comments (the DM cursor stays); a refused token stops the sync', async () => {
    const a = await connected();
    await syncInbound(t.current.services, a.accountId);
    const c1 = peer.comment(a.handle, 'fan', a.postExt, a.postExt, 'comment while DMs are down');
    const d1 = peer.dm(a.handle, 'erin', 'dm while DMs are down');
    const before = await db().selectFrom('inbox_dm_cursors').select('cursor').where('account_id', '=', a.accountId).executeTakeFirstOrThrow();
    peer.failNextDmRead(500);
    expect(await syncInbound(t.current.services, a.accountId, { inboundIntervalMs: 0 })).toMatchObject({ outcome: 'done', received: 1 });
    expect((await byExt(a.accountId)).has(c1.id)).toBe(true);
    expect(await db().selectFrom('inbox_dm_cursors').select('cursor').where('account_id', '=', a.accountId).executeTakeFirstOrThrow()).toEqual(before);
    // Next round reads the DM from where it stopped.
    expect(await syncInbound(t.current.services, a.accountId, { inboundIntervalMs: 0 })).toMatchObject({ outcome: 'done', received: 1 });
    expect((await byExt(a.accountId)).get(d1.id)).toMatchObject({ kind: 'dm' });
    peer.failNextDmRead(401);
    expect((await syncInbound(t.current.services, a.accountId, { inboundIntervalMs: 0 })).outcome).not.toBe('done');
    const account = await db().selectFrom('accounts').select('status').where('id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(account.status).toBe('needs_reconnect');
  });

  it('answers a DM privately through the DM capability, records the sender, replays by key, and a new DM reopens the conversation', async () => {
    const a = await connected();
    const d1 = peer.dm(a.handle, 'carol', 'Can I change my address?');
    await syncInbound(t.current.services, a.accountId);
    const m = (await byExt(a.accountId)).get(d1.id)!;

    const posted = peer.requests.length;
    const r1 = await ok<{ externalId: string; replayed: boolean }>(await api('POST', `/inbox-messages/${m.id}/reply`, { text: 'Yes — send it here.' }, editor, { 'idempotency-key': `dm-k-${dialect}` }), 201);
    expect(r1.replayed).toBe(false);
    expect(peer.sentDms.at(-1)).toEqual({ to: 'u-carol', replyTo: d1.id, text: 'Yes — send it here.', key: expect.any(String) });
    // Never as a public reply.
    expect(peer.requests.slice(posted).filter((r) => r.startsWith('POST /comments'))).toEqual([]);
    const again = await ok<{ externalId: string; replayed: boolean }>(await api('POST', `/inbox-messages/${m.id}/reply`, { text: 'Yes — send it here.' }, editor, { 'idempotency-key': `dm-k-${dialect}` }), 201);
    expect(again).toMatchObject({ replayed: true, externalId: r1.externalId });
    expect(peer.sentDms.filter((d) => d.replyTo === d1.id)).toHaveLength(1);

    const sent = await eventsOf('inbox.reply.sent', m.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.actor_id).toBe(editor.userId);
    expect(JSON.parse(sent[0]!.payload)).toMatchObject({ direct: true, text: 'Yes — send it here.', externalId: r1.externalId });
    const conv = await ok<Conversation>(await api('GET', `/inbox-messages/${m.id}/conversation`));
    expect(conv.replies).toEqual([expect.objectContaining({ text: 'Yes — send it here.', externalId: r1.externalId, sentBy: editor.userId, deletedAt: null })]);
    expect(conv.canDeleteReplies).toBe(true);
    expect((await byExt(a.accountId)).get(d1.id)!.status).toBe('waiting');

    // Carol writes again: the conversation (keyed per correspondent) is open again.
    const d2 = peer.dm(a.handle, 'carol', 'Thanks! Also, the zip code changed');
    await syncInbound(t.current.services, a.accountId);
    const after = await byExt(a.accountId);
    expect(after.get(d1.id)!.status).toBe('new');
    expect(after.get(d2.id)!.threadKey).toBe('dm:u-carol');

    // Contributors may not answer.
    expect((await api('POST', `/inbox-messages/${m.id}/reply`, { text: 'hi' }, contributor)).status).toBe(403);
  });

  it('hides, unhides, deletes and restores only what the connector declares; editors and up; state and event together', async () => {
    const a = await connected();
    const c1 = peer.comment(a.handle, 'troll', a.postExt, a.postExt, 'spam spam spam');
    const loose = peer.comment(a.handle, 'someone', null, null, 'a mention elsewhere');
    const d1 = peer.dm(a.handle, 'dave', 'rude words');
    await syncInbound(t.current.services, a.accountId);
    let msgs = await byExt(a.accountId);
    const m = msgs.get(c1.id)!;
    expect(m.moderation).toEqual({ hiddenAt: null, hiddenBy: null, deletedAt: null, deletedBy: null, actions: ['hide', 'delete'] });
    // hide is declared only under our own posts; restore only on comments; DMs can only be deleted.
    expect(msgs.get(loose.id)!.moderation.actions).toEqual(['delete']);
    expect(msgs.get(d1.id)!.moderation.actions).toEqual(['delete']);

    expect((await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'hide' }, contributor)).status).toBe(403);
    const bad = await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'ban' });
    expect(bad.status).toBe(422);
    expect(peer.items.get(c1.id)!.hidden).toBe(false);

    const hidden = await ok<Msg>(await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'hide' }));
    expect(peer.items.get(c1.id)!.hidden).toBe(true);
    expect(hidden.moderation).toMatchObject({ hiddenBy: editor.userId, actions: ['unhide', 'delete'] });
    expect(Date.parse(hidden.moderation.hiddenAt!)).toBeGreaterThan(Date.now() - 60_000);
    const events = await eventsOf('inbox.message.moderated', m.id);
    expect(events.map((e) => ({ actor: e.actor_id, ...JSON.parse(e.payload) }))).toEqual([expect.objectContaining({ actor: editor.userId, action: 'hide', externalId: c1.id, network: 'dmpeer' })]);

    const twice = await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'hide' });
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { detail: string }).detail).toContain('already hidden');
    expect((await api('POST', `/inbox-messages/${msgs.get(loose.id)!.id}/moderation`, { action: 'hide' })).status).toBe(409);

    const shown = await ok<Msg>(await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'unhide' }, owner));
    expect(shown.moderation).toMatchObject({ hiddenAt: null, hiddenBy: null, actions: ['hide', 'delete'] });
    expect(peer.items.get(c1.id)!.hidden).toBe(false);

    const deleted = await ok<Msg>(await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'delete' }));
    expect(peer.items.get(c1.id)!.deleted).toBe(true);
    expect(deleted.moderation).toMatchObject({ deletedBy: editor.userId, actions: ['restore'] });
    // Nothing to answer while it is deleted.
    const noReply = await api('POST', `/inbox-messages/${m.id}/reply`, { text: 'hello?' });
    expect(noReply.status).toBe(409);
    const restored = await ok<Msg>(await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'restore' }));
    expect(restored.moderation).toMatchObject({ deletedAt: null, actions: ['hide', 'delete'] });
    expect((await eventsOf('inbox.message.moderated', m.id)).map((e) => (JSON.parse(e.payload) as { action: string }).action)).toEqual(['hide', 'unhide', 'delete', 'restore']);

    const dmDeleted = await ok<Msg>(await api('POST', `/inbox-messages/${msgs.get(d1.id)!.id}/moderation`, { action: 'delete' }));
    expect(dmDeleted.moderation.actions).toEqual([]);
    msgs = await byExt(a.accountId);
    expect(msgs.get(d1.id)!.moderation.deletedBy).toBe(editor.userId);
  });

  it('a network failure stores nothing; a refusal is 409 with the network\'s words', async () => {
    const a = await connected();
    const c1 = peer.comment(a.handle, 'x', a.postExt, a.postExt, 'hmm');
    await syncInbound(t.current.services, a.accountId);
    const m = (await byExt(a.accountId)).get(c1.id)!;
    peer.failNextModeration(500);
    const down = await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'delete' });
    expect(down.status).toBe(502);
    peer.failNextModeration(400);
    const refused = await api('POST', `/inbox-messages/${m.id}/moderation`, { action: 'hide' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toBe('DM Peer refused to hide the message: not allowed here');
    const fresh = (await byExt(a.accountId)).get(c1.id)!;
    expect(fresh.moderation).toEqual({ hiddenAt: null, hiddenBy: null, deletedAt: null, deletedBy: null, actions: ['hide', 'delete'] });
    expect(await eventsOf('inbox.message.moderated', m.id)).toEqual([]);
    expect((await api('POST', '/inbox-messages/01ARZ3NDEKTSV4RRFFQ69G5FAV/moderation', { action: 'hide' })).status).toBe(404);
  });

  it('deletes our own reply on the network; the log keeps it marked with who and when', async () => {
    const a = await connected();
    const c1 = peer.comment(a.handle, 'q', a.postExt, a.postExt, 'question?');
    await syncInbound(t.current.services, a.accountId);
    const m = (await byExt(a.accountId)).get(c1.id)!;
    const sent = await ok<{ externalId: string }>(await api('POST', `/inbox-messages/${m.id}/reply`, { text: 'answer' }), 201);
    const conv = await ok<Conversation>(await api('GET', `/inbox-messages/${m.id}/conversation`));
    const reply = conv.replies[0]!;
    expect(reply.externalId).toBe(sent.externalId);
    expect((await api('DELETE', `/inbox-replies/${reply.id}`, undefined, contributor)).status).toBe(403);
    const gone = await ok<{ deletedAt: string; deletedBy: string }>(await api('DELETE', `/inbox-replies/${reply.id}`));
    expect(gone.deletedBy).toBe(editor.userId);
    expect(peer.deletedReplies).toContain(sent.externalId);
    expect((await api('DELETE', `/inbox-replies/${reply.id}`)).status).toBe(409);
    expect((await api('DELETE', '/inbox-replies/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    const ev = await eventsOf('inbox.reply.deleted', m.id);
    expect(ev.map((e) => ({ actor: e.actor_id, ...JSON.parse(e.payload) }))).toEqual([expect.objectContaining({ actor: editor.userId, replyId: reply.id, externalId: sent.externalId })]);
    const after = await ok<Conversation>(await api('GET', `/inbox-messages/${m.id}/conversation`));
    expect(after.replies[0]).toMatchObject({ deletedBy: editor.userId });
  });
});
