/**
 * Campaign goals: `goals.campaign_id` names the campaign a goal is for (null: a workspace or account
 * goal on the dashboard's KPIs). A campaign goal targets one campaign KPI (ROI, CPA, …) over the
 * campaign's own dates, which its from/to follow. No foreign key, as with report_schedules.campaign_id:
 * deleting a campaign deletes its goals in the same transaction on both dialects alike.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds goals.campaign_id. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('goals').addColumn('campaign_id', 'text').execute();
}
