/**
 * The token-expiry sweep's queries: accounts whose credentials expire soon, and the guarded update
 * that records a warning once (only the process whose update matched records the event).
 */
import type { AccountRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Live `ok` accounts whose known expiry is at or before `until`, soonest first. */
export async function accountsExpiringBy(db: Executor, until: string, limit: number): Promise<AccountRow[]> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('removed_at', 'is', null)
    .where('status', '=', 'ok')
    .where('token_expires_at', 'is not', null)
    .where('token_expires_at', '<=', until)
    .orderBy('token_expires_at')
    .limit(limit)
    .execute();
}

/**
 * Sets `expiry_warned` to `level` if the account still has this expiry and has not had this warning
 * (for `7d`: no warning at all; for `1d`: anything but `1d`). True when this call set it.
 */
export async function markExpiryWarned(db: Executor, accountId: string, expiresAt: string, level: '7d' | '1d'): Promise<boolean> {
  let q = db.updateTable('accounts').set({ expiry_warned: level }).where('id', '=', accountId).where('token_expires_at', '=', expiresAt);
  q = level === '7d' ? q.where('expiry_warned', 'is', null) : q.where((eb) => eb.or([eb('expiry_warned', 'is', null), eb('expiry_warned', '<>', '1d')]));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
