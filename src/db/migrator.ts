/**
 * Forward-only migrations that run on both dialects. The list is explicit (no folder scanning) so the
 * bundle and the order are obvious; there is no `down`: a mistake is fixed by a new migration.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import * as m0001 from './migrations/0001-initial.migration';
import * as m0002 from './migrations/0002-jobs-claimable-index.migration';
import * as m0003 from './migrations/0003-networks-inbox-metrics.migration';
import * as m0004 from './migrations/0004-invitations.migration';
import * as m0005 from './migrations/0005-sentiment-corrections.migration';
import * as m0006 from './migrations/0006-analytics.migration';
import * as m0007 from './migrations/0007-listening.migration';
import * as m0008 from './migrations/0008-inbox-workflow.migration';
import * as m0009 from './migrations/0009-competitors.migration';
import * as m0010 from './migrations/0010-reports.migration';
import * as m0011 from './migrations/0011-listening-search.migration';
import * as m0012 from './migrations/0012-hashtag-sets.migration';
import * as m0013 from './migrations/0013-campaigns.migration';
import * as m0014 from './migrations/0014-inbox-dm-moderation.migration';
import * as m0015 from './migrations/0015-stream-cursors.migration';
import * as m0016 from './migrations/0016-report-schedule-campaign.migration';
import * as m0017 from './migrations/0017-inbox-listened-at.migration';
import * as m0018 from './migrations/0018-campaign-goals.migration';

/** What a migration may know about where it runs. */
export interface MigrationContext {
  dialect: 'sqlite' | 'postgres';
}

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** Every migration, in order. Append only. */
const migrations: Array<[string, MigrationModule]> = [
  ['0001-initial', m0001],
  ['0002-jobs-claimable-index', m0002],
  ['0003-networks-inbox-metrics', m0003],
  ['0004-invitations', m0004],
  ['0005-sentiment-corrections', m0005],
  ['0006-analytics', m0006],
  ['0007-listening', m0007],
  ['0008-inbox-workflow', m0008],
  ['0009-competitors', m0009],
  ['0010-reports', m0010],
  ['0011-listening-search', m0011],
  ['0012-hashtag-sets', m0012],
  ['0013-campaigns', m0013],
  ['0014-inbox-dm-moderation', m0014],
  ['0015-stream-cursors', m0015],
  ['0016-report-schedule-campaign', m0016],
  ['0017-inbox-listened-at', m0017],
  ['0018-campaign-goals', m0018],
];

class ListProvider implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of migrations) out[name] = { up: (db) => mod.up(db, this.ctx) };
    return out;
  }
}

function migrator(db: Kysely<unknown>, ctx: MigrationContext) {
  return new Migrator({
    db,
    provider: new ListProvider(ctx),
    migrationTableName: 'herald_migrations',
    migrationLockTableName: 'herald_migrations_lock',
  });
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Kysely<unknown>, ctx: MigrationContext): Promise<string[]> {
  const all = await migrator(db, ctx).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

/** Applies every pending migration; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<unknown>, ctx: MigrationContext): Promise<MigrationResult[]> {
  const { error, results } = await migrator(db, ctx).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return results ?? [];
}
