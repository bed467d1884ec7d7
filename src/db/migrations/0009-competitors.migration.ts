/**
 * Competitor benchmarking: the public accounts a workspace watches, their daily follower snapshots,
 * their recent posts with the latest counts, and the observations of those counts over time. Table
 * types: src/competitors/competitor-tables.ts.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the competitor tables. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('competitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('service_url', 'text')
    .addColumn('profile_url', 'text')
    .addColumn('followers', 'bigint')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('collected_at', 'text')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('competitors_ws_network_external_uq', ['workspace_id', 'network', 'external_id'])
    .execute();

  await db.schema
    .createTable('competitor_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('competitor_id', 'text', (c) => c.notNull().references('competitors.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('followers', 'bigint')
    .execute();
  await db.schema.createIndex('competitor_snapshots_competitor_idx').on('competitor_snapshots').columns(['competitor_id', 'observed_at']).execute();

  await db.schema
    .createTable('competitor_posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('competitor_id', 'text', (c) => c.notNull().references('competitors.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('hashtags', 'text', (c) => c.notNull())
    .addColumn('likes', 'bigint')
    .addColumn('shares', 'bigint')
    .addColumn('comments', 'bigint')
    .addColumn('quotes', 'bigint')
    .addColumn('views', 'bigint')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('competitor_posts_external_uq', ['competitor_id', 'external_id'])
    .execute();
  await db.schema.createIndex('competitor_posts_published_idx').on('competitor_posts').columns(['competitor_id', 'published_at']).execute();

  await db.schema
    .createTable('competitor_post_observations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'text', (c) => c.notNull().references('competitor_posts.id').onDelete('cascade'))
    .addColumn('competitor_id', 'text', (c) => c.notNull().references('competitors.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('likes', 'bigint')
    .addColumn('shares', 'bigint')
    .addColumn('comments', 'bigint')
    .addColumn('quotes', 'bigint')
    .addColumn('views', 'bigint')
    .execute();
  await db.schema.createIndex('competitor_post_observations_post_idx').on('competitor_post_observations').columns(['post_id', 'observed_at']).execute();
  await db.schema.createIndex('competitor_post_observations_competitor_idx').on('competitor_post_observations').columns(['competitor_id', 'observed_at']).execute();
}
