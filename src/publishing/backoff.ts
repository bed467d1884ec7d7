/**
 * Retry delays: exponential backoff with full jitter (a random delay between 0 and the exponential
 * cap), so many targets failing together do not retry in lock-step. A network's Retry-After is a
 * floor, never shortened.
 */

/** Backoff shape. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failures. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Delay honouring a network's Retry-After (plus a little jitter above it). */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const jittered = backoffDelayMs(attempt, policy, random);
  if (retryAfterMs === undefined || retryAfterMs <= 0) return jittered;
  return retryAfterMs + Math.floor(random() * Math.min(1000, policy.baseMs));
}
