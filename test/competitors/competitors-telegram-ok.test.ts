/**
 * Telegram and OK competitors end to end on SQLite and PostgreSQL: added over the HTTP API, collected by
 * the collection job from a local server that plays t.me's public pages (fixtures in
 * test/fixtures/telegram-public) and OK's fb.do for session-less calls (test/fixtures/ok-public, ok),
 * then analysed: a Telegram channel's ER by views (TGStat ERR) with its inputs, content mix, hashtags
 * and hours; an OK group's followers only (OK documents no public topic list). Any request the server
 * does not expect fails the test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { createTelegramConnector } from '../../src/connectors/telegram/telegram.connector';
import { createOkConnector } from '../../src/connectors/ok/ok.connector';
import { collectCompetitors } from '../../src/competitors/competitor-collection';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { okFixture } from '../connectors/ok/ok-fake-api';

const tgPage = (name: string) => readFileSync(new URL(`../fixtures/telegram-public/${name}`, import.meta.url), 'utf8');
const okPublic = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/ok-public/${name}`, import.meta.url), 'utf8'));
const APP_KEY = 'CBAFJIICABABABABA';
const APP_SECRET = 'app-secret-0123456789abcdef';

const start = Date.parse('2026-03-06T12:00:00Z');
let clock = start;
let server: Server;
let base = '';
let okMembers = 1284;
const unexpected: string[] = [];

const tgRoutes: Record<string, string> = {
  '/heraldnews': 'card-channel.html',
  '/s/heraldnews': 'preview-page1.html',
  '/s/heraldnews?before=118': 'preview-page2.html',
  '/s/heraldnews?before=113': 'preview-page3.html',
};

// Started before the suites are declared: the connectors below are built with its address.
{
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && tgRoutes[url]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(tgPage(tgRoutes[url]));
        return;
      }
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'POST' && url === '/fb.do' && params.get('application_key') === APP_KEY && !params.has('access_token')) {
        if (params.get('method') === 'url.getInfo' && params.get('url') === 'https://ok.ru/heraldtest') return json(okPublic('url-getInfo-group.json'));
        if (params.get('method') === 'group.getInfo' && params.get('uids') === '54104453840996') {
          const body = okFixture<{ groups: Array<Record<string, unknown>> }>('group-getInfo');
          body.groups[0]!.members_count = okMembers;
          return json(body);
        }
      }
      unexpected.push(`${req.method} ${url} ${params.toString()}`);
      res.writeHead(500).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => new Promise<void>((r) => server.close(() => r())));
afterEach(() => expect(unexpected).toEqual([]));

function registry(): ConnectorRegistry {
  const r = new ConnectorRegistry();
  r.register(createTelegramConnector({ webBaseUrl: base, requestTimeoutMs: 2_000 }));
  r.register(createOkConnector({ apiBaseUrl: `${base}/fb.do`, applicationKey: APP_KEY, applicationSecretKey: APP_SECRET, requestTimeoutMs: 2_000 }));
  return r;
}

describe.each(dialects())('Telegram and OK competitors (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors: registry(), now: () => new Date(clock) } });
  let owner: TestSession & { workspaceId: string };
  let ws = '';
  const ids: Record<string, string> = {};
  beforeAll(() => {
    clock = start;
    okMembers = 1284;
  });

  it('adds a public channel and a public group of connected networks', async () => {
    owner = await t.current.setupOwner({ timezone: 'UTC' });
    ws = owner.workspaceId;
    const own = {
      version: 1,
      accounts: [
        { ref: 'tg', network: 'telegram', handle: '@ourchannel', externalId: '-1001000000001' },
        { ref: 'ok', network: 'ok', handle: 'ourgroup', externalId: '70000000000001' },
      ],
      posts: [],
      followerSnapshots: [],
      observations: [],
    };
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: ws, db: t.current.services.database.db, services: t.current.services }, JSON.stringify(own));
    const url = `/api/v1/workspaces/${ws}/competitors`;
    let res = await t.current.json('POST', url, { network: 'telegram', handle: 'https://t.me/heraldnews' }, owner);
    expect(res.status).toBe(201);
    const tg = (await res.json()) as { id: string };
    expect(tg).toMatchObject({ network: 'telegram', externalId: 'heraldnews', handle: 'HeraldNews', displayName: 'Herald News & Notes', followers: 12345, profileUrl: 'https://t.me/HeraldNews' });
    ids.tg = tg.id;
    res = await t.current.json('POST', url, { network: 'ok', handle: 'https://ok.ru/heraldtest' }, owner);
    expect(res.status).toBe(201);
    const okc = (await res.json()) as { id: string };
    expect(okc).toMatchObject({ network: 'ok', externalId: '54104453840996', handle: 'heraldtest', followers: 1284 });
    ids.ok = okc.id;
    res = await t.current.json('POST', url, { network: 'telegram', handle: 'https://t.me/joinchat/AAAA' }, owner);
    expect(res.status).toBe(422);
  });

  it('collects followers daily and the channel preview posts; the OK group gives followers only', async () => {
    const services = t.current.services;
    const r1 = await collectCompetitors(services, ws);
    expect(r1.failed).toEqual([]);
    clock += 24 * 3_600_000;
    okMembers = 1300;
    const r2 = await collectCompetitors(services, ws);
    expect(r2.failed).toEqual([]);
    const db = services.database.db;
    const posts = await db.selectFrom('competitor_posts').select(['external_id', 'content_type', 'views']).where('competitor_id', '=', ids.tg!).orderBy('published_at').execute();
    expect(posts).toHaveLength(10);
    expect(await db.selectFrom('competitor_posts').select('id').where('competitor_id', '=', ids.ok!).execute()).toEqual([]);
    const okSnaps = await db.selectFrom('competitor_snapshots').select(['followers']).where('competitor_id', '=', ids.ok!).orderBy('observed_at').execute();
    expect(okSnaps.map((s) => Number(s.followers))).toEqual([1284, 1300]);
  });

  it('analysis: TGStat ERR from views with its inputs; content mix, hashtags, hours', async () => {
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors/${ids.tg}/analysis?from=2026-03-02&to=2026-03-05&definitionId=tgstat.err`, undefined, owner);
    expect(res.status).toBe(200);
    const a = (await res.json()) as {
      followersApproximated: { posts: number };
      summary: {
        posts: number;
        reposts: number;
        er: { value: number; inputs: { numerator: number; denominator: number; postsCounted: number } };
        contentMix: Array<{ contentType: string; posts: number }>;
        hashtags: Array<{ tag: string; posts: number }>;
        postingHours: Array<{ weekday: number; hour: number; posts: number }>;
      };
    };
    const s = a.summary;
    expect([s.posts, s.reposts]).toEqual([9, 1]);
    // Views of the 8 posts that show a counter; followers at publishing = the first snapshot (12 345).
    const views = 1200 + 987 + 3400 + 15600 + 640 + 1_000_000 + 45 + 12;
    expect(s.er.inputs).toMatchObject({ numerator: views, denominator: 8 * 12345, postsCounted: 8 });
    expect(s.er.value).toBe(Math.round((views / (8 * 12345)) * 100 * 1e6) / 1e6);
    expect(a.followersApproximated.posts).toBe(9);
    expect(Object.fromEntries(s.contentMix.map((m) => [m.contentType, m.posts]))).toEqual({ text: 3, video: 2, photo: 1, carousel: 1, link: 1, poll: 1 });
    expect(s.hashtags.map((h) => [h.tag, h.posts])).toEqual(expect.arrayContaining([['herald', 2], ['launch', 1], ['reports', 1]]));
    // 2026-03-05 09:00 UTC is a Thursday.
    expect(s.postingHours).toContainEqual({ weekday: 4, hour: 9, posts: 1 });
  });

  it('analysis of the OK group: followers over time, no posts', async () => {
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors/${ids.ok}/analysis?from=2026-03-06&to=2026-03-07`, undefined, owner);
    expect(res.status).toBe(200);
    const a = (await res.json()) as { summary: { posts: number; followers: { byDay: Array<{ day: string; followers: number | null }> }; er: { value: number | null } } };
    expect(a.summary.followers.byDay).toEqual([
      { day: '2026-03-06', followers: 1284 },
      { day: '2026-03-07', followers: 1300 },
    ]);
    expect(a.summary.posts).toBe(0);
    expect(a.summary.er.value).toBeNull();
  });
});
