/**
 * The inbox workflow end to end over HTTP, on SQLite and PostgreSQL, with messages ingested from a
 * loopback peer by the real inbound sync: sentiment on ingest, threads and the conversation view with
 * our post, work states (and reopening on a new message in the thread), assignment to members only,
 * tags, internal notes, all-or-nothing bulk changes, filters and search, saved replies with variables,
 * idempotent replies, business-hours SLA across a DST change, metrics, rules on ingest — and an event
 * with the actor for every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { inboxNotifyTask } from '../../src/inbox/inbox-workflow';
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

interface Msg {
  id: string;
  externalId: string;
  kind: string;
  text: string;
  status: string;
  assigneeId: string | null;
  priority: string;
  sentiment: { label: string; score: number; lang: string } | null;
  tags: string[];
  sla: { dueAt: string | null; breached: boolean; firstResponseAt: string | null };
  resolvedAt: string | null;
  threadKey: string;
  parentExternalId: string | null;
}

/** A settable clock: null = real time. */
let fixedNow: number | null = null;

describe.each(dialects())('inbox workflow (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors, now: () => new Date(fixedNow ?? Date.now()) } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    ws = owner.workspaceId;
  });

  const api = (method: string, path: string, body?: unknown, who: TestSession = owner, headers?: Record<string, string>) =>
    headers ? t.current.request(`/api/v1/workspaces/${ws}${path}`, { method, headers: who.headers({ 'content-type': 'application/json', ...headers }), body: body === undefined ? undefined : JSON.stringify(body) }) : t.current.json(method, `/api/v1/workspaces/${ws}${path}`, body, who);
  const ok = async <T,>(res: Response, status = 200): Promise<T> => {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  };
  const list = async (query = '', who: TestSession = owner) => (await ok<{ items: Msg[] }>(await api('GET', `/inbox-messages${query}`, undefined, who))).items;
  const eventsOf = (type: string, subjectId?: string) => {
    let q = t.current.services.database.db.selectFrom('events').selectAll().where('type', '=', type).where('workspace_id', '=', ws);
    if (subjectId) q = q.where('subject_id', '=', subjectId);
    return q.orderBy('id').execute();
  };

  async function connected(): Promise<{ handle: string; accountId: string; postExt: string; targetId: string; postId: string }> {
    const handle = `wf-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const res = await api('POST', '/accounts', { network: 'peer', credentials: { handle, password: 'pw' } });
    const accountId = (await ok<{ id: string }>(res, 201)).id;
    const postExt = `post-${handle}`;
    const ids = await insertPublishedTarget(t.current.services.database.db, { workspaceId: ws, authorId: owner.userId, accountId, network: 'peer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    // The first sync back-fills (no rules notify, nothing to fetch yet); later ones are live.
    await syncInbound(t.current.services, accountId);
    return { handle, accountId, postExt, ...ids };
  }
  const byExt = async (accountId: string) => new Map((await list(`?accountId=${accountId}&limit=200`)).map((m) => [m.externalId, m]));

  it('labels sentiment on ingest, keys threads, shows the conversation with our post, reopens on a new message and inherits the assignee', async () => {
    const a = await connected();
    const c1 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan', parentId: a.postExt, rootId: a.postExt, text: 'I love this, great work! 😍' });
    const c2 = peer.comment({ accountHandle: a.handle, authorHandle: 'critic', parentId: c1.id, rootId: null, text: 'This is terrible and awful, worst launch ever' });
    const m1 = peer.comment({ accountHandle: a.handle, authorHandle: 'someone', parentId: null, rootId: null, text: 'Привет, отличный сервис, спасибо!' });
    expect((await syncInbound(t.current.services, a.accountId)).received).toBe(3);
    let msgs = await byExt(a.accountId);
    // A comment under our post starts its own conversation (a busy post is not one giant thread).
    expect(msgs.get(c1.id)).toMatchObject({ status: 'new', priority: 'normal', assigneeId: null, tags: [], sentiment: { label: 'positive', lang: 'en' }, threadKey: c1.id });
    expect(msgs.get(c1.id)!.sentiment!.score).toBeGreaterThan(0);
    // A reply naming only its parent joins the parent's thread.
    expect(msgs.get(c2.id)).toMatchObject({ sentiment: { label: 'negative', lang: 'en' }, threadKey: c1.id });
    expect(msgs.get(m1.id)).toMatchObject({ sentiment: { label: 'positive', lang: 'ru' }, threadKey: m1.id });
    const received = (await eventsOf('inbox.message.received', msgs.get(c2.id)!.id))[0]!;
    expect(JSON.parse(received.payload).sentiment).toMatchObject({ label: 'negative' });

    const conv = await ok<{ message: Msg; ancestors: Msg[]; children: Msg[]; thread: Msg[]; post: { text: string; url: string; postId: string } | null; notes: unknown[] }>(await api('GET', `/inbox-messages/${msgs.get(c2.id)!.id}/conversation`));
    expect(conv.message.externalId).toBe(c2.id);
    expect(conv.ancestors.map((m) => m.externalId)).toEqual([c1.id]);
    expect(conv.children).toEqual([]);
    expect(conv.thread.map((m) => m.externalId)).toEqual([c1.id, c2.id]);
    expect(conv.post).toMatchObject({ text: `post ${a.postExt}`, url: `https://peer.invalid/p/${a.postExt}`, postId: a.postId });
    const conv1 = await ok<{ children: Msg[] }>(await api('GET', `/inbox-messages/${msgs.get(c1.id)!.id}/conversation`));
    expect(conv1.children.map((m) => m.externalId)).toEqual([c2.id]);
    const mention = await ok<{ post: unknown; thread: Msg[] }>(await api('GET', `/inbox-messages/${msgs.get(m1.id)!.id}/conversation`));
    expect(mention.post).toBeNull();
    expect(mention.thread).toHaveLength(1);

    // Resolve c1 and c2; a new answer in the thread reopens both (no assignee → new).
    const resolved = await ok<{ changed: number }>(await api('POST', '/inbox-messages/bulk', { messageIds: [msgs.get(c1.id)!.id, msgs.get(c2.id)!.id], change: { status: 'resolved' } }));
    expect(resolved.changed).toBe(2);
    msgs = await byExt(a.accountId);
    expect(msgs.get(c1.id)!.status).toBe('resolved');
    expect(msgs.get(c1.id)!.resolvedAt).not.toBeNull();
    peer.comment({ accountHandle: a.handle, authorHandle: 'fan', parentId: c2.id, rootId: a.postExt, text: 'Still waiting for an answer' });
    await syncInbound(t.current.services, a.accountId);
    msgs = await byExt(a.accountId);
    expect(msgs.get(c1.id)).toMatchObject({ status: 'new', resolvedAt: null });
    expect(msgs.get(c2.id)!.status).toBe('new');
    expect(msgs.get(m1.id)!.status).toBe('new');
    const reopened = (await eventsOf('inbox.message.status_changed', msgs.get(c1.id)!.id)).map((e) => ({ actor: e.actor_id, ...JSON.parse(e.payload) }));
    expect(reopened).toEqual([
      expect.objectContaining({ actor: owner.userId, from: 'new', to: 'resolved', reason: 'member' }),
      expect.objectContaining({ actor: null, from: 'resolved', to: 'new', reason: 'new_message_in_thread' }),
    ]);

    // Assign c1 to an editor: assigned; a new message in the thread is assigned to the same member.
    const editor = await t.current.addUser(ws, 'editor');
    const assigned = await ok<Msg>(await api('PATCH', `/inbox-messages/${msgs.get(c1.id)!.id}`, { assigneeId: editor.userId }));
    expect(assigned).toMatchObject({ status: 'assigned', assigneeId: editor.userId });
    const assignEvent = (await eventsOf('inbox.message.assigned', assigned.id)).at(-1)!;
    expect(assignEvent.actor_id).toBe(owner.userId);
    expect(JSON.parse(assignEvent.payload)).toMatchObject({ from: null, assigneeId: editor.userId });
    const c4 = peer.comment({ accountHandle: a.handle, authorHandle: 'fan', parentId: c1.id, rootId: a.postExt, text: 'ok' });
    await syncInbound(t.current.services, a.accountId);
    expect((await byExt(a.accountId)).get(c4.id)).toMatchObject({ status: 'assigned', assigneeId: editor.userId });
    expect((await list(`?assignee=${editor.userId}&accountId=${a.accountId}`)).map((m) => m.externalId).sort()).toEqual([c1.id, c4.id].sort());
    expect((await list(`?assignee=me&accountId=${a.accountId}`, editor)).map((m) => m.externalId).sort()).toEqual([c1.id, c4.id].sort());

    // Only members: a user of another workspace, an unknown id, and "assigned" without anyone are refused.
    const intruderWs = await ok<{ id: string }>(await t.current.json('POST', '/api/v1/workspaces', { name: `Elsewhere ${dialect}` }, owner), 201);
    const outsider = await t.current.addUser(intruderWs.id, 'editor');
    for (const assigneeId of [outsider.userId, '0190c7e2-1b2c-7d3e-8f40-1234567890ab']) {
      const r = await api('PATCH', `/inbox-messages/${msgs.get(m1.id)!.id}`, { assigneeId });
      expect(r.status).toBe(422);
      expect(((await r.json()) as { detail: string }).detail).toMatch(/only be assigned to members of this workspace/);
    }
    const noOne = await api('PATCH', `/inbox-messages/${msgs.get(m1.id)!.id}`, { status: 'assigned' });
    expect(noOne.status).toBe(422);
    expect((await api('PATCH', `/inbox-messages/${msgs.get(m1.id)!.id}`, {})).status).toBe(422);
    // Unassigning an assigned message makes it new again.
    const c4Row = (await byExt(a.accountId)).get(c4.id)!;
    expect(await ok<Msg>(await api('PATCH', `/inbox-messages/${c4Row.id}`, { assigneeId: null }))).toMatchObject({ status: 'new', assigneeId: null });
  });

  it('back-filled history gets no first-response target; edits on the network re-score sentiment and search', async () => {
    const handle = `wf-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const accountId = (await ok<{ id: string }>(await api('POST', '/accounts', { network: 'peer', credentials: { handle, password: 'pw' } }), 201)).id;
    const old = peer.comment({ accountHandle: handle, authorHandle: 'past', parentId: null, rootId: null, text: 'Old praise, wonderful' });
    await syncInbound(t.current.services, accountId);
    expect((await byExt(accountId)).get(old.id)!.sla).toEqual({ dueAt: null, breached: false, firstResponseAt: null });
    const live = peer.comment({ accountHandle: handle, authorHandle: 'now', parentId: null, rootId: null, text: 'What a wonderful day' });
    await syncInbound(t.current.services, accountId);
    const before = (await byExt(accountId)).get(live.id)!;
    expect(before.sla.dueAt).not.toBeNull();
    expect(before.sentiment!.label).toBe('positive');
    peer.edit(live.id, 'Actually this is horrible and broken');
    await syncInbound(t.current.services, accountId);
    const after = (await byExt(accountId)).get(live.id)!;
    expect(after.sentiment!.label).toBe('negative');
    expect((await list(`?accountId=${accountId}&q=horrible`)).map((m) => m.externalId)).toEqual([live.id]);
    expect(await list(`?accountId=${accountId}&q=wonderful+day`)).toEqual([]);
  });

  it('ids of another workspace in bodies are refused and change nothing', async () => {
    const other = await ok<{ id: string }>(await t.current.json('POST', '/api/v1/workspaces', { name: `Other ${dialect}` }, owner), 201);
    const handle = `wf-other-${dialect}`;
    peer.addAccount(handle, 'pw');
    const acc = await ok<{ id: string }>(await t.current.json('POST', `/api/v1/workspaces/${other.id}/accounts`, { network: 'peer', credentials: { handle, password: 'pw' } }, owner), 201);
    const foreign = peer.comment({ accountHandle: handle, authorHandle: 'x', parentId: null, rootId: null, text: 'other workspace' });
    await syncInbound(t.current.services, acc.id);
    const foreignId = (await ok<{ items: Msg[] }>(await t.current.json('GET', `/api/v1/workspaces/${other.id}/inbox-messages`, undefined, owner))).items.find((m) => m.externalId === foreign.id)!.id;
    const bulk = await api('POST', '/inbox-messages/bulk', { messageIds: [foreignId], change: { status: 'resolved' } });
    expect(bulk.status).toBe(422);
    expect((await api('PATCH', `/inbox-messages/${foreignId}`, { status: 'resolved' })).status).toBe(404);
    expect((await api('GET', `/inbox-messages/${foreignId}/conversation`)).status).toBe(404);
    const otherSaved = await ok<{ id: string }>(await t.current.json('POST', `/api/v1/workspaces/${other.id}/inbox-saved-replies`, { name: 'Other', text: 'hi' }, owner), 201);
    const mine = (await list('?limit=1'))[0]!;
    expect((await api('POST', `/inbox-messages/${mine.id}/saved-replies/${otherSaved.id}/render`)).status).toBe(404);
    const row = await t.current.services.database.db.selectFrom('inbox_messages').select('status').where('id', '=', foreignId).executeTakeFirstOrThrow();
    expect(row.status).toBe('new');
  });

  it('tags, internal notes and bulk changes (all or nothing), by role; filters and full-text search', async () => {
    const a = await connected();
    const x1 = peer.comment({ accountHandle: a.handle, authorHandle: 'anna', parentId: a.postExt, rootId: a.postExt, text: 'Where is my REFUND? 100% terrible, awful service' });
    const x2 = peer.comment({ accountHandle: a.handle, authorHandle: 'boris_k', parentId: a.postExt, rootId: a.postExt, text: 'ПРИВЕТ! Когда будет доставка?' });
    const x3 = peer.comment({ accountHandle: a.handle, authorHandle: 'sven', parentId: null, rootId: null, text: 'Tack, det här är jättebra' });
    await syncInbound(t.current.services, a.accountId);
    const m = await byExt(a.accountId);
    const id1 = m.get(x1.id)!.id;
    const id2 = m.get(x2.id)!.id;
    const id3 = m.get(x3.id)!.id;

    const contributor = await t.current.addUser(ws, 'contributor');
    const viewer = await t.current.addUser(ws, 'viewer');
    const tagged = await ok<Msg>(await api('PATCH', `/inbox-messages/${id1}`, { addTags: ['Billing', ' urgent ', 'billing'], priority: 'high' }, contributor));
    expect(tagged).toMatchObject({ tags: ['billing', 'urgent'], priority: 'high' });
    expect((await api('PATCH', `/inbox-messages/${id1}`, { addTags: ['a,b'] })).status).toBe(422);
    expect((await api('PATCH', `/inbox-messages/${id1}`, { priority: 'low' }, viewer)).status).toBe(403);
    const tagEvent = (await eventsOf('inbox.message.tagged', id1)).at(-1)!;
    expect(tagEvent.actor_id).toBe(contributor.userId);
    expect(JSON.parse(tagEvent.payload).tags).toEqual(['billing', 'urgent']);
    expect((await ok<Msg>(await api('PATCH', `/inbox-messages/${id1}`, { removeTags: ['urgent'] }))).tags).toEqual(['billing']);

    const note = await ok<{ id: string; text: string; author: { id: string; name: string } }>(await api('POST', `/inbox-messages/${id1}/notes`, { text: 'Customer called too; <b>check</b> order 42' }, contributor), 201);
    expect(note.author.id).toBe(contributor.userId);
    expect((await api('POST', `/inbox-messages/${id1}/notes`, { text: 'x' }, viewer)).status).toBe(403);
    expect((await api('POST', `/inbox-messages/${id1}/notes`, { text: '   ' })).status).toBe(422);
    const conv = await ok<{ notes: Array<{ text: string; author: { id: string } }> }>(await api('GET', `/inbox-messages/${id1}/conversation`, undefined, viewer));
    expect(conv.notes).toEqual([expect.objectContaining({ text: 'Customer called too; <b>check</b> order 42', author: expect.objectContaining({ id: contributor.userId }) })]);
    expect((await eventsOf('inbox.note.added', id1))[0]!.actor_id).toBe(contributor.userId);
    const history = (await ok<{ history: Array<{ type: string; actor: { id: string | null; name: string | null }; details: Record<string, unknown> }> }>(await api('GET', `/inbox-messages/${id1}/conversation`))).history;
    expect(history.map((h) => h.type).sort()).toEqual(['inbox.message.priority_changed', 'inbox.message.received', 'inbox.message.tagged', 'inbox.message.untagged', 'inbox.note.added']);
    expect(history[0]).toMatchObject({ type: 'inbox.message.received', actor: { id: null, name: null } });
    expect(history.find((h) => h.type === 'inbox.message.tagged')).toMatchObject({ actor: { id: contributor.userId, name: expect.any(String) }, details: { tags: ['billing', 'urgent'] } });
    expect(history.find((h) => h.type === 'inbox.message.untagged')!.actor.id).toBe(owner.userId);

    // Bulk: one unknown id → 422 and nothing changes; then the same change for all three.
    const beforeEvents = (await eventsOf('inbox.message.status_changed')).length;
    const bad = await api('POST', '/inbox-messages/bulk', { messageIds: [id1, id2, '0190c7e2-1b2c-7d3e-8f40-1234567890ab'], change: { status: 'waiting', addTags: ['x'] } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/nothing was changed/);
    expect((await byExt(a.accountId)).get(x1.id)).toMatchObject({ status: 'new', tags: ['billing'] });
    expect((await eventsOf('inbox.message.status_changed')).length).toBe(beforeEvents);
    expect((await api('POST', '/inbox-messages/bulk', { messageIds: [id1], change: { status: 'waiting' } }, viewer)).status).toBe(403);
    const done = await ok<{ changed: number; items: Msg[] }>(await api('POST', '/inbox-messages/bulk', { messageIds: [id1, id2, id3], change: { addTags: ['triaged'], status: 'waiting' } }, contributor));
    expect(done.changed).toBe(3);
    expect(done.items.every((i) => i.status === 'waiting' && i.tags.includes('triaged'))).toBe(true);
    expect((await eventsOf('inbox.message.status_changed')).length).toBe(beforeEvents + 3);

    // Filters.
    const acct = `accountId=${a.accountId}`;
    const ext = (items: Msg[]) => items.map((i) => i.externalId).sort();
    expect(ext(await list(`?${acct}&tag=billing`))).toEqual([x1.id]);
    expect(ext(await list(`?${acct}&tag=BILLING`))).toEqual([x1.id]);
    expect(ext(await list(`?${acct}&priority=high`))).toEqual([x1.id]);
    expect(ext(await list(`?${acct}&status=waiting,resolved`))).toHaveLength(3);
    expect(await list(`?${acct}&status=new`)).toHaveLength(0);
    expect((await api('GET', `/inbox-messages?status=open`)).status).toBe(422);
    expect(ext(await list(`?${acct}&sentiment=negative`))).toEqual([x1.id]);
    expect(ext(await list(`?${acct}&lang=ru`))).toEqual([x2.id]);
    expect(ext(await list(`?${acct}&lang=sv`))).toEqual([x3.id]);
    expect(ext(await list(`?${acct}&kind=mention`))).toEqual([x3.id]);
    expect(ext(await list(`?${acct}&assignee=none`))).toHaveLength(3);
    expect(ext(await list(`?${acct}&network=peer&until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`))).toHaveLength(3);
    expect(await list(`?${acct}&until=2020-01-01T00:00:00Z`)).toHaveLength(0);
    // Search: case-insensitive in every script, all words, handles too; wildcards are literal.
    expect(ext(await list(`?${acct}&q=refund`))).toEqual([x1.id]);
    expect(ext(await list(`?${acct}&q=${encodeURIComponent('привет доставка')}`))).toEqual([x2.id]);
    expect(ext(await list(`?${acct}&q=${encodeURIComponent('JÄTTEBRA')}`))).toEqual([x3.id]);
    expect(ext(await list(`?${acct}&q=boris_k`))).toEqual([x2.id]);
    expect(ext(await list(`?${acct}&q=${encodeURIComponent('100%')}`))).toEqual([x1.id]);
    expect(await list(`?${acct}&q=${encodeURIComponent('%')}`)).toHaveLength(1);
    expect(await list(`?${acct}&q=${encodeURIComponent('_')}`)).toHaveLength(1);
    expect(await list(`?${acct}&q=refund+nothere`)).toHaveLength(0);
  });

  it('saved replies render variables once, as text; replies are idempotent per Idempotency-Key and make the first response', async () => {
    const a = await connected();
    const c = peer.comment({ accountHandle: a.handle, authorHandle: '{{account.handle}}', parentId: a.postExt, rootId: a.postExt, text: 'Do you ship to Sweden?' });
    await syncInbound(t.current.services, a.accountId);
    const msg = (await byExt(a.accountId)).get(c.id)!;

    const editor = await t.current.addUser(ws, 'editor');
    const contributor = await t.current.addUser(ws, 'contributor');
    expect((await api('POST', '/inbox-saved-replies', { name: 'Shipping', text: 'Hi' }, contributor)).status).toBe(403);
    const unknown = await api('POST', '/inbox-saved-replies', { name: 'Bad', text: 'Hi {{author.password}}' }, editor);
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { detail: string }).detail).toMatch(/Unknown variable\(s\) \{\{author\.password\}\}/);
    const saved = await ok<{ id: string; name: string }>(await api('POST', '/inbox-saved-replies', { name: 'Shipping', text: 'Hi {{ author.handle }}! {{account.handle}} ships everywhere. <script>x</script>' }, editor), 201);
    expect((await api('POST', '/inbox-saved-replies', { name: 'Shipping', text: 'again' }, editor)).status).toBe(409);
    expect((await ok<{ items: Array<{ id: string }> }>(await api('GET', '/inbox-saved-replies', undefined, contributor))).items.map((s) => s.id)).toContain(saved.id);
    const rendered = await ok<{ text: string }>(await api('POST', `/inbox-messages/${msg.id}/saved-replies/${saved.id}/render`));
    // The author's handle is inserted verbatim and not expanded again; the text stays plain text.
    expect(rendered.text).toBe(`Hi {{account.handle}}! ${a.handle} ships everywhere. <script>x</script>`);
    await ok(await api('PATCH', `/inbox-saved-replies/${saved.id}`, { text: 'Hello {{author.name}}' }, editor));
    expect((await ok<{ text: string }>(await api('POST', `/inbox-messages/${msg.id}/saved-replies/${saved.id}/render`))).text).toBe('Hello {{account.handle}}');
    expect((await eventsOf('inbox.saved_reply.updated', saved.id))[0]!.actor_id).toBe(editor.userId);

    // Idempotent replies.
    const sends = () => peer.requests.filter((l) => l.startsWith('POST /comments')).length;
    const before = sends();
    const first = await ok<{ externalId: string; replayed: boolean; idempotencyKey: string }>(await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Yes, we do!' }, editor, { 'idempotency-key': 'reply-key-1' }), 201);
    expect(first).toMatchObject({ replayed: false, idempotencyKey: 'reply-key-1' });
    const again = await ok<{ externalId: string; replayed: boolean }>(await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Yes, we do!' }, editor, { 'idempotency-key': 'reply-key-1' }), 201);
    expect(again).toMatchObject({ replayed: true, externalId: first.externalId });
    const viaBody = await ok<{ replayed: boolean }>(await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Yes, we do!', idempotencyKey: 'reply-key-1' }, editor), 201);
    expect(viaBody.replayed).toBe(true);
    expect(sends()).toBe(before + 1);
    expect(peer.comments.filter((x) => x.parentId === c.id)).toHaveLength(1);
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Something else' }, editor, { 'idempotency-key': 'reply-key-1' })).status).toBe(409);
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'x', idempotencyKey: 'a' }, editor, { 'idempotency-key': 'b' })).status).toBe(422);
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'x' }, editor, { 'idempotency-key': 'has space' })).status).toBe(422);
    expect(await eventsOf('inbox.reply.sent', msg.id)).toHaveLength(1);

    // A failed attempt may be retried with its key; the network gets the same key both times.
    peer.failNext('/comments', { status: 500 });
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Second answer' }, editor, { 'idempotency-key': 'reply-key-2' })).status).toBe(502);
    const retried = await ok<{ replayed: boolean; externalId: string }>(await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Second answer' }, editor, { 'idempotency-key': 'reply-key-2' }), 201);
    expect(retried.replayed).toBe(false);
    expect(peer.comments.filter((x) => x.parentId === c.id)).toHaveLength(2);

    // An attempt still "sending": 409 while it may be running; taken over once it is clearly dead.
    peer.failNext('/comments', { status: 500 });
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Third' }, editor, { 'idempotency-key': 'reply-key-3' })).status).toBe(502);
    const db = t.current.services.database.db;
    await db.updateTable('inbox_replies').set({ state: 'sending', created_at: new Date().toISOString() }).where('idempotency_key', '=', 'reply-key-3').execute();
    const busy = await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Third' }, editor, { 'idempotency-key': 'reply-key-3' });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { detail: string }).detail).toMatch(/being sent right now/);
    await db.updateTable('inbox_replies').set({ created_at: new Date(Date.now() - 5 * 60_000).toISOString() }).where('idempotency_key', '=', 'reply-key-3').execute();
    expect((await api('POST', `/inbox-messages/${msg.id}/reply`, { text: 'Third' }, editor, { 'idempotency-key': 'reply-key-3' })).status).toBe(201);
    expect(peer.comments.filter((x) => x.parentId === c.id)).toHaveLength(3);

    // The author answers our reply: same conversation, and it reopens the message we answered.
    const followUp = peer.comment({ accountHandle: a.handle, authorHandle: 'asker', parentId: first.externalId, rootId: a.postExt, text: 'Thanks! And to Norway?' });
    await syncInbound(t.current.services, a.accountId);
    const msgs = await byExt(a.accountId);
    expect(msgs.get(followUp.id)!.threadKey).toBe(c.id);
    expect(msgs.get(c.id)!.status).toBe('new');

    const after = msgs.get(c.id)!;
    expect(after.sla.firstResponseAt).not.toBeNull();
    const row = await t.current.services.database.db.selectFrom('inbox_messages').select(['first_response_by', 'first_response_at']).where('id', '=', msg.id).executeTakeFirstOrThrow();
    expect(row.first_response_by).toBe(editor.userId);
    // The second reply does not move the first response.
    expect(row.first_response_at).toBe(after.sla.firstResponseAt);
  });

  it('SLA in business hours across a DST change, breach flags and the metrics', async () => {
    const admin = await t.current.addUser(ws, 'admin');
    const editor = await t.current.addUser(ws, 'editor');
    const hours = { zone: 'Europe/Stockholm', ranges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) };
    expect((await api('PUT', '/inbox-settings', { businessHours: hours, firstResponseMinutes: 60 }, editor)).status).toBe(403);
    expect((await api('PUT', '/inbox-settings', { businessHours: { ...hours, zone: 'Mars/Olympus' } }, admin)).status).toBe(422);
    expect((await api('PUT', '/inbox-settings', { businessHours: { zone: null, ranges: [{ weekday: 1, start: '17:00', end: '09:00' }] } }, admin)).status).toBe(422);
    const token = '7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const settings = await ok<Record<string, unknown>>(await api('PUT', '/inbox-settings', { businessHours: hours, firstResponseMinutes: 60, telegramBotToken: token }, admin));
    expect(settings).toMatchObject({ zone: 'Europe/Stockholm', firstResponseMinutes: 60, telegramBotTokenSet: true });
    expect(JSON.stringify(settings)).not.toContain('AAHdq');
    expect(JSON.stringify(await eventsOf('inbox.settings.updated'))).not.toContain('AAHdq');
    const viewer = await t.current.addUser(ws, 'viewer');
    expect(JSON.stringify(await ok(await api('GET', '/inbox-settings', undefined, viewer)))).not.toContain('AAHdq');

    try {
      const a = await connected();
      // Friday 27 March 2026, 16:30 in Stockholm (CET, UTC+1). Summer time starts on Sunday the 29th.
      fixedNow = Date.parse('2026-03-27T15:30:00Z');
      const answered = peer.comment({ accountHandle: a.handle, authorHandle: 'p1', parentId: a.postExt, rootId: a.postExt, text: 'Question one' });
      const ignored = peer.comment({ accountHandle: a.handle, authorHandle: 'p2', parentId: a.postExt, rootId: a.postExt, text: 'Question two' });
      await syncInbound(t.current.services, a.accountId);
      let m = await byExt(a.accountId);
      // 30 minutes on Friday + 30 on Monday: due Monday 09:30 CEST = 07:30Z.
      expect(m.get(answered.id)!.sla).toEqual({ dueAt: '2026-03-30T07:30:00.000Z', breached: false, firstResponseAt: null });

      // Monday 09:20: reply (50 business minutes), then resolve at 09:50 (80 business minutes).
      fixedNow = Date.parse('2026-03-30T07:20:00Z');
      await ok(await api('POST', `/inbox-messages/${m.get(answered.id)!.id}/reply`, { text: 'Answer' }, editor), 201);
      fixedNow = Date.parse('2026-03-30T07:50:00Z');
      await ok(await api('PATCH', `/inbox-messages/${m.get(answered.id)!.id}`, { status: 'resolved' }, editor));
      // Monday 10:00: the unanswered one is past due.
      fixedNow = Date.parse('2026-03-30T08:00:00Z');
      m = await byExt(a.accountId);
      expect(m.get(answered.id)!.sla).toMatchObject({ breached: false, firstResponseAt: '2026-03-30T07:20:00.000Z' });
      expect(m.get(ignored.id)!.sla).toMatchObject({ breached: true, firstResponseAt: null });
      const acct = `accountId=${a.accountId}`;
      expect((await list(`?${acct}&breached=true`)).map((x) => x.externalId)).toEqual([ignored.id]);
      expect((await list(`?${acct}&breached=false`)).map((x) => x.externalId)).toEqual([answered.id]);

      const metrics = await ok<Record<string, unknown>>(await api('GET', `/inbox-metrics?${acct}&from=2026-03-27T00:00:00Z&to=2026-03-31T00:00:00Z`, undefined, viewer));
      expect(metrics).toEqual({
        period: { from: '2026-03-27T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z' },
        received: 2,
        responded: 1,
        responseRate: 0.5,
        firstResponse: { count: 1, meanMinutes: 50, medianMinutes: 50 },
        // Friday 15:30Z → Monday 07:50Z is 2 days 16 h 20 min of calendar time (DST night included).
        resolution: { count: 1, meanMinutes: 80, medianMinutes: 80, calendarMeanMinutes: 3860, calendarMedianMinutes: 3860 },
        breached: 1,
        breachRate: 0.5,
        firstResponseTargetMinutes: 60,
        sentiment: { negative: 0, neutral: 2, positive: 0, unlabelled: 0, negativeShare: 0 },
      });
      const empty = await ok<{ received: number; responseRate: null; firstResponse: { meanMinutes: null } }>(await api('GET', `/inbox-metrics?${acct}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`));
      expect(empty).toMatchObject({ received: 0, responseRate: null, firstResponse: { count: 0, meanMinutes: null, medianMinutes: null } });
      expect((await api('GET', '/inbox-metrics?from=2026-03-31T00:00:00Z&to=2026-03-01T00:00:00Z')).status).toBe(422);
      expect((await api('GET', '/inbox-metrics?from=yesterday')).status).toBe(422);

      // A new target re-times unanswered open messages; answered ones keep theirs.
      await ok(await api('PUT', '/inbox-settings', { firstResponseMinutes: 10 }, admin));
      m = await byExt(a.accountId);
      expect(m.get(ignored.id)!.sla.dueAt).toBe('2026-03-27T15:40:00.000Z');
      expect(m.get(answered.id)!.sla.dueAt).toBe('2026-03-30T07:30:00.000Z');
      expect(JSON.parse((await eventsOf('inbox.settings.updated')).at(-1)!.payload).retimedMessages).toBeGreaterThanOrEqual(1);
    } finally {
      fixedNow = null;
    }
  });

  it('rules on ingest: keywords + sentiment → assign, tag, priority and a queued notification; validated when saved', async () => {
    const editor = await t.current.addUser(ws, 'editor');
    const contributor = await t.current.addUser(ws, 'contributor');
    const outsider = await t.current.addUser((await ok<{ id: string }>(await t.current.json('POST', '/api/v1/workspaces', { name: `Rules elsewhere ${dialect}` }, owner), 201)).id, 'editor');
    const rule = { name: 'Angry refunds', conditions: { keywords: ['refund', 'money back'], sentiment: ['negative'] }, actions: { assignTo: editor.userId, tags: ['Billing'], priority: 'urgent', notify: [{ channel: 'webhook' }] } };
    expect((await api('POST', '/inbox-rules', rule, contributor)).status).toBe(403);
    expect((await api('POST', '/inbox-rules', { ...rule, actions: { ...rule.actions, assignTo: outsider.userId } })).status).toBe(422);
    expect((await api('POST', '/inbox-rules', { ...rule, conditions: {} })).status).toBe(422);
    expect((await api('POST', '/inbox-rules', { ...rule, actions: {} })).status).toBe(422);
    const noSmtp = await api('POST', '/inbox-rules', { ...rule, actions: { notify: [{ channel: 'email', to: ['team@example.com'] }] } });
    expect(noSmtp.status).toBe(422);
    expect(((await noSmtp.json()) as { detail: string }).detail).toMatch(/HERALD_SMTP_URL/);
    const created = await ok<{ id: string; actions: { tags: string[] } }>(await api('POST', '/inbox-rules', rule, editor), 201);
    expect(created.actions.tags).toEqual(['billing']);
    const paused = await ok<{ id: string }>(await api('POST', '/inbox-rules', { name: 'Paused', active: false, conditions: { networks: ['peer'] }, actions: { tags: ['paused'] } }, editor), 201);
    expect((await ok<{ items: Array<{ id: string }> }>(await api('GET', '/inbox-rules', undefined, contributor))).items.map((r) => r.id)).toEqual([created.id, paused.id]);

    const queued: Array<{ task: string; payload: Record<string, unknown> }> = [];
    const queue = t.current.services.queue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async (task, payload, opts, executor) => {
      queued.push({ task, payload });
      return enqueue(task, payload, opts, executor);
    };
    try {
      const a = await connected();
      const angry = peer.comment({ accountHandle: a.handle, authorHandle: 'mad', parentId: a.postExt, rootId: a.postExt, text: 'I want my MONEY BACK, this is a terrible scam' });
      const happy = peer.comment({ accountHandle: a.handle, authorHandle: 'glad', parentId: a.postExt, rootId: a.postExt, text: 'Got my refund quickly, thank you, great service!' });
      const partial = peer.comment({ accountHandle: a.handle, authorHandle: 'meh', parentId: a.postExt, rootId: a.postExt, text: 'refunding is awful and terrible' });
      await syncInbound(t.current.services, a.accountId);
      const m = await byExt(a.accountId);
      expect(m.get(angry.id)).toMatchObject({ status: 'assigned', assigneeId: editor.userId, priority: 'urgent', tags: ['billing'] });
      expect(m.get(happy.id)).toMatchObject({ status: 'new', assigneeId: null, priority: 'normal', tags: [] });
      // Whole words only: "refunding" is not "refund".
      expect(m.get(partial.id)).toMatchObject({ status: 'new', tags: [] });
      const matched = await eventsOf('inbox.rule.matched', m.get(angry.id)!.id);
      expect(matched.map((e) => JSON.parse(e.payload).ruleId)).toEqual([created.id]);
      expect(matched[0]!.actor_id).toBeNull();
      const notifications = queued.filter((q) => q.task === inboxNotifyTask);
      expect(notifications).toEqual([{ task: inboxNotifyTask, payload: { workspaceId: ws, messageId: m.get(angry.id)!.id, ruleId: created.id, index: 0 } }]);

      // Deactivated and deleted rules stop running.
      await ok(await api('PATCH', `/inbox-rules/${created.id}`, { active: false }, editor));
      expect((await api('DELETE', `/inbox-rules/${paused.id}`, undefined, editor)).status).toBe(204);
      expect((await api('DELETE', `/inbox-rules/${paused.id}`, undefined, editor)).status).toBe(404);
      const later = peer.comment({ accountHandle: a.handle, authorHandle: 'mad2', parentId: a.postExt, rootId: a.postExt, text: 'Refund now, awful awful awful' });
      await syncInbound(t.current.services, a.accountId);
      expect((await byExt(a.accountId)).get(later.id)).toMatchObject({ status: 'new', tags: [], priority: 'normal' });
      expect((await eventsOf('inbox.rule.deleted', paused.id))[0]!.actor_id).toBe(editor.userId);
    } finally {
      queue.enqueue = enqueue;
    }
  });
});
