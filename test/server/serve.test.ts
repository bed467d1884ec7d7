/**
 * `herald serve` as a real process: roles, readiness through the worker heartbeat, the migration
 * policy (a brand-new embedded SQLite database is created, anything else with pending migrations is
 * refused until `herald migrate`), scale-out roles on one PostgreSQL database and graceful SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freshDatabaseConfig, requireAll } from '../support/databases';
import { multiProcessTestTimeoutMs, runCli, startServe, tempHome, testSecretKey, waitFor, type ServeProcess } from '../cli/cli-harness';

async function getStatus(url: string): Promise<number> {
  const r = await fetch(url);
  await r.arrayBuffer();
  return r.status;
}

const started: ServeProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop(2_000)));
});

describe('herald serve (embedded SQLite)', () => {
  const home = tempHome();
  afterAll(() => home.cleanup());

  it('creates a brand-new database, answers /api/health, becomes ready with its worker heartbeat, and stops cleanly on SIGTERM', async () => {
    const s = await startServe(['--port', '0'], { env: home.env });
    started.push(s);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await getStatus(`${s.url}/api/health`)).toBe(200);
    await waitFor(async () => (await getStatus(`${s.url}/api/ready`)) === 200, { timeoutMs: 60_000, what: '/api/ready 200' });
    // First start without users says how to create the owner.
    expect(s.output().stderr).toContain('herald user create --owner');
    expect(s.output().stderr).toContain('/api/v1/setup');
    expect(s.output().stdout).toContain('"msg":"creating the embedded SQLite database"');

    const t0 = Date.now();
    const r = await s.stop(10_000);
    expect(r).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.output().stdout).toContain('"msg":"stopped"');
  }, multiProcessTestTimeoutMs);

  it('starts again on the now-migrated database without --migrate', async () => {
    const s = await startServe(['--role', 'api', '--port', '0'], { env: home.env });
    started.push(s);
    expect(await getStatus(`${s.url}/api/health`)).toBe(200);
    expect(s.output().stdout).not.toContain('creating the embedded SQLite database');
    expect(await s.stop(10_000)).toEqual({ code: 0, signal: null });
  }, multiProcessTestTimeoutMs);

  it('refuses an existing SQLite database with pending migrations until `herald migrate`', async () => {
    const other = tempHome();
    try {
      mkdirSync(other.env.HERALD_DATA_DIR!, { recursive: true });
      // A database that is not brand-new (it has a table) but has never been migrated.
      const file = new SQLite(join(other.env.HERALD_DATA_DIR!, 'herald.sqlite'));
      file.exec('create table leftover (x integer)');
      file.close();
      const refused = await runCli(['serve', '--port', '0'], { env: other.env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('pending migration');
      expect(refused.stderr).toContain('herald migrate');
      expect(refused.stderr).not.toMatch(/\n\s+at /);

      const migrated = await runCli(['migrate'], { env: other.env });
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toContain('0001-initial');
      const s = await startServe(['--port', '0'], { env: other.env });
      started.push(s);
      expect(await getStatus(`${s.url}/api/health`)).toBe(200);
      expect(await s.stop(10_000)).toEqual({ code: 0, signal: null });
    } finally {
      other.cleanup();
    }
  }, multiProcessTestTimeoutMs);
});

const hasPostgres = Boolean(inject('postgresAdminUrl'));
if (!hasPostgres && requireAll) throw new Error('PostgreSQL is required for the serve suite (HERALD_TEST_REQUIRE_ALL=1)');

describe.skipIf(!hasPostgres)('herald serve (PostgreSQL)', () => {
  const home = tempHome();
  let drop: (() => Promise<void>) | null = null;
  let env: Record<string, string> = {};
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop(2_000)));
    await drop?.();
    home.cleanup();
  });

  it('refuses to start with pending migrations, then `migrate` lets api and worker run as separate processes', async () => {
    const fresh = await freshDatabaseConfig('postgres');
    drop = fresh.drop;
    if (fresh.config.dialect !== 'postgres') throw new Error('expected a PostgreSQL config');
    env = { ...home.env, HERALD_DATABASE_URL: fresh.config.url, HERALD_SECRET_KEY: testSecretKey };

    const refused = await runCli(['serve', '--port', '0'], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pending migration');
    expect(refused.stderr).toContain('herald migrate');
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const migrated = await runCli(['migrate'], { env });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('applied');
    expect(migrated.stdout).toContain('graphile');
    const again = await runCli(['migrate'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already up to date');

    const api = await startServe(['--role', 'api', '--port', '0'], { env });
    started.push(api);
    expect(await getStatus(`${api.url}/api/health`)).toBe(200);
    // No worker anywhere yet: the API is alive but not ready.
    expect(await getStatus(`${api.url}/api/ready`)).toBe(503);

    const worker = await startServe(['--role', 'worker'], { env });
    started.push(worker);
    expect(worker.url).toBeNull();
    await waitFor(async () => (await getStatus(`${api.url}/api/ready`)) === 200, { timeoutMs: 60_000, what: 'api ready once the worker beats' });

    const status = await runCli(['queue', 'status', '--json'], { env });
    expect(status.code).toBe(0);
    const q = JSON.parse(status.stdout) as { backend: string; workers: Array<{ role: string }> };
    expect(q.backend).toBe('graphile');
    expect(q.workers.map((w) => w.role)).toContain('worker');

    expect(await worker.stop(10_000)).toEqual({ code: 0, signal: null });
    expect(await api.stop(10_000)).toEqual({ code: 0, signal: null });
  }, multiProcessTestTimeoutMs);
});
