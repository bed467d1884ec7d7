/**
 * Outgoing webhooks of a workspace. The signing secret is generated here, returned once on creation
 * and stored sealed; lists never show it.
 */
import { z } from 'zod';
import type { WebhookRow } from '../db/schema';
import { NotFoundError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { deleteWebhook as deleteWebhookRow, insertWebhook, latestDeliveries, listWebhooks as listWebhookRows, setWebhookActive, type WebhookDeliveryRow } from '../repositories/webhooks.repository';
import type { UseCaseContext } from '../server/services';
import { webhookSecretContext } from '../webhooks/webhook-delivery';
import { webhookEventTypes } from '../webhooks/webhook-events';
import { newWebhookSecret } from '../webhooks/webhook-signing';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** Body of POST /webhooks. An empty `events` list means every event type. */
export const createWebhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }),
    events: z.array(z.enum(webhookEventTypes)).max(webhookEventTypes.length).default(['post.target.published', 'post.target.failed', 'post.target.held']),
  })
  .strict();

/** A webhook as the API shows it. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  /** The newest delivery attempt's outcome (null: nothing sent yet). */
  lastDelivery: { status: WebhookDeliveryRow['status']; attempts: number; statusCode: number | null; error: string | null; at: string } | null;
}

function view(w: WebhookRow, last?: WebhookDeliveryRow): WebhookView {
  return {
    id: w.id,
    url: w.url,
    events: JSON.parse(w.events) as string[],
    active: w.active === 1,
    createdAt: w.created_at,
    lastDelivery: last ? { status: last.status, attempts: last.attempts, statusCode: last.last_status_code, error: last.last_error, at: last.updated_at } : null,
  };
}

async function authorize(ctx: UseCaseContext): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'webhooks.manage');
}

/** Creates a webhook; the response carries the secret, the only time it is shown. */
export async function createWebhook(ctx: UseCaseContext, raw: z.input<typeof createWebhookSchema>): Promise<WebhookView & { secret: string }> {
  await authorize(ctx);
  const input = parseInput(createWebhookSchema, raw);
  const id = newId();
  const secret = newWebhookSecret();
  const row: WebhookRow = {
    id,
    workspace_id: ctx.workspaceId,
    url: input.url,
    secret_enc: ctx.services.secrets.seal(secret, webhookSecretContext(id)),
    events: JSON.stringify([...new Set(input.events)]),
    active: 1,
    created_at: ctx.services.now().toISOString(),
  };
  await insertWebhook(ctx.db, row);
  return { ...view(row), secret };
}

/** Webhooks of the workspace (without secrets). */
export async function listWebhooks(ctx: UseCaseContext): Promise<WebhookView[]> {
  await authorize(ctx);
  const rows = await listWebhookRows(ctx.db, ctx.workspaceId);
  const last = new Map((await latestDeliveries(ctx.db, rows.map((r) => r.id))).map((d) => [d.webhook_id, d]));
  return rows.map((r) => view(r, last.get(r.id)));
}

/** Pauses (or resumes) deliveries of a webhook; 404 for other workspaces' ids. */
export async function setWebhookActiveState(ctx: UseCaseContext, id: string, active: boolean): Promise<WebhookView> {
  await authorize(ctx);
  if (!isId(id) || !(await setWebhookActive(ctx.db, ctx.workspaceId, id, active))) throw new NotFoundError('Webhook');
  const found = (await listWebhooks(ctx)).find((w) => w.id === id);
  if (!found) throw new NotFoundError('Webhook');
  return found;
}

/** Deletes a webhook of the workspace (404 for other workspaces' ids). */
export async function deleteWebhook(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx);
  if (!isId(id) || !(await deleteWebhookRow(ctx.db, ctx.workspaceId, id))) throw new NotFoundError('Webhook');
}
