/**
 * IN lists padded to a few lengths so that their statements repeat. SQLite statements are reused by
 * SQL text per connection (src/db/database.ts), and an ingest page's lookups by network id or thread
 * key (hundreds to 2,000 values, a different count every page) otherwise prepared a new statement each
 * time. A repeated value changes nothing in `x IN (…)`, on either dialect.
 */

/**
 * `values` padded with copies of its last value to the next of four lengths per power of two (at most
 * a quarter longer); lists of up to 16 values are returned as they are. Empty in, empty out.
 */
export function paddedInList<T>(values: readonly T[]): T[] {
  const out = values.slice();
  const n = out.length;
  if (n <= 16) return out;
  const step = 2 ** Math.floor(Math.log2(n)) / 4;
  const size = Math.ceil(n / step) * step;
  const last = out[n - 1]!;
  while (out.length < size) out.push(last);
  return out;
}
