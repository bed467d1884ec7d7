/**
 * The Bluesky stream in Jetstream mode (HERALD_BLUESKY_JETSTREAM_URL). Jetstream cannot run here, so
 * a loopback WebSocket server sends JSON events exactly as Jetstream's README shows them (`did`,
 * `time_us`, `kind: commit|identity`, `commit.{operation, collection, rkey, record, cid}`); the
 * accounts are real ones connected on the run's local PDS. Checked: the subscription asks only for
 * posts, replies and mentions reach the inbox with the handle from the identity event, likes and
 * unrelated posts do not, a deletion marks the message, the cursor is the last `time_us`, and a
 * reconnect resumes 5 s before it. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import { createBlueskyStream, jetstreamRewindMicros } from '../../src/connectors/bluesky/bluesky-stream';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { loadStreamCursor } from '../../src/repositories/stream-cursors.repository';
import { startStreamRunner, type StreamRunner } from '../../src/streaming/stream-runner';
import { dialects } from '../support/databases';
import { setupBlueskyWorkspace, type BlueskyWorkspace } from '../support/publish-fixtures';
import { createTestServices, type TestServices } from '../support/test-app';
import { requireBlueskyPds } from '../support/bluesky-network';
import { waitFor as eventually } from '../support/wait-for';

const pdsUrl = requireBlueskyPds();

describe.skipIf(!pdsUrl).each(dialects())('Bluesky via a Jetstream-shaped loopback server — %s', (dialect) => {
  let wss: WebSocketServer;
  let endpoint: string;
  const requests: URL[] = [];
  const sockets: WebSocket[] = [];
  let services: TestServices;
  let ws: BlueskyWorkspace;
  let runner: StreamRunner | null = null;
  let time = 1_764_000_000_000_000; // microseconds
  const bob = { did: 'did:plc:bobjetstreamtest0000000a', handle: 'bob.jet.test' };

  const send = (event: Record<string, unknown>) => {
    time += 1000;
    for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify({ time_us: time, ...event }));
    return time;
  };
  const post = (rkey: string, record: Record<string, unknown>, did = bob.did) =>
    send({ did, kind: 'commit', commit: { rev: '3ljet', operation: 'create', collection: 'app.bsky.feed.post', rkey, record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), langs: ['en'], ...record }, cid: 'bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi' } });
  const message = (externalId: string) => services.database.db.selectFrom('inbox_messages').selectAll().where('external_id', '=', externalId).executeTakeFirst();

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    endpoint = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/subscribe`;
    wss.on('connection', (socket, req) => {
      requests.push(new URL(req.url ?? '/', 'ws://x'));
      sockets.push(socket);
    });
    const registry = new ConnectorRegistry();
    registry.register({ ...createBlueskyConnector({ requestTimeoutMs: 5_000 }), stream: createBlueskyStream({ jetstreamUrl: endpoint }) });
    services = await createTestServices(dialect, { config: { blueskyDefaultService: pdsUrl! }, services: { connectors: registry } });
    ws = await setupBlueskyWorkspace(services, pdsUrl!, { count: 1, prefix: 'jet' });
  });
  afterAll(async () => {
    await runner?.stop();
    await services?.close();
    for (const s of sockets) s.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('posts only; replies and mentions arrive with the identity event\'s handle; likes and unrelated posts do not; deletions mark; cursor = time_us', async () => {
    const alice = ws.accounts[0]!;
    const ourPost = `at://${alice.did}/app.bsky.feed.post/3ljetourpost2`;
    runner = startStreamRunner(services, { refreshMs: 100, cursorSaveMs: 0, backoff: { baseMs: 100, capMs: 400 } });
    await eventually('the subscription', () => runner!.status()[0]?.connected && sockets.length === 1);
    expect(runner.status()).toHaveLength(1);
    expect(requests[0]!.pathname).toBe('/subscribe');
    expect(requests[0]!.searchParams.get('wantedCollections')).toBe('app.bsky.feed.post');
    expect(requests[0]!.searchParams.has('cursor')).toBe(false);

    send({ did: bob.did, kind: 'identity', identity: { did: bob.did, handle: bob.handle, seq: 1, time: new Date().toISOString() } });
    send({ did: bob.did, kind: 'commit', commit: { rev: '3ljet', operation: 'create', collection: 'app.bsky.feed.like', rkey: '3ljetlike0001', record: { $type: 'app.bsky.feed.like', createdAt: new Date().toISOString(), subject: { uri: ourPost, cid: 'bafy' } }, cid: 'bafy' } });
    post('3ljetunrel001', { text: 'nothing to do with alice' });
    post('3ljetreply001', { text: 'Jetstream reply', reply: { root: { uri: ourPost, cid: 'bafy' }, parent: { uri: ourPost, cid: 'bafy' } } });
    const text = `hi @${alice.handle}`;
    const last = post('3ljetmention1', { text, facets: [{ index: { byteStart: 3, byteEnd: 3 + Buffer.byteLength(`@${alice.handle}`) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: alice.did }] }] });

    const reply = await eventually('the reply', () => message(`at://${bob.did}/app.bsky.feed.post/3ljetreply001`));
    expect(reply).toMatchObject({ account_id: alice.accountId, kind: 'reply', parent_external_id: ourPost, root_external_id: ourPost, author_handle: bob.handle, text: 'Jetstream reply', url: 'https://bsky.app/profile/bob.jet.test/post/3ljetreply001' });
    expect(await eventually('the mention', () => message(`at://${bob.did}/app.bsky.feed.post/3ljetmention1`))).toMatchObject({ kind: 'mention', text });
    expect(await message(`at://${bob.did}/app.bsky.feed.post/3ljetunrel001`)).toBeUndefined();
    expect(await message(`at://${bob.did}/app.bsky.feed.like/3ljetlike0001`)).toBeUndefined();
    await eventually('the cursor stored', async () => (await loadStreamCursor(services.database.db, 'bluesky', endpoint)) === String(last));

    send({ did: bob.did, kind: 'commit', commit: { rev: '3ljet2', operation: 'delete', collection: 'app.bsky.feed.post', rkey: '3ljetreply001' } });
    await eventually('the deletion', async () => (await message(`at://${bob.did}/app.bsky.feed.post/3ljetreply001`))?.deleted_at != null);
  });

  it('a dropped connection resumes 5 s before the stored time_us', async () => {
    const stored = await loadStreamCursor(services.database.db, 'bluesky', endpoint);
    expect(stored).toMatch(/^\d+$/);
    for (const s of sockets.splice(0)) s.terminate();
    await eventually('the reconnect', () => requests.length === 2 && sockets.length === 1);
    expect(requests[1]!.searchParams.get('cursor')).toBe(String(Number(stored) - jetstreamRewindMicros));
    expect(requests[1]!.searchParams.get('wantedCollections')).toBe('app.bsky.feed.post');
  });
});
