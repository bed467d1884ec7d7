/**
 * Body of an analysis worker thread (started by src/inbox/inbound-analysis-pool.ts through
 * inbound-analysis-worker-entry.mjs): answers each `{ id, request }` with `{ id, result }` or
 * `{ id, error }`, keeping its own sentiment and query caches.
 */
import { parentPort } from 'node:worker_threads';
import { createItemAnalyzer, type AnalysisRequest } from './inbound-analysis';

const port = parentPort;
if (!port) throw new Error('inbound-analysis.worker.ts runs only as a worker thread');
const analyze = createItemAnalyzer();
port.on('message', (message: { id: number; request: AnalysisRequest }) => {
  try {
    port.postMessage({ id: message.id, result: analyze(message.request) });
  } catch (e) {
    port.postMessage({ id: message.id, error: e instanceof Error ? e.message : String(e) });
  }
});
