/**
 * The Bluesky connector as the real-network suites drive it: a loopback-only context that records the
 * requests, and the account it connects, whose session follows what the connector saves (a refresh
 * mid-suite lands in the same `auth` the tests pass on).
 */
import { createBlueskyConnector, type BlueskyCredentials, type BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import type { AccountAuth, ConnectorContext } from '../../../src/connectors/connector';
import type { BlueskyTestAccount } from '../../support/bluesky-network';
import { loopbackFetch } from './loopback-fetch';

/** The connector, its context and `connect`; `pdsUrl` is read lazily (the network starts in a hook). */
export function connectedBluesky(pdsUrl: () => string) {
  const requests: string[] = [];
  const connector = createBlueskyConnector({ requestTimeoutMs: 10_000 });
  let auth: AccountAuth<BlueskyCredentials, BlueskySession> | null = null;
  const ctx: ConnectorContext<BlueskySession> = {
    fetch: loopbackFetch(requests),
    saveSession: async (s) => {
      if (auth) auth.session = s;
    },
    get defaultServiceUrl() {
      return pdsUrl();
    },
  };
  /** Connects `who` through the connector and returns the account as the engine would pass it. */
  const connect = async (who: BlueskyTestAccount, accountId: string): Promise<AccountAuth<BlueskyCredentials, BlueskySession>> => {
    const serviceUrl = pdsUrl();
    const connected = await connector.connect({ identifier: who.handle, appPassword: who.appPassword, serviceUrl }, ctx);
    auth = { accountId, externalId: connected.externalId, handle: connected.handle, serviceUrl, credentials: { identifier: who.handle, appPassword: who.appPassword, serviceUrl }, session: connected.session };
    return auth;
  };
  return { requests, connector, ctx, connect };
}
