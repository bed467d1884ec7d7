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

/**
 * Inserts `rows` (values in the order of `columns`) with one statement; `tail` follows the VALUES list
 * (an ON CONFLICT and RETURNING clause, trusted SQL written by the caller). Returns the rows the
 * statement returns. Callers keep `rows.length × columns.length` under both dialects' parameter limits.
 */
export async function insertRowsAsText<R>(db: Executor, table: keyof Database, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, tail = ''): Promise<R[]> {
  if (rows.length === 0) return [];
  const pg = isPostgres(db);
  const key = `${pg ? 'pg' : 'sqlite'}\u0000${table}\u0000${columns.join(',')}\u0000${rows.length}\u0000${tail}`;
  let text = texts.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows.length; r++) {
      const marks: string[] = [];
      for (let c = 0; c < width; c++) marks.push(pg ? `$${r * width + c + 1}` : '?');
      tuples.push(`(${marks.join(', ')})`);
    }
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}${tail ? ` ${tail}` : ''}`;
    if (texts.size >= 200) texts.clear();
    texts.set(key, text);
  }
  const params: unknown[] = [];
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`insertRowsAsText: a row has ${row.length} values for ${columns.length} columns`);
    for (const v of row) params.push(v);
  }
  return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}
