/**
 * The job-queue contract, run against both implementations: SqliteJobQueue on a fresh SQLite file and
 * GraphileJobQueue on a fresh PostgreSQL database. Everything here is real (no fakes): real databases,
 * real workers, real clocks. Times are kept short so each dialect finishes in a few seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, freshDb, type Dialect } from '../support/databases';
import { openDatabase, type HeraldDb } from '../../src/db/database';
import { createLogger } from '../../src/logging/logger';
import { ValidationError } from '../../src/domain/errors';
import type { JobContext, JobHandler, JobQueue, WorkerHandle } from '../../src/jobs/job-queue';
import { SqliteJobQueue, type SqliteJobQueueOptions } from '../../src/jobs/sqlite-job-queue';
import { GraphileJobQueue } from '../../src/jobs/graphile-job-queue';
import { createJobQueue } from '../../src/jobs/create-job-queue';

const log = createLogger('silent');

/** SQLite retries fast in tests; graphile's backoff is fixed at e^attempt seconds. */
const sqliteOpts: SqliteJobQueueOptions = { retryBaseMs: 400, lockTimeoutMs: 10_000 };
/** The smallest gap between a failure and its retry each implementation guarantees. */
const minRetryGapMs: Record<Dialect, number> = { sqlite: 200, postgres: 2_500 };

function makeQueue(dialect: Dialect, h: HeraldDb, opts: SqliteJobQueueOptions = sqliteOpts): JobQueue {
  return dialect === 'sqlite' ? new SqliteJobQueue(h, log, opts) : new GraphileJobQueue(h, log);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise with its resolver, for handlers that must block until the test says so. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

interface Run {
  payload: Record<string, unknown>;
  ctx: JobContext;
  at: number;
}

function recorder(): { runs: Run[]; handler: JobHandler } {
  const runs: Run[] = [];
  return { runs, handler: async (payload, ctx) => void runs.push({ payload, ctx, at: Date.now() }) };
}

describe.each(dialects())('job queue contract (%s)', (dialect) => {
  let h: HeraldDb & { drop(): Promise<void> };
  let queue: JobQueue;
  const workers: WorkerHandle[] = [];

  async function start(q: JobQueue, handlers: Record<string, JobHandler>, concurrency = 4, workerId = `w-${workers.length}`): Promise<WorkerHandle> {
    const w = await q.startWorker(handlers, { concurrency, workerId });
    workers.push(w);
    return w;
  }

  beforeAll(async () => {
    h = await freshDb(dialect);
    queue = makeQueue(dialect, h);
    await queue.init();
    await queue.init(); // idempotent
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queue?.close();
    await h?.drop();
  });

  it('createJobQueue picks the implementation for the dialect', () => {
    const q = createJobQueue(h, log);
    expect(q.kind).toBe(dialect === 'sqlite' ? 'sqlite' : 'graphile');
    expect(q).toBeInstanceOf(dialect === 'sqlite' ? SqliteJobQueue : GraphileJobQueue);
  });

  it('stats() counts waiting, due, running and (later) failed jobs', async () => {
    expect(await queue.stats()).toEqual({ waiting: 0, due: 0, running: 0, failed: 0 });
    await queue.enqueue('stats-idle', { n: 1 }, { key: 'stats-1' });
    await queue.enqueue('stats-idle', { n: 2 }, { key: 'stats-2', runAt: new Date(Date.now() - 1000) });
    await queue.enqueue('stats-idle', { n: 3 }, { key: 'stats-3', runAt: new Date(Date.now() + 3_600_000) });
    expect(await queue.stats()).toEqual({ waiting: 3, due: 2, running: 0, failed: 0 });

    const g = gate();
    let started = false;
    const w = await start(queue, { 'stats-busy': async () => { started = true; await g.promise; } }, 2);
    await queue.enqueue('stats-busy', {});
    await waitFor('the busy job to start', () => started);
    expect(await queue.stats()).toEqual({ waiting: 3, due: 2, running: 1, failed: 0 });
    g.open();
    await w.stop();
    for (const k of ['stats-1', 'stats-2', 'stats-3']) await queue.removeByKey(k);
    expect(await queue.stats()).toEqual({ waiting: 0, due: 0, running: 0, failed: 0 });
  });

  it('runs a job with its payload and context', async () => {
    const r = recorder();
    await start(queue, { basic: r.handler }, 2, 'worker-basic');
    const payload = { a: 1, s: 'text', nested: { list: [1, 'two', null], yes: true } };
    await queue.enqueue('basic', payload);
    await waitFor('the job to run', () => r.runs.length === 1);
    const [run] = r.runs;
    expect(run?.payload).toEqual(payload);
    expect(run?.ctx.attempt).toBe(1);
    expect(run?.ctx.workerId).toBe('worker-basic');
    expect(run?.ctx.jobId).toMatch(/^\d+$/);
    await waitFor('the finished job to leave the queue', async () => (await queue.stats()).running === 0);
    expect(await queue.stats()).toMatchObject({ waiting: 0, running: 0 });
  });

  it('does not run a job before runAt, and runs it less than 1 s after', async () => {
    const r = recorder();
    await start(queue, { later: r.handler });
    const base = Date.now();
    const offsets = [350, 600, 900, 1200];
    for (const [i, off] of offsets.entries()) await queue.enqueue('later', { i, runAt: base + off }, { runAt: new Date(base + off) });
    await waitFor('all scheduled jobs', () => r.runs.length === offsets.length, 5_000);
    const lateness = r.runs.map((run) => run.at - Number(run.payload.runAt));
    for (const l of lateness) {
      // 5 ms allows for PostgreSQL's now() and Node's clock rounding differently; both read the same system clock.
      expect(l).toBeGreaterThanOrEqual(-5);
      expect(l).toBeLessThan(1_000);
    }
    console.info(`[${dialect}] runAt lateness ms: ${lateness.join(', ')} (max ${Math.max(...lateness)})`);
  });

  it('an enqueue in a rolled-back transaction leaves no job; a committed one runs', async () => {
    const r = recorder();
    await start(queue, { tx: r.handler });
    await expect(
      h.db.transaction().execute(async (trx) => {
        await queue.enqueue('tx', { which: 'rolled-back' }, {}, trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await h.db.transaction().execute(async (trx) => {
      await queue.enqueue('tx', { which: 'committed' }, {}, trx);
    });
    await waitFor('the committed job', () => r.runs.length >= 1);
    await sleep(300);
    expect(r.runs.map((x) => x.payload.which)).toEqual(['committed']);
    expect((await queue.stats()).waiting).toBe(0);
  });

  it('a second enqueue with the same key replaces the waiting job (payload and time): it runs once', async () => {
    const r = recorder();
    const t0 = Date.now();
    await queue.enqueue('keyed', { v: 1 }, { key: 'key-replace', runAt: new Date(t0 + 1_500) });
    await queue.enqueue('keyed', { v: 2 }, { key: 'key-replace', runAt: new Date(t0 + 300) });
    expect((await queue.stats()).waiting).toBe(1);
    await start(queue, { keyed: r.handler });
    await waitFor('the keyed job', () => r.runs.length >= 1);
    expect(r.runs[0]?.payload).toEqual({ v: 2 });
    expect(r.runs[0]!.at).toBeGreaterThanOrEqual(t0 + 300 - 5);
    expect(r.runs[0]!.at).toBeLessThan(t0 + 1_500);
    await sleep(t0 + 1_800 - Date.now());
    expect(r.runs).toHaveLength(1);
  });

  it('enqueueing a key whose job is running makes the job run again with the new payload', async () => {
    const g = gate();
    const runs: Array<{ payload: Record<string, unknown>; attempt: number }> = [];
    let firstFinished = false;
    await start(queue, {
      rekey: async (payload, ctx) => {
        runs.push({ payload, attempt: ctx.attempt });
        if (payload.v === 1) {
          await g.promise;
          firstFinished = true;
        }
      },
    });
    await queue.enqueue('rekey', { v: 1 }, { key: 'key-running' });
    await waitFor('the first run', () => runs.length === 1);
    await queue.enqueue('rekey', { v: 2 }, { key: 'key-running' });
    // Both implementations add a new job at once: it may run while the old run is still going
    // (handlers are idempotent), and it carries the new payload.
    await waitFor('the second run', () => runs.length === 2);
    expect(runs).toEqual([{ payload: { v: 1 }, attempt: 1 }, { payload: { v: 2 }, attempt: 1 }]);
    expect(firstFinished).toBe(false);
    g.open();
    await waitFor('the first run to finish', () => firstFinished);
    await sleep(300);
    expect(runs).toHaveLength(2);
    expect(await queue.stats()).toMatchObject({ waiting: 0, running: 0 });
  });

  it('liveKeys names waiting and recently taken jobs, not removed, finished, failed or long-held ones', async () => {
    const held = { heldWithinMs: 60_000 };
    expect(await queue.liveKeys([], held)).toEqual(new Set());
    await queue.enqueue('live-idle', {}, { key: 'live-waiting', runAt: new Date(Date.now() + 3_600_000) });
    await queue.enqueue('live-idle', {}, { key: 'live-removed', runAt: new Date(Date.now() + 3_600_000) });
    await queue.removeByKey('live-removed');
    const g = gate();
    let started = false;
    let doomedRuns = 0;
    const w = await start(queue, {
      'live-busy': async () => { started = true; await g.promise; },
      'live-done': async () => undefined,
      'live-doomed': async () => { doomedRuns += 1; throw new Error('always fails'); },
    }, 3);
    await queue.enqueue('live-busy', {}, { key: 'live-running' });
    await queue.enqueue('live-doomed', {}, { key: 'live-failed', maxAttempts: 1 });
    await waitFor('the busy job to start', () => started);
    await waitFor('the doomed job to fail', () => doomedRuns === 1);
    let doneRan = false;
    await queue.enqueue('live-done', {}, { key: 'live-finished' });
    await waitFor('the quick job to finish', async () => {
      doneRan = !(await queue.liveKeys(['live-finished'], held)).has('live-finished');
      return doneRan;
    });
    // The failure is recorded just after the handler throws; out of attempts, it is no longer live.
    await waitFor('the failed job to leave the live keys', async () => !(await queue.liveKeys(['live-failed'], held)).has('live-failed'));
    const keys = ['live-waiting', 'live-removed', 'live-running', 'live-failed', 'live-finished', 'never-enqueued'];
    expect([...(await queue.liveKeys(keys, held))].sort()).toEqual(['live-running', 'live-waiting']);
    // Held for longer than asked (as by a worker that died with it): no longer counted as live.
    await sleep(50);
    expect([...(await queue.liveKeys(keys, { heldWithinMs: 1 }))].sort()).toEqual(['live-waiting']);
    g.open();
    await w.stop();
    await queue.removeByKey('live-waiting');
  });

  it('removeByKey removes a waiting job; unknown keys are a no-op', async () => {
    const r = recorder();
    const at = new Date(Date.now() + 300);
    await queue.enqueue('removable', { which: 'removed' }, { key: 'rm-1', runAt: at });
    await queue.enqueue('removable', { which: 'kept' }, { key: 'rm-2', runAt: at });
    await queue.removeByKey('rm-1');
    await queue.removeByKey('no-such-key');
    await start(queue, { removable: r.handler });
    await waitFor('the kept job', () => r.runs.length >= 1);
    await sleep(300);
    expect(r.runs.map((x) => x.payload.which)).toEqual(['kept']);
  });

  it('a failing job is retried later with its attempt count, and stops after maxAttempts (counted as failed)', async () => {
    const failedBefore = (await queue.stats()).failed;
    const flaky: Run[] = [];
    const doomed: Run[] = [];
    await start(queue, {
      flaky: async (payload, ctx) => {
        flaky.push({ payload, ctx, at: Date.now() });
        if (ctx.attempt === 1) throw new Error('first attempt fails');
      },
      doomed: async (payload, ctx) => {
        doomed.push({ payload, ctx, at: Date.now() });
        throw new Error(`always fails (attempt ${ctx.attempt})`);
      },
    });
    await queue.enqueue('flaky', { n: 1 });
    await queue.enqueue('doomed', { n: 2 }, { maxAttempts: 2 });
    await waitFor('the retries', () => flaky.length === 2 && doomed.length === 2, 10_000);
    expect(flaky.map((x) => x.ctx.attempt)).toEqual([1, 2]);
    expect(doomed.map((x) => x.ctx.attempt)).toEqual([1, 2]);
    expect(flaky[1]!.at - flaky[0]!.at).toBeGreaterThanOrEqual(minRetryGapMs[dialect]);
    expect(doomed[1]!.at - doomed[0]!.at).toBeGreaterThanOrEqual(minRetryGapMs[dialect]);
    expect(flaky[1]!.ctx.jobId).toBe(flaky[0]!.ctx.jobId);
    await waitFor('the doomed job to be marked failed', async () => (await queue.stats()).failed === failedBefore + 1);
    // SQLite would have retried within ~0.8 s; graphile never claims a job that is out of attempts.
    await sleep(1_000);
    expect(doomed).toHaveLength(2);
    expect(flaky).toHaveLength(2);
    expect(await queue.stats()).toMatchObject({ failed: failedBefore + 1, waiting: 0, running: 0 });
  });

  it('respects the concurrency limit', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    await start(
      queue,
      {
        slowish: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(80);
          inFlight--;
          done++;
        },
      },
      3,
    );
    for (let i = 0; i < 12; i++) await queue.enqueue('slowish', { i });
    await waitFor('all 12 jobs', () => done === 12, 8_000);
    expect(maxInFlight).toBe(3);
  });

  it('two workers (two queue instances, as two processes) run each of 300 jobs exactly once', async () => {
    const h2 = openDatabase(h.config);
    const queue2 = makeQueue(dialect, h2);
    try {
      await queue2.init();
      const counts = new Map<number, number>();
      const byWorker = new Map<string, number>();
      const handler: JobHandler = async (payload, ctx) => {
        const n = Number(payload.n);
        counts.set(n, (counts.get(n) ?? 0) + 1);
        byWorker.set(ctx.workerId, (byWorker.get(ctx.workerId) ?? 0) + 1);
        await sleep(Math.random() * 3);
      };
      await h.db.transaction().execute(async (trx) => {
        for (let n = 0; n < 300; n++) await queue.enqueue('contended', { n }, {}, trx);
      });
      const w1 = await start(queue, { contended: handler }, 4, 'contender-1');
      const w2 = await queue2.startWorker({ contended: handler }, { concurrency: 4, workerId: 'contender-2' });
      try {
        await waitFor('all 300 jobs', () => counts.size === 300, 20_000);
        await sleep(300);
      } finally {
        await Promise.all([w1.stop(), w2.stop()]);
      }
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(300);
      expect(byWorker.get('contender-1')).toBeGreaterThan(0);
      expect(byWorker.get('contender-2')).toBeGreaterThan(0);
      expect(await queue.stats()).toMatchObject({ waiting: 0, running: 0 });
    } finally {
      await queue2.close();
      await h2.close();
    }
  });

  it('stop() waits for running handlers and then takes no more jobs', async () => {
    let started = 0;
    let finished = 0;
    const w = await start(queue, {
      slow: async () => {
        started++;
        await sleep(400);
        finished++;
      },
    });
    await queue.enqueue('slow', {});
    await waitFor('the slow job to start', () => started === 1);
    const t = Date.now();
    await w.stop();
    expect(finished).toBe(1);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    await queue.enqueue('slow', {}, { key: 'after-stop' });
    await sleep(400);
    expect(started).toBe(1);
    expect((await queue.stats()).waiting).toBe(1);
    await queue.removeByKey('after-stop');
  });

  it('rejects bad input with a ValidationError and writes nothing', async () => {
    const before = await queue.stats();
    await expect(queue.enqueue('bad', {}, { runAt: new Date('nope') })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueue('', {})).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueue('bad', {}, { maxAttempts: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueue('bad', [] as unknown as Record<string, unknown>)).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.startWorker({ bad: async () => undefined }, { concurrency: 0, workerId: 'w' })).rejects.toBeInstanceOf(ValidationError);
    expect(await queue.stats()).toEqual(before);
  });

  if (dialect === 'sqlite') {
    it('a job claimed by a worker that died runs again once its lock expires', async () => {
      const q = new SqliteJobQueue(h, log, { ...sqliteOpts, lockTimeoutMs: 500 });
      const r = recorder();
      try {
        await q.enqueue('orphan', { n: 1 });
        const claimed = await q.claim(['orphan'], 5, 'dead-worker');
        expect(claimed).toHaveLength(1);
        const claimedAt = Date.now();
        expect(await q.stats()).toMatchObject({ running: 1, waiting: 0 });
        await q.startWorker({ orphan: r.handler }, { concurrency: 2, workerId: 'rescuer' });
        await waitFor('the orphaned job', () => r.runs.length === 1, 3_000);
        expect(r.runs[0]!.at - claimedAt).toBeGreaterThanOrEqual(500 - 5);
        expect(r.runs[0]!.at - claimedAt).toBeLessThan(1_500);
        expect(r.runs[0]!.ctx.attempt).toBe(2);
        // The dead worker's late completion must not touch the rescuer's claim or a newer job.
        expect(await q.complete(claimed[0]!)).toBe(false);
      } finally {
        await q.close();
      }
    });

    it('worker processes sharing the SQLite file run each of 600 jobs exactly once', async () => {
      if (h.config.dialect !== 'sqlite') throw new Error('unreachable');
      const entry = fileURLToPath(new URL('./support/sqlite-queue-child.ts', import.meta.url));
      const counts = new Map<number, number>();
      const byWorker = new Map<string, number>();
      const ran = (who: string, n: number) => {
        counts.set(n, (counts.get(n) ?? 0) + 1);
        byWorker.set(who, (byWorker.get(who) ?? 0) + 1);
      };
      const children: ChildProcess[] = [];
      try {
        await Promise.all(
          ['proc-a', 'proc-b'].map(
            (id) =>
              new Promise<void>((ready, fail) => {
                const child = spawn(process.execPath, ['--import', 'tsx', entry, h.config.dialect === 'sqlite' ? h.config.path : '', id], {
                  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
                });
                children.push(child);
                child.on('message', (m: { type?: string; n?: number }) => {
                  if (m.type === 'ready') ready();
                  if (m.type === 'ran') ran(id, Number(m.n));
                });
                child.once('exit', (code) => fail(new Error(`${id} exited early with ${code}`)));
              }),
          ),
        );
        const w = await start(queue, { 'contended-mp': async (payload) => ran('parent', Number(payload.n)) }, 4, 'proc-parent');
        const t0 = Date.now();
        for (let from = 0; from < 600; from += 100) {
          await h.db.transaction().execute(async (trx) => {
            for (let n = from; n < from + 100; n++) await queue.enqueue('contended-mp', { n }, {}, trx);
          });
        }
        await waitFor('all 600 jobs', () => counts.size === 600, 20_000);
        console.info(`[sqlite] 3 processes ran 600 jobs in ${Date.now() - t0} ms: ${JSON.stringify(Object.fromEntries(byWorker))}`);
        await sleep(300);
        await w.stop();
        await Promise.all(
          children.map(
            (c) =>
              new Promise<void>((stopped) => {
                c.removeAllListeners('exit');
                c.once('exit', () => stopped());
                c.send({ type: 'stop' });
              }),
          ),
        );
        expect([...counts.values()].every((c) => c === 1)).toBe(true);
        expect(byWorker.get('proc-a')).toBeGreaterThan(0);
        expect(byWorker.get('proc-b')).toBeGreaterThan(0);
        expect(await queue.stats()).toMatchObject({ waiting: 0, running: 0 });
      } finally {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }
    });

    it('a live worker renews its lock, so a job longer than lockTimeoutMs is not run twice', async () => {
      const h2 = openDatabase(h.config);
      const q1 = new SqliteJobQueue(h, log, { ...sqliteOpts, lockTimeoutMs: 300 });
      const q2 = new SqliteJobQueue(h2, log, { ...sqliteOpts, lockTimeoutMs: 300 });
      let runs = 0;
      let done = false;
      const handler: JobHandler = async () => {
        runs++;
        await sleep(1_000);
        done = true;
      };
      try {
        await q1.enqueue('long', {});
        await q1.startWorker({ long: handler }, { concurrency: 1, workerId: 'long-1' });
        await waitFor('the long job to start', () => runs === 1);
        await q2.startWorker({ long: handler }, { concurrency: 1, workerId: 'long-2' });
        await waitFor('the long job to finish', () => done, 3_000);
        await sleep(200);
        expect(runs).toBe(1);
        expect(await q1.stats()).toMatchObject({ waiting: 0, running: 0 });
      } finally {
        await q1.close();
        await q2.close();
        await h2.close();
      }
    });
  }
});
