/**
 * Queries of the stream runner (src/streaming/): stream cursors, the accounts that may stream, which
 * deleted network ids are inbox messages, and putting off a healthy account's next poll.
 */
import type { Executor } from '../jobs/job-queue';
import type { AccountRow } from '../db/schema';

/** The row key of a connector's upstream. */
export const streamCursorKey = (network: string, upstream: string) => `${network} ${upstream}`;

/** The stored cursor of an upstream (null = none yet). */
export async function loadStreamCursor(db: Executor, network: string, upstream: string): Promise<string | null> {
  const row = await db.selectFrom('stream_cursors').select('cursor').where('key', '=', streamCursorKey(network, upstream)).executeTakeFirst();
  return row?.cursor ?? null;
}

/** Stores an upstream's cursor (insert or replace). */
export async function saveStreamCursor(db: Executor, network: string, upstream: string, cursor: string | null, nowIso: string): Promise<void> {
  const key = streamCursorKey(network, upstream);
  await db
    .insertInto('stream_cursors')
    .values({ key, network, upstream, cursor, updated_at: nowIso })
    .onConflict((oc) => oc.column('key').doUpdateSet({ cursor, updated_at: nowIso }))
    .execute();
}

/** Live `ok` accounts on `networks` (the ones whose connector streams). */
export async function streamableAccounts(db: Executor, networks: string[]): Promise<AccountRow[]> {
  if (!networks.length) return [];
  return db.selectFrom('accounts').selectAll().where('removed_at', 'is', null).where('status', '=', 'ok').where('network', 'in', networks).orderBy('id').execute();
}

/** Of `externalIds`, the (account, network id) pairs that are stored, not yet deleted, messages of `accountIds`. */
export async function liveMessagesAmong(db: Executor, accountIds: string[], externalIds: string[]): Promise<Array<{ account_id: string; external_id: string }>> {
  if (!accountIds.length || !externalIds.length) return [];
  return db
    .selectFrom('inbox_messages')
    .select(['account_id', 'external_id'])
    .where('account_id', 'in', accountIds)
    .where('external_id', 'in', externalIds)
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * Moves an existing due row (`rate_limit_windows`, see sync-schedule.repository.ts) to `at` when it is
 * earlier; an absent row stays absent (an account never polled is polled first). One statement.
 */
export async function deferDueRow(db: Executor, key: string, at: string): Promise<void> {
  await db.updateTable('rate_limit_windows').set({ window_start: at }).where('key', '=', key).where('window_start', '<', at).execute();
}

/**
 * Extends a lease taken with `takeUntil` (sync-schedule.repository.ts) from `from` to `to`, only while
 * it is still ours (same instant). False = another process holds it now.
 */
export async function renewLease(db: Executor, key: string, from: string, to: string): Promise<boolean> {
  const r = await db.updateTable('rate_limit_windows').set({ window_start: to }).where('key', '=', key).where('window_start', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
