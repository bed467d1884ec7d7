/**
 * KPI dashboard latency (issue 6): 200 accounts × 1 year, 50,000 posts and 2,000,000 metric
 * observations loaded through the real `herald import metrics` use case (importMetrics), then the
 * dashboard API — GET /api/v1/workspaces/{ws}/analytics/kpis, in-process through the Hono app with an
 * API token — timed for 30, 90 and 365-day periods, on SQLite and PostgreSQL (fresh throwaway
 * databases, removed afterwards). Target: p95 ≤ 100 ms per period. The import time is printed too.
 *
 *   npm run bench -- kpi [--accounts 200] [--posts 50000] [--observations 2000000]
 *                        [--modes sqlite,postgres] [--chunk-accounts 20] [--requests 200]
 *                        [--ranges 30,90,365] [--warmup 20] [--profile]
 *
 * The data are deterministic (same arguments, same file): per account `posts/accounts` posts spread
 * over 2025 at daytime hours, each observed `observations/posts` times at the collector's own points
 * (1 h, 24 h, 7 d, then daily from 30 d), counts growing towards a per-post final value; one follower
 * snapshot per account and day. A third of the accounts are "telegram" (views, likes, shares; no
 * reach, no comments), the rest "vk" (views, reach, likes, comments, shares) — missing counts stay
 * missing, as the format asks.
 *
 * The file is written to disk as a stream, one part per `--chunk-accounts` accounts, and each part is
 * imported with one importMetrics call (the use case takes a file's text: a single 2M-observation
 * file is ~330 MB of JSON, parsed and validated at once; `--chunk-accounts 200` tries exactly that).
 * The import time printed is the sum over the parts, and includes the rollup rebuild the import does.
 *
 * Exit code 1 when a period's p95 misses the target.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config';
import { createApp } from '../src/http/app';
import { createLogger } from '../src/logging/logger';
import { closeServices, createServices } from '../src/server/create-services';
import type { AppServices, UseCaseContext } from '../src/server/services';
import { importMetrics } from '../src/use-cases/analytics-import.use-case';
import { getKpis } from '../src/use-cases/analytics.use-case';
import { dailyRollups, postRollupsBefore, postRollupsBetween, rollupsInOtherZone } from '../src/repositories/analytics.repository';
import { createApiToken } from '../src/use-cases/api-tokens.use-case';
import { createUser } from '../src/use-cases/users.use-case';
import { freshBenchDatabase, type BenchDialect } from './support/bench-database';
import { installStatementCounter } from './support/statement-counter';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const accounts = Number(arg('accounts', '200'));
const postsTotal = Number(arg('posts', '50000'));
const observationsTotal = Number(arg('observations', '2000000'));
const modes = arg('modes', 'sqlite,postgres').split(',') as BenchDialect[];
const chunkAccounts = Math.max(1, Number(arg('chunk-accounts', '20')));
const requestsPerRange = Number(arg('requests', '200'));
/** Requests before timing (other accounts than the first timed ones), so V8 has compiled the hot code, as on a running server. */
const warmup = Number(arg('warmup', '20'));
/** `--profile`: also time the use case alone (no HTTP, no JSON) and its queries, per period. */
const profile = argv.includes('--profile');
const statements = profile ? installStatementCounter() : null;
const targetP95Ms = 100;
const ranges = arg('ranges', '30,90,365').split(',').map(Number);
/** Periods end on the last day of the generated year. */
const periodEnd = '2025-12-31';
const yearStartMs = Date.UTC(2025, 0, 1);
const dayMs = 86_400_000;

const postsPerAccount = Math.floor(postsTotal / accounts);
const observationsPerPost = Math.max(1, Math.floor(observationsTotal / (postsPerAccount * accounts)));

/** Deterministic 32-bit hash of a few integers (no state, so any part can be generated alone). */
function hash(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x & 0xffff), 0x01000193);
    h = Math.imul(h ^ (x >>> 16), 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Offsets of a post's observations: the collector's points (1 h, 24 h, 7 d, then daily from 30 d). */
function observationOffsetsMs(n: number): number[] {
  const base = [3_600_000, dayMs, 7 * dayMs];
  const out = base.slice(0, n);
  for (let d = 30; out.length < n; d++) out.push(d * dayMs);
  return out;
}
const offsets = observationOffsetsMs(observationsPerPost);

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const isTelegram = (a: number) => a % 3 === 2;

/** Writes one part of the file (accounts [from, to)) to `path`, streaming; returns the counts written. */
async function writePart(path: string, from: number, to: number): Promise<{ posts: number; snapshots: number; observations: number }> {
  const out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let buffered = '';
  const write = async (s: string) => {
    buffered += s;
    if (buffered.length < 1 << 20) return;
    if (!out.write(buffered)) await once(out, 'drain');
    buffered = '';
  };
  const counts = { posts: 0, snapshots: 0, observations: 0 };
  const ref = (a: number) => `acc${a}`;
  await write('{"version":1,"accounts":[');
  for (let a = from; a < to; a++) {
    const network = isTelegram(a) ? 'telegram' : 'vk';
    await write(`${a > from ? ',' : ''}{"ref":"${ref(a)}","network":"${network}","handle":"brand${a}","externalId":"${network === 'vk' ? -100000 - a : 700000 + a}","displayName":"Brand ${a}"}`);
  }
  const types = ['text', 'photo', 'photo', 'carousel', 'video', 'link', 'poll', 'repost'] as const;
  const publishedAt = (a: number, i: number) => yearStartMs + Math.floor((i * 365 * dayMs) / postsPerAccount) + (7 + (hash(a, i, 1) % 14)) * 3_600_000 + (hash(a, i, 2) % 60) * 60_000;
  await write('],"posts":[');
  let first = true;
  for (let a = from; a < to; a++) {
    for (let i = 0; i < postsPerAccount; i++) {
      const type = types[hash(a, i, 3) % types.length]!;
      await write(`${first ? '' : ','}{"account":"${ref(a)}","externalId":"p${a}_${i}","publishedAt":"${iso(publishedAt(a, i))}","contentType":"${type}","text":"Post ${i} of brand ${a} #tag${hash(a, i, 4) % 20}"}`);
      first = false;
      counts.posts += 1;
    }
  }
  await write('],"followerSnapshots":[');
  first = true;
  for (let a = from; a < to; a++) {
    const start = 1_000 + (hash(a, 5) % 200_000);
    const growth = (hash(a, 6) % 400) - 100;
    for (let d = 0; d < 365; d++) {
      const followers = Math.max(0, start + Math.floor((growth * d) / 10) + (hash(a, d, 7) % 50));
      await write(`${first ? '' : ','}{"account":"${ref(a)}","observedAt":"${iso(yearStartMs + d * dayMs + 30 * 60_000)}","followers":${followers},"posts":${Math.floor((d * postsPerAccount) / 365)}}`);
      first = false;
      counts.snapshots += 1;
    }
  }
  await write('],"observations":[');
  first = true;
  for (let a = from; a < to; a++) {
    const tg = isTelegram(a);
    for (let i = 0; i < postsPerAccount; i++) {
      const at = publishedAt(a, i);
      const finalViews = 500 + (hash(a, i, 8) % 50_000);
      const finalLikes = Math.floor(finalViews * (0.01 + (hash(a, i, 9) % 80) / 1000));
      for (let k = 0; k < offsets.length; k++) {
        // Share of the final counts reached by this observation: fast at first, then slowly.
        const share = Math.min(1, 0.3 + 0.7 * (1 - Math.exp(-offsets[k]! / (3 * dayMs))));
        const views = Math.floor(finalViews * share);
        const likes = Math.floor(finalLikes * share);
        const shares = Math.floor(likes / 7);
        const rest = tg ? '' : `,"reach":${Math.floor(views * 0.7)},"comments":${Math.floor(likes / 5)}`;
        await write(`${first ? '' : ','}{"account":"${ref(a)}","post":"p${a}_${i}","observedAt":"${iso(at + offsets[k]!)}","views":${views},"likes":${likes},"shares":${shares}${rest}}`);
        first = false;
        counts.observations += 1;
      }
    }
  }
  await write(']}\n');
  if (buffered && !out.write(buffered)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return counts;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);

let missed = false;
const report = (label: string, value: string, ok: boolean | null) => {
  if (ok === false) missed = true;
  console.log(`${ok === null ? '    ' : ok ? 'PASS' : 'MISS'}  ${label.padEnd(40)} ${value}`);
};

async function runMode(dialect: BenchDialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-kpi-bench-'));
  const database = await freshBenchDatabase(dialect, dir);
  let services: AppServices | null = null;
  try {
    const config = loadConfig({
      HERALD_DATABASE_URL: database.url,
      HERALD_SECRET_KEY: randomBytes(32).toString('hex'),
      HERALD_DATA_DIR: dir,
      HERALD_LOG_LEVEL: 'warn',
    });
    services = await createServices(config, { migrate: true, log: createLogger('warn') });
    const db = services.database.db;
    const owner = await createUser({ db, services }, { email: 'bench@example.test', name: 'Bench Owner', password: 'bench-password-1234', owner: true, timezone: 'Europe/Stockholm' });
    const workspaceId = owner.workspace!.id;
    const ctx: UseCaseContext = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId, db, services };

    // 1. The file, in parts, then each part through the import use case.
    console.log(`\n${dialect}: ${accounts} accounts, ${postsPerAccount * accounts} posts, ${observationsPerPost * postsPerAccount * accounts} observations (${observationsPerPost}/post), parts of ${chunkAccounts} accounts`);
    let writeMs = 0;
    let importMs = 0;
    let bytes = 0;
    let readParseMs = 0;
    const written = { posts: 0, snapshots: 0, observations: 0 };
    const imported = { posts: 0, snapshots: 0, observations: 0 };
    for (let from = 0; from < accounts; from += chunkAccounts) {
      const to = Math.min(accounts, from + chunkAccounts);
      const path = join(dir, `metrics-${from}.json`);
      let t = performance.now();
      const c = await writePart(path, from, to);
      writeMs += performance.now() - t;
      written.posts += c.posts;
      written.snapshots += c.snapshots;
      written.observations += c.observations;
      bytes += statSync(path).size;
      t = performance.now();
      const text = readFileSync(path, 'utf8');
      readParseMs += performance.now() - t;
      t = performance.now();
      const r = await importMetrics(ctx, text);
      const took = performance.now() - t;
      importMs += took;
      rmSync(path);
      imported.posts += r.posts.created;
      imported.snapshots += r.followerSnapshots.created;
      imported.observations += r.observations.created;
      console.log(`      part accounts ${from}–${to - 1}: ${c.observations} observations imported in ${(took / 1000).toFixed(1)} s`);
    }
    if (imported.posts !== written.posts || imported.observations !== written.observations || imported.snapshots !== written.snapshots) {
      throw new Error(`the import created ${JSON.stringify(imported)}, the file had ${JSON.stringify(written)}`);
    }
    const stored = await db.selectFrom('post_metrics').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    if (Number(stored.n) !== written.observations) throw new Error(`post_metrics holds ${stored.n} rows, expected ${written.observations}`);
    report('file written (streamed)', `${(bytes / 1e6).toFixed(0)} MB in ${(writeMs / 1000).toFixed(1)} s`, null);
    report('import (importMetrics, incl. rollups)', `${(importMs / 1000).toFixed(1)} s  (${Math.round(written.observations / (importMs / 1000))} observations/s; reading the parts: ${(readParseMs / 1000).toFixed(1)} s more)`, null);
    // Fresh planner statistics, as autovacuum would have them on a live database.
    if (dialect === 'postgres') await sql`analyze`.execute(db);

    // 2. The dashboard API.
    const token = (await createApiToken(ctx, { name: 'bench' })).token;
    const app = createApp(services);
    const accountRows = await db.selectFrom('accounts').select('id').where('workspace_id', '=', workspaceId).orderBy('handle').execute();
    const accountIds = accountRows.map((r) => r.id);
    const get = async (accountId: string, from: string): Promise<number> => {
      const t = performance.now();
      const res = await app.request(`/api/v1/workspaces/${workspaceId}/analytics/kpis?accountId=${accountId}&from=${from}&to=${periodEnd}`, { headers: { authorization: `Bearer ${token}` } }, {
        incoming: { socket: { remoteAddress: '127.0.0.1' } },
      });
      const body = (await res.json()) as { kpis?: Array<{ value: number | null }> };
      const took = performance.now() - t;
      if (res.status !== 200 || !body.kpis?.some((k) => k.value !== null)) throw new Error(`GET kpis: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return took;
    };
    console.log(`      machine load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${cpus().length} CPUs`);
    for (const days of ranges) {
      const from = addDays(periodEnd, -(days - 1));
      for (let i = 0; i < warmup; i++) await get(accountIds[(i * 13 + 5) % accountIds.length]!, from);
      const times: number[] = [];
      // A different account each time (stride through the list), so no one account's pages stay hot.
      for (let i = 0; i < requestsPerRange; i++) times.push(await get(accountIds[(i * 7) % accountIds.length]!, from));
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      report(`GET …/analytics/kpis ${days} days`, `p50 ${ms(percentile(times, 50))}  p95 ${ms(p95)}  max ${ms(times[times.length - 1]!)}  (${times.length} requests, target p95 ≤ ${targetP95Ms} ms)`, p95 <= targetP95Ms);
      if (profile) {
        const uc: number[] = [];
        for (let i = 0; i < requestsPerRange; i++) {
          const t = performance.now();
          await getKpis(ctx, { accountId: accountIds[(i * 7) % accountIds.length]!, from, to: periodEnd });
          uc.push(performance.now() - t);
        }
        uc.sort((a, b) => a - b);
        report(`  getKpis use case alone ${days} days`, `p50 ${ms(percentile(uc, 50))}  p95 ${ms(percentile(uc, 95))}`, null);
        // The reads getKpis makes (zone check, then per period: posts, last posts, daily rows), alone.
        const q: number[] = [];
        const rows: number[] = [];
        for (let i = 0; i < requestsPerRange; i++) {
          const accountId = accountIds[(i * 7) % accountIds.length]!;
          const t = performance.now();
          let n = 0;
          await rollupsInOtherZone(db, accountId, 'Europe/Stockholm');
          for (const [f, to] of [[from, periodEnd], [addDays(from, -days), addDays(from, -1)]] as const) {
            const start = new Date(Date.parse(`${addDays(f, -2)}T00:00:00Z`)).toISOString();
            const end = new Date(Date.parse(`${addDays(to, 3)}T00:00:00Z`)).toISOString();
            n += (await postRollupsBetween(db, workspaceId, accountId, start, end)).length;
            n += (await postRollupsBefore(db, workspaceId, accountId, end, 200)).length;
            n += (await dailyRollups(db, workspaceId, accountId, addDays(f, -1), to)).days.length;
          }
          q.push(performance.now() - t);
          rows.push(n);
        }
        statements!.on();
        await get(accountIds[0]!, from);
        statements!.off();
        report(`  SQL statements per request ${days} days`, `${statements!.total()} (${statements!.top(20).map((x) => `${x.count}× ${x.sql.slice(0, 60)}`).join(' | ')})`, null);
        q.sort((a, b) => a - b);
        report(`  its rollup reads alone ${days} days`, `p50 ${ms(percentile(q, 50))}  p95 ${ms(percentile(q, 95))}  (${Math.round(rows.reduce((s, n) => s + n, 0) / rows.length)} rows per request)`, null);
      }
    }
  } finally {
    if (services) await closeServices(services).catch(() => undefined);
    await database.drop().catch((e: unknown) => console.error(`dropping the bench database failed: ${String(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of modes) await runMode(mode);
process.exit(missed ? 1 : 0);
