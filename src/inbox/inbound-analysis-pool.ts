/**
 * Worker threads that run ingest's analysis (src/inbox/inbound-analysis.ts) off the thread that talks
 * to the database (HERALD_ANALYSIS_THREADS). Threads start on the first request, are unref'd (they
 * never keep a process alive) and each keeps its own model and query caches. A request goes to the
 * thread with the fewest requests in flight. A thread that dies fails its requests (the sync job is
 * retried like any other failure) and is replaced on the next request.
 */
import { Worker } from 'node:worker_threads';
import type { AnalysisRequest, AnalysisRunner, ItemAnalysis } from './inbound-analysis';

interface Pending {
  resolve(result: ItemAnalysis[]): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

type Reply = { id: number; result: ItemAnalysis[] } | { id: number; error: string };

/** A pool of `threads` analysis threads (at least one). */
export function createAnalysisPool(threads: number): AnalysisRunner {
  const size = Math.max(1, Math.floor(threads));
  const slots: Array<Slot | null> = Array.from({ length: size }, () => null);
  let nextId = 1;
  let closed = false;

  const start = (index: number): Slot => {
    const worker = new Worker(new URL('./inbound-analysis-worker-entry.mjs', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    const fail = (error: Error) => {
      if (slots[index] === slot) slots[index] = null;
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
    };
    worker.on('message', (reply: Reply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(`inbound analysis failed: ${reply.error}`));
      else p.resolve(reply.result);
    });
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => fail(new Error(`inbound analysis thread exited (code ${code})`)));
    slots[index] = slot;
    return slot;
  };

  return {
    run(request: AnalysisRequest): Promise<ItemAnalysis[]> {
      if (closed) return Promise.reject(new Error('the analysis pool is closed'));
      let index = 0;
      for (let i = 1; i < size; i++) if ((slots[i]?.pending.size ?? 0) < (slots[index]?.pending.size ?? 0)) index = i;
      const slot = slots[index] ?? start(index);
      const id = nextId++;
      return new Promise<ItemAnalysis[]>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, request });
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s?.worker.terminate()));
      slots.fill(null);
    },
  };
}
