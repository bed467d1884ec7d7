/**
 * The publish rates connectors declare, counted in the database so every worker process shares one
 * budget: per account (`limits.publishRate`) and, for connectors with a `rateGroup`, per group of
 * accounts sharing one budget on the network (`limits.groupRate`, e.g. all chats of one bot token).
 */
import type { ConnectorLimits } from '../connectors/connector';
import type { Executor } from '../jobs/job-queue';
import { returnWindowSlot, takeWindowSlot } from '../repositories/rate-limit.repository';

/** Outcome of asking for a publish slot. */
export type SlotDecision = { granted: true } | { granted: false; retryAt: Date };

type Rate = ConnectorLimits['publishRate'];

function windowOf(rate: Rate, now: Date): { start: string; startMs: number } {
  const startMs = Math.floor(now.getTime() / rate.windowMs) * rate.windowMs;
  return { start: new Date(startMs).toISOString(), startMs };
}

/** Takes one publish slot for `accountId` in the current fixed window, or says when the next opens. */
export async function takePublishSlot(db: Executor, accountId: string, rate: Rate, now: Date): Promise<SlotDecision> {
  const w = windowOf(rate, now);
  if (await takeWindowSlot(db, `publish:${accountId}`, w.start, rate.count)) return { granted: true };
  return { granted: false, retryAt: new Date(w.startMs + rate.windowMs) };
}

/** The rate-limit key of a connector's account group. */
export const groupSlotKey = (network: string, group: string) => `publish-group:${network}:${group}`;

/**
 * Takes a slot in the group's window AND in the account's, or neither. The group (the budget other
 * accounts share) is asked first; when the account's own window then refuses, the group slot is given
 * back so the account's wait costs its neighbours nothing. (A crash between the two steps loses one
 * group slot for the rest of that window: under-use, never over-use.)
 */
export async function takeGroupedPublishSlot(
  db: Executor,
  p: { accountId: string; rate: Rate; group?: { network: string; name: string; rate: Rate } | null },
  now: Date,
): Promise<SlotDecision> {
  if (!p.group) return takePublishSlot(db, p.accountId, p.rate, now);
  const key = groupSlotKey(p.group.network, p.group.name);
  const gw = windowOf(p.group.rate, now);
  if (!(await takeWindowSlot(db, key, gw.start, p.group.rate.count))) return { granted: false, retryAt: new Date(gw.startMs + p.group.rate.windowMs) };
  const own = await takePublishSlot(db, p.accountId, p.rate, now);
  if (!own.granted) await returnWindowSlot(db, key, gw.start);
  return own;
}
