/**
 * Sentiment corrections: a member's relabel of a message, one row per workspace and message (keyed by
 * the normalised text, see src/sentiment/sentiment-model.ts messageKey), so relabelling again replaces
 * the label. The workspace's term adjustments are learned from these rows (src/sentiment/corrections.ts).
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the sentiment_corrections table. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('sentiment_corrections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_key', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    /** negative | neutral | positive */
    .addColumn('label', 'text', (c) => c.notNull())
    /** The inbox message relabelled, when the relabel came from the inbox (no foreign key: informative). */
    .addColumn('inbox_message_id', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sentiment_corrections_workspace_key_idx')
    .on('sentiment_corrections')
    .columns(['workspace_id', 'message_key'])
    .unique()
    .execute();
}
