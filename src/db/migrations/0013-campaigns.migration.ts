/**
 * Campaigns and goals: campaigns with a media plan (line items), actual spend and conversion/revenue
 * entries (manual or imported; an import key makes re-importing a file add nothing), posts linked to a
 * campaign, and KPI goals per workspace or account. Money is integer minor units (bigint) plus the
 * campaign's ISO 4217 currency, never a float. Table types: src/campaigns/campaign-tables.ts.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the campaign and goal tables. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('objective', 'text')
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('budget_minor', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('utm_campaign', 'text')
    .addColumn('margin_bp', 'integer')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('campaigns_workspace_name_uq', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('campaign_line_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('network', 'text')
    .addColumn('placement', 'text', (c) => c.notNull())
    .addColumn('planned_budget_minor', 'bigint', (c) => c.notNull())
    .addColumn('planned_posts', 'integer')
    .addColumn('planned_reach', 'bigint')
    .addColumn('planned_impressions', 'bigint')
    .addColumn('planned_clicks', 'bigint')
    .addColumn('planned_conversions', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaign_line_items_campaign_idx').on('campaign_line_items').column('campaign_id').execute();

  for (const table of ['campaign_spend', 'campaign_conversions'] as const) {
    let t = db.schema
      .createTable(table)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('line_item_id', 'text', (c) => c.references('campaign_line_items.id').onDelete('set null'))
      .addColumn('day', 'text', (c) => c.notNull());
    t = table === 'campaign_spend' ? t.addColumn('amount_minor', 'bigint', (c) => c.notNull()) : t.addColumn('count', 'bigint', (c) => c.notNull()).addColumn('value_minor', 'bigint');
    await t
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('import_key', 'text')
      .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint(`${table}_import_uq`, ['campaign_id', 'import_key'])
      .execute();
    await db.schema.createIndex(`${table}_campaign_idx`).on(table).columns(['campaign_id', 'day']).execute();
  }

  await db.schema
    .createTable('campaign_posts')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_posts_pk', ['campaign_id', 'post_id'])
    .execute();

  await db.schema
    .createTable('goals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('definition_id', 'text', (c) => c.notNull())
    .addColumn('target', 'double precision', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_day', 'text', (c) => c.notNull())
    .addColumn('to_day', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('goals_workspace_idx').on('goals').columns(['workspace_id', 'definition_id']).execute();
}
