/**
 * Inbox list, filter and search latency on 100,000 messages of one workspace, on SQLite and PostgreSQL:
 * real public posts from ../shared/data/loadtest (cycled to the row count) stored as the ingest stores
 * them (lower-cased search text, sentiment, status, tags), then the inbox's list query timed per case
 * (median of 7 runs, after one warm-up) and the SLA metrics over 30 days.
 *
 *   node --import tsx bench/inbox-search.ts [--rows 100000] [--modes sqlite,postgres]
 *
 * Search is a LIKE over `search_text` (no index can serve a leading wildcard): a word that occurs
 * fills a page early in id order and is fast; a word that occurs nowhere scans the workspace's rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, ensureMigrated, type HeraldDb } from '../src/db/database';
import type { InboxMessagesTable } from '../src/db/schema';
import { sql, type Insertable } from 'kysely';
import { newId } from '../src/domain/ids';
import { listInboxMessages, type InboxListFilter } from '../src/repositories/inbox-messages.repository';
import { messagesForMetrics } from '../src/repositories/inbox-workflow.repository';
import { searchTextOf } from '../src/inbox/inbox-workflow';
import { freshBenchDatabase, type BenchDialect } from './support/bench-database';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const rows = Number(arg('rows', '100000'));
const modes = arg('modes', 'sqlite,postgres').split(',') as BenchDialect[];

const posts = readFileSync(join(import.meta.dirname, '../../shared/data/loadtest/mastodon-fedidata-posts.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { text: string }).text);

async function seed(h: HeraldDb): Promise<{ workspaceId: string; accountId: string }> {
  const db = h.db;
  const now = new Date().toISOString();
  const orgId = newId();
  const workspaceId = newId();
  const accountId = newId();
  const userId = newId();
  await db.insertInto('organizations').values({ id: orgId, name: 'Bench', created_at: now }).execute();
  await db.insertInto('users').values({ id: userId, email: 'bench@example.com', name: 'Bench', password_hash: 'x', locale: 'en', created_at: now }).execute();
  await db.insertInto('workspaces').values({ id: workspaceId, organization_id: orgId, name: 'Bench', timezone: 'Europe/Stockholm', created_at: now }).execute();
  await db
    .insertInto('accounts')
    .values({ id: accountId, workspace_id: workspaceId, network: 'bench', handle: 'brand', display_name: 'Brand', external_id: 'brand', credentials_enc: 'x', status: 'ok', created_at: now, updated_at: now })
    .execute();
  const statuses = ['new', 'assigned', 'waiting', 'resolved'] as const;
  const labels = ['negative', 'neutral', 'positive'] as const;
  const start = Date.now() - 60 * 86_400_000;
  const batch: Array<Insertable<InboxMessagesTable>> = [];
  const tags: Array<{ message_id: string; workspace_id: string; tag: string; created_at: string }> = [];
  for (let i = 0; i < rows; i++) {
    const at = new Date(start + Math.floor((i / rows) * 60 * 86_400_000)).toISOString();
    const text = `${posts[i % posts.length]!}${i >= posts.length ? ` #${Math.floor(i / posts.length)}` : ''}`;
    const id = newId(Date.parse(at));
    const handle = `user${i % 5000}`;
    const responded = i % 3 === 0;
    batch.push({
      id,
      workspace_id: workspaceId,
      account_id: accountId,
      network: i % 2 ? 'bench' : 'other',
      external_id: `m${i}`,
      kind: i % 5 === 0 ? 'mention' : 'comment',
      parent_external_id: null,
      root_external_id: null,
      target_id: null,
      author_external_id: handle,
      author_handle: handle,
      author_name: null,
      author_followers: i % 1000,
      text,
      url: null,
      lang: i % 4 === 0 ? 'de' : 'en',
      network_created_at: at,
      received_at: at,
      edited_at: null,
      deleted_at: null,
      thread_key: `m${i}`,
      status: statuses[i % 4],
      priority: 'normal',
      sentiment_label: labels[i % 3],
      sentiment_score: 0,
      sentiment_lang: 'en',
      search_text: searchTextOf(text, handle, null),
      sla_due_at: new Date(Date.parse(at) + 3_600_000).toISOString(),
      first_response_at: responded ? new Date(Date.parse(at) + (i % 7) * 1_200_000).toISOString() : null,
      resolved_at: i % 4 === 3 ? new Date(Date.parse(at) + 86_400_000).toISOString() : null,
    });
    if (i % 50 === 0) tags.push({ message_id: id, workspace_id: workspaceId, tag: 'vip', created_at: at });
    if (batch.length === 500) {
      await db.insertInto('inbox_messages').values(batch).execute();
      batch.length = 0;
    }
  }
  if (batch.length) await db.insertInto('inbox_messages').values(batch).execute();
  for (let i = 0; i < tags.length; i += 500) await db.insertInto('inbox_message_tags').values(tags.slice(i, i + 500)).execute();
  return { workspaceId, accountId };
}

async function timed(fn: () => Promise<unknown>): Promise<{ medianMs: number; rows: number }> {
  let n = 0;
  await fn();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await fn();
    times.push(performance.now() - t0);
    n = Array.isArray(r) ? r.length : 0;
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[3]! * 10) / 10, rows: n };
}

for (const dialect of modes) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-inbox-bench-'));
  const target = await freshBenchDatabase(dialect, dir);
  const h = openDatabase(target.url.startsWith('sqlite:') ? { dialect: 'sqlite', path: target.url.slice('sqlite:'.length) } : { dialect: 'postgres', url: target.url });
  try {
    await ensureMigrated(h, true);
    const t0 = performance.now();
    const { workspaceId } = await seed(h);
    // Fresh statistics, as autovacuum would have them on a live database.
    if (dialect === 'postgres') await sql`analyze`.execute(h.db);
    console.log(`\n${dialect}: ${rows} messages stored in ${Math.round(performance.now() - t0)} ms`);
    const page = (f: Partial<InboxListFilter>) => () => listInboxMessages(h.db, workspaceId, { limit: 51, now: new Date().toISOString(), ...f });
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['newest page, no filter', page({})],
      ['status=new,assigned', page({ status: ['new', 'assigned'] })],
      ['sentiment=negative & network', page({ sentiment: ['negative'], network: 'bench' })],
      ['tag=vip (2%)', page({ tag: 'vip' })],
      ['lang=de', page({ lang: 'de' })],
      ['breached=true', page({ breached: true })],
      ['q=common word ("the")', page({ words: ['the'] })],
      ['q=rare word ("antidepressants")', page({ words: ['antidepressants'] })],
      ['q=two words', page({ words: ['news', 'bbc'] })],
      ['q=absent word (full scan)', page({ words: ['zzqxjv'] })],
      ['last 30 days range + q', page({ since: new Date(Date.now() - 30 * 86_400_000).toISOString(), words: ['music'] })],
      ['metrics rows, 30 days', () => messagesForMetrics(h.db, workspaceId, new Date(Date.now() - 30 * 86_400_000).toISOString(), new Date().toISOString())],
    ];
    for (const [name, fn] of cases) {
      const r = await timed(fn);
      console.log(`  ${name.padEnd(36)} ${String(r.medianMs).padStart(8)} ms  (${r.rows} rows)`);
    }
  } finally {
    await h.close();
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
