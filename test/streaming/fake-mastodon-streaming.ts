/**
 * A loopback Mastodon server for the streaming tests, speaking server-sent events exactly as
 * docs.joinmastodon.org/methods/streaming describes them (`GET /api/v1/streaming/user/notification`
 * with the Bearer token; `event:` + `data:` lines; `:thump` heartbeats), plus what connecting and
 * polling need. Entities follow the docs' shapes (test/fixtures/mastodon). Requests it does not expect
 * are answered 500 and listed in `unexpected`, which tests assert empty.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/mastodon/${name}`, import.meta.url), 'utf8')) as T;
export const TOKEN = 'stream-token-123';
export const OUR_ID = '1'; // account-credential.json
export const fan = { id: '777', username: 'fan', acct: 'fan@example.social', display_name: 'A Fan', followers_count: 12 };

/** A status by the fan answering `parentId` (ours) and mentioning us, shaped like status.json. */
export function fanStatus(id: string, parentId: string | null, html: string, extra: Record<string, unknown> = {}) {
  const base = fixture<Record<string, unknown>>('status.json');
  return {
    ...base,
    id,
    created_at: new Date().toISOString(),
    in_reply_to_id: parentId,
    in_reply_to_account_id: parentId ? OUR_ID : null,
    content: html,
    spoiler_text: '',
    language: 'en',
    url: `https://example.social/@fan/${id}`,
    uri: `https://example.social/users/fan/statuses/${id}`,
    account: { ...(base.account as Record<string, unknown>), ...fan },
    mentions: [{ id: OUR_ID, username: 'Gargron', acct: 'Gargron', url: 'https://mastodon.social/@Gargron' }],
    ...extra,
  };
}

/** The loopback server: connect, instance, the notification stream, and the polling endpoints. */
export class FakeStreamingServer {
  server!: Server;
  url = '';
  unexpected: string[] = [];
  streams: ServerResponse[] = [];
  streamRequests = 0;
  notifications: Array<Record<string, unknown>> = [];
  missingStreaming = false;
  /** Whether GET /api/v2/instance exists (Mastodon 4+); without it the v1 document names the streaming server. */
  instanceV2 = true;
  /** Every instance document asked for, in order. */
  instanceAsked: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const authed = req.headers.authorization === `Bearer ${TOKEN}`;
      const route = `${req.method} ${u.pathname}`;
      if (route === 'GET /api/v1/streaming/user/notification') {
        this.streamRequests += 1;
        if (this.missingStreaming) return json(404, { error: 'Not found' });
        if (!authed) return json(401, { error: 'Error: Missing access token' });
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(':)\n');
        this.streams.push(res);
        return;
      }
      if (!authed && route !== 'GET /api/v1/instance' && route !== 'GET /api/v2/instance') return json(401, { error: 'The access token is invalid' });
      if (route === 'GET /api/v1/accounts/verify_credentials') return json(200, fixture('account-credential.json'));
      // The instance says where the streaming server is (v2 `configuration.urls.streaming`, v1
      // `urls.streaming_api`, both wss:// URLs); `instanceV2: false` plays a server without v2.
      const streaming = this.url.replace('http:', 'ws:');
      if (route === 'GET /api/v2/instance' || route === 'GET /api/v1/instance') this.instanceAsked.push(u.pathname);
      if (route === 'GET /api/v2/instance') {
        if (!this.instanceV2) return json(404, { error: 'Record not found' });
        const doc = fixture<{ configuration: Record<string, unknown> }>('instance-v2.json');
        return json(200, { ...doc, configuration: { ...doc.configuration, urls: { streaming } } });
      }
      if (route === 'GET /api/v1/instance') return json(200, { uri: 'mastodon.social', urls: { streaming_api: streaming } });
      if (route === 'GET /api/v1/notifications') return json(200, u.searchParams.get('min_id') ? [] : this.notifications);
      if (req.method === 'GET' && /^\/api\/v1\/statuses\/[^/]+\/context$/.test(u.pathname)) return json(200, { ancestors: [], descendants: [] });
      this.unexpected.push(route);
      json(500, { error: 'unexpected request' });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** Sends one SSE event (or a raw comment line) to every open stream. */
  send(event: string | null, data: string): void {
    const frame = event === null ? `${data}\n\n` : `event: ${event}\n${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`;
    for (const s of this.streams) s.write(frame);
  }
  /** Drops every open stream (a restarting streaming server). */
  dropStreams(): void {
    for (const s of this.streams) s.destroy();
    this.streams = [];
  }
  async stop(): Promise<void> {
    this.dropStreams();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
