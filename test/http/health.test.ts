import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { beat } from '../../src/server/heartbeat';

describe.each(dialects())('health and readiness (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('liveness is 200 without any dependency', async () => {
    const res = await t.current.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('readiness needs a fresh worker heartbeat', async () => {
    const none = await t.current.request('/api/ready');
    expect(none.status).toBe(503);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const doc = (await none.json()) as { checks: Record<string, string>; detail: string };
    expect(doc.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    expect(doc.checks.worker).toMatch(/^failed/);
    expect(doc.detail).toMatch(/worker/);

    const db = t.current.services.database.db;
    await beat(db, 'old-worker', 'worker', new Date(Date.now() - 31_000));
    expect((await t.current.request('/api/ready')).status).toBe(503);
    // A scheduler beats too, but it publishes nothing: still not ready.
    await beat(db, 'a-scheduler', 'scheduler', new Date());
    expect((await t.current.request('/api/ready')).status).toBe(503);

    // A heartbeat from any worker, even of another process, makes the API ready.
    await beat(db, 'other-process', 'worker', new Date());
    const ok = await t.current.request('/api/ready');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', worker: 'ok' } });
  });

  it('readiness reports pending migrations', async () => {
    const db = t.current.services.database.db as unknown as Kysely<unknown>;
    const rows = await sql<{ name: string; timestamp: string }>`select name, timestamp from herald_migrations`.execute(db);
    const first = rows.rows[0];
    expect(first).toBeDefined();
    await sql`delete from herald_migrations where name = ${first?.name ?? ''}`.execute(db);
    try {
      const res = await t.current.request('/api/ready');
      expect(res.status).toBe(503);
      const doc = (await res.json()) as { checks: Record<string, string> };
      expect(doc.checks.migrations).toMatch(/pending.*0001-initial/);
    } finally {
      await sql`insert into herald_migrations (name, timestamp) values (${first?.name ?? ''}, ${first?.timestamp ?? ''})`.execute(db);
    }
    expect((await t.current.request('/api/ready')).status).toBe(200);
  });
});
