/**
 * Post targets: one per (post, account), each with its own variant and state. Every state change is a
 * guarded update (`WHERE state IN (…)`) returning the new row, so concurrent actors (a person editing,
 * two workers, the scheduler) can never both win.
 */
import { sql } from 'kysely';
import type { PollSpec } from '../connectors/connector';
import type { PostTargetRow, PostTargetUpdate, TargetState } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** A value of a network option as Herald stores it. */
export type OptionValue = string | boolean | number;

/** What `post_targets.extras` holds: the variant's poll, reply chain and network options. */
export interface TargetExtras {
  poll: PollSpec | null;
  thread: string[];
  options: Record<string, OptionValue>;
}

/** The extras column's JSON; empty parts are left out, so a plain post stores `{}`. */
export function serializeExtras(x: Partial<TargetExtras>): string {
  const out: Record<string, unknown> = {};
  if (x.poll) out.poll = x.poll;
  if (x.thread && x.thread.length) out.thread = x.thread;
  if (x.options && Object.keys(x.options).length) out.options = x.options;
  return JSON.stringify(out);
}

/** Reads the extras column; anything unreadable counts as no extras (the column is only written by Herald). */
export function parseExtras(text: string | null | undefined): TargetExtras {
  let raw: unknown = {};
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    raw = {};
  }
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const poll = o.poll && typeof o.poll === 'object' && Array.isArray((o.poll as PollSpec).options) ? (o.poll as PollSpec) : null;
  const thread = Array.isArray(o.thread) ? o.thread.filter((x): x is string => typeof x === 'string') : [];
  const options: Record<string, OptionValue> = {};
  if (o.options && typeof o.options === 'object') {
    for (const [k, v] of Object.entries(o.options as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') options[k] = v;
    }
  }
  return { poll, thread, options };
}

/** Inserts a target. */
export async function insertTarget(db: Executor, row: PostTargetRow): Promise<void> {
  await db.insertInto('post_targets').values(row).execute();
}

/** A target by id. */
export async function findTarget(db: Executor, id: string): Promise<PostTargetRow | undefined> {
  return db.selectFrom('post_targets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Targets of several posts, by post then id. */
export async function targetsOfPosts(db: Executor, postIds: string[]): Promise<PostTargetRow[]> {
  if (postIds.length === 0) return [];
  return db.selectFrom('post_targets').selectAll().where('post_id', 'in', postIds).orderBy('post_id').orderBy('id').execute();
}

/** Targets of one post. */
export async function targetsOfPost(db: Executor, postId: string): Promise<PostTargetRow[]> {
  return targetsOfPosts(db, [postId]);
}

/**
 * Applies `patch` if the target is still in one of `from` (and, when given, still leased by
 * `leaseOwner`); returns the updated row, or undefined when someone else changed it first.
 */
export async function updateTargetIf(
  db: Executor,
  id: string,
  from: readonly TargetState[],
  patch: PostTargetUpdate,
  opts: { leaseOwner?: string; bumpVersion?: boolean } = {},
): Promise<PostTargetRow | undefined> {
  let q = db.updateTable('post_targets').set(patch);
  if (opts.bumpVersion) q = q.set((eb) => ({ version: eb('version', '+', 1) }));
  q = q.where('id', '=', id).where('state', 'in', [...from]);
  if (opts.leaseOwner !== undefined) q = q.where('lease_owner', '=', opts.leaseOwner);
  return q.returningAll().executeTakeFirst();
}

/**
 * The claim: ONE statement moves a due target to `publishing` under a lease, provided fewer than
 * `maxConcurrent` targets of the same account hold a live lease. Returns the claimed row or nothing.
 */
export async function claimTarget(
  db: Executor,
  p: { id: string; accountId: string; leaseOwner: string; now: string; leaseUntil: string; maxConcurrent: number },
): Promise<PostTargetRow | undefined> {
  return db
    .updateTable('post_targets')
    .set((eb) => ({
      state: 'publishing' as const,
      lease_owner: p.leaseOwner,
      lease_until: p.leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: p.now,
    }))
    .where('id', '=', p.id)
    .where('state', '=', 'scheduled')
    .where('scheduled_at', '<=', p.now)
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', p.now)]))
    .where((eb) =>
      eb(
        eb
          .selectFrom('post_targets as busy')
          .select(eb.fn.countAll<number>().as('n'))
          .where('busy.account_id', '=', p.accountId)
          .where('busy.state', '=', 'publishing')
          .where('busy.lease_until', '>', p.now),
        '<',
        p.maxConcurrent,
      ),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Moves every `publishing` target whose lease ran out to `unconfirmed` (the worker holding it died or
 * hung: the post may or may not exist). Returns the rows this call moved.
 */
export async function expireLeases(db: Executor, now: string): Promise<PostTargetRow[]> {
  return db
    .updateTable('post_targets')
    .set({
      state: 'unconfirmed',
      lease_owner: null,
      lease_until: null,
      next_attempt_at: now,
      last_error_kind: 'lease_expired',
      last_error_message: 'The publishing attempt did not finish in time; checking whether the post went out',
      updated_at: now,
    })
    .where('state', '=', 'publishing')
    .where('lease_until', '<', now)
    .returningAll()
    .execute();
}

/** `scheduled` targets that should have run before `before` (their job may be lost). */
export async function overdueScheduled(db: Executor, before: string, limit: number): Promise<PostTargetRow[]> {
  return db
    .selectFrom('post_targets')
    .selectAll()
    .where('state', '=', 'scheduled')
    .where('scheduled_at', '<', before)
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<', before)]))
    .orderBy('scheduled_at')
    .limit(limit)
    .execute();
}

/** `unconfirmed` targets whose next existence check was due before `before`. */
export async function unconfirmedDue(db: Executor, before: string, limit: number): Promise<PostTargetRow[]> {
  return db
    .selectFrom('post_targets')
    .selectAll()
    .where('state', '=', 'unconfirmed')
    .where('next_attempt_at', 'is not', null)
    .where('next_attempt_at', '<', before)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/**
 * Stamps `next_attempt_at = now` on a target the sweep is about to re-enqueue (a `scheduled` one past
 * due, or an `unconfirmed` one whose check is overdue), provided it is still in `state` and still
 * overdue by the same rule the sweep selected it with. The stamp is what stops the next sweeps from
 * re-enqueueing it again before another grace period has passed: a target that merely waits in a busy
 * queue is not lost, and re-enqueueing a whole backlog on every sweep starves the workers and delays
 * lease recovery. Returns false when the target changed meanwhile (then nothing is enqueued).
 */
export async function stampOverdue(db: Executor, id: string, state: 'scheduled' | 'unconfirmed', before: string, now: string): Promise<boolean> {
  const row = await db
    .updateTable('post_targets')
    .set({ next_attempt_at: now })
    .where('id', '=', id)
    .where('state', '=', state)
    .where((eb) =>
      state === 'scheduled'
        ? eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<', before)])
        : eb.and([eb('next_attempt_at', 'is not', null), eb('next_attempt_at', '<', before)]),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Targets of an account in any of `states`. */
export async function targetsOfAccountInStates(db: Executor, accountId: string, states: readonly TargetState[]): Promise<PostTargetRow[]> {
  return db.selectFrom('post_targets').selectAll().where('account_id', '=', accountId).where('state', 'in', [...states]).orderBy('id').execute();
}

/** Targets of an account currently publishing under a live lease (tests, diagnostics). */
export async function countLiveLeases(db: Executor, accountId: string, now: string): Promise<number> {
  const r = await db
    .selectFrom('post_targets')
    .select(sql<number>`count(*)`.as('n'))
    .where('account_id', '=', accountId)
    .where('state', '=', 'publishing')
    .where('lease_until', '>', now)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Records a confirmed publication. A success answer from the network is authoritative, so it also
 * settles a target the scheduler already moved to `unconfirmed` after this attempt's lease ran out.
 */
export async function markTargetPublished(
  db: Executor,
  id: string,
  leaseOwner: string | null,
  p: { externalId: string; externalUrl: string | null; publishedAt: string },
): Promise<PostTargetRow | undefined> {
  return db
    .updateTable('post_targets')
    .set({
      state: 'published',
      external_id: p.externalId,
      external_url: p.externalUrl,
      published_at: p.publishedAt,
      lease_owner: null,
      lease_until: null,
      next_attempt_at: null,
      last_error_kind: null,
      last_error_message: null,
      updated_at: p.publishedAt,
    })
    .where('id', '=', id)
    .where((eb) =>
      leaseOwner === null
        ? eb('state', '=', 'unconfirmed')
        : eb.or([eb.and([eb('state', '=', 'publishing'), eb('lease_owner', '=', leaseOwner)]), eb('state', '=', 'unconfirmed')]),
    )
    .returningAll()
    .executeTakeFirst();
}
