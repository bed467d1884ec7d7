/**
 * The job handlers a worker process registers: publishing, confirming and webhook delivery.
 */
import type { JobHandler } from '../jobs/job-queue';
import type { AppServices } from '../server/services';
import { deliverWebhookHandler } from '../webhooks/webhook-delivery';
import { deliverWebhookTask } from '../webhooks/webhook-events';
import { confirmTargetHandler } from './confirm-target.handler';
import { publishTargetHandler } from './publish-target.handler';
import { confirmTargetTask, publishTargetTask } from './publish-jobs';
import { publishingOptions, type PublishingOptions } from './publishing-options';

/** Handlers for `publish-target`, `confirm-target` and `deliver-webhook`. */
export function publishingHandlers(services: AppServices, overrides: Partial<PublishingOptions> = {}): Record<string, JobHandler> {
  const opts = publishingOptions(services, overrides);
  return {
    [publishTargetTask]: publishTargetHandler(services, opts),
    [confirmTargetTask]: confirmTargetHandler(services, opts),
    [deliverWebhookTask]: deliverWebhookHandler(services, opts),
  };
}

/** Only the webhook delivery handler (for processes that deliver webhooks but do not publish). */
export function webhookHandlers(services: AppServices, overrides: Partial<PublishingOptions> = {}): Record<string, JobHandler> {
  return { [deliverWebhookTask]: deliverWebhookHandler(services, publishingOptions(services, overrides)) };
}
