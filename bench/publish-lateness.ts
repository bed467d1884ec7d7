/**
 * bench/publish-lateness: how late does Herald publish when many posts fall due at once?
 *
 * Per mode (sqlite/1, sqlite/3, postgres/1, postgres/3 = dialect / worker processes), on a fresh
 * database that is dropped afterwards:
 * 1. Setup through the real use cases in this process: `createUser` (owner + workspace),
 *    `connectAccount` per account against the loopback network, then `createPost` per post (one
 *    target per post by default). Each step is timed and printed.
 * 2. Due times: post p of P is due at T0 + floor(p × spread / P) ms — evenly spread over one minute by
 *    default, in creation order; target i goes to account i mod accounts (10 per account by default).
 *    T0 lies after the end of the setup, estimated from a calibration batch (posts scheduled a day
 *    ahead through the same use case, then cancelled).
 *    Before that, 2 × workers × concurrency warm-up posts due at once are published and not measured
 *    (a production worker is warm; a freshly spawned one is not).
 * 3. Herald: one scheduler process and 1 or 3 worker processes, each `serve()` exactly as
 *    `herald serve --role …` runs it (bench/support/worker-entry.ts adds the loopback connector).
 *    Concurrency per worker is HERALD_WORKER_CONCURRENCY (default 16, the production default).
 * 4. Baseline: a bare HTTP client process (fetch/undici, keep-alive) fires the same requests at the same
 *    offsets from a new T0, capped at the same total concurrency (workers × concurrency).
 *
 * Lateness = time the create request reached the endpoint − the target's scheduled_at. Throughput =
 * requests arrived / (last arrival − first due time). Ratio = Herald throughput / bare throughput.
 * Targets: p99 ≤ 1 s and ratio ≥ 0.8, with every target published exactly once.
 *
 *   npx tsx bench/publish-lateness.ts [--modes sqlite/1,postgres/3] [--targets 10000] [--accounts 1000]
 *     [--spread-ms 60000] [--latency-ms 20] [--concurrency 16] [--per-post 1] [--log-level info] [--keep]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { defaultConnectors } from '../src/connectors/default-registry';
import { createLogger } from '../src/logging/logger';
import { closeServices, createServices } from '../src/server/create-services';
import type { UseCaseContext } from '../src/server/services';
import { connectAccount } from '../src/use-cases/accounts.use-case';
import { cancelPost, createPost } from '../src/use-cases/posts.use-case';
import { createUser } from '../src/use-cases/users.use-case';
import { loopbackConnector, startLoopbackNetwork } from '../test/support/loopback-network';
import { recordArrivals } from './support/arrival-recorder';
import type { BareDoneMessage, BareRequest, BareRunMessage } from './support/bare-client-entry';
import { freshBenchDatabase, type BenchDialect } from './support/bench-database';
import { killAllChildren, repoRoot, startChild, stopChild, type BenchChild } from './support/child-processes';
import { figures, latenessTimeline, ms, table, type RunFigures } from './support/lateness-stats';

const targetP99Ms = 1_000;
const targetRatio = 0.8;

const { values: argv } = parseArgs({
  options: {
    modes: { type: 'string', default: 'sqlite/1,sqlite/3,postgres/1,postgres/3' },
    targets: { type: 'string', default: '10000' },
    accounts: { type: 'string', default: '1000' },
    'spread-ms': { type: 'string', default: '60000' },
    'latency-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    'per-post': { type: 'string', default: '1' },
    'log-level': { type: 'string', default: 'info' },
    'drain-timeout-ms': { type: 'string', default: '180000' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});

function int(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

const opts = {
  targets: int('targets', argv.targets, 1, 1_000_000),
  accounts: int('accounts', argv.accounts, 1, 100_000),
  spreadMs: int('spread-ms', argv['spread-ms'], 0, 3_600_000),
  latencyMs: int('latency-ms', argv['latency-ms'], 0, 10_000),
  concurrency: int('concurrency', argv.concurrency, 1, 1000),
  perPost: int('per-post', argv['per-post'], 1, 50),
  logLevel: argv['log-level'] ?? 'info',
  drainTimeoutMs: int('drain-timeout-ms', argv['drain-timeout-ms'], 1_000, 3_600_000),
  keep: argv.keep ?? false,
  /** Write V8 CPU profiles of the worker processes into the mode's folder (implies --keep). */
  cpuProf: argv['cpu-prof'] ?? false,
};
if (opts.cpuProf) opts.keep = true;
if (opts.perPost > opts.accounts) throw new Error('--per-post cannot exceed --accounts (one target per account per post)');

interface Mode {
  dialect: BenchDialect;
  workers: number;
  label: string;
}

const modes: Mode[] = (argv.modes ?? '').split(',').filter(Boolean).map((m) => {
  const [dialect, workers] = m.trim().split('/');
  if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error(`--modes: unknown dialect in "${m}" (sqlite or postgres)`);
  return { dialect, workers: int('modes', workers ?? '1', 1, 32), label: `${dialect}/${workers ?? '1'}` };
});

interface ModeResult {
  mode: Mode;
  herald: RunFigures;
  bare: RunFigures;
  ratio: number;
  published: number;
  duplicates: number;
  bareFailed: number;
  setup: { accountsMs: number; postsMs: number; posts: number; calibrationMsPerPost: number };
  logIssues: { warn: number; error: number; samples: string[] };
  /** p99 event-loop delay of the endpoint's process during the Herald and the bare run (ms). */
  endpointLagP99Ms: { herald: number; bare: number };
  overran: boolean;
  pass: boolean;
  notes: string[];
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const benchStart = Date.now();
const say = (line: string) => console.log(`[publish-lateness +${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${line}`);

/** Cleanups of the running mode, run in reverse on failure or interrupt. */
const cleanups: Array<() => Promise<unknown>> = [];
async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop()!;
    await c().catch((e: unknown) => say(`cleanup failed: ${String(e)}`));
  }
}
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  say('interrupted: stopping processes and dropping the database');
  killAllChildren();
  void runCleanups().finally(() => process.exit(130));
});

/** Counts warn/error lines in the pino logs of the Herald processes. */
function scanLogs(dir: string): ModeResult['logIssues'] {
  const out = { warn: 0, error: 0, samples: [] as string[] };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.startsWith('{')) {
        if (line.trim() && out.samples.length < 5) out.samples.push(`${f}: ${line.slice(0, 200)}`);
        continue;
      }
      let rec: { level?: number; msg?: string; err?: { message?: string } | string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue;
      }
      const level = rec.level ?? 0;
      if (level < 40) continue;
      if (level >= 50) out.error++;
      else out.warn++;
      if (out.samples.length < 5) out.samples.push(`${f}: ${rec.msg ?? ''} ${typeof rec.err === 'string' ? rec.err : (rec.err?.message ?? '')}`.trim());
    }
  }
  return out;
}

async function runMode(mode: Mode): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), `herald-bench-${mode.dialect}-${mode.workers}w-`));
  const notes: string[] = [];
  cleanups.push(async () => (opts.keep ? say(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));
  const database = await freshBenchDatabase(mode.dialect, dir);
  cleanups.push(() => database.drop());
  const network = await startLoopbackNetwork({ latencyMs: opts.latencyMs });
  cleanups.push(() => network.close());
  const arrivals = recordArrivals(network);

  // The same settings for this process and every child; explicit, never the developer's environment.
  const settings: Record<string, string> = {
    HERALD_DATABASE_URL: database.url,
    HERALD_SECRET_KEY: randomBytes(32).toString('hex'),
    HERALD_DATA_DIR: dir,
    HERALD_LOG_LEVEL: opts.logLevel,
    HERALD_WORKER_CONCURRENCY: String(opts.concurrency),
  };
  const config = loadConfig(settings);
  const connectors = defaultConnectors(config.networks);
  connectors.register(loopbackConnector(network.url));
  const services = await createServices(config, { migrate: true, connectors, log: createLogger('warn') });
  cleanups.push(() => closeServices(services));
  const db = services.database.db;

  // 1. Owner, workspace and accounts through the real use cases.
  const owner = await createUser({ db, services }, { email: 'bench@example.test', name: 'Bench Owner', password: 'bench-password-1234', owner: true, timezone: 'UTC' });
  const workspaceId = owner.workspace!.id;
  const ctx: UseCaseContext = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId, db, services };
  const handles: string[] = [];
  const passwords: string[] = [];
  const accountIds: string[] = [];
  let t = performance.now();
  for (let i = 0; i < opts.accounts; i++) {
    const handle = `bench${i}`;
    const password = `pw-${i}-${randomBytes(4).toString('hex')}`;
    network.addAccount(handle, password);
    const a = await connectAccount(ctx, { network: 'loopback', credentials: { handle, password } });
    handles.push(handle);
    passwords.push(password);
    accountIds.push(a.id);
  }
  const accountsMs = performance.now() - t;
  say(`${mode.label}: connected ${opts.accounts} accounts via connectAccount in ${Math.round(accountsMs)} ms (${(opts.accounts / (accountsMs / 1000)).toFixed(0)}/s)`);

  // 2. Herald processes: they run while posts are being scheduled, as in production.
  const workerArgs = (roles: string) => ['--roles', roles, '--network-url', network.url, '--settings', JSON.stringify(settings)];
  const entry = join(repoRoot, 'bench/support/worker-entry.ts');
  const children: BenchChild[] = [];
  cleanups.push(async () => Promise.all(children.map((c) => stopChild(c, 5_000))));
  t = performance.now();
  const started = await Promise.all([
    startChild('scheduler', entry, workerArgs('scheduler'), join(dir, 'scheduler.log')),
    ...Array.from({ length: mode.workers }, (_, i) => startChild(`worker-${i + 1}`, entry, workerArgs('worker'), join(dir, `worker-${i + 1}.log`), { nodeArgs: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [] })),
  ]);
  children.push(...started);
  say(`${mode.label}: scheduler + ${mode.workers} worker process(es) ready in ${Math.round(performance.now() - t)} ms`);

  // 3. Warm-up (not measured): a long-running worker has loaded its modules, opened its connections
  //    and JIT-compiled its hot paths; a freshly spawned one has not. A few posts due now get it there.
  //    Then calibrate createPost and pick T0 so that the whole setup ends before the first due time. createPost, then pick T0 so that the whole setup ends before the first due time.
  const posts = Math.ceil(opts.targets / opts.perPost);
  const targetsOf = (p: number) => {
    const n = Math.min(opts.perPost, opts.targets - p * opts.perPost);
    return Array.from({ length: n }, (_, j) => ({ accountId: accountIds[(p * opts.perPost + j) % opts.accounts]! }));
  };
  const warmups = mode.workers * opts.concurrency * 2;
  const warmIds: string[] = [];
  for (let p = 0; p < warmups; p++) {
    const view = await createPost(ctx, { text: `warm-up ${p}`, targets: [{ accountId: accountIds[p % opts.accounts]! }], schedule: { at: new Date().toISOString() } });
    warmIds.push(...view.targets.map((x) => x.id));
  }
  const warmDeadline = Date.now() + 60_000;
  while (warmIds.some((id) => !arrivals.first.has(id)) && Date.now() < warmDeadline) await sleep(100);
  say(`${mode.label}: warm-up: ${warmIds.filter((id) => arrivals.first.has(id)).length}/${warmIds.length} posts published`);
  const calibration = Math.min(50, posts);
  const farAway = { at: new Date(Date.now() + 86_400_000).toISOString() };
  t = performance.now();
  const calibrated: string[] = [];
  for (let p = 0; p < calibration; p++) calibrated.push((await createPost(ctx, { text: `calibration ${p}`, targets: targetsOf(p), schedule: farAway })).id);
  const msPerPost = (performance.now() - t) / calibration;
  for (const id of calibrated) await cancelPost(ctx, id);
  const t0 = Date.now() + Math.ceil(msPerPost * posts * 1.5) + 5_000;
  say(`${mode.label}: createPost ≈ ${msPerPost.toFixed(1)} ms/post; first due time in ${Math.round((t0 - Date.now()) / 1000)} s`);

  const accountIndex = new Map(accountIds.map((id, i) => [id, i]));
  const dueByTarget = new Map<string, number>();
  const textByTarget = new Map<string, string>();
  const accountOfTarget = new Map<string, number>();
  t = performance.now();
  for (let p = 0; p < posts; p++) {
    const dueAt = t0 + Math.floor((p * opts.spreadMs) / posts);
    const text = `bench post ${p}`;
    const view = await createPost(ctx, { text, targets: targetsOf(p), schedule: { at: new Date(dueAt).toISOString() } });
    for (const target of view.targets) {
      dueByTarget.set(target.id, Date.parse(target.scheduledAt!));
      textByTarget.set(target.id, text);
      accountOfTarget.set(target.id, accountIndex.get(target.accountId)!);
    }
  }
  const postsMs = performance.now() - t;
  const overran = Date.now() > t0;
  say(
    `${mode.label}: created ${posts} posts / ${dueByTarget.size} scheduled targets via createPost in ${Math.round(postsMs)} ms ` +
      `(${(posts / (postsMs / 1000)).toFixed(0)} posts/s)${overran ? ' — OVERRAN the first due time: results are not valid' : ''}`,
  );
  if (overran) notes.push('setup overran T0');

  // 4. Wait for every target to reach the network, then for every target to be recorded as published.
  // The endpoint lives in this process: its event-loop delay says how much of the lateness is the
  // measuring side being starved of CPU rather than Herald.
  const heraldLag = monitorEventLoopDelay({ resolution: 10 });
  heraldLag.enable();
  const deadline = t0 + opts.spreadMs + opts.drainTimeoutMs;
  const measuredArrived = () => {
    let n = 0;
    for (const id of dueByTarget.keys()) if (arrivals.first.has(id)) n++;
    return n;
  };
  while (measuredArrived() < dueByTarget.size && Date.now() < deadline) await sleep(250);
  const countPublished = async () =>
    Number(
      (
        await db
          .selectFrom('post_targets')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', workspaceId)
          .where('state', '=', 'published')
          .where('id', 'not in', warmIds)
          .executeTakeFirstOrThrow()
      ).n,
    );
  let published = await countPublished();
  while (published < dueByTarget.size && Date.now() < deadline + 30_000) {
    await sleep(250);
    published = await countPublished();
  }
  heraldLag.disable();
  const herald = figures(dueByTarget, arrivals.first);
  const duplicates = [...arrivals.repeats.keys()].filter((k) => dueByTarget.has(k)).length;
  if (herald.arrived < herald.expected) notes.push(`${herald.expected - herald.arrived} targets never reached the network`);
  if (published < dueByTarget.size) notes.push(`only ${published}/${dueByTarget.size} targets published`);
  if (duplicates) notes.push(`${duplicates} targets sent more than once`);
  say(`${mode.label}: Herald lateness p99 per tenth of the window: ${latenessTimeline(dueByTarget, arrivals.first).map((v) => Math.round(v)).join(' ')} ms`);
  const firstLate = [...dueByTarget].sort((a, b) => a[1] - b[1]).slice(0, 10).map(([id, at]) => (arrivals.first.has(id) ? String(arrivals.first.get(id)! - at) : '—'));
  say(`${mode.label}: Herald lateness of the first 10 targets due: ${firstLate.join(' ')} ms`);
  say(`${mode.label}: Herald p50 ${ms(herald.p50Ms)}, p99 ${ms(herald.p99Ms)}, max ${ms(herald.maxMs)}, ${herald.perSecond.toFixed(1)} posts/s, ${published} published`);

  await Promise.all(children.map((c) => stopChild(c)));
  say(`${mode.label}: Herald processes stopped`);
  const logIssues = scanLogs(dir);

  // 5. Baseline: the same requests, same offsets, same total concurrency, from a bare client.
  const tokens: string[] = [];
  for (let i = 0; i < handles.length; i++) {
    const res = await fetch(`${network.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ handle: handles[i], password: passwords[i] }) });
    if (!res.ok) throw new Error(`bare client login for ${handles[i]} failed: HTTP ${res.status}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  say(`${mode.label}: bare client logged in`);
  const bareChild = await startChild('bare-client', join(repoRoot, 'bench/support/bare-client-entry.ts'), [], join(dir, 'bare-client.log'));
  children.push(bareChild);
  const bareT0 = Date.now() + 2_000;
  const offsetBase = Math.min(...dueByTarget.values());
  const bareDue = new Map<string, number>();
  const requests: BareRequest[] = [];
  for (const [id, dueAt] of dueByTarget) {
    const at = bareT0 + (dueAt - offsetBase);
    bareDue.set(id, at);
    requests.push({ dueAt: at, token: tokens[accountOfTarget.get(id)!]!, key: `bare-${id}`, text: textByTarget.get(id)! });
  }
  const done = new Promise<BareDoneMessage>((resolveDone) => bareChild.proc.on('message', (m: BareDoneMessage) => m.type === 'done' && resolveDone(m)));
  const run: BareRunMessage = { type: 'run', url: network.url, concurrency: mode.workers * opts.concurrency, requests };
  const bareLag = monitorEventLoopDelay({ resolution: 10 });
  bareLag.enable();
  bareChild.proc.send(run);
  let bareTimer: NodeJS.Timeout | undefined;
  const bareDone = await Promise.race([done, new Promise<null>((r) => (bareTimer = setTimeout(() => r(null), opts.spreadMs + opts.drainTimeoutMs)))]);
  clearTimeout(bareTimer);
  bareLag.disable();
  if (!bareDone) notes.push('bare client timed out');
  await stopChild(bareChild, 2_000);
  const bare = figures(bareDue, arrivals.first, (id) => `bare-${id}`);
  const bareFailed = bareDone?.failed ?? bare.expected;
  say(`${mode.label}: bare lateness p99 per tenth of the window: ${latenessTimeline(bareDue, arrivals.first, (id) => `bare-${id}`).map((v) => Math.round(v)).join(' ')} ms`);
  say(`${mode.label}: bare  p50 ${ms(bare.p50Ms)}, p99 ${ms(bare.p99Ms)}, max ${ms(bare.maxMs)}, ${bare.perSecond.toFixed(1)} req/s, ${bareFailed} failed`);

  const ratio = bare.perSecond > 0 ? herald.perSecond / bare.perSecond : 0;
  const pass = !overran && herald.arrived === herald.expected && published === dueByTarget.size && duplicates === 0 && herald.p99Ms <= targetP99Ms && ratio >= targetRatio;
  await runCleanups();
  say(`${mode.label}: cleaned up`);
  return {
    mode,
    herald,
    bare,
    ratio,
    published,
    duplicates,
    bareFailed,
    setup: { accountsMs, postsMs, posts, calibrationMsPerPost: msPerPost },
    logIssues,
    endpointLagP99Ms: { herald: heraldLag.percentile(99) / 1e6, bare: bareLag.percentile(99) / 1e6 },
    overran,
    pass,
    notes,
  };
}

say(
  `${opts.targets} targets over ${opts.accounts} accounts (${opts.perPost} per post), due evenly over ${opts.spreadMs} ms; ` +
    `endpoint latency ${opts.latencyMs} ms; ${opts.concurrency} jobs per worker process; modes ${modes.map((m) => m.label).join(', ')}`,
);
if (!existsSync(join(repoRoot, 'node_modules/tsx'))) throw new Error('tsx is not installed (npm ci)');

const results: ModeResult[] = [];
let failedModes = 0;
for (const mode of modes) {
  try {
    results.push(await runMode(mode));
  } catch (e) {
    failedModes++;
    say(`${mode.label}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    killAllChildren();
    await runCleanups();
  }
}

console.log('');
console.log(`publish-lateness: ${opts.targets} targets / ${opts.accounts} accounts, due over ${opts.spreadMs / 1000} s, endpoint latency ${opts.latencyMs} ms`);
console.log(
  table(
    ['mode', 'conc', 'p50', 'p99', 'max', 'posts/s', 'bare p99', 'bare req/s', 'ratio', 'published', 'result'],
    results.map((r) => [
      r.mode.label,
      String(r.mode.workers * opts.concurrency),
      ms(r.herald.p50Ms),
      ms(r.herald.p99Ms),
      ms(r.herald.maxMs),
      r.herald.perSecond.toFixed(1),
      ms(r.bare.p99Ms),
      r.bare.perSecond.toFixed(1),
      r.ratio.toFixed(2),
      `${r.published}/${r.herald.expected}`,
      r.pass ? 'PASS' : 'MISS',
    ]),
  ),
);
console.log(`targets: p99 ≤ ${targetP99Ms} ms, ratio ≥ ${targetRatio}, every target published exactly once`);
console.log('');
console.log(
  table(
    ['mode', 'connectAccount/s', 'createPost/s', 'bare p50', 'bare max', 'endpoint lag p99 H/B', 'dup sends', 'log warn/error', 'notes'],
    results.map((r) => [
      r.mode.label,
      (opts.accounts / (r.setup.accountsMs / 1000)).toFixed(0),
      (r.setup.posts / (r.setup.postsMs / 1000)).toFixed(0),
      ms(r.bare.p50Ms),
      ms(r.bare.maxMs),
      `${Math.round(r.endpointLagP99Ms.herald)}/${Math.round(r.endpointLagP99Ms.bare)} ms`,
      String(r.duplicates),
      `${r.logIssues.warn}/${r.logIssues.error}`,
      r.notes.join('; ') || '—',
    ]),
  ),
);
for (const r of results) for (const s of r.logIssues.samples) console.log(`  ${r.mode.label} log: ${s}`);
if (failedModes) console.log(`${failedModes} mode(s) failed to run (see above)`);
process.exitCode = failedModes || results.some((r) => !r.pass) ? 1 : 0;
