/**
 * Polling until something is true, for suites that wait on their own loopback peers or a running
 * Herald (streams, jobs, the serve wiring). A throw from `fn` is not retried: it fails the test at once.
 * (Suites against the Bluesky AppView use `eventually` in bluesky-appview.ts, which retries throws.)
 */

/** Calls `fn` every `intervalMs` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
