/**
 * The calendar's feed: posts scheduled in a time range with only what a calendar draws (time, author,
 * a title, each target's account, network and state). The full post (texts, media, errors, links) is
 * read on demand with GET /posts/{id}, so a month of 1,000 posts stays a light request.
 */
import type { TargetState } from '../db/schema';
import { ValidationError } from '../domain/errors';
import { assertCan } from '../policies/policy';
import { calendarExcerptLength, listCalendarRows } from '../repositories/posts.repository';
import type { UseCaseContext } from '../server/services';
import { policyActor } from './workspaces.use-case';

/** One post as the calendar gets it. */
export interface CalendarItem {
  id: string;
  authorId: string;
  scheduledAt: string;
  /** The first line of the first non-empty target text (at most 100 characters). */
  title: string;
  targets: Array<{ accountId: string; network: string; state: TargetState }>;
}

/** Widest range one request may ask for (a month view with its padding fits well inside). */
export const maxCalendarRangeDays = 100;
const titleLength = 100;

function instant(value: string | undefined, field: string): string {
  if (value === undefined) throw new ValidationError(`${field} is required: the calendar asks for a range`, [{ path: field, code: 'required', message: `${field} is required` }]);
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with an offset, like 2026-03-29T00:00:00Z`, [{ path: field, code: 'invalid_instant', message: 'ISO instant with an offset expected' }]);
  return new Date(ms).toISOString();
}

/** The title of a post from its targets' text excerpts. */
export function calendarTitle(excerpts: string[]): string {
  const line = excerpts.map((e) => e.trim()).find((e) => e !== '')?.split('\n')[0]?.trim() ?? '';
  // Excerpts are cut in the database; a cut line ends with an ellipsis like a long one.
  const cut = line.length >= calendarExcerptLength;
  return line.length > titleLength || cut ? `${[...line].slice(0, titleLength - 1).join('')}…` : line;
}

/** Posts scheduled in [`from`, `to`), oldest id first, `limit` per page (cursor = last id). */
export async function listCalendar(ctx: UseCaseContext, f: { from?: string; to?: string; cursor?: string; limit: number }): Promise<{ items: CalendarItem[]; nextCursor: string | null }> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'posts.read');
  const from = instant(f.from, 'from');
  const to = instant(f.to, 'to');
  if (from >= to) throw new ValidationError('from must be before to', [{ path: 'to', code: 'invalid_range', message: 'to must be after from' }]);
  if (Date.parse(to) - Date.parse(from) > maxCalendarRangeDays * 86_400_000) {
    throw new ValidationError(`a calendar request covers at most ${maxCalendarRangeDays} days`, [{ path: 'to', code: 'range_too_wide', message: `at most ${maxCalendarRangeDays} days after from` }]);
  }
  const { posts, targets } = await listCalendarRows(ctx.db, ctx.workspaceId, { from, to, cursor: f.cursor, limit: f.limit + 1 });
  const page = posts.slice(0, f.limit);
  // Targets come ordered by post: one pass groups them.
  const byPost = new Map<string, typeof targets>();
  for (const t of targets) {
    const list = byPost.get(t.post_id);
    if (list) list.push(t);
    else byPost.set(t.post_id, [t]);
  }
  const items = page.map((p) => {
    const mine = byPost.get(p.id) ?? [];
    return {
      id: p.id,
      authorId: p.author_id,
      scheduledAt: p.scheduled_at,
      title: calendarTitle(mine.map((t) => t.excerpt)),
      targets: mine.map((t) => ({ accountId: t.account_id, network: t.network, state: t.state })),
    };
  });
  return { items, nextCursor: posts.length > f.limit ? page[page.length - 1]!.id : null };
}
