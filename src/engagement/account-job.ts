/**
 * The frame every per-account background job runs in (inbound sync, metrics collection): skip
 * accounts that are gone, broken or lack the capability; hold a lease so two runs for one account never
 * overlap; after the run set when the account is due next; and act on connector failures by the
 * shared taxonomy — `auth_expired` flags the account `needs_reconnect` (its event once), `disconnected`
 * flags it `disconnected`, `rate_limited` backs off (the network's Retry-After is a floor), anything
 * else is logged and retried next round. A job never throws for a network problem, so the queue's own
 * retries only cover crashes.
 */
import { ConnectorError, type AnyConnector } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { findAccountById } from '../repositories/accounts.repository';
import { dueKey, failuresOf, leaseKey, releaseLease, setDue, takeUntil } from '../repositories/sync-schedule.repository';
import { retryDelayMs } from '../publishing/backoff';
import type { AppServices } from '../server/services';
import { flagAccount } from '../accounts/account-flags';
import type { EngagementOptions } from './engagement-options';

/** How one run ended. */
export type AccountJobOutcome = 'done' | 'skipped' | 'busy' | 'auth_expired' | 'disconnected' | 'rate_limited' | 'failed';

/** Runs `work` for the account under the job frame; `intervalMs` is the normal gap to the next run. */
export async function runAccountJob(
  services: AppServices,
  opts: EngagementOptions,
  job: { task: string; accountId: string; intervalMs: number; needs: (c: AnyConnector) => boolean },
  work: (account: AccountRow, connector: AnyConnector) => Promise<void>,
): Promise<AccountJobOutcome> {
  const db = services.database.db;
  const lease = leaseKey(job.task, job.accountId);
  const leaseUntil = new Date(services.now().getTime() + opts.leaseMs).toISOString();
  if (!(await takeUntil(db, lease, services.now().toISOString(), leaseUntil))) return 'busy';
  const release = () => releaseLease(db, lease, leaseUntil).catch((e: unknown) => services.log.warn({ err: e, task: job.task, accountId: job.accountId }, 'releasing the lease failed; it runs out by itself'));

  // Read under the lease, so the cursor is the one the previous run left.
  const account = await findAccountById(db, job.accountId);
  const connector = account && services.connectors.has(account.network) ? services.connectors.get(account.network) : null;
  if (!account || account.removed_at !== null || account.status !== 'ok' || !connector || !job.needs(connector)) {
    await release();
    return 'skipped';
  }
  const due = dueKey(job.task, account.id);
  const log = services.log.child({ task: job.task, accountId: account.id, network: account.network });
  const nextIn = async (ms: number, failures: number) => setDue(db, due, new Date(services.now().getTime() + ms).toISOString(), failures);
  try {
    await work(account, connector);
    await nextIn(job.intervalMs, 0);
    return 'done';
  } catch (e) {
    const failures = (await failuresOf(db, due)) + 1;
    if (e instanceof ConnectorError) {
      if (e.kind === 'auth_expired' || e.kind === 'disconnected') {
        const status = e.kind === 'auth_expired' ? 'needs_reconnect' : 'disconnected';
        const reason =
          e.kind === 'auth_expired'
            ? `${connector.displayName} refused the account's credentials: ${e.message}. Reconnect the account.`
            : `${connector.displayName} says the account is no longer available: ${e.message}`;
        await db.transaction().execute((trx) => flagAccount(services, trx, account, status, reason));
        log.warn({ kind: e.kind, message: e.message }, 'account flagged by a background job');
        await nextIn(job.intervalMs, 0);
        return e.kind;
      }
      if (e.kind === 'rate_limited') {
        const wait = Math.max(retryDelayMs(failures, opts.backoff, e.opts.retryAfterMs), opts.backoff.baseMs);
        log.info({ retryInMs: wait, failures }, 'rate limited; backing off');
        await nextIn(wait, failures);
        return 'rate_limited';
      }
      log.warn({ kind: e.kind, message: e.message, failures }, 'background job failed; retrying next round');
    } else {
      log.error({ err: e, failures }, 'background job failed; retrying next round');
    }
    await nextIn(job.intervalMs, failures);
    return 'failed';
  } finally {
    await release();
  }
}
