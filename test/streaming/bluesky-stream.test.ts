/**
 * Streaming ingestion from the Bluesky firehose against a REAL local AT Protocol network (PLC + PDS +
 * AppView from @atproto/dev-env, started by this file because the polling path needs the AppView):
 * the stream runner subscribes to the PDS's com.atproto.sync.subscribeRepos, and replies and mentions
 * other local accounts write with plain XRPC reach the inbox once — also when the polling sync
 * (listNotifications through the AppView) runs over the same items — with the right kinds and
 * threads; a restart resumes from the stored cursor without gaps or duplicates; a deleted reply is
 * marked deleted; two accounts on one PDS share one socket. Both database dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import { createBlueskyStream } from '../../src/connectors/bluesky/bluesky-stream';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound } from '../../src/inbox/inbound-sync';
import { loadStreamCursor, saveStreamCursor } from '../../src/repositories/stream-cursors.repository';
import { startStreamRunner, type StreamRunner } from '../../src/streaming/stream-runner';
import { dialects } from '../support/databases';
import { setupBlueskyWorkspace, type BlueskyWorkspace } from '../support/publish-fixtures';
import { createTestServices, type TestServices } from '../support/test-app';
import { uniqueAccountName, type BlueskyTestNetwork } from '../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc as call, type StrongRef } from '../support/bluesky-appview';
import { insertPublishedTarget } from '../inbox/published-target';

const enabled = appviewSuitesEnabled;

describe.skipIf(!enabled)('bluesky firehose streaming against a local network', () => {
  const bsky = useAppviewNetwork({ startTimeoutMs: 120_000 });
  let net: BlueskyTestNetwork;
  beforeAll(() => {
    net = bsky.net;
  });

  it('behind a relay (here the PDS named as relay) authors\' handles come from their DID documents in the PLC directory', async () => {
    const [alice, carol] = await Promise.all([net.createAccount(uniqueAccountName('ra')), net.createAccount(uniqueAccountName('rc'))]);
    const carolToken = (await bsky.signIn(carol!)).token;
    // Account creation emits #identity events (with the handle) a moment later; the stream opens after
    // them, so the handle must be looked up.
    await new Promise((r) => setTimeout(r, 2_000));
    const lookups: string[] = [];
    const stream = createBlueskyStream({ relayUrl: net.pdsUrl, plcUrl: net.plcUrl });
    const abort = new AbortController();
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    const auth = { accountId: 'acc-relay', externalId: alice!.did, handle: alice!.handle, serviceUrl: net.pdsUrl, credentials: { identifier: alice!.handle, appPassword: alice!.appPassword }, session: null };
    const batches = stream.open(
      { upstream: stream.upstream(auth, { defaultServiceUrl: net.pdsUrl }), cursor: null, accounts: () => [auth] },
      { fetch: (async (u: Parameters<typeof fetch>[0], i?: Parameters<typeof fetch>[1]) => (lookups.push(String(u)), fetch(u, i))) as typeof fetch, signal: abort.signal, defaultServiceUrl: net.pdsUrl, opened: () => opened() },
    )[Symbol.asyncIterator]();
    const first = batches.next();
    await isOpen;
    const text = `relay hello @${alice!.handle}`;
    const at = Buffer.from(text).indexOf('@');
    const m = await call<StrongRef>(net.pdsUrl, 'com.atproto.repo.createRecord', {
      token: carolToken,
      body: { repo: carol!.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), facets: [{ index: { byteStart: at, byteEnd: Buffer.byteLength(text) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: alice!.did }] }] } },
    });
    let found: { handle: string; uri: string } | null = null;
    for (let next = first; !found; next = batches.next()) {
      const r = await next;
      if (r.done) break;
      const item = r.value.items.find((x) => x.message.externalId === m.uri);
      if (item) found = { handle: item.message.author.handle, uri: item.message.externalId };
    }
    abort.abort();
    await batches.return?.(undefined);
    expect(found).toEqual({ handle: carol!.handle, uri: m.uri });
    // A relay carries every repository: polling may slow down beside it (not beside a PDS's own firehose).
    expect(stream.complete(stream.upstream(auth, { defaultServiceUrl: net.pdsUrl }))).toBe(true);
    expect(createBlueskyStream({ plcUrl: net.plcUrl }).complete(net.pdsUrl.replace(/\/+$/, ''))).toBe(false);
    // Asked the PLC directory, not describeRepo (a relay does not serve it).
    expect(lookups).toEqual([`${net.plcUrl.replace(/\/+$/, '')}/${encodeURIComponent(carol!.did)}`]);
  }, 30_000);

  describe.each(dialects())('%s', (dialect) => {
    let services: TestServices;
    let ws: BlueskyWorkspace;
    let runner: StreamRunner | null = null;
    let bob: { did: string; handle: string; token: string };
    let alicePost: StrongRef;
    let aliceToken: string;

    const registry = new ConnectorRegistry();
    registry.register({ ...createBlueskyConnector({ requestTimeoutMs: 10_000 }), stream: createBlueskyStream({ pingIntervalMs: 5_000 }) });
    const start = () => startStreamRunner(services, { refreshMs: 200, cursorSaveMs: 0, backoff: { baseMs: 200, capMs: 1_000 } });
    const create = async (token: string, repo: string, record: Record<string, unknown>): Promise<StrongRef> =>
      call<StrongRef>(net.pdsUrl, 'com.atproto.repo.createRecord', { token, body: { repo, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), langs: ['en'], ...record } } });
    const messages = (externalId: string) => services.database.db.selectFrom('inbox_messages').selectAll().where('external_id', '=', externalId).execute();
    const receivedEvents = async (externalId: string) =>
      (await services.database.db.selectFrom('events').select('payload').where('type', '=', 'inbox.message.received').execute()).filter((e) => (JSON.parse(String(e.payload)) as { externalId?: string }).externalId === externalId).length;

    beforeAll(async () => {
      services = await createTestServices(dialect, { config: { blueskyDefaultService: net.pdsUrl }, services: { connectors: registry } });
      ws = await setupBlueskyWorkspace(services, net.pdsUrl, { count: 2, prefix: 'st' });
      const alice = ws.accounts[0]!;
      aliceToken = (await bsky.signIn(alice)).token;
      const [b] = await bsky.actors('bob');
      bob = { did: b!.did, handle: b!.handle, token: b!.token };
      // The AppView indexes new accounts from the firehose; posts by an author it does not know yet may
      // never become notifications, so wait until it serves both profiles (what a real account has long had).
      for (const actor of [alice.did, bob.did]) {
        await eventually(`the AppView knowing ${actor}`, () => call(net.pdsUrl, 'app.bsky.actor.getProfile', { token: aliceToken, params: { actor } }), 60_000);
      }
      alicePost = await create(aliceToken, alice.did, { text: 'Our launch post (streaming test)' });
      // The AppView indexes repositories side by side and drops the notification of a reply indexed
      // before its parent; the polling step below needs that notification, so the post must be indexed
      // before anyone answers it (a real post has long been).
      await eventually('the launch post in the AppView', async () => (await call<{ posts: unknown[] }>(net.pdsUrl, 'app.bsky.feed.getPosts', { token: aliceToken, params: { uris: alicePost.uri } })).posts.length > 0, 60_000);
      const userId = ws.ctx.actor.kind === 'user' ? ws.ctx.actor.userId : '';
      await insertPublishedTarget(services.database.db, { workspaceId: ws.ctx.workspaceId, authorId: userId, accountId: alice.accountId, network: 'bluesky', externalId: alicePost.uri, publishedAt: new Date(Date.now() - 60_000) });
    }, 150_000);
    afterAll(async () => {
      await runner?.stop();
      await services?.close();
    });

    let reply: StrongRef;
    let mention: StrongRef;

    it('a reply, a mention and a quote written while the stream runs reach the inbox once, with their threads; both accounts share one socket', async () => {
      const alice = ws.accounts[0]!;
      runner = start();
      const st = await eventually('the subscription connected', async () => runner!.status().find((s) => s.connected));
      // One upstream (the PDS) for both accounts: one socket, not one per account.
      expect(runner.status()).toHaveLength(1);
      expect(st.accountIds.sort()).toEqual(ws.accounts.map((a) => a.accountId).sort());

      const t0 = Date.now();
      reply = await create(bob.token, bob.did, { text: 'Streaming reply: congrats!', reply: { root: alicePost, parent: alicePost } });
      const mentionText = `Hey @${alice.handle} look at this`;
      const at = Buffer.from(mentionText).indexOf(`@${alice.handle}`);
      mention = await create(bob.token, bob.did, {
        text: mentionText,
        facets: [{ index: { byteStart: at, byteEnd: at + Buffer.byteLength(`@${alice.handle}`) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: alice.did }] }],
      });
      const [r] = await eventually('the streamed reply', async () => ((await messages(reply.uri)).length ? messages(reply.uri) : null));
      const [m] = await eventually('the streamed mention', async () => ((await messages(mention.uri)).length ? messages(mention.uri) : null));
      console.info(`[figure] firehose reply + mention in the inbox after ${Date.now() - t0} ms (${dialect})`);

      expect(r).toMatchObject({ account_id: alice.accountId, kind: 'reply', parent_external_id: alicePost.uri, root_external_id: alicePost.uri, author_external_id: bob.did, author_handle: bob.handle, text: 'Streaming reply: congrats!' });
      expect(r!.target_id).not.toBeNull();
      expect(m).toMatchObject({ account_id: alice.accountId, kind: 'mention', parent_external_id: null, author_handle: bob.handle, text: mentionText });
      // Only the mentioned/replied-to account got them, not the other account on the same socket.
      expect((await messages(reply.uri)).map((x) => x.account_id)).toEqual([alice.accountId]);
      expect(await receivedEvents(reply.uri)).toBe(1);
      expect(await receivedEvents(mention.uri)).toBe(1);

      // A quote of Alice's post (with an image-less record embed) is a quote in the same thread.
      const quote = await create(bob.token, bob.did, { text: 'Quoting this launch', embed: { $type: 'app.bsky.embed.record', record: alicePost } });
      const [q] = await eventually('the streamed quote', async () => ((await messages(quote.uri)).length ? messages(quote.uri) : null));
      expect(q).toMatchObject({ account_id: alice.accountId, kind: 'quote', parent_external_id: alicePost.uri, root_external_id: alicePost.uri, text: 'Quoting this launch' });
      expect(q!.target_id).toBe(r!.target_id);
    }, 40_000);

    it('the polling sync over the same items stores nothing twice', async () => {
      const alice = ws.accounts[0]!;
      // Wait until the AppView lists both notifications, so the poll really sees them.
      await eventually('both notifications in the AppView', async () => {
        const n = await call<{ notifications: Array<{ uri: string; reason: string }> }>(net.pdsUrl, 'app.bsky.notification.listNotifications', { token: aliceToken, params: { limit: '50' } });
        const uris = n.notifications.map((x) => x.uri);
        if (uris.includes(reply.uri) && uris.includes(mention.uri)) return true;
        // Said on time-out: what the AppView did list.
        throw new Error(`listed ${JSON.stringify(n.notifications.map((x) => `${x.reason} ${x.uri}`))}`);
      }, 120_000); // the AppView indexes asynchronously: slow on a loaded machine
      const rep = await syncInbound(services, alice.accountId);
      expect(rep.outcome).toBe('done');
      expect(rep.received).toBe(0);
      // A PDS's firehose carries only the authors it hosts, so beside it polling keeps its own pace: the
      // runner does not put the next poll off as it does beside a complete stream.
      const dueKey = `sync-inbound-due:${alice.accountId}`;
      const nextPoll = new Date(Date.now() + 120_000).toISOString();
      await services.database.db.insertInto('rate_limit_windows').values({ key: dueKey, window_start: nextPoll, count: 0 }).onConflict((oc) => oc.column('key').doUpdateSet({ window_start: nextPoll })).execute();
      await runner!.refresh();
      expect(runner!.status()[0]!.connected).toBe(true);
      expect((await services.database.db.selectFrom('rate_limit_windows').select('window_start').where('key', '=', dueKey).executeTakeFirstOrThrow()).window_start).toBe(nextPoll);
      expect(await messages(reply.uri)).toHaveLength(1);
      expect(await messages(mention.uri)).toHaveLength(1);
      expect(await receivedEvents(reply.uri)).toBe(1);
      expect(await receivedEvents(mention.uri)).toBe(1);
    }, 150_000);

    it('after a restart the stream resumes from the stored cursor: what was written meanwhile arrives, nothing twice', async () => {
      const alice = ws.accounts[0]!;
      await runner!.stop();
      runner = null;
      const upstream = net.pdsUrl.replace(/\/+$/, '');
      const stored = await loadStreamCursor(services.database.db, 'bluesky', upstream);
      expect(stored).toMatch(/^\d+$/);
      // Written while no runner listens: only a resumed cursor can deliver it (polling is not run here).
      const missed = await create(bob.token, bob.did, { text: 'Written while Herald was down', reply: { root: alicePost, parent: reply } });
      runner = start();
      const [got] = await eventually('the reply written while stopped', async () => ((await messages(missed.uri)).length ? messages(missed.uri) : null));
      expect(got).toMatchObject({ account_id: alice.accountId, kind: 'reply', parent_external_id: reply.uri, root_external_id: alicePost.uri });
      expect(got!.target_id).not.toBeNull();
      const now = await eventually('a newer cursor', async () => {
        const c = await loadStreamCursor(services.database.db, 'bluesky', upstream);
        return c && Number(c) > Number(stored) ? c : null;
      });
      expect(Number(now)).toBeGreaterThan(Number(stored));
      for (const uri of [reply.uri, mention.uri, missed.uri]) {
        expect(await messages(uri)).toHaveLength(1);
        expect(await receivedEvents(uri)).toBe(1);
      }
    }, 40_000);

    it('a reply deleted on the network is marked deleted through the stream', async () => {
      const rkey = reply.uri.split('/').pop()!;
      await call(net.pdsUrl, 'com.atproto.repo.deleteRecord', { token: bob.token, body: { repo: bob.did, collection: 'app.bsky.feed.post', rkey } });
      const [gone] = await eventually('the deletion', async () => {
        const rows = await messages(reply.uri);
        return rows[0]?.deleted_at ? rows : null;
      });
      expect(gone!.deleted_at).not.toBeNull();
      expect(await messages(mention.uri).then((r) => r[0]!.deleted_at)).toBeNull();
    }, 30_000);

    it('a cursor the PDS calls from the future (e.g. after a PDS reset) is dropped and the stream opens from now', async () => {
      const alice = ws.accounts[0]!;
      await runner!.stop();
      const upstream = net.pdsUrl.replace(/\/+$/, '');
      await saveStreamCursor(services.database.db, 'bluesky', upstream, '999999999', new Date().toISOString());
      runner = start();
      await eventually('the refused cursor', async () => runner!.status()[0]?.lastError?.includes('FutureCursor'));
      await eventually('connected from now', async () => runner!.status()[0]?.connected && (await loadStreamCursor(services.database.db, 'bluesky', upstream)) !== '999999999');
      const after = await create(bob.token, bob.did, { text: 'After the cursor reset', reply: { root: alicePost, parent: alicePost } });
      const [got] = await eventually('the reply after the reset', async () => ((await messages(after.uri)).length ? messages(after.uri) : null));
      expect(got).toMatchObject({ account_id: alice.accountId, kind: 'reply', text: 'After the cursor reset' });
    }, 30_000);
  });
});
