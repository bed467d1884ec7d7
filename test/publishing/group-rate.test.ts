/**
 * A connector's shared group budget (`rateGroup` + `limits.groupRate`): accounts of one group never
 * publish more than the group allows in a window, whatever their own per-account budgets; accounts of
 * another group are not slowed by it; waiting for the group is not an attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { newId } from '../../src/domain/ids';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import { groupSlotKey, takeGroupedPublishSlot } from '../../src/publishing/account-limiter';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import { findTarget } from '../../src/repositories/post-targets.repository';
import type { UseCaseContext } from '../../src/server/services';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createPost } from '../../src/use-cases/posts.use-case';
import { dialects, type Dialect } from '../support/databases';
import { extrasConnector } from '../support/extras-connector';
import { startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { createTestServices, type TestServices } from '../support/test-app';
import { fastEngine, inMs, waitFor } from './engine-harness';

const groupRate = { count: 1, windowMs: 600 };
let flakyFailures = 0;

describe.each(dialects())('group publish rate (%s)', (dialect: Dialect) => {
  let network: LoopbackNetwork;
  let services: TestServices;
  let worker: WorkerHandle | null = null;
  let ctx: UseCaseContext;

  beforeAll(async () => {
    network = await startLoopbackNetwork();
    const connectors = new ConnectorRegistry();
    // Generous per-account limits: only the group budget can hold anything back.
    connectors.register(extrasConnector(network.url, { groupRate, limits: { maxConcurrentPerAccount: 4, publishRate: { count: 100, windowMs: 1_500 } } }).connector);
    // A connector whose group lookup fails once (a bug, or a secret it cannot read yet).
    const flaky = extrasConnector(network.url, { id: 'flaky', groupRate: { count: 100, windowMs: 1_000 } }).connector;
    const rateGroup = flaky.rateGroup!;
    flaky.rateGroup = (auth) => {
      if (flakyFailures-- > 0) throw new Error('group lookup failed');
      return rateGroup(auth);
    };
    connectors.register(flaky);
    services = await createTestServices(dialect, { services: { connectors } });
    const db = services.database.db;
    const now = new Date().toISOString();
    const orgId = newId();
    const workspaceId = newId();
    const userId = newId();
    await db.insertInto('organizations').values({ id: orgId, name: 'Org', created_at: now }).execute();
    await db.insertInto('workspaces').values({ id: workspaceId, organization_id: orgId, name: 'WS', timezone: 'UTC', created_at: now }).execute();
    await db.insertInto('users').values({ id: userId, email: `g-${userId}@example.test`, name: 'owner', password_hash: 'x', locale: 'en', created_at: now }).execute();
    await db.insertInto('memberships').values({ workspace_id: workspaceId, user_id: userId, role: 'owner', created_at: now }).execute();
    ctx = { actor: { kind: 'user', userId, via: 'session' }, workspaceId, db, services };
    worker = await services.queue.startWorker(publishingHandlers(services, fastEngine), { concurrency: 8, workerId: `group-${dialect}`, pollIntervalMs: 25 });
  });
  afterAll(async () => {
    await worker?.stop();
    await services?.close();
    await network?.close();
  });

  const connect = async (handle: string) => {
    network.addAccount(handle, 'pw');
    return (await connectAccount(ctx, { network: 'extras', credentials: { handle, password: 'pw' } })).id;
  };

  it('two accounts of one group share its budget; another group is not held back', async () => {
    // The connector groups accounts by the first letter of the handle.
    const a1 = await connect(`a1-${dialect}`);
    const a2 = await connect(`a2-${dialect}`);
    const b1 = await connect(`b1-${dialect}`);
    const ids: Record<string, string[]> = { a: [], b: [] };
    for (let i = 0; i < 3; i++) {
      for (const [group, accountId] of [['a', a1], ['a', a2], ['b', b1]] as const) {
        ids[group]!.push((await createPost(ctx, { text: `group ${group} ${i}`, targets: [{ accountId }], schedule: inMs(0) })).targets[0]!.id);
      }
    }
    const all = [...ids.a!, ...ids.b!];
    for (const id of all) await waitFor(`published ${id}`, async () => (await findTarget(services.database.db, id))?.state === 'published', 15_000);

    // Group a: 6 posts at 1 per 0.6 s window need six windows, so the first and the last slot are at
    // least four whole windows (2.4 s) apart; unlimited, all six arrive within milliseconds. The
    // margin (one window) absorbs delivery delays on a busy machine, where a request may reach the
    // network a few hundred milliseconds after its slot.
    const arrivalsA = [...network.arrivals.get(`loop:a1-${dialect}`)!, ...network.arrivals.get(`loop:a2-${dialect}`)!].sort((x, y) => x - y);
    expect(arrivalsA).toHaveLength(6);
    expect(arrivalsA[5]! - arrivalsA[0]!).toBeGreaterThanOrEqual(3 * groupRate.windowMs);
    // Group b has its own budget: its three posts are not queued behind group a's six.
    const arrivalsB = network.arrivals.get(`loop:b1-${dialect}`)!;
    expect(arrivalsB).toHaveLength(3);
    expect(arrivalsB[2]!).toBeLessThan(arrivalsA[5]!);
    const row = await services.database.db.selectFrom('rate_limit_windows').selectAll().where('key', '=', groupSlotKey('extras', 'group-a')).executeTakeFirstOrThrow();
    expect(row.count).toBeLessThanOrEqual(groupRate.count);

    // Exactly once each, and waiting for the group's window was not an attempt.
    for (const id of all) expect(network.postsWithKey(id)).toHaveLength(1);
    for (const id of all) expect((await findTarget(services.database.db, id))!.attempts).toBe(1);
    expect(await services.database.db.selectFrom('rate_limit_windows').select('key').where('key', 'like', 'publish-group:%').orderBy('key').execute()).toEqual([
      { key: 'publish-group:extras:group-a' },
      { key: 'publish-group:extras:group-b' },
    ]);
  });

  it('a failure before sending (the group lookup threw) is an ordinary retry, sent once', async () => {
    network.addAccount(`f1-${dialect}`, 'pw');
    const accountId = (await connectAccount(ctx, { network: 'flaky', credentials: { handle: `f1-${dialect}`, password: 'pw' } })).id;
    flakyFailures = 1;
    const id = (await createPost(ctx, { text: 'flaky group', targets: [{ accountId }], schedule: inMs(0) })).targets[0]!.id;
    const row = await waitFor('published', async () => {
      const r = await findTarget(services.database.db, id);
      return r?.state === 'published' ? r : undefined;
    });
    expect(row.attempts).toBe(2);
    expect(network.createRequests.get(id)).toBe(1);
    expect(network.postsWithKey(id)).toHaveLength(1);
  });

  it('refuses a request for an older window instead of resetting the current one', async () => {
    const db = services.database.db;
    const key = `stale-${dialect}`;
    const { takeWindowSlot } = await import('../../src/repositories/rate-limit.repository');
    expect(await takeWindowSlot(db, key, '2031-01-01T00:00:01.000Z', 1)).toBe(true);
    // A worker that read the clock just before the boundary arrives late: refused, budget kept.
    expect(await takeWindowSlot(db, key, '2031-01-01T00:00:00.000Z', 1)).toBe(false);
    expect(await takeWindowSlot(db, key, '2031-01-01T00:00:01.000Z', 1)).toBe(false);
    expect(await takeWindowSlot(db, key, '2031-01-01T00:00:02.000Z', 1)).toBe(true);
  });

  it('takes the group slot and the account slot together or not at all', async () => {
    const db = services.database.db;
    const now = new Date(Date.UTC(2031, 0, 1, 0, 0, 0, 100));
    const group = { network: 'extras', name: `unit-${dialect}`, rate: { count: 2, windowMs: 60_000 } };
    const own = { count: 1, windowMs: 60_000 };
    const take = (accountId: string) => takeGroupedPublishSlot(db, { accountId: `${accountId}-${dialect}`, rate: own, group }, now);
    const groupCount = async () =>
      (await db.selectFrom('rate_limit_windows').select('count').where('key', '=', groupSlotKey(group.network, group.name)).executeTakeFirstOrThrow()).count;
    expect(await take('x')).toEqual({ granted: true });
    expect(await groupCount()).toBe(1);
    // x's own window is full: refused, and the group slot it took is given back for its neighbours.
    expect(await take('x')).toEqual({ granted: false, retryAt: new Date(Date.UTC(2031, 0, 1, 0, 1, 0)) });
    expect(await groupCount()).toBe(1);
    expect(await take('y')).toEqual({ granted: true });
    expect(await groupCount()).toBe(2);
    // The group is full: z is refused before its own window is touched.
    expect(await take('z')).toEqual({ granted: false, retryAt: new Date(Date.UTC(2031, 0, 1, 0, 1, 0)) });
    expect(await db.selectFrom('rate_limit_windows').select('key').where('key', '=', `publish:z-${dialect}`).execute()).toEqual([]);
    // Without a group only the account's own budget counts.
    expect(await takeGroupedPublishSlot(db, { accountId: `z-${dialect}`, rate: own, group: null }, now)).toEqual({ granted: true });
  });
});
