/**
 * The Mastodon connector at the HTTP level, against a local fake server that answers with JSON shaped
 * like Mastodon's documentation (test/fixtures/mastodon, README names each doc page). Used only for
 * what the real snac2 server in mastodon-snac.test.ts cannot show — each test name says what snac
 * lacks — and for the error mapping table. Any request the fake does not expect fails the test.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type AccountAuth, type ConnectorContext, type OAuthAppStore } from '../../../src/connectors/connector';
import { createMastodonConnector, type MastodonCredentials, type MastodonSession } from '../../../src/connectors/mastodon/mastodon.connector';
import { htmlToText } from '../../../src/connectors/mastodon/mastodon-api';

const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/mastodon/${name}`, import.meta.url), 'utf8')) as T;

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
type Reply = { status: number; json?: unknown; headers?: Record<string, string> } | 'reset';
interface Route {
  method: string;
  path: string | RegExp;
  reply: (req: Seen) => Reply;
}

/** A fake Mastodon: routes answered in order of declaration; anything else is recorded and fails. */
class FakeMastodon {
  server!: Server;
  url = '';
  routes: Route[] = [];
  seen: Seen[] = [];
  unexpected: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const seen: Seen = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
        this.seen.push(seen);
        const route = this.routes.find((r) => r.method === seen.method && (typeof r.path === 'string' ? r.path === seen.path : r.path.test(seen.path)));
        if (!route) {
          this.unexpected.push(`${seen.method} ${seen.path}`);
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unexpected request' }));
          return;
        }
        const r = route.reply(seen);
        if (r === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) }).end(r.json === undefined ? '' : JSON.stringify(r.json));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  reset(routes: Route[]): void {
    this.routes = routes;
    this.seen = [];
    this.unexpected = [];
  }
  json(i: number): Record<string, unknown> {
    return JSON.parse(this.seen[i]!.body.toString('utf8')) as Record<string, unknown>;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const fake = new FakeMastodon();
const connector = createMastodonConnector({ requestTimeoutMs: 2_000, mediaPollIntervalMs: 10, mediaProcessingTimeoutMs: 500 });
const loopbackOnly: typeof fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const u = new URL(String(input instanceof Request ? input.url : input));
  if (u.hostname !== '127.0.0.1') throw new Error(`test fetch refused ${u.origin}`);
  return fetch(input, init);
}) as typeof fetch;
const ctx: ConnectorContext<MastodonSession> = { fetch: loopbackOnly, saveSession: async () => undefined, defaultServiceUrl: 'http://127.0.0.1:9' };
const TOKEN = 'secret-token-abc';
let auth: AccountAuth<MastodonCredentials, MastodonSession>;
const statusFixture = fixture<Record<string, unknown>>('status.json');
const withId = (id: string, extra: Record<string, unknown> = {}) => ({ ...statusFixture, id, url: `https://mastodon.social/@Gargron/${id}`, ...extra });

beforeAll(async () => {
  await fake.start();
  auth = { accountId: 'a1', externalId: '1', handle: 'Gargron@mastodon.social', serviceUrl: fake.url, credentials: { serviceUrl: fake.url, accessToken: TOKEN }, session: { accountId: '1', username: 'Gargron' } };
});
afterAll(async () => fake.stop());
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

describe('connect (real Mastodon shapes: snac2 has no /api/v2/instance and fewer limits)', () => {
  it('reads the account and every server limit from /api/v2/instance', async () => {
    fake.reset([
      { method: 'GET', path: '/api/v1/accounts/verify_credentials', reply: () => ({ status: 200, json: fixture('account-credential.json') }) },
      { method: 'GET', path: '/api/v2/instance', reply: () => ({ status: 200, json: fixture('instance-v2.json') }) },
    ]);
    const c = await connector.connect({ serviceUrl: `${fake.url}/`, accessToken: TOKEN }, ctx);
    expect(c).toMatchObject({ externalId: '1', handle: `Gargron@127.0.0.1:${new URL(fake.url).port}`, displayName: 'Eugen', expiresAt: null });
    expect(c.networkLimits).toEqual({
      maxCharacters: 500, maxMedia: 4, maxPollOptions: 4, maxPollOptionChars: 50, minPollExpiration: 300, maxPollExpiration: 2629746,
      charactersReservedPerUrl: 23, imageSizeLimit: 10485760, videoSizeLimit: 41943040,
    });
    expect(fake.seen.map((s) => [s.method, s.path, s.headers.authorization])).toEqual([
      ['GET', '/api/v1/accounts/verify_credentials', `Bearer ${TOKEN}`],
      ['GET', '/api/v2/instance', `Bearer ${TOKEN}`],
    ]);
  });

  it.each([
    [401, 'error-401.json', 'auth_expired'],
    [403, 'error-403.json', 'auth_expired'],
    [404, 'error-404.json', 'disconnected'],
    [503, 'error-503.json', 'retryable'],
  ] as const)('HTTP %i on verify_credentials → %s, the token never in the message', async (status, file, kind) => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/verify_credentials', reply: () => ({ status, json: fixture(file) }) }]);
    const e = (await connector.connect({ serviceUrl: fake.url, accessToken: TOKEN }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.kind).toBe(kind);
    expect(e.message).not.toContain(TOKEN);
  });
});

describe('OAuth (snac2 does not check PKCE: the token request is asserted here)', () => {
  it('registers the app once per server, sends PKCE S256 to authorize and the verifier to /oauth/token', async () => {
    fake.reset([
      { method: 'POST', path: '/api/v1/apps', reply: () => ({ status: 200, json: fixture('application.json') }) },
      { method: 'POST', path: '/oauth/token', reply: () => ({ status: 200, json: fixture('token.json') }) },
    ]);
    const stored = new Map<string, Record<string, string>>();
    const apps: OAuthAppStore = { get: async (s) => stored.get(s) ?? null, put: async (s, a) => void stored.set(s, a) };
    const redirectUri = 'https://herald.example/api/v1/oauth/callback/mastodon';
    const b = await connector.oauth!.begin({ serviceUrl: fake.url, redirectUri, state: 'st', codeChallenge: 'challenge-43-chars-aaaaaaaaaaaaaaaaaaaaaaaaa' }, { fetch: loopbackOnly, apps });
    expect(fake.json(0)).toEqual({ client_name: 'Herald', redirect_uris: redirectUri, scopes: 'read write:statuses write:media' });
    const u = new URL(b.authorizeUrl);
    expect(u.pathname).toBe('/oauth/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code', client_id: 'TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM', redirect_uri: redirectUri, scope: 'read write:statuses write:media',
      state: 'st', code_challenge: 'challenge-43-chars-aaaaaaaaaaaaaaaaaaaaaaaaa', code_challenge_method: 'S256',
    });
    const creds = await connector.oauth!.finish({ serviceUrl: fake.url, redirectUri, code: 'the-code', codeVerifier: 'the-verifier', keep: b.keep ?? {}, params: {} }, { fetch: loopbackOnly, apps });
    expect(creds).toEqual({ serviceUrl: fake.url, accessToken: 'ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0' });
    expect(Object.fromEntries(new URLSearchParams(fake.seen[1]!.body.toString()))).toEqual({
      grant_type: 'authorization_code', code: 'the-code', client_id: 'TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM',
      client_secret: 'ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw', redirect_uri: redirectUri, code_verifier: 'the-verifier', scope: 'read write:statuses write:media',
    });
    // A second sign-in on the same server reuses the app; a rejected code is auth_expired.
    fake.reset([{ method: 'POST', path: '/oauth/token', reply: () => ({ status: 400, json: fixture('error-oauth-invalid-grant.json') }) }]);
    await connector.oauth!.begin({ serviceUrl: `${fake.url}/`, redirectUri, state: 's2', codeChallenge: 'c' }, { fetch: loopbackOnly, apps });
    const e = (await connector.oauth!.finish({ serviceUrl: fake.url, redirectUri, code: 'old', codeVerifier: 'v', keep: {}, params: {} }, { fetch: loopbackOnly, apps }).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('auth_expired');
    expect(fake.seen.map((s) => s.path)).toEqual(['/oauth/token']);
  });
});

describe('publish (what snac2 ignores: polls, focus, asynchronous media processing, Idempotency-Key)', () => {
  it('a poll (snac2 cannot create polls through its API): options, expires_in, multiple, Idempotency-Key', async () => {
    fake.reset([{ method: 'POST', path: '/api/v1/statuses', reply: () => ({ status: 200, json: fixture('status-with-poll.json') }) }]);
    const r = await connector.publish({ auth, variant: { text: 'Accept or deny?', poll: { options: ['accept', 'deny'], durationSeconds: 3600, multiple: true }, langs: ['en'], options: { visibility: 'unlisted' } }, idempotencyKey: 'target-1', createdAt: '2026-01-01T00:00:00Z' }, ctx);
    expect(r).toEqual({ externalId: '103270115826048975', url: 'https://mastodon.social/@Gargron/103270115826048975' });
    expect(fake.seen[0]!.headers['idempotency-key']).toBe('target-1:0');
    expect(fake.json(0)).toEqual({ status: 'Accept or deny?', visibility: 'unlisted', language: 'en', poll: { options: ['accept', 'deny'], expires_in: 3600, multiple: true } });
  });

  it('media processed asynchronously (snac2 answers uploads at once): 202, then 206 until done; alt text and focus sent', async () => {
    let polls = 0;
    fake.reset([
      { method: 'POST', path: '/api/v2/media', reply: () => ({ status: 202, json: fixture('media-attachment-processing.json') }) },
      { method: 'GET', path: '/api/v1/media/22345792', reply: () => (++polls < 3 ? { status: 206, json: fixture('media-attachment-processing.json') } : { status: 200, json: fixture('media-attachment.json') }) },
      { method: 'POST', path: '/api/v1/statuses', reply: () => ({ status: 200, json: withId('42') }) },
    ]);
    const data = Buffer.from('GIF89a');
    await connector.publish({ auth, variant: { text: 'A picture', media: [{ mimeType: 'image/gif', sizeBytes: data.length, alt: 'test media description', data }], options: { focus: '-0.42,0.69', sensitive: true, contentWarning: 'eye strain' } }, idempotencyKey: 't2', createdAt: '2026-01-01T00:00:00Z' }, ctx);
    expect(fake.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /api/v2/media', 'GET /api/v1/media/22345792', 'GET /api/v1/media/22345792', 'GET /api/v1/media/22345792', 'POST /api/v1/statuses']);
    const form = fake.seen[0]!.body.toString('latin1');
    expect(fake.seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(form).toMatch(/name="description"\r\n\r\ntest media description\r\n/);
    expect(form).toMatch(/name="focus"\r\n\r\n-0\.42,0\.69\r\n/);
    expect(form).toMatch(/name="file"; filename="attachment-1\.gif"\r\nContent-Type: image\/gif\r\n\r\nGIF89a\r\n/);
    expect(fake.json(4)).toEqual({ status: 'A picture', spoiler_text: 'eye strain', media_ids: ['22345792'], sensitive: true });
  });

  it('media still processing after the wait is retryable (no status is posted)', async () => {
    fake.reset([
      { method: 'POST', path: '/api/v2/media', reply: () => ({ status: 202, json: fixture('media-attachment-processing.json') }) },
      { method: 'GET', path: '/api/v1/media/22345792', reply: () => ({ status: 206, json: fixture('media-attachment-processing.json') }) },
    ]);
    const data = Buffer.from('GIF89a');
    const e = (await connector.publish({ auth, variant: { text: 'x', media: [{ mimeType: 'image/gif', sizeBytes: 6, alt: '', data }] }, idempotencyKey: 't3', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('retryable');
    expect(e.message).toContain('still processing');
    expect(fake.seen.some((s) => s.path === '/api/v1/statuses')).toBe(false);
  });

  it('Idempotency-Key per thread part (snac2 ignores the header): a re-run after a failed part 3 gets Mastodon’s stored statuses back and posts only part 3', async () => {
    // Mastodon's documented behaviour: the same Idempotency-Key within an hour returns the same status.
    const byKey = new Map<string, Record<string, unknown>>();
    const created: string[] = [];
    let failPart3 = true;
    let next = 100;
    fake.reset([
      {
        method: 'POST',
        path: '/api/v1/statuses',
        reply: (req) => {
          const key = String(req.headers['idempotency-key']);
          if (byKey.has(key)) return { status: 200, json: byKey.get(key) };
          const body = JSON.parse(req.body.toString()) as { status: string; in_reply_to_id?: string };
          if (key.endsWith(':2') && failPart3) return { status: 503, json: fixture('error-503.json') };
          const s = withId(String(next++), { content: `<p>${body.status}</p>`, in_reply_to_id: body.in_reply_to_id ?? null });
          byKey.set(key, s);
          created.push(String(s.id));
          return { status: 200, json: s };
        },
      },
      {
        method: 'GET',
        path: /^\/api\/v1\/statuses\/\d+\/context$/,
        reply: (req) => {
          const id = req.path.split('/')[4];
          const descendants = [...byKey.values()].filter((s) => s.in_reply_to_id === id);
          return { status: 200, json: { ancestors: [], descendants } };
        },
      },
    ]);
    const variant = { text: 'Part 1', thread: ['Part 2', 'Part 3'] };
    const e = (await connector.publish({ auth, variant, idempotencyKey: 'thr', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
    expect(e.message).toContain('the first 2 parts are published: https://mastodon.social/@Gargron/100');
    failPart3 = false;
    const r = await connector.publish({ auth, variant, idempotencyKey: 'thr', createdAt: '2026-01-01T00:00:00Z' }, ctx);
    expect(r.externalId).toBe('100');
    expect(created).toEqual(['100', '101', '102']);
    const posts = fake.seen.filter((s) => s.method === 'POST').map((s) => s.headers['idempotency-key']);
    expect(posts).toEqual(['thr:0', 'thr:1', 'thr:2', 'thr:0', 'thr:2']);
    expect(byKey.get('thr:2')!.in_reply_to_id).toBe('101');
  });

  it('refuses an over-long status before sending anything, with the server limits stored in the session', async () => {
    fake.reset([]);
    const e = (await connector.publish({ auth: { ...auth, session: { ...auth.session!, limits: { maxCharacters: 20 } } }, variant: { text: 'x'.repeat(21) }, idempotencyKey: 't', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('this server allows 20');
  });
});

describe('delete, follower counts and comment kinds (snac2: DELETE answers 404, followers_count always 0, context lists direct replies only)', () => {
  it('DELETE /api/v1/statuses/:id (snac2 cannot delete through its API); a status already gone counts as deleted', async () => {
    fake.reset([{ method: 'DELETE', path: '/api/v1/statuses/103270115826048975', reply: () => ({ status: 200, json: { ...statusFixture, text: 'source text' } }) }]);
    await connector.delete!({ auth, externalId: '103270115826048975' }, ctx);
    expect(fake.seen.map((s) => [s.method, s.path, s.headers.authorization])).toEqual([['DELETE', '/api/v1/statuses/103270115826048975', `Bearer ${TOKEN}`]]);
    fake.reset([
      { method: 'DELETE', path: '/api/v1/statuses/9', reply: () => ({ status: 404, json: fixture('error-404.json') }) },
      { method: 'GET', path: '/api/v1/statuses/9', reply: () => ({ status: 404, json: fixture('error-404.json') }) },
    ]);
    await connector.delete!({ auth, externalId: '9' }, ctx);
  });

  it('account counts (snac2 always reports followers_count 0): followers, following and statuses from verify_credentials', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/verify_credentials', reply: () => ({ status: 200, json: fixture('account-credential.json') }) }]);
    expect(await connector.metrics!.account({ auth }, ctx)).toEqual({ followers: 322930, following: 459, posts: 61323 });
  });

  it('post counts include poll votes; statuses the server no longer has are left out', async () => {
    fake.reset([
      { method: 'GET', path: '/api/v1/statuses/103270115826048975', reply: () => ({ status: 200, json: fixture('status-with-poll.json') }) },
      { method: 'GET', path: '/api/v1/statuses/404', reply: () => ({ status: 404, json: fixture('error-404.json') }) },
    ]);
    expect(await connector.metrics!.posts({ auth, externalIds: ['103270115826048975', '404'] }, ctx)).toEqual({
      '103270115826048975': { likes: 11, shares: 6, comments: 5, pollVotes: 10 },
    });
  });

  it('replies deeper in a thread (Mastodon lists all descendants): a reply to someone else under our post is a comment', async () => {
    const other = { ...(statusFixture.account as Record<string, unknown>), id: '77', acct: 'carol@example.org', username: 'carol' };
    const a = withId('201', { in_reply_to_id: '103270115826048975', in_reply_to_account_id: '1', account: other, content: '<p>first &amp; <b>bold</b></p><p>second</p>', created_at: '2026-01-01T10:00:00.000Z' });
    const b = withId('202', { in_reply_to_id: '201', in_reply_to_account_id: '77', account: { ...other, id: '78', acct: 'dave' }, content: '<p>agreed</p>', created_at: '2026-01-01T10:01:00.000Z' });
    fake.reset([
      { method: 'GET', path: '/api/v1/statuses/103270115826048975/context', reply: () => ({ status: 200, json: { ancestors: [], descendants: [a, b] } }) },
      { method: 'GET', path: '/api/v1/notifications', reply: () => ({ status: 200, json: [] }) },
    ]);
    const r = await connector.comments!.fetch({ auth, cursor: null, posts: [{ externalId: '103270115826048975', publishedAt: '2026-01-01T09:00:00Z' }] }, ctx);
    expect(r.items.map((i) => [i.externalId, i.kind, i.parentExternalId, i.rootExternalId, i.text])).toEqual([
      ['201', 'reply', '103270115826048975', '103270115826048975', 'first & bold\n\nsecond'],
      ['202', 'comment', '201', '103270115826048975', 'agreed'],
    ]);
    expect(fake.seen[1]!.query.getAll('types[]')).toEqual(['mention']);
  });
});

describe('comments cursor (timing that snac2 shows only by chance)', () => {
  it('a reply first seen as a mention notification is not delivered again when it later shows up under the post', async () => {
    const me = statusFixture.account as Record<string, unknown>;
    const bob = { ...me, id: '2', acct: 'bob@example.org', username: 'bob' };
    const reply = withId('301', { in_reply_to_id: '103270115826048975', in_reply_to_account_id: '1', account: bob, content: '<p>@Gargron hi</p>' });
    const mention = { id: '9001', type: 'mention', created_at: '2026-01-01T10:00:00.000Z', account: bob, status: reply };
    const posts = [{ externalId: '103270115826048975', publishedAt: '2026-01-01T09:00:00Z' }];
    fake.reset([
      { method: 'GET', path: '/api/v1/statuses/103270115826048975/context', reply: () => ({ status: 200, json: { ancestors: [], descendants: [] } }) },
      { method: 'GET', path: '/api/v1/notifications', reply: () => ({ status: 200, json: [mention] }) },
    ]);
    const first = await connector.comments!.fetch({ auth, cursor: null, posts }, ctx);
    expect(first.items.map((i) => [i.externalId, i.kind, i.rootExternalId])).toEqual([['301', 'reply', '103270115826048975']]);
    fake.reset([
      { method: 'GET', path: '/api/v1/statuses/103270115826048975/context', reply: () => ({ status: 200, json: { ancestors: [], descendants: [reply] } }) },
      { method: 'GET', path: '/api/v1/notifications', reply: (req) => ({ status: 200, json: req.query.get('min_id') === '9001' ? [] : [mention] }) },
    ]);
    const second = await connector.comments!.fetch({ auth, cursor: first.cursor, posts }, ctx);
    expect(second.items).toEqual([]);
    expect(fake.seen[1]!.query.get('min_id')).toBe('9001');
  });
});

describe('error mapping table (HTTP level)', () => {
  const now = Date.now();
  const cases: Array<[string, Reply, { kind: string; outcomeUnknown?: boolean; retryAfterMin?: number; retryAfterMax?: number; text?: string }]> = [
    ['401 invalid token', { status: 401, json: fixture('error-401.json') }, { kind: 'auth_expired', outcomeUnknown: undefined }],
    ['403 outside scopes', { status: 403, json: fixture('error-403.json') }, { kind: 'auth_expired' }],
    ['404 account gone', { status: 404, json: fixture('error-404.json') }, { kind: 'disconnected' }],
    ['410 account gone', { status: 410, json: fixture('error-404.json') }, { kind: 'disconnected' }],
    ['422 validation', { status: 422, json: fixture('error-422.json') }, { kind: 'invalid_content', text: 'Text character limit of 500 exceeded' }],
    ['429 X-RateLimit-Reset', { status: 429, json: fixture('error-429.json'), headers: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(now + 120_000).toISOString() } }, { kind: 'rate_limited', retryAfterMin: 100_000, retryAfterMax: 121_000 }],
    ['429 Retry-After', { status: 429, json: fixture('error-429.json'), headers: { 'retry-after': '30' } }, { kind: 'rate_limited', retryAfterMin: 30_000, retryAfterMax: 30_000 }],
    ['500', { status: 500, json: { error: 'Internal Server Error' } }, { kind: 'retryable', outcomeUnknown: true }],
    ['502', { status: 502, json: { error: 'Bad Gateway' } }, { kind: 'retryable', outcomeUnknown: true }],
    ['503', { status: 503, json: fixture('error-503.json') }, { kind: 'retryable', outcomeUnknown: true }],
    ['connection reset after sending', 'reset', { kind: 'retryable', outcomeUnknown: true }],
  ];
  it.each(cases)('publish: %s', async (_name, reply, want) => {
    fake.reset([{ method: 'POST', path: '/api/v1/statuses', reply: () => reply }]);
    const e = (await connector.publish({ auth, variant: { text: 'hello' }, idempotencyKey: 'k', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.kind).toBe(want.kind);
    expect(e.opts.outcomeUnknown).toBe(want.outcomeUnknown);
    if (want.retryAfterMin !== undefined) {
      expect(e.opts.retryAfterMs).toBeGreaterThanOrEqual(want.retryAfterMin);
      expect(e.opts.retryAfterMs).toBeLessThanOrEqual(want.retryAfterMax!);
    }
    if (want.text) expect(e.message).toContain(want.text);
    expect(e.message).not.toContain(TOKEN);
  });

  it('publish: nothing listening (connection refused) is retryable and certainly not sent', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = { ...auth, credentials: { serviceUrl: `http://127.0.0.1:${port}`, accessToken: TOKEN } };
    const e = (await connector.publish({ auth: dead, variant: { text: 'hello' }, idempotencyKey: 'k', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', false]);
  });

  it('publish: a timeout after sending is an unknown outcome', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const quick = createMastodonConnector({ requestTimeoutMs: 200 });
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const e = (await quick.publish({ auth: { ...auth, credentials: { serviceUrl: url, accessToken: TOKEN } }, variant: { text: 'hello' }, idempotencyKey: 'k', createdAt: '2026-01-01T00:00:00Z' }, ctx).catch((x: unknown) => x)) as ConnectorError;
      expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', true]);
      expect(e.message).toContain('timed out');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('reads (metrics) never claim an unknown outcome, and 404 of a status there is not a disconnect', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/verify_credentials', reply: () => ({ status: 502, json: { error: 'Bad Gateway' } }) }]);
    const e = (await connector.metrics!.account({ auth }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', false]);
  });
});

describe('htmlToText', () => {
  it('turns status HTML into plain text without ever producing markup', () => {
    expect(htmlToText('<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>')).toBe('a <script>alert(1)</script> b');
    expect(htmlToText('<p>one<br>two</p><p>three</p>')).toBe('one\ntwo\n\nthree');
    expect(htmlToText('<p><span class="h-card"><a href="https://x/@bob" class="u-url mention">@<span>bob</span></a></span> hi &#128512; &amp;amp;</p>')).toBe('@bob hi 😀 &amp;');
    expect(htmlToText('2 < 3 & <script>evil()</script>ok')).toBe('2 < 3 & ok');
  });
});
