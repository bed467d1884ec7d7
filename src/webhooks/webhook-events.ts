/**
 * Domain events and their fan-out to webhooks. `recordEvent` writes the event and, for the types
 * webhooks may subscribe to, one delivery row plus one `deliver-webhook` job per matching webhook —
 * all on the caller's executor, so they commit (or roll back) with the change they describe.
 */
import type { EventRow } from '../db/schema';
import { newId } from '../domain/ids';
import type { Executor } from '../jobs/job-queue';
import { insertEvent, insertEvents } from '../repositories/events.repository';
import { activeWebhooks, insertDeliveries, insertDelivery, type WebhookDeliveryRow } from '../repositories/webhooks.repository';
import type { AppServices } from '../server/services';

/** Event types a webhook can subscribe to. */
export const webhookEventTypes = [
  'post.target.published',
  'post.target.failed',
  'post.target.held',
  'post.target.unconfirmed',
  'post.target.deleted',
  'account.needs_reconnect',
  'account.token_expiring',
  'inbox.message.received',
  'inbox.message.sentiment_relabelled',
  'inbox.message.moderated',
  'inbox.reply.deleted',
  'inbox.rule.notification',
  'listening.spike',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The job that delivers one webhook call. */
export const deliverWebhookTask = 'deliver-webhook';

/** What a caller says about an event. */
export interface NewEvent {
  workspaceId: string | null;
  type: string;
  subjectId: string | null;
  actorId: string | null;
  payload: Record<string, unknown>;
}

/** Records an event (and queues webhook deliveries for it) on `executor`; returns the stored row. */
export async function recordEvent(services: AppServices, executor: Executor, e: NewEvent): Promise<EventRow> {
  const now = services.now();
  const row: EventRow = {
    id: newId(now.getTime()),
    workspace_id: e.workspaceId,
    type: e.type,
    subject_id: e.subjectId,
    actor_id: e.actorId,
    payload: JSON.stringify(e.payload),
    created_at: now.toISOString(),
  };
  await insertEvent(executor, row);
  if (e.workspaceId && (webhookEventTypes as readonly string[]).includes(e.type)) {
    for (const hook of await activeWebhooks(executor, e.workspaceId)) {
      const wanted = JSON.parse(hook.events) as string[];
      if (wanted.length && !wanted.includes(e.type)) continue;
      const deliveryId = newId(now.getTime());
      await insertDelivery(executor, {
        id: deliveryId,
        webhook_id: hook.id,
        event_id: row.id,
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        created_at: row.created_at,
        updated_at: row.created_at,
      });
      await services.queue.enqueue(deliverWebhookTask, { deliveryId }, { key: `webhook:${deliveryId}` }, executor);
    }
  }
  return row;
}

/**
 * Records many events at once, in the order given (their ids ascend in that order), on `executor`: one
 * multi-row INSERT per 2,000 events, the active webhooks read once per workspace that has a
 * webhook-able event in the batch, and the deliveries in one multi-row INSERT. Each delivery is still
 * its own job (the queue adds jobs one by one). Same outcome as `recordEvent` per event.
 */
export async function recordEvents(services: AppServices, executor: Executor, events: readonly NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  const now = services.now();
  const at = now.toISOString();
  const rows: EventRow[] = events.map((e) => ({ id: newId(now.getTime()), workspace_id: e.workspaceId, type: e.type, subject_id: e.subjectId, actor_id: e.actorId, payload: JSON.stringify(e.payload), created_at: at }));
  await insertEvents(executor, rows);
  const hooks = new Map<string, Awaited<ReturnType<typeof activeWebhooks>>>();
  const deliveries: WebhookDeliveryRow[] = [];
  for (const row of rows) {
    if (!row.workspace_id || !(webhookEventTypes as readonly string[]).includes(row.type)) continue;
    let active = hooks.get(row.workspace_id);
    if (!active) hooks.set(row.workspace_id, (active = await activeWebhooks(executor, row.workspace_id)));
    for (const hook of active) {
      const wanted = JSON.parse(hook.events) as string[];
      if (wanted.length && !wanted.includes(row.type)) continue;
      deliveries.push({ id: newId(now.getTime()), webhook_id: hook.id, event_id: row.id, status: 'pending', attempts: 0, last_status_code: null, last_error: null, created_at: at, updated_at: at });
    }
  }
  if (deliveries.length === 0) return rows;
  await insertDeliveries(executor, deliveries);
  for (const d of deliveries) await services.queue.enqueue(deliverWebhookTask, { deliveryId: d.id }, { key: `webhook:${d.id}` }, executor);
  return rows;
}
