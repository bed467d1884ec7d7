/**
 * Mastodon's publicData capability at the HTTP level against a local fake answering with doc-shaped
 * fixtures (test/fixtures/mastodon-public): snac2, the real server other Mastodon tests use, reports 0
 * followers and no counts worth benchmarking, and only one test file at a time may run it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type PublicDataContext } from '../../../src/connectors/connector';
import { createMastodonConnector } from '../../../src/connectors/mastodon/mastodon.connector';
import { mastodonAddressFrom } from '../../../src/connectors/mastodon/mastodon-public';
import { loopbackOnlyFetch } from '../../support/test-app';
import { FakePublicMastodon, publicFixture } from '../../competitors/fake-public-mastodon';

const fake = new FakePublicMastodon();
const publicData = createMastodonConnector({ requestTimeoutMs: 2_000 }).publicData!;
const ctx: PublicDataContext = { fetch: loopbackOnlyFetch };
const account = publicFixture<Record<string, unknown>>('account-lookup.json');
const statuses = publicFixture<Array<Record<string, unknown>>>('account-statuses.json');

beforeAll(async () => fake.start());
afterAll(async () => fake.stop());
afterEach(() => expect(fake.unexpected).toEqual([]));

describe('mastodonAddressFrom', () => {
  it.each([
    ['@Gargron@mastodon.social', { serverUrl: 'https://mastodon.social', username: 'Gargron' }],
    ['Gargron@mastodon.social', { serverUrl: 'https://mastodon.social', username: 'Gargron' }],
    ['https://mastodon.social/@Gargron', { serverUrl: 'https://mastodon.social', username: 'Gargron' }],
    ['https://mastodon.social/@Gargron/103270115826048975', { serverUrl: 'https://mastodon.social', username: 'Gargron' }],
    ['https://mastodon.social/users/Gargron', { serverUrl: 'https://mastodon.social', username: 'Gargron' }],
    ['http://127.0.0.1:8080/@rival', { serverUrl: 'http://127.0.0.1:8080', username: 'rival' }],
    ['  @a_b@social.example.org ', { serverUrl: 'https://social.example.org', username: 'a_b' }],
  ])('%s', (q, expected) => expect(mastodonAddressFrom(q)).toEqual(expected));

  it.each(['Gargron', '@Gargron', 'https://mastodon.social/about', 'not a handle@', 'ftp://x.example/@a', ''])('rejects %j', (q) => expect(mastodonAddressFrom(q)).toBeNull());
});

describe('lookup', () => {
  it('reads the account from its home server without a token', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 200, json: account }) }]);
    const a = await publicData.lookup({ query: `${fake.url}/@Gargron` }, ctx);
    expect(a).toEqual({ externalId: '1', handle: `Gargron@127.0.0.1:${new URL(fake.url).port}`, displayName: 'Eugen', followers: 322930, serviceUrl: fake.url, url: 'https://mastodon.social/@Gargron' });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]!.query.get('acct')).toBe('Gargron');
    expect(fake.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('a refresh by handle keeps the stored server (its scheme and port)', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 200, json: account }) }]);
    const a = await publicData.lookup({ query: `Gargron@127.0.0.1:${new URL(fake.url).port}`, serviceUrl: fake.url }, ctx);
    expect(a.externalId).toBe('1');
  });

  it('an unknown account is invalid_content naming the server', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 404, json: publicFixture('error-404.json') }) }]);
    const e = await publicData.lookup({ query: `${fake.url}/@nobody` }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'invalid_content', message: `No account @nobody was found on 127.0.0.1:${new URL(fake.url).port}` });
  });

  it('a server that hides public data says so in words', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 401, json: publicFixture('error-401.json') }) }]);
    const e = (await publicData.lookup({ query: `${fake.url}/@Gargron` }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('does not show public data without signing in (HTTP 401: This method requires an authenticated user)');
  });

  it('something that is not an address never reaches the network', async () => {
    fake.reset([]);
    await expect(publicData.lookup({ query: 'Gargron' }, ctx)).rejects.toThrow('is not a Mastodon address');
    expect(fake.seen).toEqual([]);
  });

  it('a rate limit is rate_limited with the reset time', async () => {
    const reset = new Date(Date.now() + 120_000).toISOString();
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 429, json: { error: 'Too many requests' }, headers: { 'x-ratelimit-reset': reset } }) }]);
    const e = (await publicData.lookup({ query: `${fake.url}/@Gargron` }, ctx).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('rate_limited');
    expect(e.opts.retryAfterMs).toBeGreaterThan(100_000);
  });
});

describe('posts', () => {
  const who = () => ({ externalId: '1', handle: 'Gargron@mastodon.social', serviceUrl: fake.url });

  it('maps each status: content type, hashtags, counts, text; a boost is a repost without counts', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/1/statuses', reply: () => ({ status: 200, json: statuses }) }]);
    const posts = await publicData.posts({ account: who(), limit: 7 }, ctx);
    expect(fake.seen[0]!.query.get('exclude_replies')).toBe('true');
    expect(fake.seen[0]!.query.get('limit')).toBe('7');
    expect(fake.seen[0]!.headers.authorization).toBeUndefined();
    expect(posts.map((p) => [p.externalId, p.contentType])).toEqual([
      ['103270115826048975', 'text'],
      ['103270115826048974', 'photo'],
      ['103270115826048973', 'carousel'],
      ['103270115826048972', 'video'],
      ['103270115826048971', 'poll'],
      ['103270115826048970', 'link'],
      ['103270115826048969', 'repost'],
    ]);
    expect(posts[0]).toEqual({
      externalId: '103270115826048975',
      url: 'https://mastodon.social/@Gargron/103270115826048975',
      createdAt: '2019-12-08T03:48:33.901Z',
      text: 'New release #herald & #SMM',
      contentType: 'text',
      hashtags: ['herald', 'smm'],
      likes: 11,
      shares: 6,
      comments: 5,
      quotes: null,
      views: null,
    });
    expect(posts[5]!.text).toBe('spoilers\n\n"I lost my inheritance with one wrong digit on my sort code"');
    expect(posts[6]).toMatchObject({ text: 'Boosted from someone else', url: 'https://mastodon.social/@Gargron/103254962155278888', likes: null, shares: null, comments: null, quotes: null, views: null });
  });

  it('pages with max_id (40 per page) until the limit', async () => {
    const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ ...statuses[0], id: String(from - i) }));
    fake.reset([
      {
        method: 'GET',
        path: '/api/v1/accounts/1/statuses',
        reply: (r) => ({ status: 200, json: r.query.get('max_id') === null ? page(1000, 40) : r.query.get('max_id') === '961' ? page(960, 40) : page(920, 3) }),
      },
    ]);
    const posts = await publicData.posts({ account: who(), limit: 83 }, ctx);
    expect(posts).toHaveLength(83);
    expect(fake.seen.map((s) => [s.query.get('max_id'), s.query.get('limit')])).toEqual([
      [null, '40'],
      ['961', '40'],
      ['921', '3'],
    ]);
  });

  it('stops at the end of the timeline', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/1/statuses', reply: (r) => ({ status: 200, json: r.query.get('max_id') ? [] : statuses.slice(0, 2) }) }]);
    expect(await publicData.posts({ account: who(), limit: 100 }, ctx)).toHaveLength(2);
    expect(fake.seen).toHaveLength(2);
  });

  it('a deleted account is invalid_content', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/1/statuses', reply: () => ({ status: 404, json: publicFixture('error-404.json') }) }]);
    await expect(publicData.posts({ account: who(), limit: 10 }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message: 'The Mastodon account Gargron@mastodon.social no longer exists' });
  });

  it('a server failure is retryable', async () => {
    fake.reset([{ method: 'GET', path: '/api/v1/accounts/1/statuses', reply: () => ({ status: 503, json: { error: 'Service unavailable' } }) }]);
    await expect(publicData.posts({ account: who(), limit: 10 }, ctx)).rejects.toMatchObject({ kind: 'retryable' });
  });
});

describe('links from the server', () => {
  it('keeps only http(s) links (a javascript: URL never reaches the UI)', async () => {
    fake.reset([
      { method: 'GET', path: '/api/v1/accounts/lookup', reply: () => ({ status: 200, json: { ...account, url: 'javascript:alert(1)' } }) },
      { method: 'GET', path: '/api/v1/accounts/1/statuses', reply: () => ({ status: 200, json: [{ ...statuses[0], url: 'javascript:alert(1)', uri: 'data:text/html,x' }] }) },
    ]);
    expect((await publicData.lookup({ query: `${fake.url}/@Gargron` }, ctx)).url).toBeNull();
    const [p] = await publicData.posts({ account: { externalId: '1', handle: 'Gargron@mastodon.social', serviceUrl: fake.url }, limit: 1 }, ctx);
    expect(p!.url).toBeNull();
  });
});
