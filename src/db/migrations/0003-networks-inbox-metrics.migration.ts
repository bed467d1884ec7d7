/**
 * What more networks need: per-target extras (poll, thread, network options), token expiry and sync
 * cursors on accounts, OAuth state and per-server app registrations, inbound messages (comments,
 * replies, mentions) and metric observations, and weekly posting slots for the queue.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds the tables and columns; existing rows get neutral defaults. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('post_targets').addColumn('extras', 'text', (c) => c.notNull().defaultTo('{}')).execute();

  for (const col of ['token_expires_at', 'expiry_warned', 'inbound_cursor', 'inbound_synced_at', 'metrics_synced_at', 'network_limits']) {
    await db.schema.alterTable('accounts').addColumn(col, 'text').execute();
  }

  await db.schema
    .createTable('oauth_states')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('service_url', 'text')
    .addColumn('account_id', 'text')
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('verifier_enc', 'text', (c) => c.notNull())
    .addColumn('keep_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_apps')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('app_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_apps_pk', ['network', 'service_url'])
    .execute();

  await db.schema
    .createTable('inbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('parent_external_id', 'text')
    .addColumn('root_external_id', 'text')
    .addColumn('target_id', 'text')
    .addColumn('author_external_id', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('author_followers', 'integer')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('lang', 'text')
    .addColumn('network_created_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted_at', 'text')
    .addUniqueConstraint('inbox_messages_account_external_uq', ['account_id', 'external_id'])
    .execute();
  await db.schema.createIndex('inbox_messages_ws_created_idx').on('inbox_messages').columns(['workspace_id', 'network_created_at']).execute();

  await db.schema
    .createTable('account_metrics')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('followers', 'integer')
    .addColumn('following', 'integer')
    .addColumn('posts_count', 'integer')
    .execute();
  await db.schema.createIndex('account_metrics_account_idx').on('account_metrics').columns(['account_id', 'observed_at']).execute();

  const metricCols = ['views', 'reach', 'likes', 'comments', 'shares', 'quotes', 'saves', 'clicks', 'poll_votes', 'video_views'];
  let postMetrics = db.schema
    .createTable('post_metrics')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('observed_at', 'text', (c) => c.notNull());
  for (const col of metricCols) postMetrics = postMetrics.addColumn(col, 'integer');
  await postMetrics.execute();
  await db.schema.createIndex('post_metrics_target_idx').on('post_metrics').columns(['target_id', 'observed_at']).execute();

  await db.schema
    .createTable('posting_slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    /** ISO weekday, 1 = Monday … 7 = Sunday, in the workspace's time zone. */
    .addColumn('weekday', 'integer', (c) => c.notNull())
    /** Wall-clock `HH:mm`. */
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('posting_slots_uq', ['account_id', 'weekday', 'time'])
    .execute();
}
