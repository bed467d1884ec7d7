/**
 * Counts the SQL statements a stretch of code sends (`--count-statements` of bench/ingest), by wrapping
 * the run/all/get/iterate of better-sqlite3's statements (not `prepare`: Herald reuses prepared
 * statements per connection, src/db/database.ts, so a prepare is no longer a statement sent) and pg's
 * `Client.query` for this process. Diagnostic only: it costs a little time, so figures from a counting
 * run are not the bench's figures.
 */
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);

/** Statements by their leading SQL text while `counting` is on. */
export interface StatementCounter {
  on(): void;
  off(): void;
  /** The most frequent statements, with counts. */
  top(n: number): Array<{ sql: string; count: number }>;
  total(): number;
}

/** Installs the wrappers (once per process). */
export function installStatementCounter(): StatementCounter {
  const counts = new Map<string, number>();
  let counting = false;
  // Normalised text per statement text (the multi-row INSERTs are long: normalise each once).
  const keys = new Map<string, string>();
  const count = (sql: unknown) => {
    if (!counting || typeof sql !== 'string') return;
    let key = keys.get(sql);
    if (key === undefined) {
      key = sql.replace(/\s+/g, ' ').replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').replace(/\(\$\d+(, \$\d+)*\)(, \(\$\d+(, \$\d+)*\))*/g, '(…)').slice(0, 110);
      keys.set(sql, key);
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  type Runner = (this: { source: string }, ...args: unknown[]) => unknown;
  const Sqlite = require('better-sqlite3') as new (file: string) => { prepare(sql: string): object; close(): void };
  const scratch = new Sqlite(':memory:');
  const statement = Object.getPrototypeOf(scratch.prepare('select 1')) as Record<'run' | 'all' | 'get' | 'iterate', Runner>;
  scratch.close();
  for (const method of ['run', 'all', 'get', 'iterate'] as const) {
    const original = statement[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      count(this.source);
      return original.apply(this, args);
    };
  }
  const proto = pg.Client.prototype as unknown as { query(this: unknown, ...args: unknown[]): unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    count(typeof first === 'string' ? first : (first as { text?: string } | null)?.text);
    return query.apply(this, args);
  };
  return {
    on: () => {
      counts.clear();
      counting = true;
    },
    off: () => void (counting = false),
    top: (n) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([sql, c]) => ({ sql, count: c })),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
  };
}
