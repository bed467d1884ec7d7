/**
 * Picks the job queue for the database Herald runs on: the `jobs` table for SQLite, graphile-worker
 * for PostgreSQL. Call `init()` on the result before use.
 */
import type { HeraldDb } from '../db/database';
import type { Logger } from '../logging/logger';
import type { JobQueue } from './job-queue';
import { GraphileJobQueue, type GraphileJobQueueOptions } from './graphile-job-queue';
import { SqliteJobQueue, type SqliteJobQueueOptions } from './sqlite-job-queue';

/** Per-implementation tuning; each implementation reads its own part. */
export interface CreateJobQueueOptions {
  sqlite?: SqliteJobQueueOptions;
  graphile?: GraphileJobQueueOptions;
}

/** Creates the queue matching `database.dialect`. */
export function createJobQueue(database: HeraldDb, log: Logger, opts: CreateJobQueueOptions = {}): JobQueue {
  return database.dialect === 'sqlite'
    ? new SqliteJobQueue(database, log, opts.sqlite)
    : new GraphileJobQueue(database, log, opts.graphile);
}
