/**
 * Cursor pages without any HTTP dependency, so use cases and the CLI can share them. Ids are UUIDv7
 * (time-ordered), so the cursor is simply the last id of the page: the next page is "id > cursor".
 */

/** What a caller asks for. */
export interface PageRequest {
  limit: number;
  /** Exclusive lower bound: the last id of the previous page. */
  cursor?: string;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Default and maximum page sizes. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/**
 * Turns rows fetched with `limit + 1` (ordered by id) into a page: the extra row only says that a
 * next page exists.
 */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : idOf(last) };
}
