/**
 * What-if for bench/ingest (`--what-if-statement-cache`): better-sqlite3 statements cached by SQL text
 * in this process, so Kysely's SQLite driver (which prepares every statement it runs) reuses them. Not
 * Herald's behaviour today: it shows what such a cache in src/db would buy on the ingest path. Streaming
 * queries (`iterate`) on a shared statement would conflict, which the ingest path does not use.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Installs the cache (once per process); returns how many prepares it saved so far. */
export function installSqliteStatementCache(max = 500): () => number {
  const Sqlite = require('better-sqlite3') as { prototype: { prepare(this: object, sql: string, ...rest: unknown[]): unknown } };
  const prepare = Sqlite.prototype.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  let saved = 0;
  Sqlite.prototype.prepare = function (this: object, sql: string, ...rest: unknown[]) {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const hit = cache.get(sql);
    if (hit) {
      saved++;
      return hit;
    }
    const stmt = prepare.call(this, sql, ...rest);
    if (cache.size >= max) cache.clear();
    cache.set(sql, stmt);
    return stmt;
  };
  return () => saved;
}
