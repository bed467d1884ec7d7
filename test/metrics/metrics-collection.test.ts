/**
 * Metrics collection for any connector with the `metrics` capability, against a loopback peer over
 * real HTTP: a daily account snapshot, per-post observations only for targets that are due (the
 * network is asked for nothing else), missing counts stored as null (never 0), series and latest counts
 * through the API, and an auth failure flagging the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { collectMetrics } from '../../src/metrics/metrics-collection';
import { engagementSweep } from '../../src/engagement/engagement-sweep';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { engagementConnector, startEngagementPeer, type EngagementPeer } from '../inbox/engagement-peer';
import { insertPublishedTarget } from '../inbox/published-target';

let peer: EngagementPeer;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  peer = await startEngagementPeer();
  connectors.register(engagementConnector(peer.url, { comments: false }));
});
afterAll(async () => {
  expect(peer.unexpected).toEqual([]);
  await peer?.close();
});

const h = 3_600_000;
const d = 24 * h;

interface AccountMetricsBody {
  latest: { followers: number | null; following: number | null; posts: number | null } | null;
  series: Array<{ observedAt: string; followers: number | null; following: number | null }>;
}
interface PostMetricsBody {
  items: Array<{ targetId: string; latest: Record<string, number | string | null> | null }>;
}

describe.each(dialects())('metrics collection (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let n = 0;

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
  });

  async function connected(): Promise<{ handle: string; accountId: string }> {
    const handle = `metrics-${dialect}-${++n}`;
    peer.addAccount(handle, 'pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'peer', credentials: { handle, password: 'pw' } }, owner);
    expect(res.status, await res.clone().text()).toBe(201);
    return { handle, accountId: ((await res.json()) as { id: string }).id };
  }

  it('snapshots the account daily and observes only due posts; missing counts stay null; series and latest through the API', async () => {
    const services = t.current.services;
    const db = services.database.db;
    const a = await connected();
    const now = services.now().getTime();
    const post = (ext: string, ageMs: number) => insertPublishedTarget(db, { workspaceId: ws, authorId: owner.userId, accountId: a.accountId, network: 'peer', externalId: `${a.handle}-${ext}`, publishedAt: new Date(now - ageMs) });
    const fresh = await post('fresh', 30 * 60_000);
    const hourOld = await post('hour', 2 * h);
    const threeDays = await post('three', 3 * d);
    await post('ancient', 100 * d);
    const ext = (s: string) => `${a.handle}-${s}`;
    peer.setAccountStats(a.handle, { followers: 120 });
    peer.setPostStats(ext('hour'), { likes: 5, reposts: 0 });

    expect(await collectMetrics(services, a.accountId)).toEqual({ outcome: 'done', accountSnapshot: true, asked: 2, observed: 1 });
    expect(peer.statsAsked.at(-1)).toEqual([ext('three'), ext('hour')]);
    const obs = await db.selectFrom('post_metrics').selectAll().where('target_id', '=', hourOld.targetId).execute();
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ likes: 5, shares: 0, views: null, reach: null, comments: null });
    // The analytics rollups were rebuilt from the new rows.
    const rolled = await db.selectFrom('analytics_post_rollups').selectAll().where('target_id', '=', hourOld.targetId).executeTakeFirstOrThrow();
    expect(rolled).toMatchObject({ likes: 5, shares: 0, views: null });
    const snap = await db.selectFrom('account_metrics').selectAll().where('account_id', '=', a.accountId).execute();
    expect(snap).toHaveLength(1);
    expect(snap[0]).toMatchObject({ followers: 120, following: null, posts_count: null });

    // Right away: the snapshot is fresh, the observed post is not due; the post the network did not
    // answer for is asked again.
    const calls = peer.requests.length;
    expect(await collectMetrics(services, a.accountId)).toMatchObject({ accountSnapshot: false, asked: 1, observed: 0 });
    expect(peer.requests.slice(calls).filter((l) => l.startsWith('GET /stats/account'))).toEqual([]);

    // A day later: a new snapshot, the 24 h point of the hour-old post and the first of the fresh one.
    peer.setAccountStats(a.handle, { followers: 125, following: 7 });
    peer.setPostStats(ext('hour'), { likes: 9, reposts: 2, views: 300 });
    peer.setPostStats(ext('fresh'), { likes: 1 });
    peer.setPostStats(ext('three'), { likes: 40, reposts: 4 });
    services.advanceClock(d);
    try {
      const r = await collectMetrics(services, a.accountId);
      expect(r).toMatchObject({ outcome: 'done', accountSnapshot: true, observed: 3 });
      expect([...peer.statsAsked.at(-1)!].sort()).toEqual([ext('fresh'), ext('hour'), ext('three')].sort());

      const acct = await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts/${a.accountId}/metrics`, undefined, owner);
      expect(acct.status).toBe(200);
      const body = (await acct.json()) as AccountMetricsBody;
      expect(body.series.map((s) => [s.followers, s.following])).toEqual([[120, null], [125, 7]]);
      expect(body.latest).toMatchObject({ followers: 125, following: 7, posts: null });
      const narrow = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts/${a.accountId}/metrics?from=${encodeURIComponent(new Date(services.now().getTime() - h).toISOString())}`, undefined, owner)).json()) as AccountMetricsBody;
      expect(narrow.series).toHaveLength(1);
      expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts/${a.accountId}/metrics?from=soon`, undefined, owner)).status).toBe(422);

      const viewer = await t.current.addUser(ws, 'viewer');
      const pm = await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${hourOld.postId}/metrics`, undefined, viewer);
      expect(pm.status).toBe(200);
      const pmBody = (await pm.json()) as PostMetricsBody;
      expect(pmBody.items).toHaveLength(1);
      expect(pmBody.items[0]!.latest).toMatchObject({ likes: 9, shares: 2, views: 300, reach: null, saves: null });
      const freshBody = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${fresh.postId}/metrics`, undefined, owner)).json()) as PostMetricsBody;
      expect(freshBody.items[0]!.latest).toMatchObject({ likes: 1, views: null, shares: null });
      expect(threeDays.targetId).toBeTruthy();
    } finally {
      services.advanceClock(-d);
    }
  });

  it('the sweep enqueues metrics for due accounts; an auth failure flags the account and stops collection', async () => {
    const services = t.current.services;
    const a = await connected();
    expect((await engagementSweep(services)).metricsEnqueued).toBeGreaterThanOrEqual(1);
    expect((await engagementSweep(services)).metricsEnqueued).toBe(0);

    peer.revoke(a.handle);
    expect((await collectMetrics(services, a.accountId)).outcome).toBe('auth_expired');
    const acct = await services.database.db.selectFrom('accounts').select(['status', 'status_reason']).where('id', '=', a.accountId).executeTakeFirstOrThrow();
    expect(acct.status).toBe('needs_reconnect');
    expect((await collectMetrics(services, a.accountId)).outcome).toBe('skipped');
  });
});
