/**
 * Listening: saved queries per workspace with their sweep watermark and alert settings, the matches
 * (with sentiment), workspace listening settings, spike alerts, inbox flags raised by alerts, and the
 * testimonials library. Table types: src/listening/listening-tables.ts.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the listening tables. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const real = ctx.dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .createTable('listening_queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('alert_settings', 'text', (c) => c.notNull())
    .addColumn('watermark_id', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_queries_ws_idx').on('listening_queries').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('listening_matches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('query_id', 'text', (c) => c.notNull().references('listening_queries.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('inbox_messages.id').onDelete('cascade'))
    .addColumn('message_created_at', 'text', (c) => c.notNull())
    .addColumn('sentiment_label', 'text', (c) => c.notNull())
    .addColumn('sentiment_score', real, (c) => c.notNull())
    .addColumn('sentiment_lang', 'text', (c) => c.notNull())
    .addColumn('matched_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('listening_matches_query_message_uq', ['query_id', 'message_id'])
    .execute();
  await db.schema.createIndex('listening_matches_query_created_idx').on('listening_matches').columns(['query_id', 'message_created_at']).execute();
  await db.schema.createIndex('listening_matches_ws_created_idx').on('listening_matches').columns(['workspace_id', 'message_created_at']).execute();
  await db.schema.createIndex('listening_matches_message_idx').on('listening_matches').columns(['message_id']).execute();

  await db.schema
    .createTable('listening_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('alert_settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('listening_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('query_id', 'text', (c) => c.references('listening_queries.id').onDelete('cascade'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    .addColumn('window_count', 'integer', (c) => c.notNull())
    .addColumn('baseline_mean', real, (c) => c.notNull())
    .addColumn('baseline_stddev', real, (c) => c.notNull())
    .addColumn('threshold', real, (c) => c.notNull())
    .addColumn('k', real, (c) => c.notNull())
    .addColumn('baseline_windows', 'integer', (c) => c.notNull())
    .addColumn('top_message_ids', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_alerts_ws_idx').on('listening_alerts').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('listening_inbox_flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('inbox_messages.id').onDelete('cascade'))
    .addColumn('alert_id', 'text', (c) => c.notNull().references('listening_alerts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('listening_inbox_flags_uq', ['message_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('listening_inbox_flags_ws_idx').on('listening_inbox_flags').columns(['workspace_id', 'message_id']).execute();

  await db.schema
    .createTable('testimonials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.references('inbox_messages.id').onDelete('set null'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('written_at', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('permission_updated_at', 'text')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('testimonials_ws_message_uq', ['workspace_id', 'message_id'])
    .execute();
  await db.schema.createIndex('testimonials_ws_idx').on('testimonials').columns(['workspace_id', 'id']).execute();
}
