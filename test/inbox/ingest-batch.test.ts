/**
 * Batch ingest (src/inbox/ingest-batch.ts) on SQLite and PostgreSQL: a batch is stored with the same
 * outcome as its items one by one, oldest first — a reply in the same batch joins the thread of the
 * comment it answers and is tied to our post through it, a duplicate inside the batch is stored once,
 * a second copy with new text is an edit (the received event and the rules saw the text as it
 * arrived), an item deleted before we saw it is skipped; edits and deletions of stored messages,
 * reopening, the thread's assignee and rules in a later batch — and the number of SQL statements does
 * not grow with the batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { InboundMessage } from '../../src/connectors/connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { ingestInboundBatch } from '../../src/inbox/ingest-batch';
import { findAccountById } from '../../src/repositories/accounts.repository';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer } from './engagement-peer';
import { insertPublishedTarget } from './published-target';

const connectors = new ConnectorRegistry();
beforeAll(async () => {
  // Only for connecting accounts through the API; the batches below are handed to ingest directly.
  const peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url, { metrics: false }));
  peer.addAccount('batch-sqlite', 'pw');
  peer.addAccount('batch-postgres', 'pw');
  peer.addAccount('count-sqlite', 'pw');
  peer.addAccount('count-postgres', 'pw');
  return () => peer.close();
});

/** Counts the statements sent through the executor it is plugged into. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

let seq = 0;
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
function item(over: Partial<InboundMessage> & { externalId: string }): InboundMessage {
  return { kind: 'comment', parentExternalId: null, rootExternalId: null, author: { externalId: `author-${++seq}`, handle: `fan${seq}`, displayName: null }, text: 'hello', url: null, createdAt: at(10), ...over };
}

describe.each(dialects())('batch ingest (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  async function account(handle: string) {
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'peer', credentials: { handle, password: 'pw' } }, owner);
    expect(res.status, await res.clone().text()).toBe(201);
    const accountId = ((await res.json()) as { id: string }).id;
    const postExt = `post-${handle}`;
    const { targetId } = await insertPublishedTarget(t.current.services.database.db, { workspaceId: ws, authorId: owner.userId, accountId, network: 'peer', externalId: postExt, publishedAt: new Date(Date.now() - 3_600_000) });
    return { accountId, postExt, targetId };
  }

  /** One batch in one transaction, as the inbound sync runs it; `live` = not the account's back-fill. */
  async function ingest(accountId: string, items: InboundMessage[], live = true, counter?: StatementCounter) {
    const db = t.current.services.database.db;
    const acc = { ...(await findAccountById(db, accountId))!, inbound_cursor: live ? 'cursor' : null };
    return db.transaction().execute((trx) => ingestInboundBatch(t.current.services, counter ? trx.withPlugin(counter) : trx, acc, items, new Date().toISOString()));
  }
  const rows = async (accountId: string) => new Map((await t.current.services.database.db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).execute()).map((m) => [m.external_id, m]));
  const events = (type: string, subjectId: string) => t.current.services.database.db.selectFrom('events').selectAll().where('type', '=', type).where('subject_id', '=', subjectId).orderBy('id').execute();

  it('one batch: a reply to a comment of the same batch, duplicates, an edit and an unseen deletion inside it', async () => {
    const a = await account(`batch-${dialect}`);
    const c1 = item({ externalId: 'c1', parentExternalId: a.postExt, rootExternalId: a.postExt, text: 'I love this product', createdAt: at(30) });
    // Listed before its parent but written after it; names only its parent (no root).
    const r1 = item({ externalId: 'r1', kind: 'reply', parentExternalId: 'c1', text: 'Me too, wonderful', createdAt: at(20) });
    const r1Edited = { ...r1, text: 'Actually it is broken and awful', editedAt: at(5) };
    const ghost = item({ externalId: 'ghost', text: 'gone', deleted: true, createdAt: at(15) });
    const own = item({ externalId: 'own', author: { externalId: 'self', handle: 'brand', displayName: null } });
    const acc = (await findAccountById(t.current.services.database.db, a.accountId))!;
    own.author.externalId = acc.external_id;
    const report = await ingest(a.accountId, [r1, c1, { ...c1 }, ghost, r1Edited, own]);
    expect(report).toEqual({ received: 2, edited: 1, deleted: 0 });

    const m = await rows(a.accountId);
    expect([...m.keys()].sort()).toEqual(['c1', 'r1']);
    expect(m.get('c1')).toMatchObject({ thread_key: 'c1', target_id: a.targetId, status: 'new', edited_at: null, sentiment_label: 'positive' });
    // The reply joined c1's conversation and reached our post through it; the later copy's text won.
    expect(m.get('r1')).toMatchObject({ thread_key: 'c1', target_id: a.targetId, text: 'Actually it is broken and awful', sentiment_label: 'negative', search_text: expect.stringContaining('broken') });
    expect(m.get('r1')!.edited_at).not.toBeNull();
    expect(m.get('r1')!.sla_due_at).not.toBeNull();
    // One received event each; r1's carries the text it arrived with, as if stored before the edit.
    expect(await events('inbox.message.received', m.get('c1')!.id)).toHaveLength(1);
    const received = await events('inbox.message.received', m.get('r1')!.id);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.payload)).toMatchObject({ text: 'Me too, wonderful', externalId: 'r1', targetId: a.targetId, backfill: false, sentiment: { label: 'positive' } });

    // A re-delivery of the same batch changes nothing.
    expect(await ingest(a.accountId, [r1Edited, c1])).toEqual({ received: 0, edited: 0, deleted: 0 });
    expect(await events('inbox.message.received', m.get('r1')!.id)).toHaveLength(1);
  });

  it('a later batch: edits and deletes stored messages, reopens the thread, inherits its assignee, runs rules — with the same number of statements for 3 or 150 items', async () => {
    const a = await account(`count-${dialect}`);
    const editor = await t.current.addUser(ws, 'editor');
    const rule = await t.current.json('POST', `/api/v1/workspaces/${ws}/inbox-rules`, { name: 'Refunds', conditions: { keywords: ['refund'] }, actions: { tags: ['billing'], priority: 'high' } }, owner);
    expect(rule.status, await rule.clone().text()).toBe(201);
    const c1 = item({ externalId: 'k1', parentExternalId: a.postExt, rootExternalId: a.postExt, text: 'Nice launch', createdAt: at(60) });
    const c2 = item({ externalId: 'k2', parentExternalId: a.postExt, rootExternalId: a.postExt, text: 'Great', createdAt: at(59) });
    expect((await ingest(a.accountId, [c1, c2], false)).received).toBe(2);
    let m = await rows(a.accountId);
    // The team resolved k1 after assigning it to the editor.
    const db = t.current.services.database.db;
    await db.updateTable('inbox_messages').set({ status: 'resolved', assignee_id: editor.userId, resolved_at: at(1) }).where('id', '=', m.get('k1')!.id).execute();

    const counter = new StatementCounter();
    const report = await ingest(
      a.accountId,
      [
        { ...c1, text: 'Nice launch, but where is my refund?', editedAt: at(2) },
        { ...c2, deleted: true },
        item({ externalId: 'k3', kind: 'reply', parentExternalId: 'k1', rootExternalId: a.postExt, text: 'I want a refund too', createdAt: at(3) }),
      ],
      true,
      counter,
    );
    expect(report).toEqual({ received: 1, edited: 1, deleted: 1 });
    m = await rows(a.accountId);
    expect(m.get('k1')).toMatchObject({ text: 'Nice launch, but where is my refund?', status: 'assigned', resolved_at: null, assignee_id: editor.userId });
    expect(m.get('k1')!.search_text).toContain('refund');
    expect(m.get('k1')!.edited_at).not.toBeNull();
    expect(m.get('k2')!.deleted_at).not.toBeNull();
    expect(m.get('k3')).toMatchObject({ thread_key: 'k1', target_id: a.targetId, status: 'assigned', assignee_id: editor.userId, priority: 'high' });
    const k3 = m.get('k3')!.id;
    // Its events in the order a one-by-one ingest wrote them.
    const all = await db.selectFrom('events').select(['type', 'subject_id', 'payload']).where('workspace_id', '=', ws).where((eb) => eb.or([eb('subject_id', '=', k3), eb('subject_id', '=', m.get('k1')!.id)])).orderBy('id').execute();
    expect(all.filter((e) => e.subject_id === k3 || e.type === 'inbox.message.status_changed').map((e) => e.type)).toEqual([
      'inbox.message.received',
      'inbox.message.status_changed',
      'inbox.rule.matched',
      'inbox.message.assigned',
      'inbox.message.priority_changed',
      'inbox.message.tagged',
    ]);
    expect(JSON.parse(all.find((e) => e.type === 'inbox.message.status_changed')!.payload)).toMatchObject({ from: 'resolved', to: 'assigned', byMessageId: k3 });
    expect(JSON.parse(all.find((e) => e.type === 'inbox.message.assigned')!.payload)).toMatchObject({ assigneeId: editor.userId, reason: 'thread' });
    const tags = await db.selectFrom('inbox_message_tags').select('tag').where('message_id', '=', k3).execute();
    expect(tags.map((x) => x.tag)).toEqual(['billing']);

    // The same kinds of change over 50 times the messages: the same statements.
    const big: InboundMessage[] = [];
    for (let i = 0; i < 50; i++) {
      big.push(item({ externalId: `b${i}`, parentExternalId: a.postExt, rootExternalId: a.postExt, text: `refund please ${i}`, createdAt: at(2) }));
      big.push(item({ externalId: `b${i}r`, kind: 'reply', parentExternalId: `b${i}`, text: `me too ${i}`, createdAt: at(1) }));
    }
    await ingest(a.accountId, big);
    // As with k1: the team assigned and resolved the comments the new replies answer.
    await db.updateTable('inbox_messages').set({ status: 'resolved', assignee_id: editor.userId, resolved_at: at(1) }).where('account_id', '=', a.accountId).where('external_id', 'like', 'b%').where('external_id', 'not like', '%r').execute();
    const more = new StatementCounter();
    const next: InboundMessage[] = [];
    for (let i = 0; i < 50; i++) {
      next.push({ ...big[2 * i]!, text: `refund now ${i}` }, { ...big[2 * i + 1]!, deleted: true });
      next.push(item({ externalId: `n${i}`, kind: 'reply', parentExternalId: `b${i}`, text: `refund for me too ${i}`, createdAt: at(0.5) }));
    }
    const bigReport = await ingest(a.accountId, next, true, more);
    expect(bigReport).toEqual({ received: 50, edited: 50, deleted: 50 });
    expect(counter.count).toBeGreaterThan(8);
    expect(more.count).toBe(counter.count);
  });
});
