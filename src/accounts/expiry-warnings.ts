/**
 * Token expiry warnings (a scheduler sweep). For accounts with a known `token_expires_at`:
 * - within 7 days and not warned yet → event `account.token_expiring` and `expiry_warned = '7d'`;
 * - within 1 day and not warned at that level → the event again and `expiry_warned = '1d'`;
 * - expired → the account becomes `needs_reconnect` with a reason naming the expiry (and its event).
 * Every step is a guarded update in the same transaction as its event, so concurrent sweeps warn once.
 * A reconnect or refresh that sets a new expiry should clear `expiry_warned` (the account code does).
 */
import { accountsExpiringBy, markExpiryWarned } from '../repositories/account-expiry.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { flagAccount } from './account-flags';

const day = 24 * 3_600_000;

/** What one sweep did. */
export interface ExpirySweepReport {
  warned7d: number;
  warned1d: number;
  expired: number;
}

/** One expiry sweep at `services.now()`. */
export async function sweepTokenExpiry(services: AppServices, batch = 500): Promise<ExpirySweepReport> {
  const db = services.database.db;
  const now = services.now();
  const report: ExpirySweepReport = { warned7d: 0, warned1d: 0, expired: 0 };
  for (const account of await accountsExpiringBy(db, new Date(now.getTime() + 7 * day).toISOString(), batch)) {
    const expiresAt = account.token_expires_at!;
    const leftMs = Date.parse(expiresAt) - now.getTime();
    const connector = services.connectors.has(account.network) ? services.connectors.get(account.network) : null;
    const name = connector?.displayName ?? account.network;
    await db.transaction().execute(async (trx) => {
      if (leftMs <= 0) {
        const reason = `The ${name} access of ${account.handle} expired on ${expiresAt.slice(0, 16).replace('T', ' ')} UTC. Reconnect the account; held posts then publish on their own.`;
        if (await flagAccount(services, trx, account, 'needs_reconnect', reason)) report.expired += 1;
        return;
      }
      const level = leftMs <= day ? '1d' : '7d';
      if (!(await markExpiryWarned(trx, account.id, expiresAt, level))) return;
      await recordEvent(services, trx, {
        workspaceId: account.workspace_id,
        type: 'account.token_expiring',
        subjectId: account.id,
        actorId: null,
        payload: { accountId: account.id, network: account.network, handle: account.handle, expiresAt, daysLeft: Math.ceil(leftMs / day) },
      });
      if (level === '1d') report.warned1d += 1;
      else report.warned7d += 1;
    });
  }
  if (report.warned7d || report.warned1d || report.expired) services.log.info(report, 'token expiry sweep');
  return report;
}
