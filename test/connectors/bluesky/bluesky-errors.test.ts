/**
 * Failure mapping of the Bluesky connector, against a loopback HTTP server that answers like a PDS
 * under conditions a real local PDS cannot be made to produce on demand (rate limits, outages,
 * takedowns, hangs, dropped connections).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlueskyConnector, type BlueskyCredentials, type BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import { ConnectorError, type AccountAuth, type ConnectorContext } from '../../../src/connectors/connector';
import { loopbackFetch } from './loopback-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base = '';
let handler: Handler = (_q, res) => res.end();
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// Generous enough that a loaded CI machine never times out a request that does get answered; the hang
// test builds its own short-timeout connector.
const connector = createBlueskyConnector({ requestTimeoutMs: 10_000, uploadTimeoutMs: 10_000 });
const impatient = createBlueskyConnector({ requestTimeoutMs: 400, uploadTimeoutMs: 400 });
const session: BlueskySession = { accessJwt: 'a.b.c', refreshJwt: 'r.e.f', did: 'did:plc:fake', handle: 'fake.test' };
const auth = (): AccountAuth<BlueskyCredentials, BlueskySession> => ({
  accountId: 'a1',
  externalId: session.did,
  handle: session.handle,
  serviceUrl: base,
  credentials: { identifier: 'fake.test', appPassword: 'app-pass' },
  session,
});
const ctx = (signal?: AbortSignal): ConnectorContext<BlueskySession> => ({ fetch: loopbackFetch(), saveSession: async () => undefined, defaultServiceUrl: base, ...(signal ? { signal } : {}) });
const publish = (signal?: AbortSignal) => connector.publish({ auth: auth(), variant: { text: 'hello' }, idempotencyKey: 'k1', createdAt: '2026-11-26T10:00:00Z' }, ctx(signal));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const notFound = (res: ServerResponse) => json(res, 400, { error: 'RecordNotFound', message: 'Could not locate record' });

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

describe('bluesky failure mapping', () => {
  it('429 → rate_limited with retryAfterMs from ratelimit-reset (epoch seconds)', async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    handler = (req, res) =>
      req.url?.includes('createRecord')
        ? json(res, 429, { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, { 'ratelimit-reset': String(reset), 'ratelimit-remaining': '0' })
        : notFound(res);
    const e = await failure(publish());
    expect(e.kind).toBe('rate_limited');
    expect(e.opts.retryAfterMs).toBeGreaterThan(115_000);
    expect(e.opts.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('429 with only Retry-After seconds', async () => {
    handler = (_req, res) => json(res, 429, { error: 'RateLimitExceeded', message: 'slow down' }, { 'retry-after': '7' });
    const e = await failure(publish());
    expect(e.kind).toBe('rate_limited');
    expect(e.opts.retryAfterMs).toBe(7000);
  });

  it('5xx → retryable; a 502 on the create may hide a write, so the outcome is unknown', async () => {
    handler = (req, res) => (req.url?.includes('createRecord') ? json(res, 503, { error: 'NotEnoughResources', message: 'busy' }) : notFound(res));
    const e503 = await failure(publish());
    expect([e503.kind, e503.opts.outcomeUnknown]).toEqual(['retryable', false]);
    handler = (req, res) => (req.url?.includes('createRecord') ? res.writeHead(502).end('<html>bad gateway</html>') : notFound(res));
    const e502 = await failure(publish());
    expect([e502.kind, e502.opts.outcomeUnknown]).toEqual(['retryable', true]);
    expect(e502.message).toContain('HTTP 502');
  });

  it('a failed create whose record turns out to exist counts as published', async () => {
    seen.length = 0;
    handler = (req, res) => {
      if (req.url?.includes('createRecord')) return json(res, 500, { error: 'InternalServerError', message: 'Internal Server Error' });
      if (req.url?.includes('getRecord')) return json(res, 200, { uri: 'at://did:plc:fake/app.bsky.feed.post/3abc', cid: 'bafy', value: {} });
      return notFound(res);
    };
    expect(await publish()).toEqual({ externalId: 'at://did:plc:fake/app.bsky.feed.post/3abc', url: expect.stringContaining('https://bsky.app/profile/fake.test/post/') });
    expect(seen).toEqual(['POST /xrpc/com.atproto.repo.createRecord', 'GET /xrpc/com.atproto.repo.getRecord']);
  });

  it('400 InvalidRequest on the record → invalid_content with the network\'s words', async () => {
    handler = (req, res) =>
      req.url?.includes('createRecord') ? json(res, 400, { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: something odd' }) : notFound(res);
    const e = await failure(publish());
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('Invalid app.bsky.feed.post record: something odd');
    expect(e.opts.networkCode).toBe('InvalidRequest');
  });

  it('AccountTakedown / AccountDeactivated → disconnected', async () => {
    for (const code of ['AccountTakedown', 'AccountDeactivated']) {
      handler = (_req, res) => json(res, 400, { error: code, message: 'Account has been suspended' });
      expect((await failure(publish())).kind).toBe('disconnected');
    }
  });

  it('a request that hangs after it was sent → retryable with an unknown outcome', async () => {
    handler = (req, res) => {
      if (!req.url?.includes('createRecord')) return notFound(res);
      // never answers
    };
    const t0 = Date.now();
    const e = await failure(impatient.publish({ auth: auth(), variant: { text: 'hello' }, idempotencyKey: 'k1', createdAt: '2026-11-26T10:00:00Z' }, ctx()));
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a connection dropped after the request was read → retryable with an unknown outcome', async () => {
    handler = (req, res) => (req.url?.includes('createRecord') ? req.socket.destroy() : notFound(res));
    const e = await failure(publish());
    expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', true]);
  });

  it('the caller\'s abort signal stops a slow request', async () => {
    handler = () => undefined;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const slow = createBlueskyConnector({ requestTimeoutMs: 30_000 });
    const t0 = Date.now();
    const e = await failure(slow.publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k2', createdAt: '2026-11-26T10:00:00Z' }, ctx(ac.signal)));
    expect(e.kind).toBe('retryable');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('an unresolvable mention just gets no facet; a failing resolver is retryable, not silently dropped', async () => {
    let record: { facets?: unknown[] } = {};
    handler = (req, res, body) => {
      if (req.url?.includes('resolveHandle')) return json(res, 400, { error: 'InvalidRequest', message: 'Unable to resolve handle' });
      if (req.url?.includes('createRecord')) {
        record = (JSON.parse(body) as { record: typeof record }).record;
        return json(res, 200, { uri: 'at://did:plc:fake/app.bsky.feed.post/3abc', cid: 'bafy' });
      }
      return notFound(res);
    };
    await connector.publish({ auth: auth(), variant: { text: 'hi @ghost.test #tag' }, idempotencyKey: 'k3', createdAt: '2026-11-26T10:00:00Z' }, ctx());
    expect(record.facets).toEqual([{ $type: 'app.bsky.richtext.facet', index: { byteStart: 15, byteEnd: 19 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tag' }] }]);
    handler = (req, res) => (req.url?.includes('resolveHandle') ? json(res, 503, { error: 'Unavailable', message: 'down' }) : notFound(res));
    const e = await failure(connector.publish({ auth: auth(), variant: { text: 'hi @ghost.test' }, idempotencyKey: 'k4', createdAt: '2026-11-26T10:00:00Z' }, ctx()));
    expect(e.kind).toBe('retryable');
  });

  it('a service URL that is not a PDS (404 with no XRPC error) → disconnected', async () => {
    handler = (_req, res) => res.writeHead(404).end('not here');
    expect((await failure(publish())).kind).toBe('disconnected');
  });
});
