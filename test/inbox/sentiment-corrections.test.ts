/**
 * Sentiment corrections over HTTP on SQLite and PostgreSQL: a contributor relabels an ingested message
 * (stored correction with who and when, the message's label and score change, an event with the actor),
 * later messages with the relabelled word are labelled the corrected way by the real inbound sync,
 * viewers are refused, another workspace sees 404; undoing a relabel restores the model's label and
 * unlearns it, with webhook deliveries for both; and the inbox metrics count the period's messages
 * per label with the negative share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { createUser } from '../../src/use-cases/users.use-case';
import { RELABEL_SCORES } from '../../src/use-cases/sentiment-corrections.use-case';
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
  text: string;
  sentiment: { label: string; score: number; lang: string } | null;
}

describe.each(dialects())('sentiment corrections (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  const api = (method: string, path: string, body?: unknown, who: TestSession = owner, workspaceId = ws) => t.current.json(method, `/api/v1/workspaces/${workspaceId}${path}`, body, who);
  const ok = async <T,>(res: Response, status = 200): Promise<T> => {
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as T;
  };

  async function connected(): Promise<{ handle: string; accountId: string; postExt: string }> {
    const handle = `sc-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const accountId = (await ok<{ id: string }>(await api('POST', '/accounts', { network: 'peer', credentials: { handle, password: 'pw' } }), 201)).id;
    const postExt = `post-${handle}`;
    await insertPublishedTarget(t.current.services.database.db, { workspaceId: ws, authorId: owner.userId, accountId, network: 'peer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    await syncInbound(t.current.services, accountId);
    return { handle, accountId, postExt };
  }
  async function ingest(a: { handle: string; accountId: string; postExt: string }, texts: string[]): Promise<Msg[]> {
    const ext = texts.map((text) => peer.comment({ accountHandle: a.handle, authorHandle: 'someone', parentId: a.postExt, rootId: a.postExt, text }).id);
    await syncInbound(t.current.services, a.accountId);
    const items = (await ok<{ items: Msg[] }>(await api('GET', `/inbox-messages?accountId=${a.accountId}&limit=200`))).items;
    return ext.map((e) => items.find((m) => m.externalId === e)!);
  }

  it('relabels a message (stored, message updated, event with the actor) and later messages with its words follow the correction', async () => {
    const a = await connected();
    const contributor = await t.current.addUser(ws, 'contributor');
    const viewer = await t.current.addUser(ws, 'viewer');
    // "glorbnax" is no word the shipped lexicon knows: before any relabel such messages are neutral.
    const [m1, m2, control] = await ingest(a, ['The glorbnax update arrived today', 'Another glorbnax week for us', 'glorbnax again this morning']);
    expect([m1!.sentiment!.label, m2!.sentiment!.label, control!.sentiment!.label]).toEqual(['neutral', 'neutral', 'neutral']);

    const relabelled = await ok<Msg>(await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'negative' }, contributor));
    expect(relabelled.sentiment).toEqual({ label: 'negative', score: RELABEL_SCORES.negative, lang: m1!.sentiment!.lang });
    const db = t.current.services.database.db;
    const stored = await db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', ws).execute();
    expect(stored).toEqual([expect.objectContaining({ text: m1!.text, label: 'negative', inbox_message_id: m1!.id, created_by: contributor.userId })]);
    expect(Date.parse(stored[0]!.created_at)).toBeGreaterThan(Date.now() - 60_000);
    const events = await db.selectFrom('events').selectAll().where('workspace_id', '=', ws).where('type', '=', 'inbox.message.sentiment_relabelled').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subject_id: m1!.id, actor_id: contributor.userId });
    expect(JSON.parse(events[0]!.payload)).toEqual({ messageId: m1!.id, from: 'neutral', to: 'negative', undone: false });
    // The list shows the new label too (it is the stored one, not recomputed).
    expect((await ok<Msg>(await api('GET', `/inbox-messages/${m1!.id}`))).sentiment!.label).toBe('negative');

    // Relabelling again replaces the correction (one row per message), with a second event.
    await ok<Msg>(await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'positive' }));
    await ok<Msg>(await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'negative' }));
    const again = await db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', ws).execute();
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ label: 'negative', created_by: owner.userId, created_at: stored[0]!.created_at });

    // An exact repeat of the relabelled text gets the member's label at once.
    const [repeat] = await ingest(a, ['The glorbnax update arrived today']);
    expect(repeat!.sentiment!.label).toBe('negative');
    // A second relabel agreeing on the unknown word teaches it: a new message with it is negative.
    await ok<Msg>(await api('POST', `/inbox-messages/${m2!.id}/sentiment`, { label: 'negative' }, contributor));
    const [later] = await ingest(a, ['glorbnax again this morning']);
    expect(later!.sentiment!.label).toBe('negative');
    expect(later!.sentiment!.score).toBeLessThan(0);
    // The earlier identical message is not relabelled behind the member's back.
    expect((await ok<Msg>(await api('GET', `/inbox-messages/${control!.id}`))).sentiment!.label).toBe('neutral');

    // Viewers may not relabel; bad labels are a 422 that says what is allowed.
    expect((await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'positive' }, viewer)).status).toBe(403);
    const bad = await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'angry' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/negative, neutral or positive/);
    expect((await db.selectFrom('sentiment_corrections').selectAll().where('workspace_id', '=', ws).execute()).map((r) => r.label)).toEqual(['negative', 'negative']);
  });

  it('undoes a relabel: the correction goes, the model label comes back, what it taught is unlearned; each change is a webhook event', async () => {
    const a = await connected();
    const contributor = await t.current.addUser(ws, 'contributor');
    const viewer = await t.current.addUser(ws, 'viewer');
    const db = t.current.services.database.db;
    const hook = await ok<{ id: string }>(await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['inbox.message.sentiment_relabelled'] }), 201);
    const deliveries = async () => (await db.selectFrom('webhook_deliveries').innerJoin('events', 'events.id', 'webhook_deliveries.event_id').select(['events.type', 'events.payload']).where('webhook_deliveries.webhook_id', '=', hook.id).orderBy('events.id').execute()).map((d) => ({ type: d.type, ...(JSON.parse(d.payload) as object) }));

    // "zworpel" is unknown to the lexicon; "great" makes the first message positive.
    const [m1, m2] = await ingest(a, ['The zworpel release is great', 'Another zworpel week']);
    expect([m1!.sentiment!.label, m2!.sentiment!.label]).toEqual(['positive', 'neutral']);
    await ok(await api('POST', `/inbox-messages/${m1!.id}/sentiment`, { label: 'negative' }, contributor));
    await ok(await api('POST', `/inbox-messages/${m2!.id}/sentiment`, { label: 'negative' }, contributor));
    // Two agreeing relabels taught the workspace that "zworpel" is negative.
    expect((await ingest(a, ['zworpel on Monday']))[0]!.sentiment!.label).toBe('negative');

    // Viewers may not undo; another workspace gets 404; nothing changes.
    expect((await api('DELETE', `/inbox-messages/${m2!.id}/sentiment`, undefined, viewer)).status).toBe(403);
    expect((await db.selectFrom('sentiment_corrections').select('label').where('inbox_message_id', '=', m2!.id).execute()).length).toBe(1);

    const undone = await ok<Msg>(await api('DELETE', `/inbox-messages/${m2!.id}/sentiment`, undefined, contributor));
    expect(undone.sentiment).toEqual({ label: 'neutral', score: 0, lang: m2!.sentiment!.lang });
    expect(await db.selectFrom('sentiment_corrections').select('id').where('inbox_message_id', '=', m2!.id).execute()).toEqual([]);
    // One relabel is left, below what teaching a new word takes: new "zworpel" messages are neutral again.
    expect((await ingest(a, ['zworpel on Tuesday']))[0]!.sentiment!.label).toBe('neutral');

    // Undoing the first relabel gives back exactly what the model said at ingest.
    const back = await ok<Msg>(await api('DELETE', `/inbox-messages/${m1!.id}/sentiment`));
    expect(back.sentiment).toEqual(m1!.sentiment);
    expect((await ok<Msg>(await api('GET', `/inbox-messages/${m1!.id}`))).sentiment).toEqual(m1!.sentiment);
    // Nothing left to undo: 409 with words, nothing recorded.
    const again = await api('DELETE', `/inbox-messages/${m1!.id}/sentiment`);
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/not relabelled/);
    expect((await api('DELETE', '/inbox-messages/nope/sentiment')).status).toBe(404);

    const events = await db.selectFrom('events').selectAll().where('workspace_id', '=', ws).where('type', '=', 'inbox.message.sentiment_relabelled').where('subject_id', 'in', [m1!.id, m2!.id]).orderBy('id').execute();
    expect(events.map((e) => [e.subject_id, e.actor_id, JSON.parse(e.payload)])).toEqual([
      [m1!.id, contributor.userId, { messageId: m1!.id, from: 'positive', to: 'negative', undone: false }],
      [m2!.id, contributor.userId, { messageId: m2!.id, from: 'neutral', to: 'negative', undone: false }],
      [m2!.id, contributor.userId, { messageId: m2!.id, from: 'negative', to: 'neutral', undone: true }],
      [m1!.id, owner.userId, { messageId: m1!.id, from: 'negative', to: 'positive', undone: true }],
    ]);
    // The webhook subscribed to the event got one delivery per change, queued with it.
    expect(await deliveries()).toEqual(events.map((e) => ({ type: 'inbox.message.sentiment_relabelled', ...(JSON.parse(e.payload) as object) })));
    expect((await api('DELETE', `/webhooks/${hook.id}`)).status).toBe(204);
  });

  it('another workspace cannot relabel (404); nothing is stored or changed', async () => {
    const a = await connected();
    const [m] = await ingest(a, ['Quixplat shipped on time']);
    const created = await createUser({ db: t.current.services.database.db, services: t.current.services }, { email: 'other-owner@example.com', name: 'Other', password: 'other password is long', owner: true });
    const other = Object.assign(await t.current.login('other-owner@example.com', 'other password is long'), { workspaceId: created.workspace?.id ?? '' });
    expect(other.workspaceId).toBeTruthy();
    expect((await api('POST', `/inbox-messages/${m!.id}/sentiment`, { label: 'negative' }, other)).status).toBe(404);
    expect((await api('POST', `/inbox-messages/${m!.id}/sentiment`, { label: 'negative' }, other, other.workspaceId)).status).toBe(404);
    const db = t.current.services.database.db;
    expect(await db.selectFrom('sentiment_corrections').selectAll().where('inbox_message_id', '=', m!.id).execute()).toEqual([]);
    expect((await ok<Msg>(await api('GET', `/inbox-messages/${m!.id}`))).sentiment!.label).toBe(m!.sentiment!.label);
  });

  it('inbox metrics count the period per sentiment label with the negative share of labelled messages', async () => {
    const a = await connected();
    const ms = await ingest(a, ['I love this, great work!', 'This is terrible and awful', 'Worst launch ever, awful', 'The parcel arrived on Tuesday']);
    expect(ms.map((m) => m.sentiment!.label)).toEqual(['positive', 'negative', 'negative', 'neutral']);
    // One message without a label (e.g. ingested before sentiment existed).
    await t.current.services.database.db.updateTable('inbox_messages').set({ sentiment_label: null, sentiment_score: null }).where('id', '=', ms[3]!.id).execute();
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const metrics = await ok<{ received: number; sentiment: Record<string, number | null> }>(await api('GET', `/inbox-metrics?accountId=${a.accountId}&from=${from}&to=${to}`));
    expect(metrics.received).toBe(4);
    expect(metrics.sentiment).toEqual({ negative: 2, neutral: 0, positive: 1, unlabelled: 1, negativeShare: 0.6667 });
    // A relabel moves the counts.
    await ok(await api('POST', `/inbox-messages/${ms[0]!.id}/sentiment`, { label: 'negative' }));
    expect((await ok<{ sentiment: Record<string, number | null> }>(await api('GET', `/inbox-metrics?accountId=${a.accountId}&from=${from}&to=${to}`))).sentiment).toEqual({ negative: 3, neutral: 0, positive: 0, unlabelled: 1, negativeShare: 1 });
    // A period with nothing: zeros and no share.
    const empty = await ok<{ sentiment: Record<string, number | null> }>(await api('GET', `/inbox-metrics?accountId=${a.accountId}&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`));
    expect(empty.sentiment).toEqual({ negative: 0, neutral: 0, positive: 0, unlabelled: 0, negativeShare: null });
  });
});
