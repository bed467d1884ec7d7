/**
 * The baseline of the lateness bench: a bare HTTP client (Node's fetch, i.e. undici with keep-alive,
 * the same client Herald's connectors use) that fires the same create requests at the same due times
 * with the same concurrency cap as the Herald workers, and nothing else: no database, no queue.
 * Runs in its own process, like a Herald worker, so it does not share an event loop with the endpoint.
 *
 * Protocol (IPC): the parent sends one {@link BareRunMessage}; this process answers
 * `{ type: 'done', sent, failed, statuses }` and exits.
 */

/** One request to fire. */
export interface BareRequest {
  /** Epoch ms at which the request becomes due. */
  dueAt: number;
  token: string;
  key: string;
  text: string;
}

/** What the parent sends. */
export interface BareRunMessage {
  type: 'run';
  url: string;
  concurrency: number;
  requests: BareRequest[];
}

/** What this process answers. */
export interface BareDoneMessage {
  type: 'done';
  sent: number;
  failed: number;
  statuses: Record<string, number>;
}

async function fire(url: string, r: BareRequest, statuses: Record<string, number>): Promise<boolean> {
  try {
    const res = await fetch(`${url}/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${r.token}` },
      // The same body the loopback connector sends.
      body: JSON.stringify({ text: r.text, idempotencyKey: r.key, createdAt: new Date().toISOString(), mediaCount: 0 }),
    });
    await res.json().catch(() => undefined);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    return res.ok;
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? 'error';
    statuses[code] = (statuses[code] ?? 0) + 1;
    return false;
  }
}

/** Fires every request at its due time, at most `concurrency` in flight; resolves when all answered. */
export function runBare(msg: BareRunMessage): Promise<BareDoneMessage> {
  const reqs = [...msg.requests].sort((a, b) => a.dueAt - b.dueAt);
  const statuses: Record<string, number> = {};
  let next = 0; // next request not yet due
  let head = 0; // next due request waiting for a slot (reqs[head..next) wait)
  let inFlight = 0;
  let finished = 0;
  let failed = 0;
  return new Promise((resolveDone) => {
    const drain = () => {
      while (inFlight < msg.concurrency && head < next) {
        const r = reqs[head++]!;
        inFlight++;
        void fire(msg.url, r, statuses).then((ok) => {
          if (!ok) failed++;
          inFlight--;
          finished++;
          if (finished === reqs.length) resolveDone({ type: 'done', sent: finished, failed, statuses });
          else drain();
        });
      }
    };
    const tick = () => {
      const now = Date.now();
      while (next < reqs.length && reqs[next]!.dueAt <= now) next++;
      drain();
      if (next < reqs.length) setTimeout(tick, Math.max(0, reqs[next]!.dueAt - Date.now()));
    };
    if (reqs.length === 0) resolveDone({ type: 'done', sent: 0, failed: 0, statuses });
    else tick();
  });
}

// Entry point when spawned by the bench with an IPC channel.
if (process.send) {
  process.once('message', (m: BareRunMessage) => {
    void runBare(m).then((done) => {
      process.send!(done, () => process.exit(0));
    });
  });
  process.send({ type: 'ready' });
  process.on('disconnect', () => process.exit(0));
}
