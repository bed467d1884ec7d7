/**
 * bench/ingest: 100,000 real public posts from ../shared/data/loadtest pushed through Herald's real
 * ingest path on SQLite and PostgreSQL, against the raw insert rate of the same rows into the same
 * kind of database in the same run.
 *
 * The real path, per dialect, on a fresh database migrated by `createServices`:
 * - a workspace made by `createUser`, accounts connected by `connectAccount` (an in-process connector
 *   whose `comments.fetch` hands out prepared batches; bench/support/ingest-connector.ts), published
 *   posts for comments to hang under, 5 inbox rules and 10 listening queries made by their use cases;
 * - `syncInbound` per account and batch, exactly as the `sync-inbound` job runs it: lease, dedupe by
 *   network id (about 5 % of items are re-deliveries), threads, language detection and sentiment,
 *   SLA, search text, the `inbox.message.received` event, reopen/assignee, rules (tags, priority,
 *   assignment, notification jobs), cursor — one transaction per batch. The first batch of an account
 *   is its back-fill (no SLA target, no notifications), as in production;
 *   The accounts' syncs of a round run side by side, as a worker runs due jobs concurrently
 *   (HERALD_WORKER_CONCURRENCY), so one batch is analysed (HERALD_ANALYSIS_THREADS, default 1 thread)
 *   while another is written; language, sentiment and listening-query hits are worked out before each
 *   batch's transaction (src/inbox/inbound-analysis.ts), and the matches are stored with the messages;
 * - `matchNewMessages` (the listening sweep the scheduler runs) every `--sweep-every` syncs and until
 *   every query has seen every message at the end: it reads only messages no ingest matched against the
 *   queries' current versions. The queries are made more than the sweep's commit margin before the
 *   timed part starts (steady state; a query changed seconds ago is re-checked by the sweep).
 *
 * Two baselines, each into a second fresh database of the same dialect, with plain multi-row INSERTs of
 * `--batch` rows, one statement (= one transaction) per batch, sent like the ingest path's own
 * (src/repositories/multi-row-insert.repository.ts):
 * - "all rows": every row the real path stored for the messages — `inbox_messages`, the inbox events,
 *   tags and listening matches — read back and inserted raw. This is the target's baseline: the same
 *   rows as ingest stores, so the ratio measures what dedupe, language, sentiment, rules and matching
 *   cost on top of storing their outcome;
 * - "message rows": `inbox_messages` alone (the baseline of the earlier runs), printed for comparison.
 *
 * Figures: messages stored per second (re-deliveries not counted), time split between the sync and
 * the sweep, this process's CPU (all its threads), and the ratio real / raw. Targets (issue 5):
 * ≥ 20,000 items/s on SQLite; ratio ≥ 0.5 on both. Exit code 1 when a target is missed.
 *
 *   npm run bench -- ingest [--items 100000] [--accounts 4] [--batch 500] [--modes sqlite,postgres]
 *                           [--sweep-every 20] [--shared ../shared]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/ingest.ts --modes sqlite
 *
 * Figures before and after batched ingest (issue 5), and where the time goes: docs/inbox/inbox.md,
 * "Ingest throughput". Ingest stores each sync page as one batch (src/inbox/ingest-batch.ts), about 42
 * statements per page of 500 on SQLite (multi-row INSERTs of a new row count run in power-of-two parts;
 * one INSERT per notification job).
 *
 * Diagnostics (their figures are not the bench's): `--count-statements` lists the SQL statements the
 * real path sends per stored message.
 * Compare runs by "this process's CPU" per message as well as by items/s: on a shared machine wall time
 * follows the load of everything else.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { loadConfig } from '../src/config/config';
import { ConnectorRegistry } from '../src/connectors/registry';
import { ensureMigrated, openDatabase, type HeraldDb } from '../src/db/database';
import type { Database } from '../src/db/schema';
import { newId } from '../src/domain/ids';
import { syncInbound } from '../src/inbox/inbound-sync';
import { workspaceAnalyzer } from '../src/inbox/inbox-workflow';
import { matchNewMessages, messageSentiment, queryCommitMarginMs } from '../src/listening/listening-matching';
import { inlineAnalysis } from '../src/inbox/inbound-analysis';
import { compileQueryText, prepareMessage } from '../src/listening/query-matcher';
import { createLogger } from '../src/logging/logger';
import { closeServices, createServices } from '../src/server/create-services';
import type { AppServices, UseCaseContext } from '../src/server/services';
import { connectAccount } from '../src/use-cases/accounts.use-case';
import { createInboxRule } from '../src/use-cases/inbox-workflow.use-case';
import { createListeningQuery } from '../src/use-cases/listening.use-case';
import { createUser } from '../src/use-cases/users.use-case';
import { insertRowsAsText } from '../src/repositories/multi-row-insert.repository';
import { freshBenchDatabase, type BenchDatabase, type BenchDialect } from './support/bench-database';
import { ingestBenchConnector } from './support/ingest-connector';
import { installStatementCounter, type StatementCounter } from './support/statement-counter';
import { mainThreadCpuMs } from './support/thread-cpu';
import { buildDeliveryStream, loadLoadtestPosts, type DeliveryStream } from './support/ingest-data';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: argv } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    accounts: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    modes: { type: 'string', default: 'sqlite,postgres' },
    'sweep-every': { type: 'string', default: '20' },
    shared: { type: 'string', default: join(root, '../shared') },
    seed: { type: 'string', default: '5' },
    'count-statements': { type: 'boolean', default: false },
  },
});
const opts = {
  items: Number(argv.items),
  accounts: Number(argv.accounts),
  batch: Number(argv.batch),
  modes: argv.modes.split(',').map((m) => m.trim()) as BenchDialect[],
  sweepEvery: Number(argv['sweep-every']),
  seed: Number(argv.seed),
};
for (const m of opts.modes) if (m !== 'sqlite' && m !== 'postgres') throw new Error(`unknown mode ${m} (sqlite, postgres)`);

const network = 'benchnet';
// Diagnostic: which statements the real path sends, per stored message (slows the run a little).
const counter: StatementCounter | null = argv['count-statements'] ? installStatementCounter() : null;
const targetItemsPerSecond = { sqlite: 20_000 } as Partial<Record<BenchDialect, number>>;
const targetRatio = 0.5;

/** Rules a brand's team would plausibly keep (conditions on words, sentiment, reach, language, kind). */
const rules = (ownerId: string) => [
  { name: 'Complaints', conditions: { keywords: ['refund', 'broken', 'worst', 'scam', 'not working', 'disappointed'] }, actions: { tags: ['complaint'], priority: 'high' as const } },
  { name: 'Angry with reach', conditions: { sentiment: ['negative' as const], minFollowers: 20_000 }, actions: { assignTo: ownerId, priority: 'urgent' as const, notify: [{ channel: 'webhook' as const }] } },
  { name: 'Russian and Swedish', conditions: { languages: ['ru', 'sv'] }, actions: { tags: ['nordic-east'] } },
  { name: 'Questions in mentions', conditions: { kinds: ['mention' as const], keywords: ['help', 'support', 'question', 'how do i'] }, actions: { tags: ['question'], notify: [{ channel: 'webhook' as const }] } },
  { name: 'Praise', conditions: { sentiment: ['positive' as const], keywords: ['love', 'thank you', 'amazing', 'awesome'] }, actions: { tags: ['praise'] } },
];

/** Listening queries of the kind the query language is made for. */
const queries = [
  ['Climate', '"climate change" OR climate OR warming'],
  ['US politics', 'trump OR biden OR election*'],
  ['Music', '(music OR concert OR album) NOT spam'],
  ['BBC news', 'news AND (bbc OR reuters OR guardian)'],
  ['Coffee', 'lang:en (coffee OR tea OR espresso)'],
  ['Games in mentions', 'game* kind:mention'],
  ['Open source', '"open source" OR linux OR fediverse OR mastodon'],
  ['Summer', 'beach OR sunset OR summer OR vacation'],
  ['Love, not hate', '(love OR amazing) -hate'],
  ['Football', 'football OR soccer OR "world cup" network:benchnet'],
] as const;

const say = (s: string) => console.log(s);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const fmt = (n: number) => n.toLocaleString('en-US');

/** Sums this thread's garbage-collection pauses from now until `stop()`. */
function gcTimer(): { stop(): Promise<{ minor: number; major: number }> } {
  const sums = { minor: 0, major: 0 };
  const add = (entries: ReadonlyArray<{ duration: number; detail?: unknown }>) => {
    for (const e of entries) {
      // detail.kind: minor (scavenge), or major, incremental marking, weak callbacks.
      const kind = (e.detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) sums.minor += e.duration;
      else sums.major += e.duration;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      // Node delivers gc entries after the pause's tick: let them arrive.
      await new Promise((r) => setTimeout(r, 20));
      add(observer.takeRecords());
      observer.disconnect();
      return sums;
    },
  };
}

/** Our published posts on each account, as the publishing engine leaves them. */
async function insertPublishedPosts(db: Kysely<Database>, workspaceId: string, authorId: string, accountIds: string[], stream: DeliveryStream, at: string): Promise<void> {
  for (const [a, accountId] of accountIds.entries()) {
    for (const externalId of stream.ourPosts[a]!) {
      const postId = newId();
      await db.insertInto('posts').values({ id: postId, workspace_id: workspaceId, author_id: authorId, timezone: 'UTC', scheduled_local: null, scheduled_at: at, created_at: at, updated_at: at, deleted_at: null }).execute();
      await db
        .insertInto('post_targets')
        .values({
          id: newId(),
          post_id: postId,
          workspace_id: workspaceId,
          account_id: accountId,
          network,
          state: 'published',
          text: `Our post ${externalId}`,
          link: null,
          langs: '[]',
          scheduled_at: at,
          version: 1,
          attempts: 1,
          next_attempt_at: null,
          lease_owner: null,
          lease_until: null,
          last_error_kind: null,
          last_error_message: null,
          external_id: externalId,
          external_url: null,
          published_at: at,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
  }
}

/** How many (query, message) matches the stream must produce: the compiled queries run on it directly. */
function expectedMatches(stream: DeliveryStream): number {
  const predicates = queries.map(([, q]) => compileQueryText(q));
  let n = 0;
  for (const batches of stream.batches) {
    const seen = new Set<string>();
    for (const batch of batches) {
      for (const m of batch) {
        if (seen.has(m.externalId)) continue;
        seen.add(m.externalId);
        const prepared = prepareMessage({ text: m.text, lang: m.lang ?? null, network, authorHandle: m.author.handle, kind: m.kind });
        for (const p of predicates) if (p(prepared)) n++;
      }
    }
  }
  return n;
}

interface RealResult {
  ms: number;
  syncMs: number;
  sweepMs: number;
  sweeps: number;
  cpuMs: number;
  /** The main thread's share of `cpuMs` (null where it cannot be read). */
  mainCpuMs: number | null;
  /** Main-thread garbage collection pauses (minor and major). */
  gcMs: { minor: number; major: number };
  stored: number;
  delivered: number;
  counts: Record<string, number>;
}

/** The real ingest path on a fresh database; leaves the database open for the baseline to read. */
async function runReal(dialect: BenchDialect, target: BenchDatabase, dir: string, stream: DeliveryStream): Promise<{ services: AppServices; result: RealResult }> {
  const config = loadConfig({ HERALD_DATABASE_URL: target.url, HERALD_SECRET_KEY: randomBytes(32).toString('hex'), HERALD_DATA_DIR: dir, HERALD_LOG_LEVEL: 'warn' });
  const bench = ingestBenchConnector(network);
  const services = await createServices(config, { migrate: true, connectors: new ConnectorRegistry([bench.connector as never]), log: createLogger('warn') });
  const db = services.database.db;
  const owner = await createUser({ db, services }, { email: 'ingest-bench@example.test', name: 'Bench Owner', password: 'bench-password-1234', owner: true, timezone: 'Europe/Stockholm' });
  const workspaceId = owner.workspace!.id;
  const ctx: UseCaseContext = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId, db, services };
  const accountIds: string[] = [];
  for (let a = 0; a < opts.accounts; a++) accountIds.push((await connectAccount(ctx, { network, credentials: { handle: `brand${a}` } })).id);
  await insertPublishedPosts(db, workspaceId, owner.user.id, accountIds, stream, new Date(Date.now() - 20 * 86_400_000).toISOString());
  for (const r of rules(owner.user.id)) await createInboxRule(ctx, r);
  for (const [name, query] of queries) await createListeningQuery(ctx, { name, query });
  // Models load once per process (and analysis thread) in production; loading them is not ingest work.
  await workspaceAnalyzer(db, workspaceId);
  messageSentiment('warm', null);
  await (services.analysis ?? inlineAnalysis).run({ relabelsKey: '', relabels: [], queries: queries.map(([, q]) => q), items: [{ text: 'warm up', lang: null, network, authorHandle: 'x', kind: 'comment' }] });
  // Steady state: the queries are older than the commit margin, so the sweep trusts what ingest matched
  // (listening-matching.ts, queryCommitMarginMs); a query changed seconds ago is re-checked by the sweep.
  const settle = (await db.selectFrom('listening_queries').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirstOrThrow()).at;
  const wait = Date.parse(settle ?? '') + queryCommitMarginMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 10));

  for (const [a, id] of accountIds.entries()) bench.queue.set(id, stream.batches[a]!.slice());
  const delivered = stream.unique + stream.duplicates;
  let syncMs = 0;
  let sweepMs = 0;
  let sweeps = 0;
  let syncs = 0;
  const sweep = async () => {
    const t = performance.now();
    const r = await matchNewMessages(services, workspaceId);
    sweepMs += performance.now() - t;
    sweeps += 1;
    return r;
  };
  const gc = gcTimer();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  counter?.on();
  // The accounts' syncs run side by side, each account's one after another, as the worker runs due
  // sync jobs (HERALD_WORKER_CONCURRENCY): one batch is analysed (on the analysis thread) while another
  // is written. The sweep runs every `sweepEvery` syncs, as the scheduler's would meanwhile.
  const syncLoop = async (id: string) => {
    while (bench.queue.get(id)!.length) {
      const report = await syncInbound(services, id);
      if (report.outcome !== 'done') throw new Error(`syncInbound ended ${report.outcome} (see the log above)`);
      if (++syncs % opts.sweepEvery === 0) await sweep();
    }
  };
  const tSync = performance.now();
  await Promise.all(accountIds.map(syncLoop));
  syncMs = performance.now() - tSync - sweepMs;
  // Until every query has looked at the newest message, as the scheduler's next sweeps would.
  const newest = (await db.selectFrom('inbox_messages').select((eb) => eb.fn.max('id').as('id')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow()).id!;
  const caughtUp = async () => (await db.selectFrom('listening_queries').select('id').where('workspace_id', '=', workspaceId).where((eb) => eb.or([eb('watermark_id', 'is', null), eb('watermark_id', '<', newest)])).execute()).length === 0;
  let stuck = false;
  for (let i = 0; i < 3 && !(await caughtUp()); i++) await sweep();
  if (!(await caughtUp())) {
    // With the defaults, more than maxBatches × batchSize messages inside the re-read overlap keep the
    // sweep re-reading the overlap and never reaching new messages (reported to the lead). The matching
    // work still has to be paid for: finish it without the overlap, timed with the sweep.
    stuck = true;
    for (let i = 0; i < 100 && !(await caughtUp()); i++) {
      const t = performance.now();
      await matchNewMessages(services, workspaceId, { overlapMs: 0, maxBatches: 1000 });
      sweepMs += performance.now() - t;
      sweeps += 1;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpuMs();
  const gcMs = await gc.stop();
  counter?.off();
  if (stuck) say(`  WARNING: with its defaults the listening sweep stopped advancing (more messages inside its 5-minute re-read overlap than maxBatches × batchSize); the rest was matched with overlapMs 0, timed as sweep`);

  const count = async (table: 'inbox_messages' | 'events' | 'listening_matches' | 'inbox_message_tags', where?: [string, string]) => {
    let q = db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
    if (where) q = q.where(where[0] as never, '=', where[1] as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const counts: Record<string, number> = {
    messages: await count('inbox_messages'),
    'received events': await count('events', ['type', 'inbox.message.received']),
    'rule events': await count('events', ['type', 'inbox.rule.matched']),
    tags: await count('inbox_message_tags'),
    'listening matches': await count('listening_matches'),
    threaded: Number((await db.selectFrom('inbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).whereRef('thread_key', '!=', 'external_id').executeTakeFirstOrThrow()).n),
    'tied to our posts': Number((await db.selectFrom('inbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('target_id', 'is not', null).executeTakeFirstOrThrow()).n),
  };
  const expected = expectedMatches(stream);
  if (counts['listening matches'] !== expected) say(`  WARNING: ${fmt(counts['listening matches']!)} listening matches stored; the queries match ${fmt(expected)} of the stream`);
  if (counts.messages !== stream.unique) throw new Error(`stored ${counts.messages} messages, expected ${stream.unique}: dedupe or storage is wrong`);
  if (counts['received events'] !== stream.unique) throw new Error(`${counts['received events']} received events for ${stream.unique} messages`);
  return { services, result: { ms, syncMs, sweepMs, sweeps, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: main0 === null || main1 === null ? null : main1 - main0, gcMs, stored: counts.messages, delivered, counts } };
}

/** The parent rows the messages refer to, copied so the baseline database has the same shape. */
const parentTables = ['organizations', 'users', 'organization_members', 'workspaces', 'memberships', 'accounts', 'posts', 'post_targets', 'listening_queries'] as const;

/** The tables of the "all rows" baseline, in the order they are inserted, with the rows of each to copy. */
const storedTables = ['inbox_messages', 'events', 'inbox_message_tags', 'listening_matches'] as const;
type StoredTable = (typeof storedTables)[number];

/** Raw batched INSERTs of the stored rows of `tables` into a second fresh database of the same dialect. */
async function runBaseline(dialect: BenchDialect, source: Kysely<Database>, dir: string, tables: readonly StoredTable[]): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const target = await freshBenchDatabase(dialect, dir);
  let h: HeraldDb | null = null;
  try {
    h = openDatabase(dialect === 'sqlite' ? { dialect: 'sqlite', path: join(dir, `baseline-${tables.length}.sqlite`) } : { dialect: 'postgres', url: target.url });
    await ensureMigrated(h, true);
    for (const t of parentTables) {
      // Untyped copy: the same table on both sides, whatever its columns.
      const rows = await (source as unknown as Kysely<Record<string, Record<string, unknown>>>).selectFrom(t).selectAll().execute();
      for (let i = 0; i < rows.length; i += 100) await (h.db as unknown as Kysely<Record<string, Record<string, unknown>>>).insertInto(t).values(rows.slice(i, i + 100)).execute();
    }
    const untyped = source as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const data: Array<{ table: StoredTable; rows: Array<Record<string, unknown>> }> = [];
    for (const table of tables) {
      let q = untyped.selectFrom(table).selectAll();
      // The inbox's events only (the set-up's account and rule events are not ingest's).
      if (table === 'events') q = q.where('type', 'like', 'inbox.%');
      data.push({ table, rows: await q.orderBy(table === 'inbox_message_tags' ? 'message_id' : 'id').execute() });
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    // The same multi-row INSERT the ingest path uses (src/repositories/multi-row-insert.repository.ts):
    // Kysely's insert builder would add CPU per value that ingest no longer pays, flattering the ratio.
    for (const { table, rows } of data) {
      const columns = Object.keys(rows[0] ?? {});
      for (let i = 0; i < rows.length; i += opts.batch) await insertRowsAsText(h.db, table, columns, rows.slice(i, i + opts.batch).map((r) => columns.map((c) => r[c])));
      n += rows.length;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, rows: n };
  } finally {
    await h?.close();
    await target.drop();
  }
}

say(`bench/ingest: ${fmt(opts.items)} posts, ${opts.accounts} accounts, batches of ${opts.batch}, sweep every ${opts.sweepEvery} syncs`);
say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const stream = buildDeliveryStream(loadLoadtestPosts(argv.shared, opts.items), { items: opts.items, accounts: opts.accounts, batch: opts.batch, postsPerAccount: 25, duplicateRate: 0.05, days: 14, seed: opts.seed, endMs: Date.now() }, network);
say(`stream: ${fmt(stream.unique)} unique + ${fmt(stream.duplicates)} re-delivered; ${Object.entries(stream.kinds).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);

let missed = false;
const summary: string[] = [];
for (const dialect of opts.modes) {
  const dir = mkdtempSync(join(tmpdir(), `herald-ingest-bench-${dialect}-`));
  const target = await freshBenchDatabase(dialect, dir);
  let services: AppServices | null = null;
  try {
    say(`\n${dialect}: real ingest path`);
    const real = await runReal(dialect, target, dir, stream);
    services = real.services;
    const r = real.result;
    say(`  ${fmt(r.stored)} messages stored from ${fmt(r.delivered)} deliveries in ${fmt(Math.round(r.ms))} ms: sync ${fmt(Math.round(r.syncMs))} ms, listening sweep ${fmt(Math.round(r.sweepMs))} ms (${r.sweeps} sweeps)`);
    say(`  this process's CPU: ${fmt(Math.round(r.cpuMs))} ms (${(r.cpuMs / r.stored * 1000).toFixed(0)} µs per message)${r.mainCpuMs === null ? '' : `, of which the main thread (the database's) ${fmt(Math.round(r.mainCpuMs))} ms (${((r.mainCpuMs / r.stored) * 1000).toFixed(0)} µs per message)`}`);
    say(`  main thread garbage collection: ${fmt(Math.round(r.gcMs.minor))} ms minor, ${fmt(Math.round(r.gcMs.major))} ms major`);
    say(`  ${Object.entries(r.counts).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    if (counter) {
      say(`  SQL statements: ${fmt(counter.total())} (${(counter.total() / r.stored).toFixed(2)} per stored message); most frequent:`);
      for (const s of counter.top(14)) say(`    ${(s.count / r.stored).toFixed(3).padStart(6)}/msg  ${s.sql}`);
    }
    say(`${dialect}: raw batched INSERT of every row ingest stored (messages, events, tags, matches)`);
    const all = await runBaseline(dialect, services.database.db, dir, storedTables);
    say(`  ${fmt(all.rows)} rows in ${fmt(Math.round(all.ms))} ms (${fmt(rate(r.stored, all.ms))} messages/s); this process's CPU ${fmt(Math.round(all.cpuMs))} ms`);
    say(`${dialect}: raw batched INSERT of the message rows alone`);
    const base = await runBaseline(dialect, services.database.db, dir, ['inbox_messages']);
    say(`  ${fmt(base.rows)} rows in ${fmt(Math.round(base.ms))} ms; this process's CPU ${fmt(Math.round(base.cpuMs))} ms`);
    const realRate = rate(r.stored, r.ms);
    const allRate = rate(r.stored, all.ms);
    const baseRate = rate(base.rows, base.ms);
    const ratio = realRate / allRate;
    const floor = targetItemsPerSecond[dialect];
    const rateOk = floor === undefined || realRate >= floor;
    const ratioOk = ratio >= targetRatio;
    missed ||= !rateOk || !ratioOk;
    const line = `${dialect.padEnd(9)} real ${fmt(realRate).padStart(7)} items/s${floor ? ` (target ≥ ${fmt(floor)}: ${rateOk ? 'PASS' : 'MISS'})` : ''}   raw insert of the same rows ${fmt(allRate).padStart(7)} messages/s   ratio ${ratio.toFixed(3)} (target ≥ ${targetRatio}: ${ratioOk ? 'PASS' : 'MISS'})   [message rows alone ${fmt(baseRate)} rows/s, ratio ${(realRate / baseRate).toFixed(3)}]`;
    say(`  ${line}`);
    // Load-independent context (not a target): this process's CPU per stored message vs per raw message.
    const cpuReal = (r.cpuMs / r.stored) * 1000;
    const cpuRaw = (all.cpuMs / r.stored) * 1000;
    say(`  this process's CPU (all threads): ${cpuReal.toFixed(0)} µs per stored message vs ${cpuRaw.toFixed(0)} µs per message for the raw rows (${(cpuRaw / cpuReal).toFixed(3)}); the rest of the wall time is the database server and the machine's other load`);
    summary.push(line);
  } finally {
    if (services) await closeServices(services).catch(() => undefined);
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
say('\n=== ingest ===');
for (const l of summary) say(l);
process.exit(missed ? 1 : 0);
