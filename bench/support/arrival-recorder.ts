/**
 * Per-request arrival times at the loopback network, keyed by idempotency key (= target id).
 *
 * The loopback network (test/support/loopback-network.ts) keeps arrival times per account only, but
 * it counts every create request in `createRequests.set(key, …)` right after reading the body and
 * before its simulated latency: that call IS the moment the request reached the endpoint. We wrap
 * that one Map's `set` on this instance to stamp the first arrival of each key, so the bench measures
 * at the real peer without copying it. (Asked of its owner: an `onCreate(key, at)` hook instead.)
 */
import type { LoopbackNetwork } from '../../test/support/loopback-network';

/** First and repeated arrivals per key. */
export interface ArrivalRecorder {
  /** Epoch ms of the first create request per key. */
  first: Map<string, number>;
  /** Keys that arrived more than once (a double send or a retry). */
  repeats: Map<string, number>;
  /** How many distinct keys with this prefix arrived. */
  countWithPrefix(prefix: string): number;
}

/** Starts recording on `network` (call before any request arrives). */
export function recordArrivals(network: LoopbackNetwork): ArrivalRecorder {
  const first = new Map<string, number>();
  const repeats = new Map<string, number>();
  const counts = network.createRequests;
  if (typeof counts.set !== 'function' || counts.size !== 0) throw new Error('recordArrivals: the loopback network changed shape or already saw requests');
  const set = counts.set.bind(counts);
  counts.set = (key: string, value: number) => {
    const now = Date.now();
    if (first.has(key)) repeats.set(key, (repeats.get(key) ?? 1) + 1);
    else first.set(key, now);
    return set(key, value);
  };
  return {
    first,
    repeats,
    countWithPrefix(prefix) {
      let n = 0;
      for (const k of first.keys()) if (k.startsWith(prefix)) n++;
      return n;
    },
  };
}
