/**
 * A fresh, empty database per bench mode: a SQLite file in the mode's temporary folder, or a new
 * PostgreSQL database on the local server (dropped with FORCE afterwards). Migrations are applied by
 * the bench's own `createServices(…, { migrate: true })`, i.e. the production path.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { testEnv } from '../../src/config/config';

export type BenchDialect = 'sqlite' | 'postgres';

/** Where the database is (as HERALD_DATABASE_URL) and how to remove it. */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates the database; for SQLite the file lives in `dir` (removed with the folder by the caller). */
export async function freshBenchDatabase(dialect: BenchDialect, dir: string): Promise<BenchDatabase> {
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'herald.sqlite')}`, drop: async () => undefined };
  const admin = testEnv().postgresUrl;
  const name = `herald_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`create database "${name}"`);
  } finally {
    await c.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await d.end();
      }
    },
  };
}
