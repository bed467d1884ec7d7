/**
 * Creates one fresh PostgreSQL database for this test run and drops it at the end. Test files create
 * their own schemas-worth of isolation by asking `freshPostgres()` for a further database cloned per
 * file (see databases.ts). When PostgreSQL is unreachable the suites skip, unless
 * HERALD_TEST_REQUIRE_ALL=1, where this setup fails the run.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { testEnv } from '../../src/config/config';
import './provided-context';


export default async function setup(project: TestProject) {
  const env = testEnv();
  const prefix = `herald_t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const client = new pg.Client({ connectionString: env.postgresUrl });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('postgresAdminUrl', env.postgresUrl);
  } catch (e) {
    if (env.requireAll) throw new Error(`PostgreSQL is required (HERALD_TEST_REQUIRE_ALL=1) but unreachable at ${env.postgresUrl}: ${String(e)}`);
    project.provide('postgresAdminUrl', null);
  } finally {
    await client.end().catch(() => undefined);
  }
  project.provide('postgresRunPrefix', prefix);
  return async () => {
    const c = new pg.Client({ connectionString: env.postgresUrl });
    try {
      await c.connect();
      const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`]);
      for (const r of rows) await c.query(`drop database if exists "${r.datname}" with (force)`);
    } catch {
      // nothing to clean when the server was never reachable
    } finally {
      await c.end().catch(() => undefined);
    }
  };
}
