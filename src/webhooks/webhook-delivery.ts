/**
 * The `deliver-webhook` job: POSTs one event to one webhook, signed, and records the attempt. Non-2xx
 * answers and network errors are retried with backoff up to `webhookMaxAttempts`; receivers must be
 * idempotent on the event `id` (a delivery can repeat after a crash, like any at-least-once job).
 */
import type { JobHandler } from '../jobs/job-queue';
import { findEvent } from '../repositories/events.repository';
import { findDelivery, findWebhookById, updateDelivery } from '../repositories/webhooks.repository';
import type { AppServices } from '../server/services';
import { backoffDelayMs } from '../publishing/backoff';
import type { PublishingOptions } from '../publishing/publishing-options';
import { deliverWebhookTask } from './webhook-events';
import { signWebhookBody } from './webhook-signing';

/** SecretBox context of a webhook's sealed secret. */
export const webhookSecretContext = (webhookId: string) => `webhook:${webhookId}:secret`;

/** The JSON body receivers get. */
export function webhookBody(event: { id: string; type: string; created_at: string; payload: string }): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.created_at, data: JSON.parse(event.payload) as unknown });
}

/** The `deliver-webhook` job handler. */
export function deliverWebhookHandler(services: AppServices, opts: PublishingOptions): JobHandler {
  return async (payload) => {
    const deliveryId = typeof payload.deliveryId === 'string' ? payload.deliveryId : '';
    const db = services.database.db;
    const delivery = await findDelivery(db, deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    const hook = await findWebhookById(db, delivery.webhook_id);
    const event = await findEvent(db, delivery.event_id);
    if (!hook || !event || !hook.active) {
      await updateDelivery(db, delivery.id, { status: 'failed', last_error: 'webhook removed or disabled', updated_at: services.now().toISOString() });
      return;
    }
    const secret = services.secrets.open<string>(hook.secret_enc, webhookSecretContext(hook.id));
    const body = webhookBody(event);
    const t = Math.floor(services.now().getTime() / 1000);
    const attempts = delivery.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await services.fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Herald-Webhooks/1',
          'x-herald-event': event.type,
          'x-herald-delivery': delivery.id,
          'x-herald-signature': signWebhookBody(secret, body, t),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.webhookTimeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `the receiver answered HTTP ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const now = services.now();
    if (!error) {
      await updateDelivery(db, delivery.id, { status: 'delivered', attempts, last_status_code: statusCode, last_error: null, updated_at: now.toISOString() });
      return;
    }
    if (attempts >= opts.webhookMaxAttempts) {
      await updateDelivery(db, delivery.id, { status: 'failed', attempts, last_status_code: statusCode, last_error: error, updated_at: now.toISOString() });
      services.log.warn({ webhookId: hook.id, deliveryId: delivery.id, attempts, error }, 'webhook delivery gave up');
      return;
    }
    const retryAt = new Date(now.getTime() + backoffDelayMs(attempts, opts.webhookBackoff) + Math.floor(opts.webhookBackoff.baseMs / 2));
    await db.transaction().execute(async (trx) => {
      await updateDelivery(trx, delivery.id, { attempts, last_status_code: statusCode, last_error: error, updated_at: now.toISOString() });
      await services.queue.enqueue(deliverWebhookTask, { deliveryId: delivery.id }, { runAt: retryAt, key: `webhook:${delivery.id}` }, trx);
    });
  };
}
