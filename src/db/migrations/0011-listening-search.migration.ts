/**
 * Listening search: public posts found by network search (not inbox items, so not in inbox_messages),
 * their matches per query with sentiment, and a search cursor per query and account. Table types:
 * src/listening/listening-tables.ts.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the listening search tables. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const real = ctx.dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .createTable('listening_search_posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('author_external_id', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('author_followers', 'integer')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('lang', 'text')
    .addColumn('network_created_at', 'text', (c) => c.notNull())
    .addColumn('found_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('listening_search_posts_uq', ['workspace_id', 'network', 'external_id'])
    .execute();

  await db.schema
    .createTable('listening_search_matches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('query_id', 'text', (c) => c.notNull().references('listening_queries.id').onDelete('cascade'))
    .addColumn('post_id', 'text', (c) => c.notNull().references('listening_search_posts.id').onDelete('cascade'))
    .addColumn('message_created_at', 'text', (c) => c.notNull())
    .addColumn('sentiment_label', 'text', (c) => c.notNull())
    .addColumn('sentiment_score', real, (c) => c.notNull())
    .addColumn('sentiment_lang', 'text', (c) => c.notNull())
    .addColumn('matched_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('listening_search_matches_uq', ['query_id', 'post_id'])
    .execute();
  await db.schema.createIndex('listening_search_matches_query_created_idx').on('listening_search_matches').columns(['query_id', 'message_created_at']).execute();
  await db.schema.createIndex('listening_search_matches_post_idx').on('listening_search_matches').columns(['post_id']).execute();

  await db.schema
    .createTable('listening_search_cursors')
    .addColumn('query_id', 'text', (c) => c.notNull().references('listening_queries.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('query_text', 'text', (c) => c.notNull())
    .addColumn('since', 'text')
    .addColumn('searched_at', 'text')
    .addColumn('retry_at', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('listening_search_cursors_pk', ['query_id', 'account_id'])
    .execute();
}
