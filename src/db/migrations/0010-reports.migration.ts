/**
 * Reports: white-label branding per workspace, report schedules (weekly/monthly e-mail with the PDF)
 * and the periods each schedule delivered (unique per schedule and period, so a period is mailed once
 * however often the sweep runs). Table types: src/reports/report-tables.ts.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrator';

/** Creates the reports tables. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('report_branding')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('agency_name', 'text')
    .addColumn('primary_color', 'text', (c) => c.notNull())
    .addColumn('accent_color', 'text', (c) => c.notNull())
    .addColumn('logo_mime', 'text')
    .addColumn('logo_base64', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('report_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('account_ids', 'text', (c) => c.notNull())
    .addColumn('frequency', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_schedules_ws_idx').on('report_schedules').column('workspace_id').execute();

  await db.schema
    .createTable('report_deliveries')
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('report_schedules.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('error', 'text')
    .addColumn('pdf_bytes', 'integer')
    .addPrimaryKeyConstraint('report_deliveries_pk', ['schedule_id', 'period_key'])
    .execute();
}
