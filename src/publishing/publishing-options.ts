/**
 * Engine tunables. Production uses the defaults (and the lease from config); tests pass small values
 * so a full retry cycle takes milliseconds.
 */
import type { AppServices } from '../server/services';
import type { BackoffPolicy } from './backoff';

export interface PublishingOptions {
  /** How long a claimed target may stay in `publishing` before the scheduler treats it as crashed. */
  leaseMs: number;
  /** Abort a network request after this long (must be below the lease). */
  requestTimeoutMs: number;
  /** Publishing attempts before a retryable failure becomes `failed`. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Delay before retrying a claim blocked by per-account concurrency (jittered ×0.5–1.5). */
  busyRetryMs: number;
  /** How late a scheduled target or confirm check may be before the sweep re-enqueues it. */
  overdueGraceMs: number;
  /** Rows one sweep handles per kind. */
  sweepBatch: number;
  /** Webhook delivery attempts before a delivery is marked failed. */
  webhookMaxAttempts: number;
  webhookBackoff: BackoffPolicy;
  webhookTimeoutMs: number;
  /** Sweep interval of the scheduler. */
  schedulerIntervalMs: number;
}

/** Defaults derived from config, with overrides applied. */
export function publishingOptions(services: AppServices, overrides: Partial<PublishingOptions> = {}): PublishingOptions {
  const leaseMs = overrides.leaseMs ?? services.config.publishLeaseMs;
  return {
    leaseMs,
    requestTimeoutMs: Math.max(100, Math.floor(leaseMs * 0.75)),
    maxAttempts: 8,
    backoff: { baseMs: 2_000, capMs: 15 * 60_000 },
    busyRetryMs: 1_000,
    overdueGraceMs: 10_000,
    sweepBatch: 500,
    webhookMaxAttempts: 10,
    webhookBackoff: { baseMs: 5_000, capMs: 60 * 60_000 },
    webhookTimeoutMs: 10_000,
    schedulerIntervalMs: services.config.schedulerIntervalMs,
    ...overrides,
  };
}
