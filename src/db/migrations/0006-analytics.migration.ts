/**
 * Analytics: the content type and hashtags of a published target, the daily rollups dashboards and
 * KPIs read (per post: its latest counts; per account and day; per account, day and content type),
 * and the workspace's analytics settings (its default engagement definition). Rollups are derived
 * data: `refreshRollups` (src/analytics/rollups.ts) rebuilds any range of them from the raw tables.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Counts kept per post and summed per day; nullable because a missing count stays missing. */
const metricColumns = ['views', 'reach', 'likes', 'comments', 'shares', 'quotes', 'saves', 'clicks', 'poll_votes', 'video_views'] as const;

/** Creates the analytics tables and the lookup index imports need. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  // Imports and rollups look targets up by the network's id within one account.
  await db.schema.createIndex('post_targets_account_external_idx').on('post_targets').columns(['account_id', 'external_id']).execute();
  // Daily activity reads an account's observations by time.
  await db.schema.createIndex('post_metrics_account_observed_idx').on('post_metrics').columns(['account_id', 'observed_at']).execute();

  await db.schema
    .createTable('analytics_post_content')
    .addColumn('target_id', 'text', (c) => c.primaryKey().references('post_targets.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('hashtags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  let post = db.schema
    .createTable('analytics_post_rollups')
    .addColumn('target_id', 'text', (c) => c.primaryKey().references('post_targets.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('local_day', 'text', (c) => c.notNull())
    .addColumn('local_weekday', 'integer', (c) => c.notNull())
    .addColumn('local_hour', 'integer', (c) => c.notNull())
    .addColumn('followers_at_publish', 'integer')
    .addColumn('followers_observed_at', 'text')
    .addColumn('observed_at', 'text');
  for (const m of metricColumns) post = post.addColumn(m, 'integer');
  // Views of the newest observation within 24 h of publishing (TGStat ERR24).
  post = post.addColumn('views_24h', 'integer');
  await post.addColumn('refreshed_at', 'text', (c) => c.notNull()).execute();
  await db.schema.createIndex('analytics_post_rollups_account_idx').on('analytics_post_rollups').columns(['account_id', 'published_at']).execute();

  let daily = db.schema
    .createTable('analytics_account_daily')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('followers', 'integer')
    .addColumn('followers_observed_at', 'text')
    .addColumn('posts', 'integer', (c) => c.notNull());
  // Sums of a day's posts can pass PostgreSQL's 32-bit integer: bigint (read back as numbers).
  for (const m of metricColumns) daily = daily.addColumn(`${m}_sum`, 'bigint').addColumn(`${m}_posts`, 'integer', (c) => c.notNull());
  // Engagement that happened that day on any of the account's posts (see rollups.ts).
  for (const m of metricColumns) daily = daily.addColumn(`${m}_activity`, 'bigint');
  await daily
    .addColumn('refreshed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_account_daily_pk', ['account_id', 'day'])
    .execute();

  let byType = db.schema
    .createTable('analytics_content_type_daily')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('posts', 'integer', (c) => c.notNull());
  for (const m of metricColumns) byType = byType.addColumn(`${m}_sum`, 'bigint').addColumn(`${m}_posts`, 'integer', (c) => c.notNull());
  await byType
    .addColumn('refreshed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_content_type_daily_pk', ['account_id', 'day', 'content_type'])
    .execute();

  await db.schema
    .createTable('analytics_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('default_definition_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}
