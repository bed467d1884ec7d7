/**
 * Multi-row INSERTs sent as SQL text plus parameters, for the ingest path's big batches (hundreds of
 * rows of 35 columns): Kysely's insert builder makes and compiles a node per value, which cost more
 * CPU than SQLite spends storing the rows. The statement is the one Kysely would write (quoted
 * identifiers, `?` on SQLite and `$n` on PostgreSQL); its text is cached per shape.
 */
import { CompiledQuery } from 'kysely';
import type { Database } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

// Whether an executor speaks PostgreSQL, learnt once per executor from how Kysely compiles a parameter.
const postgres = new WeakMap<Executor, boolean>();
function isPostgres(db: Executor): boolean {
  let pg = postgres.get(db);
  if (pg === undefined) {
    pg = db.selectFrom('events').select('id').where('id', '=', '').compile().sql.includes('$1');
    postgres.set(db, pg);
  }
  return pg;
}

const texts = new Map<string, string>();

/** The statement text for `rows` rows of `columns` (cached per shape). */
function statementText(pg: boolean, table: string, columns: readonly string[], rows: number, tail: string): string {
  const key = `${pg ? 'pg' : 'sqlite'}\u0000${table}\u0000${columns.join(',')}\u0000${rows}\u0000${tail}`;
  let text = texts.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const marks: string[] = [];
      for (let c = 0; c < width; c++) marks.push(pg ? `$${r * width + c + 1}` : '?');
      tuples.push(`(${marks.join(', ')})`);
    }
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}${tail ? ` ${tail}` : ''}`;
    if (texts.size >= 200) texts.clear();
    texts.set(key, text);
  }
  return text;
}

// Row counts (per table, columns and tail) SQLite has been sent before: the second time a count comes
// it gets a statement of its own (the page size of a sync repeats); see `sqliteParts`.
const seenCounts = new Map<string, Set<number>>();

/**
 * How many rows each SQLite statement takes: the whole batch when its row count came before (its
 * statement is prepared already), else power-of-two parts (256, 128, …, 1). SQLite statements are
 * reused by text per connection (src/db/database.ts) and preparing a multi-row INSERT costs about as
 * much as running it, so a batch of a count never seen before — most of them: ingest's event, tag and
 * match counts vary per page — runs on at most nine statements prepared once, instead of a new one.
 */
function sqliteParts(shape: string, n: number): number[] {
  let seen = seenCounts.get(shape);
  if (!seen) {
    if (seenCounts.size >= 100) seenCounts.clear();
    seenCounts.set(shape, (seen = new Set()));
  }
  if (seen.has(n)) return [n];
  if (seen.size >= 16) seen.clear();
  seen.add(n);
  const parts: number[] = [];
  let left = n;
  for (let size = 256; left > 0; size >>= 1) {
    for (; left >= size; left -= size) parts.push(size);
  }
  return parts;
}

/**
 * Inserts `rows` (values in the order of `columns`) with one statement (SQLite: a few, see
 * `sqliteParts`); `tail` follows the VALUES list (an ON CONFLICT and RETURNING clause, trusted SQL
 * written by the caller). Returns the rows the statements return, in order. Callers keep
 * `rows.length × columns.length` under both dialects' parameter limits.
 */
export async function insertRowsAsText<R>(db: Executor, table: keyof Database, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, tail = ''): Promise<R[]> {
  if (rows.length === 0) return [];
  const pg = isPostgres(db);
  for (const row of rows) if (row.length !== columns.length) throw new Error(`insertRowsAsText: a row has ${row.length} values for ${columns.length} columns`);
  // PostgreSQL parses every statement anyway (node-postgres sends it unnamed): one round trip.
  const parts = pg ? [rows.length] : sqliteParts(`${table}\u0000${columns.join(',')}\u0000${tail}`, rows.length);
  const out: R[] = [];
  let at = 0;
  for (const n of parts) {
    const params: unknown[] = [];
    for (let r = at; r < at + n; r++) for (const v of rows[r]!) params.push(v);
    at += n;
    const result = await db.executeQuery<R>(CompiledQuery.raw(statementText(pg, table, columns, n, tail), params));
    for (const x of result.rows) out.push(x);
  }
  return out;
}
