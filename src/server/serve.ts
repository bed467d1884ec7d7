/**
 * Runs Herald's roles in this process: `api` (the HTTP server), `worker` (takes publishing and
 * webhook jobs) and `scheduler` (sweeps for due, held and stuck posts). One process runs all three by
 * default; a scale-out runs them as separate processes against one PostgreSQL database.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { HeraldConfig } from '../config/config';
import { createApp } from '../http/app';
import { publishingHandlers } from '../publishing/publishing-worker';
import { startScheduler } from '../publishing/scheduler';
import { engagementHandlers } from '../engagement/engagement-sweep';
import { competitorHandlers } from '../competitors/competitor-collection';
import { reportHandlers } from '../reports/report-schedules';
import { startStreamRunner } from '../streaming/stream-runner';
import type { JobHandler, WorkerHandle } from '../jobs/job-queue';
import { closeServices, createServices, type CreateServicesOptions } from './create-services';
import { startHeartbeat, type Heartbeat } from './heartbeat';
import type { AppServices } from './services';
import { serverRoles, type ServerRole } from './server-roles';

export { serverRoles, type ServerRole };

/** How to run. */
export interface ServeOptions extends CreateServicesOptions {
  roles: ServerRole[];
  /** Overrides `config.port` (0 picks a free port; the chosen one is in {@link RunningHerald.url}). */
  port?: number;
  /** Extra job handlers (e.g. webhook delivery) merged with the publishing handlers. */
  extraHandlers?: Record<string, JobHandler>;
}

/** A running Herald process. */
export interface RunningHerald {
  services: AppServices;
  roles: ServerRole[];
  /** Identifies this process's worker in leases and heartbeats. */
  workerId: string;
  /** Where the API listens (null without the api role). */
  url: string | null;
  /** Graceful stop: no new requests or jobs, running jobs finish, then the database closes. Idempotent. */
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    // Idle keep-alive sockets would hold close() open until they time out.
    server.closeIdleConnections();
  });
}

/** Starts the requested roles. Throws (after cleaning up) when any of them cannot start. */
export async function serve(config: HeraldConfig, opts: ServeOptions): Promise<RunningHerald> {
  const roles = [...new Set(opts.roles)];
  const services = await createServices(config, opts);
  const { log } = services;
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const stops: Array<() => Promise<void>> = [];
  let url: string | null = null;

  const stopAll = async () => {
    // Reverse start order: the HTTP server stops first, the database closes last.
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (e) {
        log.error({ err: e }, 'error while stopping');
      }
    }
    stops.length = 0;
    await closeServices(services);
  };

  try {
    const heartbeatRows: Array<{ workerId: string; role: string }> = [];
    if (roles.includes('worker')) {
      const handlers = { ...publishingHandlers(services), ...engagementHandlers(services), ...competitorHandlers(services), ...reportHandlers(services), ...(opts.extraHandlers ?? {}) };
      const worker: WorkerHandle = await services.queue.startWorker(handlers, { concurrency: config.workerConcurrency, workerId });
      stops.push(() => worker.stop());
      heartbeatRows.push({ workerId, role: 'worker' });
      log.info({ workerId, concurrency: config.workerConcurrency, queue: services.queue.kind }, 'worker started');
      if (config.streaming?.enabled) {
        // Live subscriptions feed the same ingest as the sync-inbound jobs (src/streaming/).
        const streams = startStreamRunner(services);
        stops.push(() => streams.stop());
        log.info('stream runner started');
      }
    }
    if (roles.includes('scheduler')) {
      const scheduler = startScheduler(services);
      stops.push(() => scheduler.stop());
      heartbeatRows.push({ workerId: `${workerId}:scheduler`, role: 'scheduler' });
      log.info({ intervalMs: config.schedulerIntervalMs }, 'scheduler started');
    }
    if (heartbeatRows.length) {
      const heartbeat: Heartbeat = await startHeartbeat({ db: services.database.db, log, rows: heartbeatRows, now: () => new Date() });
      stops.push(() => heartbeat.stop());
    }
    if (roles.includes('api')) {
      const app = createApp(services);
      const server = createAdaptorServer({ fetch: app.fetch }) as Server;
      const address = await listen(server, opts.port ?? config.port, config.host);
      stops.push(() => closeServer(server));
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? 'localhost' : shownHost}:${address.port}`;
      log.info({ url, port: address.port, host: config.host, publicUrl: config.publicUrl }, 'listening');
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  let stopping: Promise<void> | null = null;
  return {
    services,
    roles,
    workerId,
    url,
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
