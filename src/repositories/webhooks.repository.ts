/** Outgoing webhooks and their delivery log. */
import type { WebhookDeliveriesTable, WebhookRow } from '../db/schema';
import type { Selectable } from 'kysely';
import type { Executor } from '../jobs/job-queue';

export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

/** Inserts a webhook. */
export async function insertWebhook(db: Executor, row: WebhookRow): Promise<void> {
  await db.insertInto('webhooks').values(row).execute();
}

/** Webhooks of a workspace, oldest first. */
export async function listWebhooks(db: Executor, workspaceId: string): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
}

/** One webhook of a workspace. */
export async function findWebhook(db: Executor, workspaceId: string, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** One webhook by id (delivery worker). */
export async function findWebhookById(db: Executor, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes a webhook (its deliveries go with it); true when it existed. */
export async function deleteWebhook(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhooks').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Active webhooks of a workspace. */
export async function activeWebhooks(db: Executor, workspaceId: string): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('active', '=', 1).execute();
}

/** Records a delivery to make. */
export async function insertDelivery(db: Executor, row: WebhookDeliveryRow): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

/** One delivery. */
export async function findDelivery(db: Executor, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deliveries of a webhook, newest first. */
export async function deliveriesOfWebhook(db: Executor, webhookId: string, limit = 50): Promise<WebhookDeliveryRow[]> {
  return db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
}

/** Records the outcome of an attempt while the delivery is still pending. */
export async function updateDelivery(
  db: Executor,
  id: string,
  patch: Partial<Pick<WebhookDeliveryRow, 'status' | 'attempts' | 'last_status_code' | 'last_error' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).where('status', '=', 'pending').execute();
}

/** Turns a webhook on or off; true when it exists in the workspace. */
export async function setWebhookActive(db: Executor, workspaceId: string, id: string, active: boolean): Promise<boolean> {
  const r = await db.updateTable('webhooks').set({ active: active ? 1 : 0 }).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The newest delivery of each of these webhooks. */
export async function latestDeliveries(db: Executor, webhookIds: string[]): Promise<WebhookDeliveryRow[]> {
  if (webhookIds.length === 0) return [];
  return db
    .selectFrom('webhook_deliveries as d')
    .selectAll('d')
    .where('d.webhook_id', 'in', webhookIds)
    .where(({ eb, selectFrom }) =>
      eb('d.id', '=', selectFrom('webhook_deliveries as n').select(({ fn }) => fn.max('n.id').as('m')).whereRef('n.webhook_id', '=', 'd.webhook_id')),
    )
    .execute();
}

/** Records deliveries to make with one multi-row INSERT per 2,000 rows. */
export async function insertDeliveries(db: Executor, rows: readonly WebhookDeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) await db.insertInto('webhook_deliveries').values(rows.slice(i, i + 2000)).execute();
}
