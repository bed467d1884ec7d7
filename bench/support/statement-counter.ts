/**
 * Counts the SQL statements a stretch of code sends (`--count-statements` of bench/ingest), by wrapping
 * better-sqlite3's `prepare` (Kysely's SQLite driver prepares every statement it runs) and pg's
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
  const count = (sql: unknown) => {
    if (!counting || typeof sql !== 'string') return;
    const key = sql.replace(/\s+/g, ' ').replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').replace(/\(\$\d+(, \$\d+)*\)(, \(\$\d+(, \$\d+)*\))*/g, '(…)').slice(0, 110);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const Sqlite = require('better-sqlite3') as { prototype: { prepare(this: unknown, sql: string, ...rest: unknown[]): unknown } };
  const prepare = Sqlite.prototype.prepare;
  Sqlite.prototype.prepare = function (this: unknown, sql: string, ...rest: unknown[]) {
    count(sql);
    return prepare.call(this, sql, ...rest);
  };
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
