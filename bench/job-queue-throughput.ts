/**
 * bench/job-queue-throughput: jobs per second through each JobQueue implementation, for the record.
 *
 * Per implementation, on a fresh database that is removed afterwards: enqueue N no-op jobs (in
 * transactions of 500, timed separately), then start one worker (concurrency C, in this process) and
 * time from its start until the last handler ran. Every job must run exactly once.
 *
 *   npx tsx bench/job-queue-throughput.ts [--jobs 5000] [--concurrency 16] [--modes sqlite,postgres]
 *     [--graphile-local-queue N]   (graphile-worker's localQueue size; default = concurrency, as in
 *                                   Herald; `off` = every worker slot polls on its own)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatabaseConfig } from '../src/config/config';
import { ensureMigrated, openDatabase } from '../src/db/database';
import { createJobQueue } from '../src/jobs/create-job-queue';
import { createLogger } from '../src/logging/logger';
import { freshBenchDatabase, type BenchDialect } from './support/bench-database';

const { values: argv } = parseArgs({
  options: {
    jobs: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    modes: { type: 'string', default: 'sqlite,postgres' },
    'graphile-local-queue': { type: 'string' },
  },
});
const jobs = Number(argv.jobs);
const concurrency = Number(argv.concurrency);
const lqArg = argv['graphile-local-queue'];
const localQueue = lqArg === undefined ? undefined : lqArg === 'off' ? -1 : Number(lqArg);
if (localQueue !== undefined && !Number.isInteger(localQueue)) throw new Error('--graphile-local-queue takes a whole number or "off"');
const modes = (argv.modes ?? '').split(',').map((m) => m.trim()) as BenchDialect[];
const log = createLogger('warn', process.stderr);

interface Figures {
  mode: string;
  enqueuePerS: number;
  runPerS: number;
  runSeconds: number;
  duplicates: number;
}

async function benchOne(dialect: BenchDialect): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-queue-'));
  const db = await freshBenchDatabase(dialect, dir);
  const config: DatabaseConfig = dialect === 'sqlite' ? { dialect, path: db.url.slice('sqlite:'.length) } : { dialect, url: db.url };
  const h = openDatabase(config);
  try {
    await ensureMigrated(h, true);
    const queue = createJobQueue(h, log, { graphile: { localQueueSize: localQueue } });
    await queue.init();

    const t0 = performance.now();
    for (let from = 0; from < jobs; from += 500) {
      await h.db.transaction().execute(async (trx) => {
        for (let n = from; n < Math.min(jobs, from + 500); n++) await queue.enqueue('noop', { n }, {}, trx);
      });
    }
    const enqueueS = (performance.now() - t0) / 1000;

    const seen = new Uint8Array(jobs);
    let ran = 0;
    let duplicates = 0;
    let lastAt = 0;
    let allDone = () => undefined as void;
    const done = new Promise<void>((r) => (allDone = r));
    const t1 = performance.now();
    const worker = await queue.startWorker(
      {
        noop: async (payload) => {
          const n = Number(payload.n);
          if (seen[n]) duplicates++;
          else {
            seen[n] = 1;
            ran++;
          }
          if (ran === jobs) {
            lastAt = performance.now();
            allDone();
          }
        },
      },
      { concurrency, workerId: `bench-${dialect}` },
    );
    const timeout = setTimeout(() => allDone(), 10 * 60_000);
    await done;
    clearTimeout(timeout);
    await worker.stop();
    await queue.close();
    if (ran !== jobs) throw new Error(`${dialect}: only ${ran} of ${jobs} jobs ran`);
    const stats = await queue.stats();
    if (stats.waiting !== 0 || stats.running !== 0) throw new Error(`${dialect}: queue not empty afterwards: ${JSON.stringify(stats)}`);
    const runSeconds = (lastAt - t1) / 1000;
    return {
      mode: dialect === 'sqlite' ? 'sqlite (jobs table)' : `postgres (graphile-worker, localQueue ${localQueue === -1 ? 'off' : (localQueue ?? concurrency)})`,
      enqueuePerS: jobs / enqueueS,
      runPerS: jobs / runSeconds,
      runSeconds,
      duplicates,
    };
  } finally {
    await h.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Figures[] = [];
for (const m of modes) {
  if (m !== 'sqlite' && m !== 'postgres') throw new Error(`unknown mode ${m}`);
  results.push(await benchOne(m));
}
console.log(`\n${jobs} no-op jobs, one worker, concurrency ${concurrency} (${new Date().toISOString()}, Node ${process.version})`);
console.log(['mode'.padEnd(46), 'enqueue jobs/s'.padStart(15), 'run jobs/s'.padStart(12), 'run time'.padStart(10), 'duplicates'.padStart(11)].join(''));
for (const r of results) {
  console.log(
    [
      r.mode.padEnd(46),
      r.enqueuePerS.toFixed(0).padStart(15),
      r.runPerS.toFixed(0).padStart(12),
      `${r.runSeconds.toFixed(2)} s`.padStart(10),
      String(r.duplicates).padStart(11),
    ].join(''),
  );
}
process.exit(results.every((r) => r.duplicates === 0) ? 0 : 1);
