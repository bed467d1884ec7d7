/**
 * Mastodon streaming at the HTTP level. snac2 (the real Mastodon-API server the other Mastodon tests
 * use) has no streaming API — it announces `urls.streaming_api` but serves no /api/v1/streaming/*
 * route — so this runs against a loopback server speaking server-sent events exactly as
 * docs.joinmastodon.org/methods/streaming describes them: `GET /api/v1/streaming/user/notification`
 * with the Bearer token, `event: notification` / `status.update` / `delete` with `data:` lines,
 * `:thump` heartbeats. Entities follow the docs' shapes (test/fixtures/mastodon). Any request the
 * server does not expect fails the test. Both database dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastodonConnector } from '../../src/connectors/mastodon/mastodon.connector';
import { createMastodonStream, SseParser } from '../../src/connectors/mastodon/mastodon-stream';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { syncInbound, syncInboundJobKey } from '../../src/inbox/inbound-sync';
import { startStreamRunner, type StreamRunner } from '../../src/streaming/stream-runner';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createUser } from '../../src/use-cases/users.use-case';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { insertPublishedTarget } from '../inbox/published-target';
import { FakeStreamingServer, TOKEN, fan, fanStatus } from './fake-mastodon-streaming';
import { waitFor as eventually } from '../support/wait-for';

describe('SseParser', () => {
  it('splits events across chunks, joins data lines, skips comments and handles CRLF', () => {
    const p = new SseParser();
    expect(p.push(':thump\n\nevent: notif')).toEqual([]);
    expect(p.push('ication\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: delete\ndata: 42\n')).toEqual([{ event: 'notification', data: '{"a":\n1}' }]);
    expect(p.push('\n')).toEqual([{ event: 'delete', data: '42' }]);
  });
});

describe.each(dialects())('Mastodon streaming API (loopback SSE server shaped by the docs; snac2 has no streaming endpoint) — %s', (dialect) => {
  const peer = new FakeStreamingServer();
  let services: TestServices;
  let runner: StreamRunner | null = null;
  let accountId: string;
  let ourPostId: string;

  beforeAll(async () => {
    await peer.start();
    const registry = new ConnectorRegistry();
    registry.register({ ...createMastodonConnector({ requestTimeoutMs: 2_000 }), stream: createMastodonStream({ idleTimeoutMs: 3_000, connectTimeoutMs: 2_000, missingRetryMs: 60_000 }) });
    services = await createTestServices(dialect, { services: { connectors: registry } });
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: `stream-${dialect}@example.test`, name: 'Owner', password: 'a long enough password', owner: true });
    const ctx = { actor: { kind: 'user' as const, userId: created.user.id, via: 'session' as const }, workspaceId: created.workspace!.id, db, services };
    const account = await connectAccount(ctx, { network: 'mastodon', credentials: { serviceUrl: peer.url, accessToken: TOKEN } });
    accountId = account.id;
    ourPostId = '110000000000000001';
    await insertPublishedTarget(db, { workspaceId: ctx.workspaceId, authorId: created.user.id, accountId, network: 'mastodon', externalId: ourPostId, publishedAt: new Date(Date.now() - 3_600_000) });
  });
  afterAll(async () => {
    await runner?.stop();
    await services?.close();
    expect(peer.unexpected).toEqual([]);
    await peer.stop();
  });

  const message = (externalId: string) => services.database.db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).where('external_id', '=', externalId).executeTakeFirst();
  const pollQueued = async () => (await services.queue.liveKeys([syncInboundJobKey(accountId)], { heldWithinMs: 60_000 })).size === 1;

  it('a mention notification arrives through the stream (heartbeats ignored), edits and deletions follow; the polling sync stores nothing twice', async () => {
    runner = startStreamRunner(services, { refreshMs: 100, backoff: { baseMs: 100, capMs: 400 }, healthyPollMs: 600_000 });
    await eventually('the stream connected', async () => runner!.status()[0]?.connected && peer.streams.length === 1);
    // The stream cannot resume: every (re)connect asks for a catch-up poll.
    await eventually('the catch-up poll enqueued', pollQueued);

    const reply = fanStatus('110000000000000100', ourPostId, '<p><span class="h-card"><a href="https://mastodon.social/@Gargron" class="u-url mention">@<span>Gargron</span></a></span> Love it &amp; more</p>');
    const notification = { id: '5000', type: 'mention', created_at: reply.created_at, account: reply.account, status: reply };
    peer.send(null, ':thump');
    peer.send('notification', JSON.stringify({ id: '4999', type: 'favourite', created_at: reply.created_at, account: reply.account, status: fanStatus('110000000000000099', null, '<p>liked</p>') }));
    peer.send('notification', JSON.stringify(notification));
    const got = await eventually('the streamed mention', () => message(reply.id));
    expect(got).toMatchObject({ kind: 'reply', parent_external_id: ourPostId, author_external_id: fan.id, author_handle: fan.acct, author_name: fan.display_name, author_followers: 12, text: '@Gargron Love it & more', url: reply.url });
    expect(got.target_id).not.toBeNull();
    // No poll has run yet (the catch-up poll only waits in the queue), yet a streamed message is live,
    // not back-fill: it gets a first-response target and its event says so.
    expect((await services.database.db.selectFrom('accounts').select('inbound_cursor').where('id', '=', accountId).executeTakeFirstOrThrow()).inbound_cursor).toBeNull();
    expect(got.sla_due_at).not.toBeNull();
    const firstEvent = (await services.database.db.selectFrom('events').select('payload').where('type', '=', 'inbox.message.received').execute()).map((e) => JSON.parse(String(e.payload)) as { externalId?: string; backfill?: boolean }).find((e) => e.externalId === reply.id);
    expect(firstEvent?.backfill).toBe(false);
    // The favourite is not an inbox item.
    expect(await message('110000000000000099')).toBeUndefined();

    peer.send('status.update', JSON.stringify({ ...reply, content: '<p>@Gargron Love it, edited</p>', edited_at: new Date().toISOString() }));
    await eventually('the edit', async () => (await message(reply.id))?.text === '@Gargron Love it, edited');
    expect((await message(reply.id))!.edited_at).not.toBeNull();

    // Polling returns the same mention: deduplicated, one message and one received event.
    peer.notifications = [{ ...notification, status: { ...reply, content: '<p>@Gargron Love it, edited</p>' } }];
    const rep = await syncInbound(services, accountId);
    expect(rep).toMatchObject({ outcome: 'done', received: 0 });
    // The poll set its next due time 2 minutes on; while the stream is healthy the runner puts it off
    // to 10 minutes (healthyPollMs) after that poll.
    const synced = (await services.database.db.selectFrom('accounts').select('inbound_synced_at').where('id', '=', accountId).executeTakeFirstOrThrow()).inbound_synced_at!;
    await runner!.refresh();
    const due = await services.database.db.selectFrom('rate_limit_windows').select('window_start').where('key', '=', `sync-inbound-due:${accountId}`).executeTakeFirstOrThrow();
    expect(Date.parse(due.window_start) - Date.parse(synced)).toBe(600_000);
    const events = await services.database.db.selectFrom('events').select('payload').where('type', '=', 'inbox.message.received').execute();
    expect(events.filter((e) => (JSON.parse(String(e.payload)) as { externalId?: string }).externalId === reply.id)).toHaveLength(1);

    peer.send('delete', reply.id);
    await eventually('the deletion', async () => (await message(reply.id))?.deleted_at != null);
  });

  it('a dropped connection is reopened with backoff and asks for another catch-up poll; a server without /api/v2/instance names its streaming server in v1', async () => {
    peer.instanceV2 = false;
    peer.instanceAsked = [];
    await services.queue.removeByKey(syncInboundJobKey(accountId));
    expect(await pollQueued()).toBe(false);
    const before = runner!.status()[0]!.connections;
    peer.dropStreams();
    await eventually('the reconnect', async () => runner!.status()[0]!.connections === before + 1 && runner!.status()[0]!.connected && peer.streams.length === 1);
    await eventually('the catch-up poll enqueued again', pollQueued);
    const later = fanStatus('110000000000000200', ourPostId, '<p>after the reconnect</p>');
    peer.send('notification', JSON.stringify({ id: '5001', type: 'mention', created_at: later.created_at, account: later.account, status: later }));
    expect(await eventually('the message after the reconnect', () => message(later.id))).toMatchObject({ text: 'after the reconnect', kind: 'reply' });
    expect(peer.instanceAsked).toEqual(['/api/v2/instance', '/api/v1/instance']);
    peer.instanceV2 = true;
  });

  it('a server without the streaming API (404) is asked again only after the long wait; polling carries on', async () => {
    await runner!.stop();
    peer.dropStreams();
    peer.missingStreaming = true;
    const asked = peer.streamRequests;
    runner = startStreamRunner(services, { refreshMs: 100, backoff: { baseMs: 100, capMs: 400 } });
    await eventually('the refused attempt', async () => runner!.status()[0]?.lastError?.includes('no Mastodon streaming API'));
    await new Promise((r) => setTimeout(r, 1_000));
    // With a 100–400 ms backoff there would be several attempts by now; the 60 s floor allows one.
    expect(peer.streamRequests - asked).toBe(1);
    expect(runner.status()[0]!.connected).toBe(false);
    peer.missingStreaming = false;
  });

  it('an account that needs reconnecting leaves: its subscription is closed', async () => {
    await runner!.stop();
    runner = startStreamRunner(services, { refreshMs: 100, backoff: { baseMs: 100, capMs: 400 } });
    await eventually('the stream connected again', async () => runner!.status()[0]?.connected && peer.streams.length === 1);
    await services.database.db.updateTable('accounts').set({ status: 'needs_reconnect' }).where('id', '=', accountId).execute();
    await runner.refresh();
    expect(runner.status()).toEqual([]);
    await eventually('the server sees the stream closed', async () => peer.streams.every((r) => r.destroyed || r.closed));
  });
});
