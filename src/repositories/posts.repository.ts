/** Posts (the container a person writes) and the lookups post use cases need about the workspace. */
import { sql } from 'kysely';
import type { PostRow, TargetState } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Inserts a post. */
export async function insertPost(db: Executor, row: PostRow): Promise<void> {
  await db.insertInto('posts').values(row).execute();
}

/** A live (not deleted) post of the workspace. */
export async function findPost(db: Executor, workspaceId: string, id: string): Promise<PostRow | undefined> {
  return db
    .selectFrom('posts')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Any post by id (engine view). */
export async function findPostById(db: Executor, id: string): Promise<PostRow | undefined> {
  return db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates a post's schedule, zone or deletion mark. */
export async function updatePost(
  db: Executor,
  id: string,
  patch: Partial<Pick<PostRow, 'timezone' | 'scheduled_local' | 'scheduled_at' | 'updated_at' | 'deleted_at'>>,
): Promise<void> {
  await db.updateTable('posts').set(patch).where('id', '=', id).execute();
}

/** Filters for listing posts; `cursor` is the last id of the previous page (ids ascend). */
export interface PostListFilter {
  state?: TargetState;
  accountId?: string;
  /** Only posts scheduled at or after this ISO instant (`toISOString()` form). */
  from?: string;
  /** Only posts scheduled before this ISO instant (`toISOString()` form). */
  to?: string;
  /** Only posts with a target whose text contains this (case-insensitive for ASCII on SQLite). */
  q?: string;
  cursor?: string;
  limit: number;
}

/** Up to `limit` live posts after `cursor`, oldest first, filtered by any target's state or account. */
export async function listPosts(db: Executor, workspaceId: string, f: PostListFilter): Promise<PostRow[]> {
  let q = db.selectFrom('posts').selectAll('posts').where('posts.workspace_id', '=', workspaceId).where('posts.deleted_at', 'is', null);
  if (f.state || f.accountId || f.q) {
    q = q.where((eb) => {
      let sub = eb.selectFrom('post_targets').select('post_targets.id').whereRef('post_targets.post_id', '=', 'posts.id');
      if (f.state) sub = sub.where('post_targets.state', '=', f.state);
      if (f.accountId) sub = sub.where('post_targets.account_id', '=', f.accountId);
      if (f.q) {
        // LIKE with the wildcards in the search escaped, so "50%" finds "50%" and nothing more.
        const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        sub = sub.where(sql<boolean>`lower(post_targets.text) like ${pattern} escape '\\'`);
      }
      return eb.exists(sub);
    });
  }
  // Both bounds are `toISOString()` strings, which sort as text in both dialects.
  if (f.from) q = q.where('posts.scheduled_at', '>=', f.from);
  if (f.to) q = q.where('posts.scheduled_at', '<', f.to);
  if (f.cursor) q = q.where('posts.id', '>', f.cursor);
  return q.orderBy('posts.id').limit(f.limit).execute();
}

/** What the calendar draws of a post: its time, author and targets, nothing heavier. */
export interface CalendarPostRow {
  id: string;
  author_id: string;
  scheduled_at: string;
}

/** What the calendar draws of a target; `excerpt` is the start of the text (for a title). */
export interface CalendarTargetRow {
  post_id: string;
  account_id: string;
  network: string;
  state: TargetState;
  excerpt: string;
}

/** Characters of a target's text the calendar gets (a title is the first line of at most this). */
export const calendarExcerptLength = 200;

/**
 * Up to `limit` live posts scheduled in [`from`, `to`) after `cursor` (ids ascend), with their targets:
 * two queries whatever the page size (the page, then every target of the page at once), only the
 * columns the calendar draws, and the text cut to `calendarExcerptLength` in the database.
 */
export async function listCalendarRows(
  db: Executor,
  workspaceId: string,
  f: { from: string; to: string; cursor?: string; limit: number },
): Promise<{ posts: CalendarPostRow[]; targets: CalendarTargetRow[] }> {
  let q = db
    .selectFrom('posts')
    .select(['posts.id', 'posts.author_id', 'posts.scheduled_at'])
    .where('posts.workspace_id', '=', workspaceId)
    .where('posts.deleted_at', 'is', null)
    .where('posts.scheduled_at', '>=', f.from)
    .where('posts.scheduled_at', '<', f.to);
  if (f.cursor) q = q.where('posts.id', '>', f.cursor);
  const posts = (await q.orderBy('posts.id').limit(f.limit).execute()) as CalendarPostRow[];
  if (posts.length === 0) return { posts, targets: [] };
  const targets = await db
    .selectFrom('post_targets')
    .select(['post_id', 'account_id', 'network', 'state', sql<string>`substr(text, 1, ${sql.lit(calendarExcerptLength)})`.as('excerpt')])
    .where(
      'post_id',
      'in',
      posts.map((p) => p.id),
    )
    .orderBy('post_id')
    .orderBy('id')
    .execute();
  return { posts, targets };
}

/** The workspace's default time zone ('UTC' when the workspace is unknown). */
export async function workspaceTimezone(db: Executor, workspaceId: string): Promise<string> {
  const w = await db.selectFrom('workspaces').select('timezone').where('id', '=', workspaceId).executeTakeFirst();
  return w?.timezone ?? 'UTC';
}
