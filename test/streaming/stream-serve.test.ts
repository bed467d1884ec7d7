/**
 * The stream runner as `herald serve` runs it: with the worker role and streaming switched on, a
 * mention pushed by the (loopback, docs-shaped) Mastodon streaming API reaches the inbox with nobody
 * calling anything; a second process on the same database does not open a second connection for the
 * same upstream (lease) and takes over when the first one stops. With streaming off, no connection is
 * made. Also the HERALD_STREAMING / HERALD_BLUESKY_RELAY_URL settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, loadNetworksConfig, ConfigError } from '../../src/config/config';
import { createMastodonConnector } from '../../src/connectors/mastodon/mastodon.connector';
import { createMastodonStream } from '../../src/connectors/mastodon/mastodon-stream';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { defaultConnectors } from '../../src/connectors/default-registry';
import { serve, type RunningHerald } from '../../src/server/serve';
import { closeServices, createServices } from '../../src/server/create-services';
import type { AppServices } from '../../src/server/services';
import { startStreamRunner, type StreamRunner } from '../../src/streaming/stream-runner';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createUser } from '../../src/use-cases/users.use-case';
import { freshDatabaseConfig } from '../support/databases';
import { loopbackOnlyFetch, testConfig } from '../support/test-app';
import { FakeStreamingServer, TOKEN, fanStatus } from './fake-mastodon-streaming';
import { waitFor as eventually } from '../support/wait-for';

describe('streaming in herald serve (worker role)', () => {
  const peer = new FakeStreamingServer();
  let herald: RunningHerald | null = null;
  let second: StreamRunner | null = null;
  /** The "other process": its own services over the same database file and key. */
  let other: AppServices | null = null;
  let accountId: string;
  let dropDb: () => Promise<void>;
  const registry = new ConnectorRegistry();
  registry.register({ ...createMastodonConnector({ requestTimeoutMs: 2_000 }), stream: createMastodonStream({ idleTimeoutMs: 3_000 }) });

  beforeAll(async () => {
    await peer.start();
    const db = await freshDatabaseConfig('sqlite');
    dropDb = db.drop;
    const config = testConfig(db.config, { streaming: { enabled: true } });
    other = await createServices(config, { migrate: true, connectors: registry, fetch: loopbackOnlyFetch });
    const created = await createUser({ db: other.database.db, services: other }, { email: 'stream-serve@example.test', name: 'Owner', password: 'a long enough password', owner: true });
    const ctx = { actor: { kind: 'user' as const, userId: created.user.id, via: 'session' as const }, workspaceId: created.workspace!.id, db: other.database.db, services: other };
    accountId = (await connectAccount(ctx, { network: 'mastodon', credentials: { serviceUrl: peer.url, accessToken: TOKEN } })).id;
    herald = await serve(config, { roles: ['worker'], connectors: registry, fetch: loopbackOnlyFetch });
  });
  afterAll(async () => {
    await second?.stop();
    await herald?.stop();
    if (other) await closeServices(other);
    await dropDb?.();
    expect(peer.unexpected).toEqual([]);
    await peer.stop();
  });

  it('a streamed mention reaches the inbox by itself; a second process waits for the lease and takes over', async () => {
    const db = herald!.services.database.db;
    await eventually('the stream opened', () => peer.streams.length === 1);

    const s = fanStatus('120000000000000001', null, '<p>@Gargron hello from the stream</p>');
    peer.send('notification', JSON.stringify({ id: '6000', type: 'mention', created_at: s.created_at, account: s.account, status: s }));
    const msg = await eventually('the streamed mention', () => db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).where('external_id', '=', s.id).executeTakeFirst());
    expect(msg).toMatchObject({ kind: 'mention', text: '@Gargron hello from the stream' });

    // Another process (same database): the lease keeps it from opening a second connection.
    second = startStreamRunner(other!, { refreshMs: 100, leaseMs: 2_000 });
    await second.refresh();
    await new Promise((r) => setTimeout(r, 500));
    expect(second.status()).toEqual([]);
    expect(peer.streamRequests).toBe(1);

    // The first process stops (its lease is released): the second takes the upstream over.
    await herald!.stop();
    await eventually('the second process streaming', () => second!.status()[0]?.connected && peer.streams.filter((r) => !r.destroyed && !r.writableEnded).length >= 1, 10_000);
    expect(peer.streamRequests).toBe(2);
  }, 40_000);
});

describe('herald serve with HERALD_STREAMING=off', () => {
  it('opens no stream: the account is left to polling', async () => {
    const peer = new FakeStreamingServer();
    await peer.start();
    const db = await freshDatabaseConfig('sqlite');
    const registry = new ConnectorRegistry();
    registry.register({ ...createMastodonConnector({ requestTimeoutMs: 2_000 }), stream: createMastodonStream() });
    const config = testConfig(db.config, { streaming: { enabled: false } });
    const setup = await createServices(config, { migrate: true, connectors: registry, fetch: loopbackOnlyFetch });
    const created = await createUser({ db: setup.database.db, services: setup }, { email: 'stream-off@example.test', name: 'Owner', password: 'a long enough password', owner: true });
    await connectAccount({ actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: created.workspace!.id, db: setup.database.db, services: setup }, { network: 'mastodon', credentials: { serviceUrl: peer.url, accessToken: TOKEN } });
    const herald = await serve(config, { roles: ['worker'], connectors: registry, fetch: loopbackOnlyFetch });
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(peer.streamRequests).toBe(0);
    } finally {
      await herald.stop();
      await closeServices(setup);
      await db.drop();
      await peer.stop();
    }
  });
});

describe('streaming settings', () => {
  const base = { HERALD_DATABASE_URL: 'sqlite:/tmp/herald-streaming-config.sqlite', HERALD_SECRET_KEY: 'a'.repeat(64) };

  it('HERALD_STREAMING is on by default, off when asked, anything else is refused', () => {
    expect(loadConfig(base).streaming).toEqual({ enabled: true });
    expect(loadConfig({ ...base, HERALD_STREAMING: 'off' }).streaming).toEqual({ enabled: false });
    expect(() => loadConfig({ ...base, HERALD_STREAMING: 'yes' })).toThrow(/HERALD_STREAMING must be on or off/);
  });

  it('HERALD_BLUESKY_RELAY_URL: ws(s) or http(s), handed to the Bluesky stream as every account\'s upstream', () => {
    expect(loadNetworksConfig({}).bluesky.relayUrl).toBeNull();
    expect(loadNetworksConfig({ HERALD_BLUESKY_RELAY_URL: 'wss://relay.example/' }).bluesky.relayUrl).toBe('wss://relay.example');
    expect(() => loadNetworksConfig({ HERALD_BLUESKY_RELAY_URL: 'relay.example' })).toThrow(ConfigError);
    const bluesky = defaultConnectors(loadNetworksConfig({ HERALD_BLUESKY_RELAY_URL: 'wss://relay.example' })).get('bluesky');
    const auth = { accountId: 'a', externalId: 'did:plc:x', handle: 'x.test', serviceUrl: 'https://pds.example', credentials: { identifier: 'x', appPassword: 'y' }, session: null };
    expect(bluesky.stream!.upstream(auth, { defaultServiceUrl: 'https://bsky.social' })).toBe('wss://relay.example');
    const own = defaultConnectors(loadNetworksConfig({})).get('bluesky');
    expect(own.stream!.upstream(auth, { defaultServiceUrl: 'https://bsky.social' })).toBe('https://pds.example');
    const jet = defaultConnectors(loadNetworksConfig({ HERALD_BLUESKY_RELAY_URL: 'wss://relay.example', HERALD_BLUESKY_JETSTREAM_URL: 'wss://jet.example/subscribe' })).get('bluesky');
    expect(jet.stream!.upstream(auth, { defaultServiceUrl: 'https://bsky.social' })).toBe('wss://jet.example/subscribe');
    expect(() => loadNetworksConfig({ HERALD_BLUESKY_JETSTREAM_URL: 'ftp://jet.example' })).toThrow(/HERALD_BLUESKY_JETSTREAM_URL/);
    // Mastodon streams too (one upstream per account); connectors without `stream` are polled only.
    expect(defaultConnectors(loadNetworksConfig({})).list().filter((c) => c.stream).map((c) => c.id).sort()).toEqual(['bluesky', 'mastodon']);
  });
});
