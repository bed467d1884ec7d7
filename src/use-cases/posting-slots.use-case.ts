/**
 * The queue: weekly posting slots per account (weekday + wall-clock time in the workspace's zone) and
 * "the next free slot" for a set of accounts, which "add to queue" schedules at.
 *
 * Time rules (the same domain code that schedules posts, src/domain/schedule-time.ts):
 * - a slot is a wall time in the workspace zone, so 09:00 stays 09:00 across daylight-saving changes;
 * - a slot that falls in a spring-forward gap does not exist that day and is skipped (not moved);
 * - a slot in a fall-back overlap means the earlier instant, as everywhere else in Herald.
 * A slot is taken for an account when one of its targets waiting to publish (or published) is
 * scheduled within that minute.
 */
import { z } from 'zod';
import type { PostingSlotRow, TargetState } from '../db/schema';
import { DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { resolveSchedule, toLocalWallTime } from '../domain/schedule-time';
import { assertCan } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { deleteSlot, deleteSlotsOfAccount, findSlot, insertSlot, listSlots, listSlotsOfAccounts, occupiedTimes } from '../repositories/posting-slots.repository';
import type { UseCaseContext } from '../server/services';
import { parseInput } from './posts.use-case';
import { inTransaction } from './users.use-case';
import { getWorkspace, policyActor } from './workspaces.use-case';

/** How far ahead the next free slot is looked for. */
export const QUEUE_HORIZON_DAYS = 56;
/** Most slots one account may have (a week of hourly slots is 168). */
export const MAX_SLOTS_PER_ACCOUNT = 200;

/**
 * States whose scheduled time occupies a slot: everything on its way to the network (or already
 * there). Drafts, failures and cancelled targets leave the slot free.
 */
export const slotTakingStates: readonly TargetState[] = ['in_review', 'approved', 'scheduled', 'publishing', 'unconfirmed', 'held', 'published'];

/** One weekly slot as the API shows it. */
export interface SlotView {
  id: string;
  accountId: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** `HH:mm`, 24-hour, in the workspace's time zone. */
  time: string;
}

/** One slot as input. */
export const slotInputSchema = z
  .object({
    weekday: z.number().int().min(1, 'weekday must be 1 (Monday) to 7 (Sunday)').max(7, 'weekday must be 1 (Monday) to 7 (Sunday)'),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must look like 09:30 (24-hour)'),
  })
  .strict();

/** Body of PUT /slots: the account's whole week. */
export const replaceSlotsSchema = z.object({ slots: z.array(slotInputSchema).max(MAX_SLOTS_PER_ACCOUNT, `at most ${MAX_SLOTS_PER_ACCOUNT} slots per account`) }).strict();

function view(r: PostingSlotRow): SlotView {
  return { id: r.id, accountId: r.account_id, weekday: r.weekday, time: r.time };
}

async function authorize(ctx: UseCaseContext, action: 'slots.read' | 'slots.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

async function requireAccount(ctx: UseCaseContext, accountId: string): Promise<void> {
  if (!isId(accountId) || !(await findAccount(ctx.db, ctx.workspaceId, accountId))) throw new NotFoundError('Account');
}

/** The account's slots, by weekday then time. */
export async function listPostingSlots(ctx: UseCaseContext, accountId: string): Promise<SlotView[]> {
  await authorize(ctx, 'slots.read');
  await requireAccount(ctx, accountId);
  return (await listSlots(ctx.db, ctx.workspaceId, accountId)).map(view);
}

/** Replaces the account's week of slots (duplicates collapse); returns the new list. */
export async function replacePostingSlots(ctx: UseCaseContext, accountId: string, raw: unknown): Promise<SlotView[]> {
  await authorize(ctx, 'slots.manage');
  await requireAccount(ctx, accountId);
  const input = parseInput(replaceSlotsSchema, raw);
  const unique = new Map(input.slots.map((s) => [`${s.weekday} ${s.time}`, s]));
  const now = ctx.services.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    await deleteSlotsOfAccount(trx, ctx.workspaceId, accountId);
    for (const s of unique.values()) {
      await insertSlot(trx, { id: newId(), workspace_id: ctx.workspaceId, account_id: accountId, weekday: s.weekday, time: s.time, created_at: now });
    }
  });
  return (await listSlots(ctx.db, ctx.workspaceId, accountId)).map(view);
}

/** Adds one slot; adding an existing one returns it unchanged. */
export async function addPostingSlot(ctx: UseCaseContext, accountId: string, raw: unknown): Promise<SlotView> {
  await authorize(ctx, 'slots.manage');
  await requireAccount(ctx, accountId);
  const s = parseInput(slotInputSchema, raw);
  const existing = await findSlot(ctx.db, ctx.workspaceId, accountId, s.weekday, s.time);
  if (existing) return view(existing);
  const row: PostingSlotRow = { id: newId(), workspace_id: ctx.workspaceId, account_id: accountId, weekday: s.weekday, time: s.time, created_at: ctx.services.now().toISOString() };
  try {
    await insertSlot(ctx.db, row);
  } catch (e) {
    // Someone added the same slot meanwhile (unique constraint): theirs is as good as ours.
    const again = await findSlot(ctx.db, ctx.workspaceId, accountId, s.weekday, s.time);
    if (again) return view(again);
    throw e;
  }
  return view(row);
}

/** Removes one slot (404 when it is not this account's). */
export async function removePostingSlot(ctx: UseCaseContext, accountId: string, slotId: string): Promise<void> {
  await authorize(ctx, 'slots.manage');
  await requireAccount(ctx, accountId);
  if (!isId(slotId) || !(await deleteSlot(ctx.db, ctx.workspaceId, accountId, slotId))) throw new NotFoundError('Posting slot');
}

/** A slot time, as an instant and as the wall time the composer's schedule fields take. */
export interface SlotTime {
  at: string;
  date: string;
  time: string;
  timezone: string;
}

/** Answer of the next-free-slot query. */
export interface NextFreeSlot {
  /** The earliest slot every given account has and none of them has taken; null when none within the horizon. */
  next: SlotTime | null;
  /** Each account's own next free slot. */
  accounts: Array<{ accountId: string; next: SlotTime | null }>;
}

const DAY_MS = 86_400_000;

/** ISO weekday (1 = Monday) of a UTC-midnight day number. */
function isoWeekday(dayMs: number): number {
  const d = new Date(dayMs).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * The future instants of the slots within the horizon, earliest first, produced lazily (callers stop
 * at the first free one). Slots in a spring-forward gap are left out for that day; past ones too.
 * Wall time order is instant order here: an overlap always resolves to its earlier instant.
 */
function* slotInstants(keys: Set<string>, timezone: string, now: Date, memo: Map<string, SlotTime | null>): Generator<SlotTime> {
  const today = toLocalWallTime(now, timezone).slice(0, 10);
  const start = Date.parse(`${today}T00:00:00Z`);
  const times = [...keys].map((k) => k.split(' ') as [string, string]).sort((a, b) => a[1].localeCompare(b[1]));
  if (times.length === 0) return;
  for (let i = 0; i <= QUEUE_HORIZON_DAYS; i++) {
    const day = start + i * DAY_MS;
    const weekday = String(isoWeekday(day));
    const date = new Date(day).toISOString().slice(0, 10);
    for (const [wd, time] of times) {
      if (wd !== weekday) continue;
      // Several accounts usually share slot times: resolve each wall time once per request.
      const key = `${date}T${time}`;
      let slot = memo.get(key);
      if (slot === undefined) {
        slot = null;
        try {
          const at = resolveSchedule({ date, time, timezone }, { now }).scheduledAt;
          if (Date.parse(at) > now.getTime()) slot = { at, date, time, timezone };
        } catch (e) {
          // The gap (no such wall time that day) or a past time: not a usable slot.
          if (!(e instanceof ValidationError)) throw e;
        }
        memo.set(key, slot);
      }
      if (slot) yield slot;
    }
  }
}

function firstWhere<T>(items: Iterable<T>, ok: (item: T) => boolean): T | null {
  for (const item of items) if (ok(item)) return item;
  return null;
}

const minuteOf = (iso: string) => Math.floor(Date.parse(iso) / 60_000);

/** Accounts query: 1 to 50 ids of the workspace. */
export const nextSlotQuerySchema = z.object({ accountIds: z.array(z.string()).min(1, 'name at least one account').max(50, 'at most 50 accounts') }).strict();

/**
 * The next free slot for a set of accounts: each account's own next slot not taken by one of its
 * targets, and the earliest slot all of them share and none has taken (what one post to all of them
 * can be scheduled at).
 */
export async function nextFreeSlot(ctx: UseCaseContext, raw: unknown): Promise<NextFreeSlot> {
  await authorize(ctx, 'slots.read');
  const { accountIds } = parseInput(nextSlotQuerySchema, raw);
  const ids = [...new Set(accountIds)];
  for (const id of ids) {
    try {
      await requireAccount(ctx, id);
    } catch (e) {
      if (e instanceof DomainError) throw new ValidationError(`Account ${id} is not an account of this workspace`, [{ path: 'accountIds', code: 'unknown_account', message: `Unknown account ${id}` }]);
      throw e;
    }
  }
  const ws = await getWorkspace(ctx);
  const now = ctx.services.now();
  const slots = await listSlotsOfAccounts(ctx.db, ctx.workspaceId, ids);
  const keysOf = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const s of slots) keysOf.get(s.account_id)?.add(`${s.weekday} ${s.time}`);

  const horizonEnd = new Date(now.getTime() + (QUEUE_HORIZON_DAYS + 2) * DAY_MS).toISOString();
  const taken = new Map<string, Set<number>>(ids.map((id) => [id, new Set<number>()]));
  for (const o of await occupiedTimes(ctx.db, ctx.workspaceId, ids, slotTakingStates, new Date(now.getTime() - 60_000).toISOString(), horizonEnd)) {
    taken.get(o.account_id)?.add(minuteOf(o.scheduled_at));
  }
  const free = (accountId: string, s: SlotTime) => !taken.get(accountId)?.has(minuteOf(s.at));

  const memo = new Map<string, SlotTime | null>();
  const accounts = ids.map((accountId) => {
    const own = slotInstants(keysOf.get(accountId) ?? new Set(), ws.timezone, now, memo);
    return { accountId, next: firstWhere(own, (s) => free(accountId, s)) };
  });

  // Keys every account has: one post to all of them can only go out at a time that is a slot of each.
  const shared = [...(keysOf.get(ids[0]!) ?? [])].filter((k) => ids.every((id) => keysOf.get(id)?.has(k)));
  const next = firstWhere(slotInstants(new Set(shared), ws.timezone, now, memo), (s) => ids.every((id) => free(id, s)));
  return { next, accounts };
}
