/**
 * Campaign goals: `goals.campaign_id` names the campaign a goal is for (null: a workspace or account
 * goal on the dashboard's KPIs). A campaign goal targets one campaign KPI (ROI, CPA, …) over the
 * campaign's own dates, which its from/to follow. No foreign key, as with report_schedules.campaign_id:
 * deleting a campaign deletes its goals in the same transaction on both dialects alike. A campaign has
 * at most one goal per KPI (a partial unique index, so two saves at once cannot both add one).
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds goals.campaign_id and one goal per campaign KPI. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('goals').addColumn('campaign_id', 'text').execute();
  await db.schema.createIndex('goals_campaign_kpi_uq').on('goals').columns(['campaign_id', 'definition_id']).unique().where(sql.ref('campaign_id'), 'is not', null).execute();
}
