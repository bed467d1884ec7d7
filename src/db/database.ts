/**
 * Opens Herald's database on either dialect behind one Kysely type. SQLite runs in WAL mode with a
 * busy timeout so several processes (api, worker, CLI) can share the file; PostgreSQL's int8 results
 * (`count(*)`) are parsed to numbers so query code never sees strings for counts.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type { DatabaseConfig } from '../config/config';
import type { Database } from './schema';
import { migrateToLatest, pendingMigrations } from './migrator';

/** An open database plus what callers need to know about it. */
export interface HeraldDb {
  db: Kysely<Database>;
  dialect: DatabaseConfig['dialect'];
  config: DatabaseConfig;
  close(): Promise<void>;
}

// count(*) and bigserial come back as int8; Herald's counts fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Prepared statements kept per SQLite connection (least recently used dropped first). */
const statementCacheSize = 200;

/**
 * The connection as Kysely's SQLite driver sees it, with statements reused by SQL text: the driver
 * prepares every statement it runs, and preparing costs as much as running for the ingest path's
 * multi-row INSERTs (thousands of parameters) and for the small queries every job repeats. Kysely runs
 * one statement at a time per connection, so a cached statement is never in use twice at once.
 */
function withStatementCache(file: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) {
        // Most recently used last, so the first key is the one to drop.
        cache.delete(text);
      } else {
        statement = file.prepare(text);
        if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** Opens (and for SQLite creates) the database. Does not migrate. */
export function openDatabase(config: DatabaseConfig, opts: { poolSize?: number } = {}): HeraldDb {
  if (config.dialect === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true });
    const file = new SQLite(config.path);
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    file.pragma('busy_timeout = 10000');
    file.pragma('foreign_keys = ON');
    // SQLite's default page cache is 2 MB: the inbox's indexes outgrow it within a few thousand
    // messages, and every insert then re-reads index pages through system calls. 64 MB per connection
    // (allocated as used) keeps the hot pages in memory; memory-mapped reads avoid the copies.
    file.pragma('cache_size = -65536');
    file.pragma('mmap_size = 268435456');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
    return { db, dialect: 'sqlite', config, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: config.url, max: opts.poolSize ?? 10 });
  // An idle pooled connection the server closes (restart, failover, an administrator ending it) is
  // reported on the pool; without a listener node-postgres would crash the process. The pool drops
  // that client and the next query opens a new connection, so a warning is all it needs.
  pool.on('error', (e) => process.emitWarning(`PostgreSQL idle connection closed: ${e.message}`, 'HeraldPoolWarning'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', config, close: () => db.destroy() };
}

/** Thrown at start-up when migrations are pending and the caller did not ask to migrate. */
export class PendingMigrationsError extends Error {
  constructor(public readonly pending: string[]) {
    super(`the database has ${pending.length} pending migration(s) (${pending.join(', ')}): run \`herald migrate\` or start with --migrate`);
    this.name = 'PendingMigrationsError';
  }
}

/** Checks migrations at start-up: applies them when `migrate` is set, refuses to run otherwise. */
export async function ensureMigrated(h: HeraldDb, migrate: boolean): Promise<string[]> {
  const ctx = { dialect: h.dialect };
  const pending = await pendingMigrations(h.db as Kysely<unknown>, ctx);
  if (pending.length === 0) return [];
  if (!migrate) throw new PendingMigrationsError(pending);
  await migrateToLatest(h.db as Kysely<unknown>, ctx);
  return pending;
}

/** True when the database answers a trivial query. */
export async function pingDatabase(h: HeraldDb): Promise<boolean> {
  try {
    await sql`select 1`.execute(h.db);
    return true;
  } catch {
    return false;
  }
}

/** The current time as Herald stores it. */
export function nowIso(d: Date = new Date()): string {
  return d.toISOString();
}
