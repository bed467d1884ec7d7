/**
 * The scale-out job queue: graphile-worker 0.17 on Herald's PostgreSQL database, in its own schema
 * `graphile_worker`.
 *
 * Enqueueing calls `graphile_worker.add_job(...)` through the caller's executor, so a job commits or
 * rolls back with the change that caused it. graphile-worker's `job_key_mode => 'replace'` gives the
 * key semantics of the interface: a waiting job is replaced; a running one keeps running (without
 * retries) and a new job is added. Retry backoff is graphile's: exp(min(attempt, 10)) seconds.
 *
 * Workers get a pg pool of their own (so long jobs never starve the API's pool). New jobs wake workers
 * through graphile's LISTEN/NOTIFY; jobs due later are found by polling, hence the short default poll
 * interval: it bounds how late a scheduled post goes out. One fetch per poll serves all of a
 * worker's slots (graphile's local queue), so the short interval stays cheap when idle.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { Logger as GraphileLogger, run, runMigrations, type LogFunctionFactory, type Runner, type TaskList } from 'graphile-worker';
import type { HeraldDb } from '../db/database';
import type { Logger } from '../logging/logger';
import type { EnqueueOptions, Executor, JobHandler, JobQueue, WorkerHandle } from './job-queue';
import { checkEnqueue, checkWorkerOptions } from './enqueue-options';

/** Tuning for {@link GraphileJobQueue}. */
export interface GraphileJobQueueOptions {
  /** Poll interval for jobs that become due later (new jobs arrive by NOTIFY). Default 100 ms. */
  pollIntervalMs?: number;
  /**
   * graphile-worker's local queue: the pool fetches (and locks) up to this many jobs per query and
   * hands them to its worker slots, instead of every slot polling on its own. Default: the worker's
   * concurrency; -1 turns it off. Measured here with concurrency 16 and a 100 ms poll: idle load drops
   * from ~130 to ~14 queries/s per worker process, for ~35 ms more lateness (p50 71 ms, max 131 ms).
   * The cost: up to this many due jobs may sit locked in one process while another is idle.
   */
  localQueueSize?: number;
  /** Extra pg connections per worker above its concurrency. Default 2 (LISTEN plus bookkeeping). */
  extraConnections?: number;
}

/** How long graphile-worker considers a lock valid (fixed in 0.17's SQL). */
const graphileLockInterval = "interval '4 hours'";

/** Adapts Herald's pino logger to graphile-worker's Logger. */
export function graphileLogger(log: Logger): GraphileLogger {
  const factory: LogFunctionFactory = (scope) => {
    const child = log.child({ component: 'graphile-worker', ...pickScope(scope) });
    return (level, message, meta) => {
      const fields: Record<string, unknown> = {};
      if (meta?.error !== undefined) fields.err = meta.error;
      const job = meta?.job as { id?: unknown; task_identifier?: unknown } | undefined;
      if (job?.id !== undefined) fields.jobId = String(job.id);
      if (job?.task_identifier !== undefined) fields.task = job.task_identifier;
      switch (String(level)) {
        case 'error':
          // A task failure is routine (it will be retried); graphile marks those with `failure`.
          if (meta?.failure) child.warn(fields, message);
          else child.error(fields, message);
          break;
        case 'warning':
          child.warn(fields, message);
          break;
        default:
          // graphile logs every completed job at "info"; that is debug-level noise for Herald.
          child.debug(fields, message);
      }
    };
  };
  return new GraphileLogger(factory);
}

function pickScope(scope: Parameters<LogFunctionFactory>[0]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (scope.label !== undefined) out.label = scope.label;
  // graphile's own worker ids differ from Herald's workerId; keep both apart.
  if (scope.workerId !== undefined) out.graphileWorkerId = scope.workerId;
  if (scope.taskIdentifier !== undefined) out.task = scope.taskIdentifier;
  if (scope.jobId !== undefined) out.jobId = scope.jobId;
  return out;
}

/** The graphile-worker implementation of {@link JobQueue}. */
export class GraphileJobQueue implements JobQueue {
  readonly kind = 'graphile' as const;
  private readonly url: string;
  private readonly glog: GraphileLogger;
  private readonly opts: Required<Omit<GraphileJobQueueOptions, 'localQueueSize'>> & { localQueueSize?: number };
  private readonly stops = new Set<() => Promise<void>>();

  constructor(private readonly database: HeraldDb, private readonly log: Logger, opts: GraphileJobQueueOptions = {}) {
    if (database.config.dialect !== 'postgres') throw new Error('GraphileJobQueue needs a PostgreSQL database');
    this.url = database.config.url;
    this.glog = graphileLogger(log);
    this.opts = { pollIntervalMs: 100, extraConnections: 2, ...opts };
  }

  /** Installs or upgrades graphile-worker's schema (it takes a lock, so concurrent starts are safe). */
  async init(): Promise<void> {
    await runMigrations({ connectionString: this.url, logger: this.glog, maxPoolSize: 1 });
  }

  async enqueue(task: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}, executor?: Executor): Promise<void> {
    const job = checkEnqueue(task, payload, opts);
    await sql`select graphile_worker.add_job(
      identifier => ${job.task}::text,
      payload => ${job.payloadJson}::json,
      run_at => ${job.runAt ? job.runAt.toISOString() : null}::timestamptz,
      max_attempts => ${job.maxAttempts}::int,
      job_key => ${job.key}::text,
      job_key_mode => 'replace'
    )`.execute(executor ?? this.database.db);
  }

  async removeByKey(key: string, executor?: Executor): Promise<void> {
    await sql`select graphile_worker.remove_job(${key}::text)`.execute(executor ?? this.database.db);
  }

  async liveKeys(keys: readonly string[], opts: { heldWithinMs: number }, executor?: Executor): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    // graphile-worker never renews locked_at: it is when a worker fetched the job.
    const { rows } = await sql<{ key: string }>`
      select key from graphile_worker.jobs
      where key = any(${[...keys]}::text[])
        and ((locked_at is not null and locked_at > now() - make_interval(secs => ${opts.heldWithinMs / 1000}::float8))
          or ((locked_at is null or not (${sql.raw(`locked_at > now() - ${graphileLockInterval}`)})) and attempts < max_attempts))`.execute(executor ?? this.database.db);
    return new Set(rows.map((r) => r.key));
  }

  async startWorker(
    handlers: Record<string, JobHandler>,
    opts: { concurrency: number; workerId: string; pollIntervalMs?: number },
  ): Promise<WorkerHandle> {
    checkWorkerOptions(handlers, opts);
    const { workerId, concurrency } = opts;
    const taskList: TaskList = {};
    for (const [name, handler] of Object.entries(handlers)) {
      taskList[name] = async (payload, helpers) => {
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('job payload is not a JSON object');
        await handler(payload as Record<string, unknown>, { jobId: String(helpers.job.id), attempt: helpers.job.attempts, workerId });
      };
    }
    const pool = new pg.Pool({ connectionString: this.url, max: concurrency + this.opts.extraConnections });
    // A connection dropped by the server must not crash the process (an unhandled 'error' event
    // would); graphile-worker reconnects. It wants handlers for idle and checked-out clients both.
    pool.on('error', (e) => this.log.warn({ err: e, workerId }, 'graphile-worker idle connection error'));
    pool.on('connect', (client) => {
      client.on('error', (e) => this.log.warn({ err: e, workerId }, 'graphile-worker connection error'));
    });
    let runner: Runner;
    try {
      runner = await run({
        pgPool: pool,
        taskList,
        concurrency,
        pollInterval: opts.pollIntervalMs ?? this.opts.pollIntervalMs,
        noHandleSignals: true,
        logger: this.glog,
        parsedCronItems: [],
        preset: { worker: { localQueue: { size: this.opts.localQueueSize ?? (concurrency > 1 ? concurrency : -1) } } },
      });
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    let stopped: Promise<void> | null = null;
    const stop = () => {
      stopped ??= (async () => {
        try {
          await runner.stop();
          await runner.promise.catch((e: unknown) => this.log.warn({ err: e, workerId }, 'graphile-worker stopped with an error'));
        } finally {
          this.stops.delete(stop);
          await pool.end();
        }
      })();
      return stopped;
    };
    this.stops.add(stop);
    return { stop };
  }

  async stats(): Promise<{ waiting: number; due: number; running: number; failed: number }> {
    const lockValid = sql.raw(`locked_at > now() - ${graphileLockInterval}`);
    const free = sql`(locked_at is null or not (${lockValid}))`;
    const { rows } = await sql<{ waiting: number; due: number; running: number; failed: number }>`
      select
        count(*) filter (where ${free} and attempts < max_attempts)::int as waiting,
        count(*) filter (where ${free} and attempts < max_attempts and run_at <= now())::int as due,
        count(*) filter (where ${lockValid})::int as running,
        count(*) filter (where ${free} and attempts >= max_attempts)::int as failed
      from graphile_worker.jobs`.execute(this.database.db);
    const r = rows[0];
    return { waiting: r?.waiting ?? 0, due: r?.due ?? 0, running: r?.running ?? 0, failed: r?.failed ?? 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.stops].map((s) => s()));
  }
}
