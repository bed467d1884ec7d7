/**
 * The fault proof: a loopback proxy in front of the real local PDS answers 20% of the XRPC calls with
 * a fault — 429 or 500 without reaching the PDS, 502 after the PDS did the work, or no answer at all
 * after the PDS did the work (the connector's 1.5 s request timeout fires: an unknown outcome). Every
 * one of ~100 posts must still be published, each exactly once, which is checked by reading the PDS
 * directly (not through the proxy).
 *
 * Publishing runs in this process (real job queue worker and scheduler) so the connector can be built
 * with a short request timeout. Runs on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import type { PublishingOptions } from '../../src/publishing/publishing-options';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import { startScheduler } from '../../src/publishing/scheduler';
import { requireBlueskyPds } from '../support/bluesky-network';
import { dialects } from '../support/databases';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { compareWithPds, expectExactlyOnceOnPds, schedulePostsAt, setupBlueskyWorkspace, waitUntilSettled } from '../support/publish-fixtures';
import { createTestServices, type TestServices } from '../support/test-app';

const pdsUrl = requireBlueskyPds();

const POSTS = 100;
const ACCOUNTS = 5;
const FAULT_RATE = 0.2;

/** Small engine values so retries and recoveries take a second or two, not minutes. */
const engine: Partial<PublishingOptions> = {
  leaseMs: 8_000,
  requestTimeoutMs: 5_000,
  backoff: { baseMs: 250, capMs: 2_000 },
  busyRetryMs: 200,
  overdueGraceMs: 3_000,
  schedulerIntervalMs: 250,
};

describe.skipIf(!pdsUrl).each(dialects())('fault test: 20%% injected 429/500/502/timeouts (%s)', (dialect) => {
  let services: TestServices;
  let proxy: FaultProxy;
  let worker: WorkerHandle | null = null;
  let scheduler: { stop(): Promise<void> } | null = null;
  let faultsOn = false;
  const calls = new Map<string, number>();

  beforeAll(async () => {
    proxy = await startFaultProxy(pdsUrl!, {
      rate: FAULT_RATE,
      match: (req: IncomingMessage) => {
        const nsid = /^\/xrpc\/([^?]+)/.exec(req.url ?? '')?.[1] ?? req.url ?? '?';
        if (faultsOn) calls.set(nsid, (calls.get(nsid) ?? 0) + 1);
        return faultsOn;
      },
    });
    const connectors = new ConnectorRegistry();
    connectors.register(createBlueskyConnector({ requestTimeoutMs: 1_500 }));
    services = await createTestServices(dialect, { services: { connectors } });
  });

  afterAll(async () => {
    faultsOn = false;
    await scheduler?.stop();
    await worker?.stop();
    await services?.close();
    await proxy?.close();
  });

  it(`publishes ${POSTS} posts exactly once through a flaky network`, async () => {
    const db = services.database.db;
    // Accounts connect (createSession) through the proxy before faults are switched on.
    const ws = await setupBlueskyWorkspace(services, pdsUrl!, { count: ACCOUNTS, serviceUrl: proxy.url, prefix: `flt${dialect.slice(0, 2)}` });
    expect(ws.accounts.every((a) => a.accountId)).toBe(true);
    const expected = await schedulePostsAt(ws, POSTS, new Date(Date.now() + 1_000), `fault-${dialect}`);

    faultsOn = true;
    const t0 = Date.now();
    worker = await services.queue.startWorker(publishingHandlers(services, engine), { concurrency: 8, workerId: `fault-${dialect}`, pollIntervalMs: 50 });
    scheduler = startScheduler(services, engine);
    const final = await waitUntilSettled(db, ws.ctx.workspaceId, 150_000, `${dialect} fault test`);
    const tookMs = Date.now() - t0;
    faultsOn = false;

    const events = await db
      .selectFrom('events')
      .select(['type', 'subject_id'])
      .where('workspace_id', '=', ws.ctx.workspaceId)
      .where('type', 'in', ['post.target.unconfirmed', 'post.target.published', 'post.target.failed'])
      .execute();
    const unconfirmed = new Set(events.filter((e) => e.type === 'post.target.unconfirmed').map((e) => e.subject_id)).size;
    const published = events.filter((e) => e.type === 'post.target.published');
    const attempts = await db.selectFrom('post_targets').select('attempts').where('workspace_id', '=', ws.ctx.workspaceId).execute();
    const retried = attempts.filter((a) => a.attempts > 1).length;
    const maxAttempts = Math.max(...attempts.map((a) => a.attempts));

    // Read the PDS directly, not through the proxy.
    const cmp = await compareWithPds(pdsUrl!, db, ws.accounts, expected);
    const { none, ...faults } = proxy.counts;
    console.log(
      `[fault ${dialect}] ${POSTS} posts on ${ACCOUNTS} accounts settled in ${tookMs} ms; ${none + Object.values(faults).reduce((a, b) => a + b, 0)} proxied requests ` +
        `(${JSON.stringify(Object.fromEntries(calls))}); injected ${JSON.stringify(faults)}; ` +
        `${retried} targets needed more than one attempt (max ${maxAttempts}), ${unconfirmed} went through unconfirmed; ` +
        `final states ${JSON.stringify(final)}; PDS records ${cmp.records}`,
    );

    expect(final).toEqual({ published: POSTS });
    expectExactlyOnceOnPds(cmp, POSTS);
    expect(published).toHaveLength(POSTS);
    expect(new Set(published.map((e) => e.subject_id)).size).toBe(POSTS);
    // Every kind of fault was really injected, on the write itself too.
    expect(faults.rate_limit).toBeGreaterThan(0);
    expect(faults.error_before).toBeGreaterThan(0);
    expect(faults.error_after).toBeGreaterThan(0);
    expect(faults.hang_after).toBeGreaterThan(0);
    expect(calls.get('com.atproto.repo.createRecord') ?? 0).toBeGreaterThan(POSTS);
    // The faults cost retries: the engine really went through them rather than around them.
    expect(retried + unconfirmed).toBeGreaterThan(0);
  }, 240_000);
});
