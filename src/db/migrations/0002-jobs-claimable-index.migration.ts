/**
 * A partial index over claimable jobs: permanently failed jobs stay in the table for `queue status`
 * but must not be scanned by every claim.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds `jobs_claimable_idx`. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createIndex('jobs_claimable_idx')
    .on('jobs')
    .columns(['run_at', 'id'])
    .where(sql.ref('attempts'), '<', sql.ref('max_attempts'))
    .execute();
}
