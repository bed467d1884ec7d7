/**
 * The per-account publish rate (connector.limits.publishRate), counted in the database so every
 * worker process shares one budget per account.
 */
import type { ConnectorLimits } from '../connectors/connector';
import type { Executor } from '../jobs/job-queue';
import { takeWindowSlot } from '../repositories/rate-limit.repository';

/** Outcome of asking for a publish slot. */
export type SlotDecision = { granted: true } | { granted: false; retryAt: Date };

/** Takes one publish slot for `accountId` in the current fixed window, or says when the next opens. */
export async function takePublishSlot(db: Executor, accountId: string, rate: ConnectorLimits['publishRate'], now: Date): Promise<SlotDecision> {
  const windowStartMs = Math.floor(now.getTime() / rate.windowMs) * rate.windowMs;
  const windowStart = new Date(windowStartMs).toISOString();
  const key = `publish:${accountId}`;
  if (await takeWindowSlot(db, key, windowStart, rate.count)) {
    return { granted: true };
  }
  return { granted: false, retryAt: new Date(windowStartMs + rate.windowMs) };
}
