/**
 * Reports storage: branding per workspace, schedules, and per-period deliveries (the unique
 * (schedule, period) row is what makes a period go out once).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../jobs/job-queue';
import type { ReportBrandingTable, ReportDeliveriesTable, ReportSchedulesTable } from '../reports/report-tables';

export type BrandingRow = Selectable<ReportBrandingTable>;
export type ScheduleRow = Selectable<ReportSchedulesTable>;
export type DeliveryRow = Selectable<ReportDeliveriesTable>;

/** The workspace's branding row, if it set one. */
export async function findBranding(db: Executor, workspaceId: string): Promise<BrandingRow | undefined> {
  return db.selectFrom('report_branding').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** Creates or replaces the workspace's branding. */
export async function saveBranding(db: Executor, row: BrandingRow): Promise<void> {
  const { workspace_id: _ws, ...rest } = row;
  await db.insertInto('report_branding').values(row).onConflict((oc) => oc.column('workspace_id').doUpdateSet(rest)).execute();
}

/** The workspace's schedules, oldest first. */
export async function listSchedules(db: Executor, workspaceId: string): Promise<ScheduleRow[]> {
  return db.selectFrom('report_schedules').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}

/** One schedule of the workspace. */
export async function findSchedule(db: Executor, workspaceId: string, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom('report_schedules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** Adds a schedule. */
export async function insertSchedule(db: Executor, row: Insertable<ReportSchedulesTable>): Promise<void> {
  await db.insertInto('report_schedules').values(row).execute();
}

/** Changes a schedule. */
export async function updateSchedule(db: Executor, workspaceId: string, id: string, patch: Updateable<ReportSchedulesTable>): Promise<void> {
  await db.updateTable('report_schedules').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Removes a schedule (its deliveries go with it). */
export async function deleteSchedule(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('report_schedules').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Removes the `campaign` schedules that mail one campaign (with their deliveries); how many went. */
export async function deleteCampaignSchedules(db: Executor, workspaceId: string, campaignId: string): Promise<number> {
  const r = await db.deleteFrom('report_schedules').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Active schedules of every workspace, a page at a time (for the sweep). */
export async function activeSchedules(db: Executor, afterId: string, limit: number): Promise<Array<ScheduleRow & { timezone: string }>> {
  return db
    .selectFrom('report_schedules')
    .innerJoin('workspaces', 'workspaces.id', 'report_schedules.workspace_id')
    .selectAll('report_schedules')
    .select('workspaces.timezone')
    .where('report_schedules.paused', '=', 0)
    .where('report_schedules.id', '>', afterId)
    .orderBy('report_schedules.id')
    .limit(limit)
    .execute();
}

/** Records a period as queued unless it already has a row; true when this call added it. */
export async function insertDeliveryIfAbsent(db: Executor, row: DeliveryRow): Promise<boolean> {
  const r = await db.insertInto('report_deliveries').values(row).onConflict((oc) => oc.columns(['schedule_id', 'period_key']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** One delivery. */
export async function findDelivery(db: Executor, scheduleId: string, periodKey: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('report_deliveries').selectAll().where('schedule_id', '=', scheduleId).where('period_key', '=', periodKey).executeTakeFirst();
}

/**
 * Claims a delivery for sending: from `queued`, or from `sending` whose claim is older than
 * `staleBefore` (the worker died mid-send). True when this call got it.
 */
export async function claimDelivery(db: Executor, scheduleId: string, periodKey: string, nowIso: string, staleBefore: string): Promise<boolean> {
  const r = await db
    .updateTable('report_deliveries')
    .set({ status: 'sending', claimed_at: nowIso })
    .where('schedule_id', '=', scheduleId)
    .where('period_key', '=', periodKey)
    .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'sending'), eb('claimed_at', '<', staleBefore)])]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Finishes a delivery as sent or failed. */
export async function finishDelivery(db: Executor, scheduleId: string, periodKey: string, patch: Pick<DeliveryRow, 'status' | 'sent_at' | 'error' | 'pdf_bytes'>): Promise<void> {
  await db.updateTable('report_deliveries').set(patch).where('schedule_id', '=', scheduleId).where('period_key', '=', periodKey).execute();
}

/** The schedule's deliveries, newest period first. */
export async function listDeliveries(db: Executor, scheduleId: string, limit: number): Promise<DeliveryRow[]> {
  return db.selectFrom('report_deliveries').selectAll().where('schedule_id', '=', scheduleId).orderBy('period_key', 'desc').limit(limit).execute();
}
