/**
 * Test databases: a fresh SQLite file or a fresh PostgreSQL database per call, migrated, and closed
 * and removed afterwards. `dialects()` drives the "same suite on both" pattern:
 *
 *   describe.each(dialects())('posts (%s)', (dialect) => { const t = useTestDb(dialect); ... })
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject, beforeAll, afterAll } from 'vitest';
import { openDatabase, ensureMigrated, type HeraldDb } from '../../src/db/database';
import type { DatabaseConfig } from '../../src/config/config';
import { testEnv } from '../../src/config/config';
import './provided-context';

export type Dialect = 'sqlite' | 'postgres';

let counter = 0;

/** Dialects available to this run: PostgreSQL only when the global setup reached it. */
export function dialects(): Dialect[] {
  return inject('postgresAdminUrl') ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** True when the run must not skip anything (CI). */
export const requireAll = testEnv().requireAll;

/** Creates an empty database config of the given dialect (not opened, not migrated). */
export async function freshDatabaseConfig(dialect: Dialect): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
    return { config: { dialect: 'sqlite', path: join(dir, 'herald.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = inject('postgresAdminUrl');
  if (!admin) throw new Error('PostgreSQL is not available in this run');
  const name = `${inject('postgresRunPrefix')}_${process.pid}_${++counter}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database "${name}"`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'postgres', url: url.toString() },
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists "${name}" with (force)`);
      await d.end();
    },
  };
}

/** Opens a fresh, migrated database. */
export async function freshDb(dialect: Dialect): Promise<HeraldDb & { drop(): Promise<void> }> {
  const { config, drop } = await freshDatabaseConfig(dialect);
  const h = openDatabase(config);
  await ensureMigrated(h, true);
  return {
    ...h,
    drop: async () => {
      await h.close();
      await drop();
    },
  };
}

/** Registers beforeAll/afterAll hooks for one fresh database; read `.current` inside tests. */
export function useTestDb(dialect: Dialect): { current: HeraldDb } {
  const holder = {} as { current: HeraldDb & { drop(): Promise<void> } };
  beforeAll(async () => {
    holder.current = await freshDb(dialect);
  });
  afterAll(async () => {
    await holder.current?.drop();
  });
  return holder;
}
