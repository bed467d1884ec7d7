/**
 * A connector's shared group budget (`rateGroup` + `limits.groupRate`): accounts of one group never
 * publish more than the group allows in a window, whatever their own per-account budgets; accounts of
 * another group are not held back by it; waiting for the group is not an attempt.
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
import { cancelPost, createPost } from '../../src/use-cases/posts.use-case';
import { dialects, type Dialect } from '../support/databases';
import { extrasConnector } from '../support/extras-connector';
import { startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { createTestServices, type TestServices } from '../support/test-app';
import { fastEngine, inMs, waitFor } from './engine-harness';

const groupRate = { count: 2, windowMs: 10 * 86_400_000 };
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

  it('two accounts of one group never publish more than the group allows; another group is not held back', async () => {
    // The connector groups accounts by the first letter of the handle. The window is ten days long
    // (aligned to the epoch), so the whole test runs inside one window and no timing is involved:
    // whatever the workers do, group a may publish exactly its budget of 2.
    const a1 = await connect(`a1-${dialect}`);
    const a2 = await connect(`a2-${dialect}`);
    const b1 = await connect(`b1-${dialect}`);
    const ids: Record<string, string[]> = { a: [], b: [] };
    for (let i = 0; i < 3; i++) {
      ids.a!.push((await createPost(ctx, { text: `a1 ${i}`, targets: [{ accountId: a1 }], schedule: inMs(0) })).targets[0]!.id);
      ids.a!.push((await createPost(ctx, { text: `a2 ${i}`, targets: [{ accountId: a2 }], schedule: inMs(0) })).targets[0]!.id);
    }
    for (let i = 0; i < 2; i++) ids.b!.push((await createPost(ctx, { text: `b1 ${i}`, targets: [{ accountId: b1 }], schedule: inMs(0) })).targets[0]!.id);
    const db = services.database.db;
    const states = async (list: string[]) => Promise.all(list.map(async (id) => (await findTarget(db, id))!));

    // Group b has its own budget: both its posts go out.
    await waitFor('group b published', async () => (await states(ids.b!)).every((r) => r.state === 'published'), 15_000);
    await waitFor('group a used its budget', async () => (await states(ids.a!)).filter((r) => r.state === 'published').length === 2, 15_000);
    // Several worker and sweep cycles later, still exactly 2: the others wait for the next window.
    await new Promise((r) => setTimeout(r, 1_500));
    const a = await states(ids.a!);
    expect(a.filter((r) => r.state === 'published')).toHaveLength(2);
    const windowEnd = new Date((Math.floor(Date.now() / groupRate.windowMs) + 1) * groupRate.windowMs);
    for (const r of a.filter((x) => x.state !== 'published')) {
      expect(r.state).toBe('scheduled');
      // Waiting for the group's window is not an attempt, and it is retried when the window opens.
      expect(r.attempts).toBe(0);
      expect(Date.parse(r.next_attempt_at!)).toBeGreaterThanOrEqual(windowEnd.getTime());
    }
    const sent = [...ids.a!, ...ids.b!].filter((id) => network.postsWithKey(id).length > 0);
    expect(sent).toHaveLength(4);
    for (const id of sent) expect(network.createRequests.get(id)).toBe(1);
    expect(await db.selectFrom('rate_limit_windows').select(['key', 'count']).where('key', 'like', 'publish-group:%').orderBy('key').execute()).toEqual([
      { key: groupSlotKey('extras', 'group-a'), count: 2 },
      { key: groupSlotKey('extras', 'group-b'), count: 2 },
    ]);
    // The waiting ones are cancelled so they do not wake up after the test.
    for (const r of a.filter((x) => x.state === 'scheduled')) await cancelPost(ctx, r.post_id);
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
