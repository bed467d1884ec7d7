/**
 * Campaign report schedules: a schedule with template `campaign` names the campaign it mails
 * (report_schedules.campaign_id; null for every other template). No foreign key: SQLite enforces
 * them only when asked, so the delivery checks the campaign still exists (a deleted campaign's
 * schedule records a failed delivery instead of mailing) on both dialects alike.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Adds report_schedules.campaign_id. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('report_schedules').addColumn('campaign_id', 'text').execute();
}
