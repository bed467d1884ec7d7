/**
 * Analytics against real peers (issue 6): a local AT Protocol network with a Bluesky AppView (PLC + PDS
 * + AppView from @atproto/dev-env, started by this file). Alice is connected through Herald's
 * connectAccount use case and her three posts are published by the real publishing worker; Bob and
 * Carol like, repost, reply, quote and follow her with plain XRPC, as any other Bluesky app would. The
 * real `collect-metrics` job then stores account_metrics / post_metrics, and the test checks them
 * against getProfile / getPosts read by the test itself, then checks that GET …/analytics/kpis
 * computes the follower-based engagement rates (LiveDune, Popsters) from exactly those numbers — the
 * expected values are worked out here from the AppView's counts and each definition's own count set,
 * never typed in — and leaves the view/reach-based ones empty (Bluesky has no views: missing ≠ 0).
 * AppView reads are eventually consistent: every wait polls with a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import { collectMetrics } from '../../src/metrics/metrics-collection';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import { startScheduler } from '../../src/publishing/scheduler';
import { createApp } from '../../src/http/app';
import { findKpiDefinition, kpiDefinitions, type RatioKpiDefinition } from '../../src/analytics/kpi-definitions';
import type { KpiCountName } from '../../src/analytics/analytics-metrics';
import { createApiToken } from '../../src/use-cases/api-tokens.use-case';
import { createPost, getPost } from '../../src/use-cases/posts.use-case';
import { updateWorkspace } from '../../src/use-cases/workspaces.use-case';
import type { BlueskyTestNetwork } from '../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc as call, type Actor, type StrongRef } from '../support/bluesky-appview';
import { dialects } from '../support/databases';
import { setupBlueskyWorkspace } from '../support/publish-fixtures';
import { createTestServices, type TestServices } from '../support/test-app';

const enabled = appviewSuitesEnabled;

/** Polls `fn` until it returns a truthy value; fails with the last value seen after `timeoutMs`. */
/** A post as app.bsky.feed.getPosts returns it (the counts this test compares). */
interface AppviewPost extends StrongRef {
  likeCount?: number;
  repostCount?: number;
  replyCount?: number;
  quoteCount?: number;
}
interface AppviewProfile {
  followersCount?: number;
  followsCount?: number;
  postsCount?: number;
}

/**
 * An IANA zone (Etc/GMT±N) where it is about 10:00 now, so the publish time, the collection an hour
 * later and the end of the local day fall on one calendar day whenever the test runs.
 */
function zoneAroundMorning(now: Date): string {
  let offset = 10 - now.getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Calendar day of an instant in a zone. */
const localDay = (at: Date, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** The AppView's counts under Herald's names (Bluesky has no views or reach). */
function appviewCounts(p: AppviewPost): Record<KpiCountName, number | null> {
  return { likes: p.likeCount ?? null, shares: p.repostCount ?? null, comments: p.replyCount ?? null, quotes: p.quoteCount ?? null, views: null, reach: null, saves: null, clicks: null, pollVotes: null, videoViews: null, views24h: null };
}

interface KpisBody {
  timeZone: string;
  period: { from: string; to: string };
  kpis: Array<{ definition: { id: string }; value: number | null; inputs: { numerator: number | null; denominator: number | null; postsCounted: number; postsMissingCounts: number; emptyReason: string | null } }>;
}

describe.skipIf(!enabled)('analytics against a local Bluesky network with an AppView', () => {
  const bsky = useAppviewNetwork();
  let net: BlueskyTestNetwork;
  let bob: Actor;
  let carol: Actor;

  const create = bsky.createRecord;
  const getPosts = async (reader: Actor, uris: string[]) => (await call<{ posts: AppviewPost[] }>(net.pdsUrl, 'app.bsky.feed.getPosts', { token: reader.token, params: { uris } })).posts;
  const getProfile = (reader: Actor, did: string) => call<AppviewProfile>(net.pdsUrl, 'app.bsky.actor.getProfile', { token: reader.token, params: { actor: did } });

  beforeAll(async () => {
    net = bsky.net;
    [bob, carol] = (await bsky.actors('bob', 'carol')) as [Actor, Actor];
  }, 60_000);

  describe.each(dialects())('%s', (dialect) => {
    let services: TestServices;
    let worker: WorkerHandle | undefined;
    let scheduler: { stop(): Promise<void> } | undefined;
    afterAll(async () => {
      await scheduler?.stop();
      await worker?.stop();
      await services?.close();
    });

    it('stores the counts the AppView reports and computes LiveDune / Popsters ER from exactly those numbers', async () => {
      const registry = new ConnectorRegistry();
      registry.register(createBlueskyConnector({ requestTimeoutMs: 10_000 }));
      services = await createTestServices(dialect, { config: { blueskyDefaultService: net.pdsUrl }, services: { connectors: registry } });
      const db = services.database.db;
      // Alice: created on the PDS and connected through connectAccount.
      const ws = await setupBlueskyWorkspace(services, net.pdsUrl, { count: 1, prefix: `kpi${dialect.slice(0, 2)}` });
      const alice = await bsky.signIn(ws.accounts[0]!);
      const accountId = ws.accounts[0]!.accountId;
      const zone = zoneAroundMorning(new Date());
      await updateWorkspace(ws.ctx, { timezone: zone });

      // Three posts, published by the real worker and scheduler.
      const engine = { leaseMs: 8_000, backoff: { baseMs: 100, capMs: 500 }, schedulerIntervalMs: 200, overdueGraceMs: 2_000 };
      worker = await services.queue.startWorker(publishingHandlers(services, engine), { concurrency: 2, workerId: `kpi-${dialect}`, pollIntervalMs: 50 });
      scheduler = startScheduler(services, engine);
      const posts = [];
      for (const text of ['Spring collection is here', 'Behind the scenes at the studio', 'Question: which colour next?']) {
        posts.push(await createPost(ws.ctx, { text, langs: ['en'], targets: [{ accountId }], schedule: { at: new Date(Date.now() + 1_000).toISOString() } }));
      }
      const uris: string[] = [];
      for (const p of posts) {
        const t = await eventually(`post ${p.id} published`, async () => {
          const target = (await getPost(ws.ctx, p.id)).targets[0]!;
          if (target.state === 'failed') throw new Error(`publishing failed: ${JSON.stringify(target)}`);
          return target.state === 'published' ? target : null;
        });
        uris.push(String(t.externalId));
      }
      await scheduler.stop();
      await worker.stop();
      scheduler = undefined;
      worker = undefined;

      // The AppView has the posts before anyone reacts (as with people).
      const indexed = await eventually('the posts in the AppView', async () => {
        const got = await getPosts(bob, uris);
        return got.length === 3 ? new Map(got.map((p) => [p.uri, { uri: p.uri, cid: p.cid }])) : null;
      });
      const [p1, p2, p3] = uris.map((u) => indexed.get(u)!) as [StrongRef, StrongRef, StrongRef];
      await create(bob, 'app.bsky.feed.like', { subject: p1 });
      await create(carol, 'app.bsky.feed.like', { subject: p1 });
      await create(carol, 'app.bsky.feed.like', { subject: p2 });
      await create(bob, 'app.bsky.feed.repost', { subject: p1 });
      await create(carol, 'app.bsky.feed.repost', { subject: p3 });
      await create(bob, 'app.bsky.feed.post', { text: 'Love it!', reply: { root: p1, parent: p1 } });
      await create(carol, 'app.bsky.feed.post', { text: 'Green, please', reply: { root: p3, parent: p3 } });
      await create(bob, 'app.bsky.feed.post', { text: 'Look at this', embed: { $type: 'app.bsky.embed.record', record: p2 } });
      await create(bob, 'app.bsky.graph.follow', { subject: alice.did });
      await create(carol, 'app.bsky.graph.follow', { subject: alice.did });

      // Wait until the AppView shows every action, then read its numbers independently of Herald.
      const want = new Map([
        [p1.uri, '2/1/1/0'],
        [p2.uri, '1/0/0/1'],
        [p3.uri, '0/1/1/0'],
      ]);
      const appview = await eventually('the reactions in the AppView', async () => {
        const got = await getPosts(carol, uris);
        const profile = await getProfile(carol, alice.did);
        const ok = got.length === 3 && got.every((p) => want.get(p.uri) === `${p.likeCount}/${p.repostCount}/${p.replyCount}/${p.quoteCount}`) && profile.followersCount === 2;
        return ok ? { posts: new Map(got.map((p) => [p.uri, p])), profile } : null;
      });

      // The collection job runs when the 1-hour observation point has passed.
      services.advanceClock(61 * 60_000);
      const report = await collectMetrics(services, accountId);
      expect(report).toMatchObject({ outcome: 'done', accountSnapshot: true, asked: 3, observed: 3 });

      const snapshots = await db.selectFrom('account_metrics').selectAll().where('account_id', '=', accountId).execute();
      expect(snapshots).toHaveLength(1);
      expect({ followers: snapshots[0]!.followers, following: snapshots[0]!.following, posts: snapshots[0]!.posts_count }).toEqual({
        followers: appview.profile.followersCount,
        following: appview.profile.followsCount,
        posts: appview.profile.postsCount,
      });
      const targets = await db.selectFrom('post_targets').select(['id', 'external_id']).where('account_id', '=', accountId).execute();
      const uriOf = new Map(targets.map((t) => [t.id, t.external_id]));
      const stored = await db.selectFrom('post_metrics').selectAll().where('account_id', '=', accountId).execute();
      expect(stored).toHaveLength(3);
      for (const m of stored) {
        const a = appviewCounts(appview.posts.get(uriOf.get(m.target_id)!)!);
        expect({ uri: uriOf.get(m.target_id), likes: m.likes, shares: m.shares, comments: m.comments, quotes: m.quotes, views: m.views, reach: m.reach }).toEqual({
          uri: uriOf.get(m.target_id),
          likes: a.likes,
          shares: a.shares,
          comments: a.comments,
          quotes: a.quotes,
          views: null,
          reach: null,
        });
      }

      // The KPI API, over HTTP in process, for the day the posts went out.
      const app = createApp(services);
      const token = (await createApiToken(ws.ctx, { name: 'kpi test' })).token;
      const day = localDay(new Date(), zone);
      const res = await app.request(`/api/v1/workspaces/${ws.ctx.workspaceId}/analytics/kpis?accountId=${accountId}&from=${day}&to=${day}`, { headers: { authorization: `Bearer ${token}` } }, {
        incoming: { socket: { remoteAddress: '127.0.0.1' } },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as KpisBody;
      expect(body.timeZone).toBe(zone);
      const kpi = (id: string) => body.kpis.find((k) => k.definition.id === id)!;

      // Expected: each definition's own count set over the AppView's counts, followers from getProfile.
      const followers = appview.profile.followersCount!;
      const countSet = (def: RatioKpiDefinition) => def.numerator.byNetwork?.bluesky ?? def.numerator.default;
      const numeratorOf = (def: RatioKpiDefinition, counts: Record<KpiCountName, number | null>) =>
        countSet(def).required.reduce((s, m) => s + counts[m]!, 0) + (countSet(def).optional ?? []).reduce((s, m) => s + (counts[m] ?? 0), 0);
      const perPost = uris.map((u) => appviewCounts(appview.posts.get(u)!));
      const round = (v: number) => Math.round(v * 1e6) / 1e6;
      const checked: string[] = [];
      for (const def of kpiDefinitions) {
        if (def.formula !== 'ratio' || !['followers_at_publish', 'daily_followers'].includes(def.denominator) || !['pooled', 'mean_per_post'].includes(def.aggregation)) continue;
        // Definitions that need views (TGStat ERR) have no value on Bluesky: checked below.
        if (countSet(def).required.some((m) => perPost.some((c) => c[m] === null))) continue;
        const numerators = perPost.map((c) => numeratorOf(def, c));
        const expected = def.aggregation === 'pooled' ? (numerators.reduce((s, n) => s + n, 0) / (followers * 3)) * 100 : numerators.reduce((s, n) => s + (n / followers) * 100, 0) / 3;
        expect({ id: def.id, value: kpi(def.id).value, postsCounted: kpi(def.id).inputs.postsCounted }).toEqual({ id: def.id, value: round(expected), postsCounted: 3 });
        if (def.aggregation === 'pooled') expect(kpi(def.id).inputs).toMatchObject({ numerator: numerators.reduce((s, n) => s + n, 0), denominator: followers * 3 });
        checked.push(def.id);
      }
      expect(checked).toEqual(expect.arrayContaining(['livedune.er.pooled', 'livedune.er.weighted', 'popsters.er-post']));
      // The hand-visible case (likes + replies + reposts; quotes are not LiveDune reactions):
      // (2+1+1) + (1+0+0) + (0+1+1) = 7 over 3 posts × 2 followers.
      expect(kpi('livedune.er.pooled').value).toBe(round((7 / 6) * 100));
      expect(findKpiDefinition('popsters.er-post')).toMatchObject({ denominator: 'daily_followers', aggregation: 'pooled' });

      // Views and reach do not exist on Bluesky: those definitions stay empty, never 0.
      for (const id of ['popsters.er-view', 'sprout.er-impressions', 'tgstat.err', 'err.reach.pooled']) {
        expect({ id, value: kpi(id).value }).toEqual({ id, value: null });
        expect(kpi(id).inputs.emptyReason).toBeTruthy();
      }
    }, 180_000);
  });
});
