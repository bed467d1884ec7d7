/**
 * The job queue interface. Embedded Herald uses a durable table in SQLite
 * (`sqlite-job-queue.ts`); scale-out uses graphile-worker on PostgreSQL (`graphile-job-queue.ts`).
 * Both pass the same contract suite (test/jobs/job-queue.contract.test.ts).
 *
 * Delivery is at-least-once: a handler may run again after a crash, so handlers must be idempotent
 * (the publishing engine is, by claiming targets atomically in the database).
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
   * payload and run time instead of adding a second job.
   */
  key?: string;
  /** Attempts before the job is given up (handler errors only); default 25. */
  maxAttempts?: number;
}

/** Information a handler receives besides its payload. */
export interface JobContext {
  jobId: string;
  attempt: number;
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
  /** Removes a waiting job by key (no-op when absent or already running). */
  removeByKey(key: string, executor?: Executor): Promise<void>;
  /** Starts pulling jobs for the given tasks. */
  startWorker(handlers: Record<string, JobHandler>, opts: { concurrency: number; workerId: string; pollIntervalMs?: number }): Promise<WorkerHandle>;
  /** Jobs waiting (due or not) and failed permanently, for `herald queue status`. */
  stats(): Promise<{ waiting: number; due: number; running: number; failed: number }>;
  close(): Promise<void>;
}
