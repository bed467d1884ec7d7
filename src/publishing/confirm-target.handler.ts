/**
 * The `confirm-target` job: after an attempt whose outcome is unknown (timeout after sending, crash,
 * expired lease) ask the network whether the post exists, looking it up by the idempotency key.
 * Found → published. Not found → scheduled again (a re-send is then safe). A connector that cannot
 * look posts up leaves the target `unconfirmed` for a person: Herald never re-sends blindly.
 */
import { ConnectorError } from '../connectors/connector';
import type { JobHandler } from '../jobs/job-queue';
import { findAccountById } from '../repositories/accounts.repository';
import { findTarget, updateTargetIf } from '../repositories/post-targets.repository';
import type { AppServices } from '../server/services';
import { backoffDelayMs } from './backoff';
import { accountAuth, accountContext } from './connector-context';
import { loadVariant, recordPublished, settleTarget } from './publish-target.handler';
import { enqueueConfirm, enqueuePublish } from './publish-jobs';
import type { PublishingOptions } from './publishing-options';

/** The `confirm-target` job handler. */
export function confirmTargetHandler(services: AppServices, opts: PublishingOptions): JobHandler {
  return async (payload) => {
    const targetId = typeof payload.targetId === 'string' ? payload.targetId : '';
    const check = typeof payload.check === 'number' ? payload.check : 1;
    const db = services.database.db;
    const t = await findTarget(db, targetId);
    if (!t || t.state !== 'unconfirmed') return;
    const now = services.now();
    const park = (message: string) =>
      updateTargetIf(db, t.id, ['unconfirmed'], { next_attempt_at: null, last_error_message: message, updated_at: now.toISOString() });

    const connector = services.connectors.has(t.network) ? services.connectors.get(t.network) : null;
    if (!connector?.findPublished) {
      await park(`${t.last_error_message ?? 'The outcome of the last attempt is unknown'}. Check the account and retry or cancel by hand.`);
      return;
    }
    const account = await findAccountById(db, t.account_id);
    if (!account || account.removed_at || account.status !== 'ok') {
      // Checked again when the account is reconnected.
      await park('The outcome of the last attempt is unknown and the account needs to be reconnected before Herald can check');
      return;
    }

    let found;
    try {
      found = await connector.findPublished(
        { auth: accountAuth(services, account), idempotencyKey: t.id, createdAt: t.created_at, variant: await loadVariant(services.database.db, t) },
        accountContext(services, account.id, opts.requestTimeoutMs),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ConnectorError && (err.kind === 'auth_expired' || err.kind === 'disconnected')) {
        await park(`Could not check whether the post went out: ${message}. Reconnect the account.`);
        return;
      }
      const delay = Math.max(
        err instanceof ConnectorError ? (err.opts.retryAfterMs ?? 0) : 0,
        backoffDelayMs(check, opts.backoff) + Math.floor(opts.backoff.baseMs / 2),
      );
      const retryAt = new Date(now.getTime() + delay);
      await db.transaction().execute(async (trx) => {
        const row = await updateTargetIf(trx, t.id, ['unconfirmed'], { next_attempt_at: retryAt.toISOString(), updated_at: now.toISOString() });
        if (row) await enqueueConfirm(services, trx, t.id, retryAt, check + 1);
      });
      return;
    }

    if (found) {
      await recordPublished(services, t, null, found);
      return;
    }
    if (t.attempts >= opts.maxAttempts) {
      await settleTarget(services, t, 'unconfirmed', 'failed', {
        next_attempt_at: null,
        last_error_message: `Gave up after ${t.attempts} attempts: ${t.last_error_message ?? 'no answer from the network'}`,
      }, { eventType: 'post.target.failed' });
      return;
    }
    // The network has no such post: the earlier attempt never landed, so sending again is safe.
    await settleTarget(services, t, 'unconfirmed', 'scheduled', { next_attempt_at: null }, { after: (trx) => enqueuePublish(services, trx, t.id, now) });
  };
}
