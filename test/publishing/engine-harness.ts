/**
 * Shared set-up for the engine tests: real services over a fresh database of one dialect, the real job
 * queue with a running worker and scheduler (small lease and backoff values), the loopback network
 * and a workspace with an owner and a contributor.
 */
import { afterAll, beforeAll } from 'vitest';
import type { WorkspaceRole } from '../../src/db/schema';
import { newId } from '../../src/domain/ids';
import { ConnectorRegistry } from '../../src/connectors/registry';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import type { PublishingOptions } from '../../src/publishing/publishing-options';
import { startScheduler } from '../../src/publishing/scheduler';
import type { UseCaseContext } from '../../src/server/services';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import type { Dialect } from '../support/databases';
import { startLoopbackNetwork, loopbackConnector, type LoopbackConnectorOptions, type LoopbackNetwork, type LoopbackNetworkOptions } from '../support/loopback-network';
import { createTestServices, type TestServices } from '../support/test-app';
import { waitFor as pollUntil } from '../support/wait-for';

/** Engine values small enough for a whole retry cycle to take well under a second. */
export const fastEngine: Partial<PublishingOptions> = {
  leaseMs: 4_000,
  requestTimeoutMs: 2_000,
  backoff: { baseMs: 50, capMs: 200 },
  busyRetryMs: 60,
  overdueGraceMs: 1_500,
  schedulerIntervalMs: 150,
  webhookBackoff: { baseMs: 50, capMs: 200 },
  webhookTimeoutMs: 1_000,
};

export interface Harness {
  services: TestServices;
  network: LoopbackNetwork;
  workspaceId: string;
  ownerId: string;
  /** A use-case context acting as a user with `role` (owner by default). */
  ctx(role?: WorkspaceRole): UseCaseContext;
  /** Registers a fresh account on the loopback network and connects it; returns its Herald id. */
  connect(handle?: string): Promise<{ accountId: string; handle: string; password: string }>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
}

let counter = 0;

/** Polls `fn` every 25 ms until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 8_000): Promise<T> {
  return pollUntil(what, fn, timeoutMs, 25);
}

/** Registers before/after hooks and returns a holder filled in `beforeAll`. */
export function useEngine(
  dialect: Dialect,
  opts: { connector?: LoopbackConnectorOptions; network?: LoopbackNetworkOptions; engine?: Partial<PublishingOptions>; scheduler?: boolean } = {},
): { current: Harness } {
  const holder = {} as { current: Harness };
  let worker: WorkerHandle | null = null;
  let scheduler: { stop(): Promise<void> } | null = null;
  let services: TestServices;
  let network: LoopbackNetwork;
  beforeAll(async () => {
    network = await startLoopbackNetwork(opts.network);
    const connectors = new ConnectorRegistry();
    connectors.register(loopbackConnector(network.url, opts.connector));
    services = await createTestServices(dialect, { services: { connectors } });
    const engine = { ...fastEngine, ...opts.engine };
    const db = services.database.db;
    const now = new Date().toISOString();
    const orgId = newId();
    const workspaceId = newId();
    await db.insertInto('organizations').values({ id: orgId, name: 'Org', created_at: now }).execute();
    await db.insertInto('workspaces').values({ id: workspaceId, organization_id: orgId, name: 'WS', timezone: 'Europe/Stockholm', created_at: now }).execute();
    const users: Partial<Record<WorkspaceRole, string>> = {};
    for (const role of ['owner', 'editor', 'contributor', 'viewer'] as const) {
      const id = newId();
      await db.insertInto('users').values({ id, email: `${role}-${id}@example.test`, name: role, password_hash: 'x', locale: 'en', created_at: now }).execute();
      await db.insertInto('memberships').values({ workspace_id: workspaceId, user_id: id, role, created_at: now }).execute();
      users[role] = id;
    }
    const startWorker = async () => {
      worker = await services.queue.startWorker(publishingHandlers(services, engine), { concurrency: 8, workerId: `test-${dialect}`, pollIntervalMs: 25 });
    };
    await startWorker();
    if (opts.scheduler ?? true) scheduler = startScheduler(services, engine);
    const h: Harness = {
      services,
      network,
      workspaceId,
      ownerId: users.owner!,
      ctx: (role = 'owner') => ({ actor: { kind: 'user', userId: users[role]!, via: 'session' }, workspaceId, db, services }),
      async connect(handle = `user${++counter}-${dialect}`) {
        const password = `pw-${handle}`;
        network.addAccount(handle, password);
        const a = await connectAccount(h.ctx(), { network: 'loopback', credentials: { handle, password } });
        return { accountId: a.id, handle, password };
      },
      async stopWorker() {
        await worker?.stop();
        worker = null;
      },
      startWorker,
    };
    holder.current = h;
  });
  afterAll(async () => {
    await scheduler?.stop();
    await worker?.stop();
    await services?.close();
    await network?.close();
  });
  return holder;
}

/** A schedule `ms` from now as an ISO instant. */
export const inMs = (ms: number) => ({ at: new Date(Date.now() + ms).toISOString() });
