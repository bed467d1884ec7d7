/**
 * Hashtag sets: named lists of hashtags a workspace shares so the composer can insert them in one go.
 * `tags` is a JSON text array (same on both dialects); names are unique per workspace.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the hashtag_sets table. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('hashtag_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('hashtag_sets_workspace_name_uq', ['workspace_id', 'name'])
    .execute();
}
