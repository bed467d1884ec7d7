import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { dialects, freshDatabaseConfig } from '../support/databases';
import { ensureMigrated, openDatabase, PendingMigrationsError, pingDatabase } from '../../src/db/database';
import { pendingMigrations } from '../../src/db/migrator';

describe.each(dialects())('migrations (%s)', (dialect) => {
  it('refuses to run with pending migrations, then applies them forward-only and idempotently', async () => {
    const { config, drop } = await freshDatabaseConfig(dialect);
    const h = openDatabase(config);
    try {
      expect(await pingDatabase(h)).toBe(true);
      await expect(ensureMigrated(h, false)).rejects.toBeInstanceOf(PendingMigrationsError);
      const applied = await ensureMigrated(h, true);
      expect(applied).toContain('0001-initial');
      expect(await pendingMigrations(h.db as Kysely<unknown>, { dialect })).toEqual([]);
      expect(await ensureMigrated(h, false)).toEqual([]);
      // the schema is usable with one query code: counts come back as numbers on both dialects
      const now = new Date().toISOString();
      await h.db.insertInto('organizations').values({ id: 'o1', name: 'Agency', created_at: now }).execute();
      const row = await h.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(row.n).toBe(1);
      const bin = await sql<{ ok: number }>`select 1 as ok`.execute(h.db);
      expect(bin.rows[0]?.ok).toBe(1);
    } finally {
      await h.close();
      await drop();
    }
  });
});
