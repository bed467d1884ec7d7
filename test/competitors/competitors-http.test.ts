/**
 * Competitors end to end on SQLite and PostgreSQL: the HTTP API (roles, 4xx in words), the collection
 * job against a local fake Mastodon server answering with doc-shaped fixtures while Herald's clock
 * moves through ten days (follower snapshots daily, counts observed over time), the analysis figures
 * checked against hand arithmetic, the promoted-post suspicion, and the side-by-side comparison with
 * an own account loaded through `herald import metrics`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { createMastodonConnector } from '../../src/connectors/mastodon/mastodon.connector';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import { createBlueskyPublicData } from '../../src/connectors/bluesky/bluesky-public';
import { collectCompetitors, collectCompetitorsTask, competitorHandlers, competitorsSweep } from '../../src/competitors/competitor-collection';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { FakePublicMastodon, publicFixture } from './fake-public-mastodon';

const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday; Stockholm is UTC+1 until 29 March
let clock = t0;

const fake = new FakePublicMastodon();
const accountFixture = publicFixture<Record<string, unknown>>('account-lookup.json');
const templates = publicFixture<Array<Record<string, unknown>>>('account-statuses.json');

/** Engagement left after the first day by each organic post (index 3 is the boosted one). */
const lateGain = [20, 15, 25, 0, 10, 20, 18];
const boosted = 3;
const publishedAt = (k: number) => t0 + k * day + hour; // 10:00 UTC = 11:00 in Stockholm

/** Total engagement of post k at `age` ms: most of it in the first day, the boosted one keeps growing. */
function engagement(k: number, age: number): number {
  const first = Math.min(age, day) / day;
  const after = Math.min(Math.max(age - day, 0), 3 * day) / (3 * day);
  return k === boosted ? Math.round(40 * first + 160 * after) : Math.round(80 * first + lateGain[k]! * after);
}
const split = (e: number) => ({ favourites_count: e - 2 * Math.floor(e / 10), reblogs_count: Math.floor(e / 10), replies_count: Math.floor(e / 10) });

/** The rival's statuses visible at the current clock, newest first. */
function timeline(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let k = 0; k < 7; k++) {
    const at = publishedAt(k);
    if (at > clock) continue;
    const tpl = templates[k % 6]!;
    out.push({ ...tpl, id: String(9000 + k), url: `${fake.url}/@rival/${9000 + k}`, uri: `${fake.url}/users/rival/statuses/${9000 + k}`, created_at: new Date(at).toISOString(), ...split(engagement(k, clock - at)) });
  }
  const boostAt = t0 + 2 * day + 3 * hour;
  if (boostAt <= clock) out.push({ ...templates[6]!, id: '8999', created_at: new Date(boostAt).toISOString() });
  return out.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
}

/** When true the rival's server fails (collection must record it and keep the data). */
let serverDown = false;
const followersNow = () => 1000 + 10 * Math.floor((clock - t0) / day);

beforeAll(async () => {
  await fake.start();
  fake.reset([
    {
      method: 'GET',
      path: '/api/v1/accounts/lookup',
      reply: (r) => {
        const acct = r.query.get('acct');
        if (acct === 'rival') return { status: 200, json: { ...accountFixture, id: 'rival-id', username: 'rival', acct: 'rival', display_name: 'Rival Co', followers_count: followersNow(), url: `${fake.url}/@rival` } };
        if (acct === 'me') return { status: 200, json: { ...accountFixture, id: 'own-1', username: 'me', acct: 'me', url: `${fake.url}/@me` } };
        return { status: 404, json: publicFixture('error-404.json') };
      },
    },
    { method: 'GET', path: '/api/v1/accounts/rival-id/statuses', reply: (r) => (serverDown ? { status: 503, json: { error: 'Service unavailable' } } : { status: 200, json: r.query.get('max_id') ? [] : timeline() }) },
  ]);
});
afterAll(async () => fake.stop());
afterEach(() => expect(fake.unexpected).toEqual([]));

function registry(): ConnectorRegistry {
  const r = new ConnectorRegistry();
  r.register(createMastodonConnector({ requestTimeoutMs: 2_000 }));
  // Bluesky with public data, but this workspace has no Bluesky account: adding must be refused before any request.
  r.register({ ...createBlueskyConnector(), publicData: createBlueskyPublicData({ appviewUrl: 'http://127.0.0.1:9' }) });
  return r;
}

describe.each(dialects())('competitors (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors: registry(), now: () => new Date(clock) } });
  let owner: TestSession & { workspaceId: string };
  let ws = '';
  let competitorId = '';

  beforeAll(() => {
    clock = t0;
  });

  it('adds, lists and refuses with reasons; roles decide who may', async () => {
    owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    ws = owner.workspaceId;
    const base = `/api/v1/workspaces/${ws}/competitors`;
    // No Mastodon account yet: the network is not connected.
    let res = await t.current.json('POST', base, { network: 'mastodon', handle: `${fake.url}/@rival` }, owner);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toBe('Connect a Mastodon account to this workspace before adding Mastodon competitors');

    // The own account (and its history) comes in through the metrics import.
    const own = {
      version: 1,
      accounts: [{ ref: 'me', network: 'mastodon', handle: 'me@example.social', externalId: 'own-1' }],
      posts: [
        { account: 'me', externalId: 'o1', publishedAt: '2026-03-03T08:00:00Z', contentType: 'photo', text: 'Spring #sale', hashtags: ['sale'] },
        { account: 'me', externalId: 'o2', publishedAt: '2026-03-05T17:30:00Z', contentType: 'text', text: 'Hello', url: 'https://example.social/@me/2' },
      ],
      followerSnapshots: [
        { account: 'me', observedAt: '2026-03-01T12:00:00Z', followers: 500 },
        { account: 'me', observedAt: '2026-03-10T12:00:00Z', followers: 520 },
      ],
      observations: [
        { account: 'me', post: 'o1', observedAt: '2026-03-04T08:00:00Z', likes: 10, comments: 2, shares: 3 },
        { account: 'me', post: 'o2', observedAt: '2026-03-06T17:30:00Z', likes: 20, comments: 4, shares: 6 },
      ],
    };
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: ws, db: t.current.services.database.db, services: t.current.services }, JSON.stringify(own));

    const viewer = await t.current.addUser(ws, 'viewer');
    const contributor = await t.current.addUser(ws, 'contributor');
    const editor = await t.current.addUser(ws, 'editor');
    expect((await t.current.json('POST', base, { network: 'mastodon', handle: `${fake.url}/@rival` }, viewer)).status).toBe(403);
    expect((await t.current.json('POST', base, { network: 'mastodon', handle: `${fake.url}/@rival` }, contributor)).status).toBe(403);

    res = await t.current.json('POST', base, { network: 'mastodon', handle: `${fake.url}/@rival` }, editor);
    expect(res.status).toBe(201);
    const added = (await res.json()) as { id: string; handle: string; followers: number; externalId: string; displayName: string };
    expect(added).toMatchObject({ network: 'mastodon', externalId: 'rival-id', handle: `rival@127.0.0.1:${new URL(fake.url).port}`, displayName: 'Rival Co', followers: 1000, profileUrl: `${fake.url}/@rival`, collectedAt: null, lastError: null });
    competitorId = added.id;

    const refusals: Array<[unknown, number, string]> = [
      [{ network: 'mastodon', handle: `${fake.url}/@rival` }, 409, `rival@127.0.0.1:${new URL(fake.url).port} is already a competitor in this workspace`],
      [{ network: 'mastodon', handle: `${fake.url}/@me` }, 409, `me@127.0.0.1:${new URL(fake.url).port} is one of this workspace's own accounts; it is compared with competitors already`],
      [{ network: 'mastodon', handle: `${fake.url}/@nobody` }, 422, `No account @nobody was found on 127.0.0.1:${new URL(fake.url).port}`],
      [{ network: 'mastodon', handle: 'rival' }, 422, '"rival" is not a Mastodon address: use @user@server.example or a profile link such as https://server.example/@user'],
      [{ network: 'mastodon', handle: '   ' }, 422, "Enter the competitor's handle or profile link"],
      [{ network: 'bluesky', handle: 'alice.bsky.social' }, 422, 'Connect a Bluesky account to this workspace before adding Bluesky competitors'],
      [{ network: 'myspace', handle: 'tom' }, 422, 'Herald cannot read public accounts on "myspace"; networks with public data: mastodon, bluesky'],
    ];
    for (const [body, status, detail] of refusals) {
      const r = await t.current.json('POST', base, body, owner);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(((await r.json()) as { detail: string }).detail).toBe(detail);
    }
    expect((await t.current.json('POST', base, { network: 'mastodon' }, owner)).status).toBe(422);

    const list = (await (await t.current.json('GET', base, undefined, viewer)).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((i) => i.id)).toEqual([competitorId]);
  });

  it('the scheduler sweep enqueues one keyed job per due workspace; the job sets the next due time', async () => {
    const services = t.current.services;
    expect(await competitorsSweep(services)).toBe(1);
    expect(await competitorsSweep(services)).toBe(0); // taken until it runs (or the grace runs out)
    const handler = competitorHandlers(services)[collectCompetitorsTask]!;
    await handler({ workspaceId: ws }, { jobId: 'j1', attempt: 1, workerId: 'test' });
    const list = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors`, undefined, owner)).json()) as { items: Array<{ collectedAt: string | null; lastError: string | null }> };
    expect(list.items[0]).toMatchObject({ collectedAt: new Date(clock).toISOString(), lastError: null });
    expect(await competitorsSweep(services)).toBe(0); // due again in an hour
    clock += hour;
    expect(await competitorsSweep(services)).toBe(1);
    clock -= hour;
  });

  it('collects for ten days: daily follower snapshots, counts observed over time', async () => {
    const services = t.current.services;
    const db = services.database.db;
    // The job above already took the t0 snapshot and first looked at the (empty) timeline.
    for (clock = t0 + 2 * hour; clock <= t0 + 10 * day; clock += 2 * hour) {
      const r = await collectCompetitors(services, ws);
      expect(r.failed).toEqual([]);
    }
    clock = t0 + 10 * day;
    const snaps = await db.selectFrom('competitor_snapshots').select(['observed_at', 'followers']).where('competitor_id', '=', competitorId).orderBy('observed_at').execute();
    expect(snaps.map((s) => [s.observed_at, Number(s.followers)])).toEqual(Array.from({ length: 11 }, (_, k) => [new Date(t0 + k * day).toISOString(), 1000 + 10 * k]));
    const posts = await db.selectFrom('competitor_posts').selectAll().where('competitor_id', '=', competitorId).orderBy('published_at').execute();
    expect(posts).toHaveLength(8);
    // Latest counts are the network's at the last run.
    const p0 = posts.find((p) => p.external_id === '9000')!;
    const e0 = engagement(0, clock - publishedAt(0));
    expect([Number(p0.likes), Number(p0.shares), Number(p0.comments), p0.quotes, p0.views]).toEqual([split(e0).favourites_count, split(e0).reblogs_count, split(e0).replies_count, null, null]);
    // Post 0's observations: first seen at 1 h, then 7 h, 25 h and every day after (odd hours: runs are 2 h apart from 09:00, posts at 10:00).
    const obs = await db.selectFrom('competitor_post_observations').select(['observed_at']).where('post_id', '=', p0.id).orderBy('observed_at').execute();
    expect(obs.map((o) => (Date.parse(o.observed_at) - publishedAt(0)) / hour)).toEqual([1, 7, 25, 49, 73, 97, 121, 145, 169, 193, 217]);
    // The boost is stored as a repost without counts and never observed.
    const boost = posts.find((p) => p.external_id === '8999')!;
    expect(boost).toMatchObject({ content_type: 'repost', likes: null, shares: null, comments: null });
    expect(await db.selectFrom('competitor_post_observations').select('id').where('post_id', '=', boost.id).execute()).toEqual([]);
  });

  it('analysis: followers, frequency, ER with its inputs, top posts, mixes, hours and the suspicion', async () => {
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors/${competitorId}/analysis?from=2026-03-02&to=2026-03-11`, undefined, await t.current.addUser(ws, 'viewer'));
    expect(res.status).toBe(200);
    const a = (await res.json()) as {
      definition: { id: string };
      timeZone: string;
      followersApproximated: { posts: number };
      summary: {
        followers: { start: unknown; end: { followers: number }; change: number | null; byDay: Array<{ day: string; followers: number | null }> };
        posts: number;
        reposts: number;
        postsPerWeek: number;
        er: { definitionId: string; value: number; inputs: { numerator: number; denominator: number; postsCounted: number; formula: string } };
        engagementPerPost: number;
        topPosts: Array<{ id: string; engagement: number; contentType: string; url: string }>;
        contentMix: Array<{ contentType: string; posts: number; share: number }>;
        hashtags: Array<{ tag: string; posts: number; engagement: number }>;
        postingHours: Array<{ weekday: number; hour: number; posts: number }>;
      };
      promotion: { norm: { posts: number; median: number; threshold: number }; judgedPosts: number; suspicions: Array<{ url: string; engagementAt24h: number; engagementLater: number; shareAfter24h: number; evidence: string }> };
    };
    expect(a.timeZone).toBe('Europe/Stockholm');
    expect(a.definition.id).toBe('livedune.er.pooled');
    const s = a.summary;
    // End of each Stockholm day: the snapshot of that morning (09:00 UTC); nothing before the first one.
    expect(s.followers.byDay).toEqual(Array.from({ length: 10 }, (_, k) => ({ day: `2026-03-${String(2 + k).padStart(2, '0')}`, followers: 1000 + 10 * k })));
    expect(s.followers.start).toBeNull();
    expect(s.followers.change).toBeNull();
    expect(s.followers.end).toMatchObject({ followers: 1090 });
    expect([s.posts, s.reposts, s.postsPerWeek]).toEqual([7, 1, 4.9]);

    // LiveDune ER pooled: Σ(likes + comments + shares) / Σ followers at publishing × 100.
    const finals = [0, 1, 2, 3, 4, 5, 6].map((k) => engagement(k, clock - publishedAt(k)));
    const numerator = finals.reduce((x, y) => x + y, 0);
    const denominator = [0, 1, 2, 3, 4, 5, 6].reduce((x, k) => x + 1000 + 10 * k, 0);
    expect(s.er.inputs).toMatchObject({ numerator, denominator, postsCounted: 7, formula: `${numerator} / ${denominator} × 100` });
    expect(s.er.value).toBe(Math.round((numerator / denominator) * 100 * 1e6) / 1e6);
    expect(s.engagementPerPost).toBe(Math.round((numerator / 7) * 1e6) / 1e6);

    expect(s.topPosts[0]).toMatchObject({ engagement: 200, contentType: 'video', url: `${fake.url}/@rival/9003` });
    expect(s.topPosts.map((p) => p.engagement)).toEqual([...finals].sort((x, y) => y - x));
    expect(s.contentMix).toEqual([
      { contentType: 'text', posts: 2, share: 0.285714, engagementPerPost: (finals[0]! + finals[6]!) / 2 },
      { contentType: 'carousel', posts: 1, share: 0.142857, engagementPerPost: finals[2] },
      { contentType: 'link', posts: 1, share: 0.142857, engagementPerPost: finals[5] },
      { contentType: 'photo', posts: 1, share: 0.142857, engagementPerPost: finals[1] },
      { contentType: 'poll', posts: 1, share: 0.142857, engagementPerPost: finals[4] },
      { contentType: 'video', posts: 1, share: 0.142857, engagementPerPost: finals[3] },
    ]);
    expect(s.hashtags).toEqual([
      { tag: 'herald', posts: 2, engagement: finals[0]! + finals[6]! },
      { tag: 'smm', posts: 2, engagement: finals[0]! + finals[6]! },
    ]);
    // Published 10:00 UTC = 11:00 in Stockholm, Monday to Sunday.
    expect(s.postingHours).toEqual([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, hour: 11, posts: 1 })));
    expect(a.followersApproximated.posts).toBe(0);

    // Organic posts gain 11–24 % after their first day; the boosted one 79 %.
    expect(a.promotion.judgedPosts).toBe(7);
    expect(a.promotion.suspicions).toHaveLength(1);
    const sus = a.promotion.suspicions[0]!;
    expect(sus).toMatchObject({ url: `${fake.url}/@rival/9003`, engagementAt24h: 42, engagementLater: 200, shareAfter24h: 0.79 });
    expect(sus.evidence).toContain('Engagement was 42 at 25 h after publishing and 200 at 6 d: 158 (79%) came after the first 24 h.');
    expect(sus.evidence).toContain('Suspicion only');
    expect(a.promotion.norm.posts).toBe(7);
  });

  it('compares own accounts and competitors side by side under one definition', async () => {
    const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors-comparison?from=2026-03-02&to=2026-03-11&definitionId=livedune.er.weighted`, undefined, owner);
    expect(res.status).toBe(200);
    const c = (await res.json()) as { definition: { id: string }; rows: Array<{ kind: string; handle: string; summary: { posts: number; postsPerWeek: number; er: { value: number }; topPosts: Array<{ engagement: number; url: string | null; text: string }>; hashtags: Array<{ tag: string }>; followers: { start: { followers: number } | null; end: { followers: number } | null; change: number | null }; contentMix: Array<{ contentType: string }> } }> };
    expect(c.definition.id).toBe('livedune.er.weighted');
    expect(c.rows.map((r) => [r.kind, r.handle])).toEqual([
      ['own', 'me@example.social'],
      ['competitor', `rival@127.0.0.1:${new URL(fake.url).port}`],
    ]);
    const own = c.rows[0]!.summary;
    // Own posts: (10 + 2 + 3) / 500 and (20 + 4 + 6) / 500, mean × 100 = (3 + 6) / 2 = 4.5.
    expect(own.er.value).toBe(4.5);
    expect([own.posts, own.postsPerWeek]).toEqual([2, 1.4]);
    expect(own.hashtags.map((h) => h.tag)).toEqual(['sale']);
    expect(own.topPosts.map((p) => [p.engagement, p.url, p.text])).toEqual([[30, 'https://example.social/@me/2', 'Hello'], [15, null, 'Spring #sale']]);
    // Followers from the analytics daily rollups: 500 before the period, 520 from 10 March.
    expect([own.followers.start?.followers, own.followers.end?.followers, own.followers.change]).toEqual([500, 520, 20]);
    expect(c.rows[1]!.summary.posts).toBe(7);
  });

  it('a failing server is recorded on the competitor, its data kept, and cleared by the next success', async () => {
    const services = t.current.services;
    const db = services.database.db;
    const postsBefore = (await db.selectFrom('competitor_posts').select('id').where('competitor_id', '=', competitorId).execute()).length;
    serverDown = true;
    try {
      const r = await collectCompetitors(services, ws);
      expect(r.failed).toEqual([{ competitorId, message: 'The Mastodon server failed while trying to read the public statuses (HTTP 503: Service unavailable)' }]);
    } finally {
      serverDown = false;
    }
    const base = `/api/v1/workspaces/${ws}/competitors`;
    let list = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: Array<{ lastError: string | null }> };
    expect(list.items[0]!.lastError).toBe('The Mastodon server failed while trying to read the public statuses (HTTP 503: Service unavailable)');
    expect((await db.selectFrom('competitor_posts').select('id').where('competitor_id', '=', competitorId).execute()).length).toBe(postsBefore);
    expect((await collectCompetitors(services, ws)).failed).toEqual([]);
    list = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: Array<{ lastError: string | null }> };
    expect(list.items[0]!.lastError).toBeNull();
  });

  it('refuses bad periods and definitions in words; removal is for editors and takes the data', async () => {
    const base = `/api/v1/workspaces/${ws}/competitors/${competitorId}`;
    for (const [q, detail] of [
      ['from=2026-02-30', 'from must be a calendar date like 2026-03-29, got "2026-02-30"'],
      ['from=2026-03-10&to=2026-03-01', 'from must not be after to'],
      ['definitionId=followers.growth.absolute', '"followers.growth.absolute" is not an engagement-rate definition'],
    ] as const) {
      const r = await t.current.json('GET', `${base}/analysis?${q}`, undefined, owner);
      expect(r.status, q).toBe(422);
      expect(((await r.json()) as { detail: string }).detail).toBe(detail);
    }
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/competitors/not-an-id/analysis`, undefined, owner)).status).toBe(404);
    const viewer = await t.current.addUser(ws, 'viewer');
    expect((await t.current.json('DELETE', base, undefined, viewer)).status).toBe(403);
    const editor = await t.current.addUser(ws, 'editor');
    expect((await t.current.json('DELETE', base, undefined, editor)).status).toBe(204);
    expect((await t.current.json('GET', `${base}/analysis`, undefined, owner)).status).toBe(404);
    const db = t.current.services.database.db;
    expect(await db.selectFrom('competitor_posts').select('id').where('workspace_id', '=', ws).execute()).toEqual([]);
    expect(await db.selectFrom('competitor_snapshots').select('id').where('workspace_id', '=', ws).execute()).toEqual([]);
  });
});
