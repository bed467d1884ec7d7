/**
 * Inbox workflow: work state, assignee, priority, sentiment, thread key, search text and SLA columns on
 * `inbox_messages`; tags, internal notes, saved replies, per-workspace inbox settings (business hours,
 * first-response target, Telegram bot for notifications), rules, and the reply log that makes replies
 * idempotent. Table types: src/inbox/inbox-tables.ts.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds the inbox workflow columns and tables. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const real = ctx.dialect === 'postgres' ? 'double precision' : 'real';
  const alter = () => db.schema.alterTable('inbox_messages');
  // SQLite adds one column per ALTER TABLE.
  await alter().addColumn('thread_key', 'text').execute();
  await alter().addColumn('status', 'text', (c) => c.notNull().defaultTo('new')).execute();
  await alter().addColumn('assignee_id', 'text', (c) => c.references('users.id').onDelete('set null')).execute();
  await alter().addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal')).execute();
  await alter().addColumn('sentiment_label', 'text').execute();
  await alter().addColumn('sentiment_score', real).execute();
  await alter().addColumn('sentiment_lang', 'text').execute();
  await alter().addColumn('search_text', 'text').execute();
  await alter().addColumn('sla_due_at', 'text').execute();
  await alter().addColumn('first_response_at', 'text').execute();
  await alter().addColumn('first_response_by', 'text').execute();
  await alter().addColumn('resolved_at', 'text').execute();
  await alter().addColumn('status_changed_at', 'text').execute();
  // Existing rows: a top-level message is its own conversation, a reply joins the network's root (the
  // ingest rule in src/inbox/inbox-workflow.ts, without the parent lookups). Search text is lower-cased
  // again by Herald on the next edit; SQL lower() folds ASCII only on SQLite, which is enough for old rows.
  await sql`update inbox_messages set thread_key = case when parent_external_id is null or parent_external_id = root_external_id then external_id else coalesce(root_external_id, parent_external_id) end, search_text = lower(text || ' ' || author_handle || ' ' || coalesce(author_name, ''))`.execute(db);
  await db.schema.createIndex('inbox_messages_ws_status_idx').on('inbox_messages').columns(['workspace_id', 'status', 'id']).execute();
  await db.schema.createIndex('inbox_messages_ws_assignee_idx').on('inbox_messages').columns(['workspace_id', 'assignee_id', 'id']).execute();
  await db.schema.createIndex('inbox_messages_thread_idx').on('inbox_messages').columns(['account_id', 'thread_key']).execute();
  await db.schema.createIndex('inbox_messages_ws_id_idx').on('inbox_messages').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('inbox_message_tags')
    .addColumn('message_id', 'text', (c) => c.notNull().references('inbox_messages.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbox_message_tags_pk', ['message_id', 'tag'])
    .execute();
  await db.schema.createIndex('inbox_message_tags_ws_tag_idx').on('inbox_message_tags').columns(['workspace_id', 'tag']).execute();

  await db.schema
    .createTable('inbox_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('inbox_messages.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_notes_message_idx').on('inbox_notes').columns(['message_id', 'id']).execute();

  await db.schema
    .createTable('inbox_saved_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('inbox_saved_replies_name_uq', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('inbox_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('business_hours', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'integer', (c) => c.notNull())
    .addColumn('telegram_bot_token_enc', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('inbox_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_rules_ws_idx').on('inbox_rules').columns(['workspace_id', 'id']).execute();

  await db.schema
    .createTable('inbox_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('inbox_messages.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('url', 'text')
    .addColumn('sent_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('inbox_replies_key_uq', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('inbox_replies_message_idx').on('inbox_replies').columns(['message_id']).execute();
  // The inbound sync looks our replies up by network id (answers to them join the conversation).
  await db.schema.createIndex('inbox_replies_external_idx').on('inbox_replies').columns(['external_id']).execute();
}
