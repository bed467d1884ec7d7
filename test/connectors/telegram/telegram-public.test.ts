/**
 * Telegram's publicData capability (public channels through t.me's public pages) at the HTTP level,
 * against a local server answering with the page-shaped fixtures in test/fixtures/telegram-public. Any
 * request the server does not expect fails the test; redirects are never followed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicDataContext } from '../../../src/connectors/connector';
import { createTelegramPublicData, parseTelegramCount, telegramChannelFrom } from '../../../src/connectors/telegram/telegram-public';
import { createTelegramConnector } from '../../../src/connectors/telegram/telegram.connector';
import { loopbackOnlyFetch } from '../../support/test-app';
import { useLoopbackServer } from '../../support/loopback-server';

const page = (name: string) => readFileSync(new URL(`../../fixtures/telegram-public/${name}`, import.meta.url), 'utf8');

type Answer = { status: number; body?: string; headers?: Record<string, string> };
let base = '';
let routes: Record<string, () => Answer> = {};
const seen: Array<{ url: string; acceptLanguage: string | undefined }> = [];
const unexpected: string[] = [];

useLoopbackServer(
  (req, res) => {
    seen.push({ url: req.url ?? '', acceptLanguage: req.headers['accept-language'] });
    const route = req.method === 'GET' ? routes[req.url ?? ''] : undefined;
    if (!route) {
      unexpected.push(`${req.method} ${req.url}`);
      res.writeHead(500).end('unexpected');
      return;
    }
    const a = route();
    res.writeHead(a.status, { 'content-type': 'text/html; charset=utf-8', ...a.headers }).end(a.body ?? '');
  },
  (url) => (base = url),
);
afterEach(() => {
  expect(unexpected).toEqual([]);
  seen.length = 0;
  unexpected.length = 0;
});

const ctx: PublicDataContext = { fetch: loopbackOnlyFetch };
const tg = () => createTelegramPublicData({ webBaseUrl: base, requestTimeoutMs: 2_000 });
const ok = (name: string) => () => ({ status: 200, body: page(name) });
const channelRoutes = {
  '/heraldnews': ok('card-channel.html'),
  '/s/heraldnews': ok('preview-page1.html'),
  '/s/heraldnews?before=118': ok('preview-page2.html'),
  '/s/heraldnews?before=113': ok('preview-page3.html'),
};

describe('telegramChannelFrom / parseTelegramCount', () => {
  it.each([
    ['@heraldnews', 'heraldnews'],
    ['heraldnews', 'heraldnews'],
    ['https://t.me/heraldnews', 'heraldnews'],
    ['t.me/s/heraldnews', 'heraldnews'],
    ['https://t.me/heraldnews/124', 'heraldnews'],
    ['https://telegram.me/HeraldNews?x=1', 'HeraldNews'],
  ])('%s → %s', (q, v) => expect(telegramChannelFrom(q)).toBe(v));
  it.each(['https://t.me/joinchat/AAAA', 'https://t.me/+AbCdEf', 'abc', '-1001234567890', 'https://example.com/heraldnews', 'not a channel'])('rejects %j', (q) =>
    expect(telegramChannelFrom(q)).toBeNull(),
  );
  it.each([
    ['987', 987],
    ['1.2K', 1200],
    ['15.6K', 15600],
    ['3.4M', 3_400_000],
    ['1M', 1_000_000],
    ['views', null],
  ])('%s → %s', (raw, n) => expect(parseTelegramCount(raw)).toBe(n));
});

describe('lookup', () => {
  it('reads the exact subscriber count from the card and confirms the preview; English pages are asked for', async () => {
    routes = channelRoutes;
    const a = await tg().lookup({ query: 'https://t.me/heraldnews' }, ctx);
    expect(a).toEqual({ externalId: 'heraldnews', handle: 'HeraldNews', displayName: 'Herald News & Notes', followers: 12345, serviceUrl: null, url: 'https://t.me/HeraldNews' });
    expect(seen.map((s) => s.url)).toEqual(['/heraldnews', '/s/heraldnews']);
    expect(seen.every((s) => s.acceptLanguage === 'en')).toBe(true);
  });

  it('a card that prints a rounded count ("1.2M subscribers") gives that figure', async () => {
    routes = { ...channelRoutes, '/heraldnews': () => ({ status: 200, body: page('card-channel.html').replace('12 345 subscribers', '1.2M subscribers') }) };
    expect((await tg().lookup({ query: '@heraldnews' }, ctx)).followers).toBe(1_200_000);
  });

  it.each([
    ['a group', { '/cozygroupchat': ok('card-group.html') }, 'cozygroupchat', '@cozygroupchat is not a public Telegram channel (it is a group; Herald reads channels)'],
    ['a person', { '/someperson': ok('card-person.html') }, '@someperson', '@someperson is not a public Telegram channel'],
    [
      'a channel whose preview is off (t.me/s redirects to the card)',
      { '/heraldnews': ok('card-channel.html'), '/s/heraldnews': () => ({ status: 302, headers: { location: '/heraldnews' } }) },
      'heraldnews',
      '@heraldnews has no public web preview on t.me (a private channel, a group, a person, or a channel whose owner turned the preview off)',
    ],
    ['an unknown name (t.me answers 404)', { '/nosuchchannel': () => ({ status: 404, body: '' }) }, 'nosuchchannel', 'No public Telegram channel @nosuchchannel was found (t.me answered HTTP 404)'],
  ])('%s is invalid_content in words', async (_n, r, q, message) => {
    routes = r;
    await expect(tg().lookup({ query: q }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message });
  });

  it('an invitation link is refused before any request', async () => {
    routes = {};
    await expect(tg().lookup({ query: 'https://t.me/+AbCdEf' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
    expect(seen).toEqual([]);
  });

  it('429 is rate_limited with Retry-After; 502 is retryable', async () => {
    routes = { '/heraldnews': () => ({ status: 429, headers: { 'retry-after': '30' } }) };
    await expect(tg().lookup({ query: 'heraldnews' }, ctx)).rejects.toMatchObject({ kind: 'rate_limited', opts: { retryAfterMs: 30_000 } });
    routes = { '/heraldnews': () => ({ status: 502 }) };
    await expect(tg().lookup({ query: 'heraldnews' }, ctx)).rejects.toMatchObject({ kind: 'retryable' });
  });
});

describe('posts', () => {
  const account = { externalId: 'heraldnews', handle: 'HeraldNews', serviceUrl: null };

  it('pages back with ?before= until nothing older, newest first, with content types, hashtags and rounded views', async () => {
    routes = channelRoutes;
    const posts = await tg().posts({ account, limit: 100 }, ctx);
    expect(seen.map((s) => s.url)).toEqual(['/s/heraldnews', '/s/heraldnews?before=118', '/s/heraldnews?before=113']);
    expect(posts.map((p) => [p.externalId, p.contentType, p.views])).toEqual([
      ['heraldnews/124', 'link', 1200],
      ['heraldnews/123', 'photo', 987],
      ['heraldnews/120', 'carousel', 3400],
      ['heraldnews/119', 'video', 15600],
      ['heraldnews/118', 'repost', null],
      ['heraldnews/117', 'poll', 640],
      ['heraldnews/116', 'text', 1_000_000],
      ['heraldnews/115', 'text', null],
      ['heraldnews/114', 'video', 45],
      ['heraldnews/113', 'text', 12],
    ]);
    const newest = posts[0]!;
    expect(newest).toEqual({
      externalId: 'heraldnews/124',
      url: 'https://t.me/heraldnews/124',
      createdAt: '2026-03-05T09:00:00.000Z',
      text: 'We shipped competitors! #launch #Herald\nRead more: example.com/notes',
      contentType: 'link',
      hashtags: ['launch', 'Herald'],
      likes: null,
      shares: null,
      comments: null,
      quotes: null,
      views: 1200,
    });
    // Entities are decoded once: the escaped markup is text, never tags.
    expect(posts.find((p) => p.externalId === 'heraldnews/116')!.text).toBe('Escaped markup stays text: <script>alert(1)</script> & italics #Herald');
    expect(posts.find((p) => p.externalId === 'heraldnews/120')!.hashtags).toEqual(['reports']);
  });

  it('stops at the limit without reading further pages', async () => {
    routes = channelRoutes;
    const posts = await tg().posts({ account, limit: 3 }, ctx);
    expect(posts.map((p) => p.externalId)).toEqual(['heraldnews/124', 'heraldnews/123', 'heraldnews/120']);
    expect(seen.map((s) => s.url)).toEqual(['/s/heraldnews']);
  });

  it('a preview that was switched off later is invalid_content in words', async () => {
    routes = { '/s/heraldnews': () => ({ status: 302, headers: { location: '/heraldnews' } }) };
    await expect(tg().posts({ account, limit: 10 }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
  });
});

describe('the connector', () => {
  it('declares publicData reading t.me at webBaseUrl', async () => {
    routes = channelRoutes;
    const c = createTelegramConnector({ webBaseUrl: base, requestTimeoutMs: 2_000 });
    expect(c.publicData).toBeDefined();
    expect((await c.publicData!.lookup({ query: '@heraldnews' }, ctx)).followers).toBe(12345);
  });
});
