/**
 * A worker process for the multi-process SQLite test: opens the given SQLite file, runs a
 * SqliteJobQueue worker for task `contended-mp`, and reports every job it ran over IPC.
 *
 *   node --import tsx test/jobs/support/sqlite-queue-child.ts <sqlite path> <worker id>
 *
 * Messages: → `{ type: 'ready' }`, `{ type: 'ran', n }` per job; on `{ type: 'stop' }` it stops the
 * worker gracefully, answers `{ type: 'stopped' }` and exits.
 */
import { openDatabase } from '../../../src/db/database';
import { createLogger } from '../../../src/logging/logger';
import { SqliteJobQueue } from '../../../src/jobs/sqlite-job-queue';

const [path, workerId] = process.argv.slice(2);
if (!path || !workerId || !process.send) throw new Error('usage: sqlite-queue-child.ts <sqlite path> <worker id> (with an IPC channel)');
const send = process.send.bind(process);

const h = openDatabase({ dialect: 'sqlite', path });
const queue = new SqliteJobQueue(h, createLogger('warn', process.stderr), { pollIntervalMs: 20 });
const worker = await queue.startWorker(
  {
    'contended-mp': async (payload) => {
      send({ type: 'ran', n: Number(payload.n) });
      await new Promise((r) => setTimeout(r, Math.random() * 2));
    },
  },
  { concurrency: 4, workerId },
);
process.on('message', (m: { type?: string }) => {
  if (m?.type !== 'stop') return;
  void worker
    .stop()
    .then(() => h.close())
    .then(() => send({ type: 'stopped' }, () => process.exit(0)));
});
process.on('disconnect', () => process.exit(1));
send({ type: 'ready' });
