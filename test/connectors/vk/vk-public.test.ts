/**
 * VK's publicData capability (service token) at the HTTP level, against a local fake answering with
 * the doc-shaped fixtures in test/fixtures/vk-public. Every call is a form POST with the token in the
 * body; any request the fake does not expect fails the test.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicDataContext } from '../../../src/connectors/connector';
import { createVkPublicData, vkCommunityFrom } from '../../../src/connectors/vk/vk-public';
import { loopbackOnlyFetch } from '../../support/test-app';
import { useLoopbackServer } from '../../support/loopback-server';

const fx = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/vk-public/${name}`, import.meta.url), 'utf8')) as T;
const TOKEN = 'service-token-xyz';

type Handler = (params: URLSearchParams) => unknown;
let base = '';
let handlers: Record<string, Handler> = {};
const seen: Array<{ method: string; params: URLSearchParams }> = [];
const unexpected: string[] = [];

useLoopbackServer(
  (req, res, body) => {
    const method = (req.url ?? '').replace(/^\/method\//, '');
    const params = new URLSearchParams(body);
    seen.push({ method, params });
    const h = req.method === 'POST' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? handlers[method] : undefined;
    if (!h) {
      unexpected.push(`${req.method} ${req.url}`);
      res.writeHead(500).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(h(params)));
  },
  (url) => (base = `${url}/method`),
);
afterEach(() => {
  expect(unexpected).toEqual([]);
  seen.length = 0;
  unexpected.length = 0;
});

const ctx: PublicDataContext = { fetch: loopbackOnlyFetch };
const vk = () => createVkPublicData({ apiBaseUrl: base, serviceToken: TOKEN, requestTimeoutMs: 2_000 });

describe('vkCommunityFrom', () => {
  it.each([
    ['https://vk.com/apiclub', 'apiclub'],
    ['vk.com/club1', '1'],
    ['https://m.vk.com/public1?w=wall-1_2', '1'],
    ['apiclub', 'apiclub'],
    ['-1', '1'],
    ['@apiclub', 'apiclub'],
  ])('%s → %s', (q, v) => expect(vkCommunityFrom(q)).toBe(v));
  it.each(['https://vk.com/id1', 'id1', 'a', 'not a group!', 'https://example.com/apiclub'])('rejects %j', (q) => expect(vkCommunityFrom(q)).toBeNull());
});

describe('lookup', () => {
  it('reads the community with members_count; the token travels in the body', async () => {
    handlers = { 'groups.getById': () => fx<{ body: unknown }>('groups.getById-service.json').body };
    const a = await vk().lookup({ query: 'https://vk.com/apiclub' }, ctx);
    expect(a).toEqual({ externalId: '-1', handle: 'apiclub', displayName: 'VK API', followers: 1520387, serviceUrl: null, url: 'https://vk.com/apiclub' });
    expect(seen).toHaveLength(1);
    expect(Object.fromEntries(seen[0]!.params)).toEqual({ group_id: 'apiclub', fields: 'members_count', v: '5.199', access_token: TOKEN });
  });

  it.each([
    ['a closed community', () => fx<{ body: unknown }>('groups.getById-closed.json').body, 'The VK community "closedclub" is closed: its wall is not public', 'closedclub'],
    ['an unknown community (error 100)', () => fx<{ body100: unknown }>('errors.json').body100, 'No VK community "nosuchgroup" was found', 'nosuchgroup'],
  ])('%s is invalid_content in words', async (_n, answer, message, q) => {
    handlers = { 'groups.getById': answer };
    await expect(vk().lookup({ query: q }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message });
  });

  it('a refused service token names the setting', async () => {
    handlers = { 'groups.getById': () => fx<{ body5: unknown }>('errors.json').body5 };
    await expect(vk().lookup({ query: 'apiclub' }, ctx)).rejects.toThrow("VK did not accept Herald's service token (HERALD_VK_SERVICE_TOKEN)");
  });

  it('a person\'s page is refused before any request', async () => {
    handlers = {};
    await expect(vk().lookup({ query: 'https://vk.com/id1' }, ctx)).rejects.toThrow('is not a VK community');
    expect(seen).toEqual([]);
  });
});

describe('posts', () => {
  it('maps the wall: content types, hashtags, likes/reposts/comments/views, repost', async () => {
    handlers = { 'wall.get': () => fx<{ body: unknown }>('wall.get-community.json').body };
    const posts = await vk().posts({ account: { externalId: '-1', handle: 'apiclub', serviceUrl: null }, limit: 50 }, ctx);
    expect(Object.fromEntries(seen[0]!.params)).toEqual({ owner_id: '-1', count: '50', offset: '0', v: '5.199', access_token: TOKEN });
    expect(posts.map((p) => [p.externalId, p.contentType])).toEqual([
      ['-1_400', 'text'],
      ['-1_399', 'photo'],
      ['-1_398', 'carousel'],
      ['-1_397', 'video'],
      ['-1_396', 'link'],
      ['-1_395', 'poll'],
      ['-1_394', 'repost'],
    ]);
    expect(posts[0]).toEqual({
      externalId: '-1_400',
      url: 'https://vk.com/wall-1_400',
      createdAt: new Date(1764140000 * 1000).toISOString(),
      text: 'Новый релиз #api@apiclub и #VKDev',
      contentType: 'text',
      hashtags: ['api', 'VKDev'],
      likes: 120,
      shares: 14,
      comments: 9,
      quotes: null,
      views: 5400,
    });
  });

  it('pages by offset up to the limit and stops at count', async () => {
    const items = fx<{ body: { response: { items: Array<Record<string, unknown>> } } }>('wall.get-community.json').body.response.items;
    const many = Array.from({ length: 130 }, (_, i) => ({ ...items[0], id: 1000 - i }));
    handlers = { 'wall.get': (p) => ({ response: { count: 130, items: many.slice(Number(p.get('offset')), Number(p.get('offset')) + Number(p.get('count'))) } }) };
    const posts = await vk().posts({ account: { externalId: '-1', handle: 'apiclub', serviceUrl: null }, limit: 500 }, ctx);
    expect(posts).toHaveLength(130);
    expect(seen.map((s) => [s.params.get('offset'), s.params.get('count')])).toEqual([
      ['0', '100'],
      ['100', '100'],
    ]);
  });
});

describe('wiring', () => {
  it('the VK connector reads public data only with the operator\'s service token', async () => {
    const { createVkConnector } = await import('../../../src/connectors/vk/vk.connector');
    expect(createVkConnector({ apiBaseUrl: base }).publicData).toBeUndefined();
    handlers = { 'groups.getById': () => fx<{ body: unknown }>('groups.getById-service.json').body };
    const withToken = createVkConnector({ apiBaseUrl: base, serviceToken: TOKEN });
    expect((await withToken.publicData!.lookup({ query: 'apiclub' }, ctx)).externalId).toBe('-1');
    expect(seen[0]!.params.get('access_token')).toBe(TOKEN);
  });
});
