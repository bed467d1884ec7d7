/** Job names and keys of the publishing engine, and the small helpers that enqueue them. */
import type { Executor } from '../jobs/job-queue';
import type { AppServices } from '../server/services';

/** Publishes one target. Payload `{ targetId }`. */
export const publishTargetTask = 'publish-target';
/** Checks whether an unconfirmed target's post exists. Payload `{ targetId, check }`. */
export const confirmTargetTask = 'confirm-target';

/** One job per target: rescheduling replaces it. */
export const publishJobKey = (targetId: string) => `publish:${targetId}`;
export const confirmJobKey = (targetId: string) => `confirm:${targetId}`;

/** Queues (or moves) the publish job of a target; pass the transaction that changed the target. */
export async function enqueuePublish(services: AppServices, executor: Executor, targetId: string, runAt: Date): Promise<void> {
  // Handler errors are already turned into target states; queue-level retries only cover crashes.
  await services.queue.enqueue(publishTargetTask, { targetId }, { runAt, key: publishJobKey(targetId), maxAttempts: 5 }, executor);
}

/** Queues (or moves) the existence check of a target. */
export async function enqueueConfirm(services: AppServices, executor: Executor, targetId: string, runAt: Date, check = 1): Promise<void> {
  await services.queue.enqueue(confirmTargetTask, { targetId, check }, { runAt, key: confirmJobKey(targetId), maxAttempts: 5 }, executor);
}

/** Drops a target's waiting publish job (a running one re-reads the target and stops by itself). */
export async function dropPublishJob(services: AppServices, executor: Executor, targetId: string): Promise<void> {
  await services.queue.removeByKey(publishJobKey(targetId), executor);
}
