/**
 * A connector failure that is about the account or the pace rather than the request itself, in the
 * terms a person acting on an inbox message reads: the network asks to slow down (429 with its wait),
 * or it refused the credentials / no longer has the account (the account is flagged, 409). The inbox's
 * reply and moderation use cases share it so both say and flag the same; what the request itself was
 * refused for, or an unreachable network, each words for its own action.
 */
import type { AnyConnector, ConnectorError } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { ConflictError, TooManyRequestsError } from '../domain/errors';
import type { UseCaseContext } from '../server/services';
import { flagAccount } from './account-flags';

/** Throws for `rate_limited`, `auth_expired` and `disconnected` (flagging the account for the last two); returns for any other kind. */
export async function throwIfAccountFailure(ctx: UseCaseContext, connector: AnyConnector, account: AccountRow, e: ConnectorError): Promise<void> {
  switch (e.kind) {
    case 'rate_limited':
      throw new TooManyRequestsError(`${connector.displayName} asks to slow down: ${e.message}`, Math.max(1, Math.ceil((e.opts.retryAfterMs ?? 60_000) / 1000)));
    case 'auth_expired':
    case 'disconnected': {
      const reason = e.kind === 'auth_expired' ? `${connector.displayName} refused the account's credentials: ${e.message}. Reconnect the account.` : `${connector.displayName} says the account is no longer available: ${e.message}`;
      await ctx.db.transaction().execute((trx) => flagAccount(ctx.services, trx, account, e.kind === 'auth_expired' ? 'needs_reconnect' : 'disconnected', reason));
      throw new ConflictError(reason);
    }
    default:
      return;
  }
}
