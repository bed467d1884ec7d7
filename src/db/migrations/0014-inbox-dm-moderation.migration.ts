/**
 * Direct messages and moderation in the inbox: each account's own cursor for direct messages
 * (`inbox_dm_cursors`, apart from the comments cursor), what Herald did to a message on the network (hidden / deleted, by whom,
 * when) and our own replies deleted on the network.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds the DM cursor and the moderation columns. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  // SQLite adds one column per ALTER TABLE.
  await db.schema
    .createTable('inbox_dm_cursors')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('cursor', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const messages = () => db.schema.alterTable('inbox_messages');
  await messages().addColumn('network_hidden_at', 'text').execute();
  await messages().addColumn('network_hidden_by', 'text', (c) => c.references('users.id').onDelete('set null')).execute();
  await messages().addColumn('network_deleted_at', 'text').execute();
  await messages().addColumn('network_deleted_by', 'text', (c) => c.references('users.id').onDelete('set null')).execute();
  await db.schema.alterTable('inbox_replies').addColumn('deleted_at', 'text').execute();
  await db.schema.alterTable('inbox_replies').addColumn('deleted_by', 'text', (c) => c.references('users.id').onDelete('set null')).execute();
}
