/**
 * Listening at ingest: `inbox_messages.listened_at` is when the ingest that stored a message read the
 * workspace's active listening queries and matched the message against them (null: stored without
 * that, e.g. before this migration). The listening sweep then only reads messages no ingest matched
 * against a query's current version (src/listening/listening-matching.ts), instead of every message.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds inbox_messages.listened_at. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('inbox_messages').addColumn('listened_at', 'text').execute();
}
