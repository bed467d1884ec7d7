/**
 * The job queue interface. Embedded Herald uses a durable table in SQLite
 * (`sqlite-job-queue.ts`); scale-out uses graphile-worker on PostgreSQL (`graphile-job-queue.ts`).
 * Both pass the same contract suite (test/jobs/job-queue.contract.test.ts).
 *
 * Delivery is at-least-once: a handler may run again after a crash, so handlers must be idempotent
 * (the publishing engine is, by claiming targets atomically in the database). Within one claim a job
 * runs at most once: two workers never run the same claimed job side by side.
 *
 * A handler that throws is retried later with exponential backoff (seconds at first; capped at about
 * an hour on SQLite, about six hours on graphile-worker) until `maxAttempts` runs have started; then
 * the job stays in storage as failed (see `stats()`). A run cut short by a crash counts as an attempt.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

/** Where an enqueue runs: the database itself or an open transaction (so jobs commit with the change). */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface EnqueueOptions {
  /** Earliest run time; default now. */
  runAt?: Date;
  /**
   * De-duplication key. Enqueueing with a key that already names a waiting job replaces that job's
   * payload and run time instead of adding a second job (and resets its attempt count). When the keyed
   * job is running, the running one finishes (it is no longer retried if it fails) and a new job with
   * the new payload and time is added, so a change made during a run is never lost; the new job may
   * start while the old run is still going (handlers are idempotent). A key naming a
   * permanently failed job is released from it: the failed job stays failed and a new one is added.
   */
  key?: string;
  /** Attempts before the job is given up (handler errors only); default 25. */
  maxAttempts?: number;
}

/** Information a handler receives besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, and so on. */
  attempt: number;
  /** The `workerId` given to `startWorker`. */
  workerId: string;
}

export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;

/** A running worker loop. */
export interface WorkerHandle {
  /** Stops taking jobs and waits for running ones to finish. */
  stop(): Promise<void>;
}

export interface JobQueue {
  readonly kind: 'sqlite' | 'graphile';
  /** Prepares storage (graphile-worker installs its schema). Idempotent. */
  init(): Promise<void>;
  /** Adds (or, with a key, replaces) a job. Pass a transaction to commit the job with a change. */
  enqueue(task: string, payload: Record<string, unknown>, opts?: EnqueueOptions, executor?: Executor): Promise<void>;
  /**
   * Removes a waiting job by key (no-op when absent). A running job is not interrupted, but its key is
   * released and it is not retried if it fails.
   */
  removeByKey(key: string, executor?: Executor): Promise<void>;
  /**
   * Of `keys`, the ones that name a job that will still run by itself: waiting (not out of attempts)
   * or taken by a worker (running, or fetched into its local batch) within the last `heldWithinMs`.
   * A key not returned has no job, only a failed one, or one held longer than that — possibly by a
   * process that died with it (graphile-worker keeps such locks for hours): re-enqueueing it is the
   * way it runs soon, at worst next to a slow run (handlers are idempotent). Lets a repair sweep
   * re-add lost jobs without duplicating live ones.
   */
  liveKeys(keys: readonly string[], opts: { heldWithinMs: number }, executor?: Executor): Promise<Set<string>>;
  /** Starts pulling jobs for the given tasks. */
  startWorker(handlers: Record<string, JobHandler>, opts: { concurrency: number; workerId: string; pollIntervalMs?: number }): Promise<WorkerHandle>;
  /**
   * Counts for `herald queue status`: `waiting` jobs (due or not, retries included), of which `due`
   * may run now, `running` (claimed by a live worker) and `failed` (out of attempts).
   */
  stats(): Promise<{ waiting: number; due: number; running: number; failed: number }>;
  /** Stops every worker this queue started (gracefully). Does not close the database. */
  close(): Promise<void>;
}
