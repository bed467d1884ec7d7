/**
 * What connectors get from Herald for one account: decrypted auth and an I/O context whose
 * `saveSession` seals refreshed tokens straight back into the account row.
 */
import type { AccountAuth, ConnectorContext } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { saveAccountSession } from '../repositories/accounts.repository';
import type { AppServices } from '../server/services';

/** SecretBox context of an account's sealed credentials. */
export const credentialsContext = (accountId: string) => `account:${accountId}:credentials`;
/** SecretBox context of an account's sealed session. */
export const sessionContext = (accountId: string) => `account:${accountId}:session`;

/** Opens an account's credentials and session for a connector call. */
export function accountAuth(services: AppServices, account: AccountRow): AccountAuth {
  return {
    accountId: account.id,
    externalId: account.external_id,
    handle: account.handle,
    serviceUrl: account.service_url,
    credentials: services.secrets.open(account.credentials_enc, credentialsContext(account.id)),
    session: account.session_enc ? services.secrets.open(account.session_enc, sessionContext(account.id)) : null,
  };
}

/** A connector context for calls on behalf of `accountId`, aborting after `timeoutMs`. */
export function accountContext(services: AppServices, accountId: string, timeoutMs: number): ConnectorContext {
  return {
    fetch: services.fetch,
    signal: AbortSignal.timeout(timeoutMs),
    defaultServiceUrl: services.config.blueskyDefaultService,
    saveSession: async (session) => {
      await saveAccountSession(services.database.db, accountId, services.secrets.seal(session, sessionContext(accountId)), services.now().toISOString());
    },
  };
}
