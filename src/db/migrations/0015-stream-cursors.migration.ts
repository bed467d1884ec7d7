/**
 * Stream cursors: where each live subscription (a firehose socket shared by the accounts of one relay
 * or PDS, a server's streaming connection) resumes after a restart. One row per connector and upstream;
 * `cursor` is the connector's own resume point (opaque to Herald).
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the stream_cursors table. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('stream_cursors')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('upstream', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
