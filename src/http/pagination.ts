/**
 * Pagination for routes: the `?limit=&cursor=` query schema and the `{ items, nextCursor }` response
 * schema builder. The plain helpers live in ./page so use cases can use them without zod-openapi.
 */
import { z } from '@hono/zod-openapi';
import { isId } from '../domain/ids';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './page';

export { toPage, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page, type PageRequest } from './page';

/** Query parameters of every list route. Extend with `.extend({...})` for filters. */
export const PageQuerySchema = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_LIMIT)
      .default(DEFAULT_PAGE_LIMIT)
      .openapi({ param: { name: 'limit', in: 'query' }, example: 50, description: `Items per page (1–${MAX_PAGE_LIMIT}).` }),
    cursor: z
      .string()
      .refine(isId, { message: 'cursor must be the nextCursor of a previous page' })
      .optional()
      .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `nextCursor` of the previous page.' }),
  })
  .strict();

/** `{ items: T[], nextCursor: string | null }` for a list route's 200 response. */
export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}
