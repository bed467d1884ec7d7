/**
 * The Bluesky connector's `comments` and `metrics` capabilities against a real local AT Protocol
 * network with an AppView (PLC + PDS + Bluesky AppView from @atproto/dev-env, started by this file:
 * the run's shared network has no AppView). Alice is the connected account and publishes through the
 * connector; Bob and Carol reply, mention, quote, like, repost and follow with plain XRPC. AppView
 * reads are eventually consistent, so every check polls with a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createBlueskyConnector, type BlueskyCredentials, type BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import { ConnectorError, type AccountAuth, type InboundMessage } from '../../../src/connectors/connector';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { collectMetrics } from '../../../src/metrics/metrics-collection';
import { replyToInboxMessage } from '../../../src/use-cases/inbox.use-case';
import { dialects } from '../../support/databases';
import { setupBlueskyWorkspace } from '../../support/publish-fixtures';
import { createTestServices, type TestServices } from '../../support/test-app';
import { insertPublishedTarget } from '../../inbox/published-target';
import { listPosts, type BlueskyTestNetwork } from '../../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc as call, type Actor, type StrongRef } from '../../support/bluesky-appview';
import { connectedBluesky } from './connected-bluesky';

const enabled = appviewSuitesEnabled;

// Other suites import the poller from here; it lives in test/support/bluesky-appview.ts now.
export { eventually };

describe.skipIf(!enabled)('bluesky comments and metrics against a local network with an AppView', () => {
  const bsky = useAppviewNetwork();
  let net: BlueskyTestNetwork;
  let alice: Actor;
  let bob: Actor;
  let carol: Actor;
  let auth: AccountAuth<BlueskyCredentials, BlueskySession>;
  const { requests, connector, ctx, connect } = connectedBluesky(() => net.pdsUrl);

  const create = bsky.createRecord;
  const post = (who: Actor, text: string, extra: Record<string, unknown> = {}) => create(who, 'app.bsky.feed.post', { text, langs: ['en'], ...extra });
  const mentionFacet = (text: string, handle: string, did: string) => {
    const at = Buffer.from(text, 'utf8').indexOf(`@${handle}`);
    return [{ index: { byteStart: at, byteEnd: at + Buffer.byteLength(`@${handle}`) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] }];
  };
  const appview = <T>(nsid: string, params: Record<string, string | string[]>) => call<T>(net.pdsUrl, nsid, { token: alice.token, params });
  const getPost = async (uri: string) => (await appview<{ posts: Array<Record<string, unknown> & { uri: string; cid: string }> }>('app.bsky.feed.getPosts', { uris: [uri] })).posts[0] ?? null;
  const publish = async (text: string) =>
    connector.publish({ auth, variant: { text, langs: ['en'] }, idempotencyKey: randomUUID(), createdAt: new Date().toISOString() }, ctx);
  const fetchAll = (cursor: string | null) => connector.comments!.fetch({ auth, cursor, posts: [] }, ctx);

  beforeAll(async () => {
    net = bsky.net;
    [alice, bob, carol] = (await bsky.actors('alice', 'bob', 'carol')) as [Actor, Actor, Actor];
    auth = await connect(alice, 'acc-alice');
  }, 150_000);

  // The post and the conversation the tests share (built in the first test).
  let p1: { externalId: string; url: string | null };
  let reply1: StrongRef;
  let mentionReply: StrongRef;
  let mention: StrongRef;
  let quote: StrongRef;
  let carolReply: StrongRef;
  let lateMention: StrongRef;
  let firstCursor: string | null;

  it('comments.fetch back-fills replies, mentions and quotes with their kinds, threads and authors; deleted posts never show', async () => {
    p1 = await publish('Our launch post');
    const p1Ref = await eventually('the published post in the AppView', async () => {
      const p = await getPost(p1.externalId);
      return p ? { uri: p.uri, cid: p.cid } : null;
    });
    // A plain reply, a reply that also mentions Alice (notified as a mention), a stand-alone mention,
    // a quote, a reply to Bob's reply, a like and a follow (not inbox items), and a reply deleted again.
    reply1 = await post(bob, 'Congrats! Where can I buy it?', { reply: { root: p1Ref, parent: p1Ref } });
    const mrText = `Agreed with @${alice.handle} here`;
    mentionReply = await post(bob, mrText, { reply: { root: p1Ref, parent: p1Ref }, facets: mentionFacet(mrText, alice.handle, alice.did), langs: ['sv'] });
    const mText = `Hey @${alice.handle}, is support open on Sundays?`;
    mention = await post(bob, mText, { facets: mentionFacet(mText, alice.handle, alice.did) });
    const gone = await post(bob, 'I will delete this reply', { reply: { root: p1Ref, parent: p1Ref } });
    await call(net.pdsUrl, 'com.atproto.repo.deleteRecord', { token: bob.token, body: { repo: bob.did, collection: 'app.bsky.feed.post', rkey: gone.uri.split('/').pop() } });
    // Bob's quote comes after the deletion in his repository, so once it is indexed the deletion is too.
    quote = await post(bob, 'Look at this launch', { embed: { $type: 'app.bsky.embed.record', record: p1Ref } });
    await create(bob, 'app.bsky.feed.like', { subject: p1Ref });
    await create(bob, 'app.bsky.graph.follow', { subject: alice.did });
    // Carol answers once the AppView has Bob's reply (it drops the notification of a reply indexed before its parent).
    await eventually("Bob's reply in the AppView", () => getPost(reply1.uri));
    carolReply = await post(carol, 'Me too!', { reply: { root: p1Ref, parent: reply1 } });
    const expected = [reply1.uri, mentionReply.uri, mention.uri, quote.uri, carolReply.uri];

    const first = await eventually('all five notifications', async () => {
      const r = await fetchAll(null);
      return expected.every((u) => r.items.some((i) => i.externalId === u)) ? r : null;
    });
    expect(first.items.map((i) => i.externalId).sort()).toEqual([...expected].sort());
    expect(requests.some((r) => r === 'GET /xrpc/app.bsky.notification.listNotifications')).toBe(true);
    const by = new Map<string, InboundMessage>(first.items.map((i) => [i.externalId, i]));
    expect(by.get(reply1.uri)).toEqual({
      externalId: reply1.uri,
      kind: 'reply',
      parentExternalId: p1.externalId,
      rootExternalId: p1.externalId,
      // Follower counts come from getProfiles (nobody follows Bob).
      author: { externalId: bob.did, handle: bob.handle, displayName: null, followers: 0 },
      text: 'Congrats! Where can I buy it?',
      url: `https://bsky.app/profile/${bob.handle}/post/${reply1.uri.split('/').pop()}`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lang: 'en',
    });
    expect(by.get(mentionReply.uri)).toMatchObject({ kind: 'reply', parentExternalId: p1.externalId, rootExternalId: p1.externalId, lang: 'sv', text: mrText });
    expect(by.get(mention.uri)).toMatchObject({ kind: 'mention', parentExternalId: null, rootExternalId: null, text: mText });
    expect(by.get(quote.uri)).toMatchObject({ kind: 'quote', parentExternalId: p1.externalId, rootExternalId: p1.externalId, text: 'Look at this launch' });
    expect(by.get(carolReply.uri)).toMatchObject({ kind: 'reply', parentExternalId: reply1.uri, rootExternalId: p1.externalId, author: { externalId: carol.did, handle: carol.handle } });
    // createdAt is the record's own.
    const rec = await call<{ value: { createdAt: string } }>(net.pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: bob.did, collection: 'app.bsky.feed.post', rkey: reply1.uri.split('/').pop()! } });
    expect(by.get(reply1.uri)!.createdAt).toBe(new Date(rec.value.createdAt).toISOString());
    firstCursor = first.cursor;
    expect(firstCursor).not.toBeNull();
  });

  it('a fetch from the cursor returns only what is new', async () => {
    const again = await fetchAll(firstCursor);
    expect(again.items).toEqual([]);
    const late = await post(carol, `@${alice.handle} one more question`, { facets: mentionFacet(`@${alice.handle} one more question`, alice.handle, alice.did) });
    lateMention = late;
    const next = await eventually('the new mention', async () => {
      const r = await fetchAll(firstCursor);
      return r.items.length ? r : null;
    });
    expect(next.items.map((i) => [i.externalId, i.kind])).toEqual([[late.uri, 'mention']]);
    expect((await fetchAll(next.cursor)).items).toEqual([]);
    // An old plain-instant cursor still works (everything after it, with the overlap, comes again).
    const fromInstant = await fetchAll(new Date(Date.now() - 60_000).toISOString());
    expect(fromInstant.items.map((i) => i.externalId)).toContain(late.uri);
  });

  it('a first sync back-fills at most the limit, newest first, across pages; its cursor then holds', async () => {
    const small = createBlueskyConnector({ inboundBackfillLimit: 3, notificationsPageSize: 2 });
    const before = requests.length;
    const r = await small.comments!.fetch({ auth, cursor: null, posts: [] }, ctx);
    // Alice has six by now; the newest three are Carol's mention and reply and Bob's quote.
    expect(r.items.map((i) => i.externalId).sort()).toEqual([lateMention.uri, carolReply.uri, quote.uri].sort());
    expect(requests.slice(before).filter((x) => x === 'GET /xrpc/app.bsky.notification.listNotifications').length).toBeGreaterThanOrEqual(2);
    expect((await small.comments!.fetch({ auth, cursor: r.cursor, posts: [] }, ctx)).items).toEqual([]);
  });

  it('reports a delivered reply deleted on the network once, after checking it is gone', async () => {
    const watching = createBlueskyConnector({ deletionRecheckMs: 0 });
    const p1Ref = { uri: p1.externalId, cid: (await getPost(p1.externalId))!.cid };
    const start = await watching.comments!.fetch({ auth, cursor: null, posts: [] }, ctx);
    const doomed = await post(bob, 'Oops, wrong thread', { reply: { root: p1Ref, parent: p1Ref } });
    const got = await eventually('the new reply', async () => {
      const r = await watching.comments!.fetch({ auth, cursor: start.cursor, posts: [] }, ctx);
      return r.items.some((i) => i.externalId === doomed.uri) ? r : null;
    });
    expect(got.items.find((i) => i.externalId === doomed.uri)?.deleted).toBeUndefined();
    // Still there: checking reports nothing.
    expect((await watching.comments!.fetch({ auth, cursor: got.cursor, posts: [] }, ctx)).items).toEqual([]);
    await call(net.pdsUrl, 'com.atproto.repo.deleteRecord', { token: bob.token, body: { repo: bob.did, collection: 'app.bsky.feed.post', rkey: doomed.uri.split('/').pop() } });
    const gone = await eventually('the deletion', async () => {
      const r = await watching.comments!.fetch({ auth, cursor: got.cursor, posts: [] }, ctx);
      return r.items.length ? r : null;
    });
    expect(gone.items).toEqual([expect.objectContaining({ externalId: doomed.uri, kind: 'reply', deleted: true })]);
    expect((await watching.comments!.fetch({ auth, cursor: gone.cursor, posts: [] }, ctx)).items).toEqual([]);
  });

  it('sends the atproto-proxy header when one is configured (a DID the PLC does not know is refused by the PDS)', async () => {
    const proxied = createBlueskyConnector({ appviewProxy: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa#bsky_appview' });
    const e = await proxied.metrics!.account({ auth }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect((e as ConnectorError).message).toMatch(/proxy/i);
    expect((e as ConnectorError).kind).not.toBe('disconnected');
  });

  it('comments.reply threads under the parent and its root; the same idempotency key never makes a second post', async () => {
    const key = '019ac3f2-5b1e-7a00-8000-0123456789ab';
    const r = await connector.comments!.reply({ auth, parentExternalId: reply1.uri, rootExternalId: p1.externalId, text: `Thanks @${bob.handle}! In our shop.`, idempotencyKey: key }, ctx);
    const again = await connector.comments!.reply({ auth, parentExternalId: reply1.uri, rootExternalId: p1.externalId, text: `Thanks @${bob.handle}! In our shop.`, idempotencyKey: key }, ctx);
    expect(again.externalId).toBe(r.externalId);
    expect(r.url).toBe(`https://bsky.app/profile/${alice.handle}/post/${r.externalId.split('/').pop()}`);
    const mine = (await listPosts(net.pdsUrl, alice.did)).filter((p) => String((p.value as { text?: string }).text).startsWith('Thanks'));
    expect(mine).toHaveLength(1);
    const value = mine[0]!.value as { reply: { root: StrongRef; parent: StrongRef }; facets: Array<{ features: Array<{ did?: string }> }>; createdAt: string };
    expect(value.reply.parent.uri).toBe(reply1.uri);
    expect(value.reply.parent.cid).toBe(reply1.cid);
    expect(value.reply.root.uri).toBe(p1.externalId);
    expect(value.facets[0]!.features[0]!.did).toBe(bob.did);
    // The key's own time (UUIDv7) is the record's time, so a re-send is the same record.
    expect(value.createdAt).toBe(new Date(parseInt('019ac3f25b1e', 16)).toISOString());

    // The AppView shows it in the thread, under Bob's reply.
    await eventually('the reply in the thread', async () => {
      const t = await appview<{ thread: { replies?: Array<{ post: { uri: string }; replies?: Array<{ post: { uri: string } }> }> } }>('app.bsky.feed.getPostThread', { uri: p1.externalId, depth: '5' });
      const under = t.thread.replies?.find((x) => x.post.uri === reply1.uri);
      return under?.replies?.some((x) => x.post.uri === r.externalId) ?? false;
    });

    // A reply to a stand-alone mention starts its thread there.
    const toMention = await connector.comments!.reply({ auth, parentExternalId: mention.uri, rootExternalId: null, text: 'Yes, 10–16.', idempotencyKey: randomUUID() }, ctx);
    const rec = await call<{ value: { reply: { root: StrongRef; parent: StrongRef } } }>(net.pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: alice.did, collection: 'app.bsky.feed.post', rkey: toMention.externalId.split('/').pop()! } });
    expect(rec.value.reply).toEqual({ root: mention, parent: mention });

    // Replying to something that is not a post, or is gone, is refused in words.
    const notPost = await connector.comments!.reply({ auth, parentExternalId: 'https://example.com/x', rootExternalId: null, text: 'x', idempotencyKey: randomUUID() }, ctx).catch((e: unknown) => e);
    expect(notPost).toBeInstanceOf(ConnectorError);
    expect((notPost as ConnectorError).kind).toBe('invalid_content');
    const goneUri = `at://${bob.did}/app.bsky.feed.post/3zzzzzzzzzzzz`;
    const gone = await connector.comments!.reply({ auth, parentExternalId: goneUri, rootExternalId: null, text: 'x', idempotencyKey: randomUUID() }, ctx).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ConnectorError);
    expect((gone as ConnectorError).message).toMatch(/no longer exists/);
  });

  it('metrics: likes, reposts, replies and quotes per post, followers and follows of the account', async () => {
    const p1Ref = { uri: p1.externalId, cid: (await getPost(p1.externalId))!.cid };
    await create(carol, 'app.bsky.feed.like', { subject: p1Ref });
    await create(bob, 'app.bsky.feed.repost', { subject: p1Ref });
    await create(carol, 'app.bsky.graph.follow', { subject: alice.did });
    const p2 = await publish('A quiet second post');
    // Direct replies to p1: Bob's reply and his mention-reply. Likes: Bob, Carol. One repost, one quote.
    const want = { likes: 2, shares: 1, comments: 2, quotes: 1, views: null, reach: null };
    const counts = await eventually('the counts', async () => {
      const m = await connector.metrics!.posts({ auth, externalIds: [p1.externalId, p2.externalId, `at://${bob.did}/app.bsky.feed.post/3zzzzzzzzzzzz`, 'not-a-uri'] }, ctx);
      return JSON.stringify(m[p1.externalId]) === JSON.stringify(want) && m[p2.externalId] ? m : null;
    });
    expect(counts[p1.externalId]).toEqual(want);
    expect(counts[p2.externalId]).toEqual({ likes: 0, shares: 0, comments: 0, quotes: 0, views: null, reach: null });
    // Unknown and foreign ids are left out.
    expect(Object.keys(counts).sort()).toEqual([p1.externalId, p2.externalId].sort());

    const account = await eventually('two followers', async () => {
      const a = await connector.metrics!.account({ auth }, ctx);
      return a.followers === 2 ? a : null;
    });
    // Alice's posts: p1, p2 and her two replies.
    expect(account).toEqual({ followers: 2, following: 0, posts: 4 });
  });

  it('metrics.posts asks at most 25 posts per getPosts call', async () => {
    const uris = Array.from({ length: 60 }, (_, i) => `at://${alice.did}/app.bsky.feed.post/fake-${i}`);
    uris.push(p1.externalId);
    const before = requests.length;
    const m = await connector.metrics!.posts({ auth, externalIds: uris }, ctx);
    const calls = requests.slice(before).filter((r) => r === 'GET /xrpc/app.bsky.feed.getPosts');
    expect(calls).toHaveLength(Math.ceil(new Set(uris).size / 25));
    expect(Object.keys(m)).toEqual([p1.externalId]);
  });
  describe.each(dialects())("through Herald's inbound sync and metrics jobs (%s)", (dialect) => {
    let services: TestServices;
    afterAll(async () => {
      await services?.close();
    });

    it('stores replies, mentions and quotes once, tied to the post; a reply from the inbox lands under its parent; counts are collected', async () => {
      const registry = new ConnectorRegistry();
      registry.register(createBlueskyConnector({ requestTimeoutMs: 10_000, deletionRecheckMs: 0 }));
      services = await createTestServices(dialect, { config: { blueskyDefaultService: net.pdsUrl }, services: { connectors: registry } });
      const ws = await setupBlueskyWorkspace(services, net.pdsUrl, { count: 1, prefix: `inb${dialect.slice(0, 2)}` });
      const dave = await bsky.signIn(ws.accounts[0]!);
      const accountId = ws.accounts[0]!.accountId;
      const db = services.database.db;

      const own = await post(dave, 'Herald-side launch');
      const userId = ws.ctx.actor.kind === 'user' ? ws.ctx.actor.userId : '';
      const { targetId } = await insertPublishedTarget(db, { workspaceId: ws.ctx.workspaceId, authorId: userId, accountId, network: 'bluesky', externalId: own.uri, publishedAt: new Date(Date.now() - 2 * 3_600_000) });

      // Answers come after the AppView has the post (as with people): this AppView drops the reply
      // notification of a reply it indexes before the post it answers.
      await eventually('the post in the AppView', () => getPost(own.uri));
      const hostile = `<script>alert(1)</script> @${dave.handle} javascript:alert(2)`;
      const r = await post(bob, 'Great news 🎉', { reply: { root: own, parent: own } });
      const m = await post(carol, hostile, { facets: mentionFacet(hostile, dave.handle, dave.did) });
      const q = await post(carol, 'Quoting this', { embed: { $type: 'app.bsky.embed.record', record: own } });
      await create(bob, 'app.bsky.feed.like', { subject: own });
      await create(bob, 'app.bsky.graph.follow', { subject: dave.did });

      const rows = () => db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).execute();
      await eventually('three inbox messages', async () => {
        const rep = await syncInbound(services, accountId);
        if (rep.outcome !== 'done') throw new Error(`sync ended ${rep.outcome}`);
        const now = await rows();
        if (now.length !== 3) throw new Error(`stored ${JSON.stringify(now.map((x) => [x.kind, x.text]))} after ${JSON.stringify(rep)}`);
        return true;
      });
      const stored = new Map((await rows()).map((x) => [x.external_id, x]));
      expect(stored.get(r.uri)).toMatchObject({ kind: 'reply', target_id: targetId, parent_external_id: own.uri, root_external_id: own.uri, author_handle: bob.handle, text: 'Great news 🎉', lang: 'en' });
      expect(stored.get(m.uri)).toMatchObject({ kind: 'mention', target_id: null, text: hostile, author_handle: carol.handle });
      expect(stored.get(q.uri)).toMatchObject({ kind: 'quote', target_id: targetId, text: 'Quoting this' });
      const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
      expect(account.inbound_cursor).toMatch(/^\{"v":1,"t":"/);
      // Nothing new: nothing stored.
      expect(await syncInbound(services, accountId)).toMatchObject({ outcome: 'done', received: 0 });

      // Reply from the inbox: on the network under Bob's reply, in the post's thread.
      const sent = await replyToInboxMessage(ws.ctx, stored.get(r.uri)!.id, { text: `Thank you @${bob.handle}!` });
      const rec = await call<{ value: { text: string; reply: { root: StrongRef; parent: StrongRef } } }>(net.pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: dave.did, collection: 'app.bsky.feed.post', rkey: sent.externalId.split('/').pop()! } });
      expect(rec.value.reply).toEqual({ root: own, parent: r });
      expect(rec.value.text).toBe(`Thank you @${bob.handle}!`);
      // Bob answers the reply: it comes in threaded under Dave's reply; Dave's own reply is not an inbox item.
      const back = await post(bob, 'You are welcome', { reply: { root: own, parent: { uri: sent.externalId, cid: (await eventually('the reply indexed', () => getPost(sent.externalId)))!.cid } } });
      await eventually('the answer to the reply', async () => {
        await syncInbound(services, accountId);
        return (await rows()).some((x) => x.external_id === back.uri);
      });
      const all = await rows();
      expect(all).toHaveLength(4);
      expect(all.find((x) => x.external_id === back.uri)).toMatchObject({ kind: 'reply', parent_external_id: sent.externalId, root_external_id: own.uri, target_id: targetId });

      // Bob deletes his answer: the next sync marks it deleted (the text stays as it was received).
      await call(net.pdsUrl, 'com.atproto.repo.deleteRecord', { token: bob.token, body: { repo: bob.did, collection: 'app.bsky.feed.post', rkey: back.uri.split('/').pop() } });
      await eventually('the deletion in the inbox', async () => {
        await syncInbound(services, accountId);
        const row = (await rows()).find((x) => x.external_id === back.uri);
        return row?.deleted_at ? row : null;
      });
      expect((await rows()).find((x) => x.external_id === back.uri)).toMatchObject({ text: 'You are welcome', kind: 'reply' });
      expect((await rows()).filter((x) => x.deleted_at !== null)).toHaveLength(1);

      // Metrics: once the AppView has the like, the job stores the counts the AppView reports.
      const auth0 = { accountId, externalId: dave.did, handle: dave.handle, serviceUrl: net.pdsUrl, credentials: { identifier: dave.handle, appPassword: dave.appPassword, serviceUrl: net.pdsUrl }, session: null };
      const daveCtx = { ...ctx, saveSession: async () => undefined };
      await eventually('the like and the follow in the AppView', async () => {
        const c = await connector.metrics!.posts({ auth: auth0, externalIds: [own.uri] }, daveCtx);
        const a = await connector.metrics!.account({ auth: auth0 }, daveCtx);
        return c[own.uri]?.likes === 1 && a.followers === 1;
      });
      const report = await collectMetrics(services, accountId);
      expect(report).toMatchObject({ outcome: 'done', accountSnapshot: true, asked: 1, observed: 1 });
      const snap = await db.selectFrom('account_metrics').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
      expect({ followers: snap.followers, following: snap.following, posts: snap.posts_count }).toEqual({ followers: 1, following: 0, posts: 2 });
      const pm = await db.selectFrom('post_metrics').selectAll().where('target_id', '=', targetId).executeTakeFirstOrThrow();
      expect({ likes: pm.likes, shares: pm.shares, comments: pm.comments, quotes: pm.quotes, views: pm.views, reach: pm.reach }).toEqual({ likes: 1, shares: 0, comments: 1, quotes: 1, views: null, reach: null });
    });
  });
});
