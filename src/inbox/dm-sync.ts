/**
 * Reading direct messages for connectors whose `directMessages.fetch` reads them apart from comments,
 * with the account's own DM cursor (`inbox_dm_cursors`). Connectors that see DMs in their comments
 * pass (one update stream per account) have no `fetch` and deliver them as `kind: 'dm'` there.
 * The inbound sync stores the result in the same transaction as the comments and saves the cursor; a
 * temporary DM failure skips DMs for this round (comments still commit), a refused account fails it.
 */
import { ConnectorError, type AnyConnector, type InboundMessage } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { accountAuth, accountContext } from '../publishing/connector-context';
import { dmCursorOf } from '../repositories/inbox-moderation.repository';
import type { AppServices } from '../server/services';

/** New direct messages of the account, or null when its connector reads none separately. */
export async function fetchDirectMessages(
  services: AppServices,
  account: AccountRow,
  connector: AnyConnector,
  timeoutMs: number,
): Promise<{ items: InboundMessage[]; cursor: string | null; previous: string | null } | null> {
  const fetchDms = connector.directMessages?.fetch;
  if (!fetchDms) return null;
  const previous = await dmCursorOf(services.database.db, account.id);
  let r: { items: InboundMessage[]; cursor: string | null };
  try {
    r = await fetchDms({ auth: accountAuth(services, account), cursor: previous }, accountContext(services, account.id, timeoutMs));
  } catch (e) {
    // DMs are a separate service on some networks: their trouble must not hold back the comments. The
    // DM cursor stays where it was, so the next sync reads them. A refused account still stops the sync.
    if (e instanceof ConnectorError && e.kind !== 'auth_expired' && e.kind !== 'disconnected') {
      services.log.warn({ accountId: account.id, network: account.network, kind: e.kind, err: e.message }, 'direct messages not read this time');
      return null;
    }
    throw e;
  }
  // Whatever the connector returns, these are direct messages: they thread per correspondent.
  return { items: r.items.map((i) => (i.kind === 'dm' ? i : { ...i, kind: 'dm' as const })), cursor: r.cursor, previous };
}
