/**
 * What connectors get from Herald for one account: decrypted auth and an I/O context whose
 * `saveSession` seals refreshed tokens straight back into the account row (with the token's new
 * expiry when the connector reports one).
 */
import type { AccountAuth, ConnectorContext } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { saveAccountSession } from '../repositories/accounts.repository';
import type { AppServices } from '../server/services';

/** SecretBox context of an account's sealed credentials. */
export const credentialsContext = (accountId: string) => `account:${accountId}:credentials`;
/** SecretBox context of an account's sealed session. */
export const sessionContext = (accountId: string) => `account:${accountId}:session`;

/**
 * An expiry as stored: a canonical ISO instant, or null for "no known expiry" (also for a value that
 * is not a date, so a connector's mistake cannot make an account look expired).
 */
export function normalizeExpiry(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

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

/** The limits the account's server announced at connect (ConnectedAccount.networkLimits), or null. */
export function accountNetworkLimits(account: Pick<AccountRow, 'network_limits'>): Record<string, number> | null {
  if (!account.network_limits) return null;
  try {
    const raw: unknown = JSON.parse(account.network_limits);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    return out;
  } catch {
    return null;
  }
}

/** A connector context for calls on behalf of `accountId`, aborting after `timeoutMs`. */
export function accountContext(services: AppServices, accountId: string, timeoutMs: number): ConnectorContext {
  return {
    fetch: services.fetch,
    signal: AbortSignal.timeout(timeoutMs),
    defaultServiceUrl: services.config.blueskyDefaultService,
    saveSession: async (session, meta) => {
      const expiresAt = meta && 'expiresAt' in meta && meta.expiresAt !== undefined ? normalizeExpiry(meta.expiresAt) : undefined;
      await saveAccountSession(services.database.db, accountId, services.secrets.seal(session, sessionContext(accountId)), services.now().toISOString(), expiresAt);
    },
  };
}
