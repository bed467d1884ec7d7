/**
 * Tunables of the background engagement jobs (inbound sync, metrics collection, token expiry
 * warnings). Production uses the defaults; tests pass small values.
 */
import type { BackoffPolicy } from '../publishing/backoff';

export interface EngagementOptions {
  /** How often each account with the `comments` capability is synced. */
  inboundIntervalMs: number;
  /** How often each account with the `metrics` capability is checked for due observations. */
  metricsIntervalMs: number;
  /** Minimum age of the latest account snapshot before another is taken (daily, with some slack). */
  accountSnapshotEveryMs: number;
  /** How long one run may hold an account before another may start (a crashed run's lease runs out). */
  leaseMs: number;
  /** Abort a network request after this long. */
  requestTimeoutMs: number;
  /** After a rate limit or outage: wait this (or the network's Retry-After) before the next round. */
  backoff: BackoffPolicy;
  /** An enqueued job not run within this long is enqueued again (lost jobs, long backlogs). */
  jobGraceMs: number;
  /** Published posts of this age or younger are handed to `comments.fetch`. */
  inboundPostsWindowMs: number;
  /** Accounts one sweep enqueues per job kind. */
  sweepBatch: number;
}

const minute = 60_000;
const day = 24 * 60 * minute;

/**
 * Defaults. TODO(config): the sync interval could become a HERALD_* setting (config.ts is owned by
 * the core); until then it is this constant.
 */
export const defaultEngagementOptions: EngagementOptions = {
  inboundIntervalMs: 2 * minute,
  metricsIntervalMs: 15 * minute,
  accountSnapshotEveryMs: day - 30 * minute,
  leaseMs: 10 * minute,
  requestTimeoutMs: 60_000,
  backoff: { baseMs: minute, capMs: 6 * 60 * minute },
  jobGraceMs: 15 * minute,
  inboundPostsWindowMs: 30 * day,
  sweepBatch: 500,
};

/** Defaults with overrides applied. */
export function engagementOptions(overrides: Partial<EngagementOptions> = {}): EngagementOptions {
  return { ...defaultEngagementOptions, ...overrides };
}
