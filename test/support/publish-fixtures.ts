/**
 * Fixtures for the publishing proofs against the real local PDS (crash and fault tests): a workspace
 * with Bluesky accounts connected through the real connector, many posts due at one instant, state
 * counts, the PDS-side check "every text exactly once, on the right account, matching Herald's
 * external ids", and a `herald serve` child process that can be SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, TargetState } from '../../src/db/schema';
import type { AppServices, UseCaseContext } from '../../src/server/services';
import { createUser } from '../../src/use-cases/users.use-case';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createPost } from '../../src/use-cases/posts.use-case';
import { createTestAccount, listPosts, uniqueAccountName, type BlueskyTestAccount } from './bluesky-network';
import { expect } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real executable. */
export const heraldBin = join(repoRoot, 'bin', 'herald.mjs');

/** A Bluesky test account and the Herald account it is connected as. */
export interface ConnectedBlueskyAccount extends BlueskyTestAccount {
  accountId: string;
}

/** A workspace owner's context plus the connected accounts. */
export interface BlueskyWorkspace {
  ctx: UseCaseContext;
  accounts: ConnectedBlueskyAccount[];
}

/**
 * Creates an owner (with organisation and workspace) through the users use case, `count` accounts on
 * the PDS, and connects each through the real connector (`connectAccount`) with `serviceUrl` (the PDS
 * itself, or a proxy in front of it).
 */
export async function setupBlueskyWorkspace(
  services: AppServices,
  pdsUrl: string,
  opts: { count: number; serviceUrl?: string; prefix: string },
): Promise<BlueskyWorkspace> {
  const db = services.database.db;
  const created = await createUser({ db, services }, { email: `${uniqueAccountName(opts.prefix)}@example.test`, name: 'Owner', password: 'a long enough password', owner: true });
  const ctx: UseCaseContext = { actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: created.workspace!.id, db, services };
  const raw = await Promise.all(Array.from({ length: opts.count }, () => createTestAccount(pdsUrl, uniqueAccountName(opts.prefix))));
  const accounts: ConnectedBlueskyAccount[] = [];
  for (const a of raw) {
    const view = await connectAccount(ctx, { network: 'bluesky', credentials: { identifier: a.handle, appPassword: a.appPassword, serviceUrl: opts.serviceUrl ?? pdsUrl } });
    if (view.externalId !== a.did) throw new Error(`connected ${a.handle} as ${view.externalId}, expected ${a.did}`);
    accounts.push({ ...a, accountId: view.id });
  }
  return { ctx, accounts };
}

/** One post Herald must publish: its unique text, the account and the target id. */
export interface ExpectedPost {
  text: string;
  accountId: string;
  did: string;
  targetId: string;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/**
 * Creates `count` single-target posts through the posts use case, round-robin over the accounts, all
 * scheduled for the instant `at`; every text is unique (`${label} #i <random>`).
 */
export async function schedulePostsAt(ws: BlueskyWorkspace, count: number, at: Date, label: string, parallel = 4): Promise<ExpectedPost[]> {
  const run = Math.random().toString(36).slice(2, 8);
  return inParallel(Array.from({ length: count }, (_, i) => i), parallel, async (i) => {
    const account = ws.accounts[i % ws.accounts.length]!;
    const text = `${label} ${run} #${String(i).padStart(4, '0')}`;
    const post = await createPost(ws.ctx, { text, targets: [{ accountId: account.accountId }], schedule: { at: at.toISOString() } });
    const target = post.targets[0]!;
    if (target.state !== 'scheduled') throw new Error(`post ${i} was created as ${target.state}, not scheduled`);
    return { text, accountId: account.accountId, did: account.did, targetId: target.id };
  });
}

/** How many targets of the workspace are in each state. */
export async function targetStateCounts(db: Kysely<Database>, workspaceId: string): Promise<Partial<Record<TargetState, number>>> {
  const rows = await db
    .selectFrom('post_targets')
    .select(['state', sql<number>`count(*)`.as('n')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** True when no target is still on its way (scheduled, publishing or unconfirmed). */
export function settled(counts: Partial<Record<TargetState, number>>): boolean {
  return !counts.scheduled && !counts.publishing && !counts.unconfirmed;
}

/**
 * Polls until every target of the workspace has settled; throws with the counts when it does not.
 * `check` runs on every poll and may throw to stop early (e.g. when the worker process died).
 */
export async function waitUntilSettled(
  db: Kysely<Database>,
  workspaceId: string,
  timeoutMs: number,
  what: string,
  check: () => void = () => undefined,
): Promise<Partial<Record<TargetState, number>>> {
  const until = Date.now() + timeoutMs;
  let counts = await targetStateCounts(db, workspaceId);
  while (!settled(counts)) {
    check();
    if (Date.now() > until) throw new Error(`${what}: targets did not settle within ${timeoutMs} ms; state counts ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 250));
    counts = await targetStateCounts(db, workspaceId);
  }
  return counts;
}

/** What the PDS holds compared with what Herald should have published. */
/** Asserts the comparison shows every expected text exactly once, on its account, matching Herald. */
export function expectExactlyOnceOnPds(cmp: PdsComparison, posts: number): void {
  expect(cmp.missing).toEqual([]);
  expect(cmp.duplicated).toEqual([]);
  expect(cmp.unexpected).toEqual([]);
  expect(cmp.wrongAccount).toEqual([]);
  expect(cmp.notPublished).toEqual([]);
  expect(cmp.externalIdMismatch).toEqual([]);
  expect(cmp.records).toBe(posts);
}

export interface PdsComparison {
  /** Expected texts with no record. */
  missing: string[];
  /** Texts found more than once, with their counts. */
  duplicated: Array<{ text: string; count: number }>;
  /** Records whose text Herald never scheduled (on the test accounts). */
  unexpected: string[];
  /** Records on another account than the one the post was for. */
  wrongAccount: string[];
  /** Targets whose `external_id` is not the URI of the record carrying their text. */
  externalIdMismatch: Array<{ targetId: string; externalId: string | null; recordUri: string | null }>;
  /** Targets not `published` in Herald's database. */
  notPublished: Array<{ targetId: string; state: string }>;
  records: number;
}

/**
 * Reads every post record of the accounts straight from the PDS (listRecords) and compares it with
 * `expected` and Herald's post_targets rows.
 */
export async function compareWithPds(pdsUrl: string, db: Kysely<Database>, accounts: ConnectedBlueskyAccount[], expected: ExpectedPost[]): Promise<PdsComparison> {
  const found = new Map<string, Array<{ did: string; uri: string }>>();
  let records = 0;
  for (const a of accounts) {
    for (const r of await listPosts(pdsUrl, a.did)) {
      records += 1;
      const text = typeof r.value.text === 'string' ? r.value.text : '';
      const list = found.get(text) ?? [];
      list.push({ did: a.did, uri: r.uri });
      found.set(text, list);
    }
  }
  const expectedTexts = new Set(expected.map((e) => e.text));
  const rows = await db.selectFrom('post_targets').select(['id', 'state', 'external_id']).where('id', 'in', expected.map((e) => e.targetId)).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: PdsComparison = { missing: [], duplicated: [], unexpected: [], wrongAccount: [], externalIdMismatch: [], notPublished: [], records };
  for (const e of expected) {
    const hits = found.get(e.text) ?? [];
    if (hits.length === 0) out.missing.push(e.text);
    if (hits.length > 1) out.duplicated.push({ text: e.text, count: hits.length });
    if (hits.some((h) => h.did !== e.did)) out.wrongAccount.push(e.text);
    const row = byId.get(e.targetId);
    if (!row || row.state !== 'published') out.notPublished.push({ targetId: e.targetId, state: row?.state ?? 'missing' });
    const uri = hits.length === 1 ? hits[0]!.uri : null;
    if (!row || row.external_id !== uri) out.externalIdMismatch.push({ targetId: e.targetId, externalId: row?.external_id ?? null, recordUri: uri });
  }
  for (const text of found.keys()) if (!expectedTexts.has(text)) out.unexpected.push(text);
  return out;
}

/** A running `herald serve` child. */
export interface HeraldChild {
  child: ChildProcess;
  pid: number;
  /** Everything it printed (tail). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/**
 * Spawns `node bin/herald.mjs serve ...args` with exactly `env` (never this process's HERALD_*
 * variables). Output is kept (last 20 kB) for failure messages.
 */
export function spawnHerald(args: string[], env: Record<string, string>): HeraldChild {
  const child = spawn(process.execPath, [heraldBin, 'serve', ...args], { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
