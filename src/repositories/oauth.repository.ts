/**
 * OAuth authorizations in progress (`oauth_states`, keyed by the sha256 of the state the network
 * echoes back) and per-server OAuth app registrations (`oauth_apps`). Secrets inside (the PKCE
 * verifier, what the connector keeps, the app's client secret) arrive here already sealed.
 */
import type { Selectable } from 'kysely';
import type { OAuthStatesTable } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** A stored OAuth state row. */
export type OAuthStateRow = Selectable<OAuthStatesTable>;

/** Stores a new authorization in progress. */
export async function insertOAuthState(db: Executor, row: OAuthStateRow): Promise<void> {
  await db.insertInto('oauth_states').values(row).execute();
}

/**
 * Removes and returns the state with this id in one statement, so a state can be used once only even
 * when the callback arrives twice at once (the loser gets undefined).
 */
export async function takeOAuthState(db: Executor, id: string): Promise<OAuthStateRow | undefined> {
  return db.deleteFrom('oauth_states').where('id', '=', id).returningAll().executeTakeFirst();
}

/** Deletes states that expired before `now`; returns how many. */
export async function deleteExpiredOAuthStates(db: Executor, now: string): Promise<number> {
  const r = await db.deleteFrom('oauth_states').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The sealed app registration of `network` on `serviceUrl`, if any. */
export async function findOAuthApp(db: Executor, network: string, serviceUrl: string): Promise<string | undefined> {
  const row = await db.selectFrom('oauth_apps').select('app_enc').where('network', '=', network).where('service_url', '=', serviceUrl).executeTakeFirst();
  return row?.app_enc;
}

/** Stores (or replaces) the sealed app registration of `network` on `serviceUrl`. */
export async function upsertOAuthApp(db: Executor, network: string, serviceUrl: string, appEnc: string, now: string): Promise<void> {
  await db
    .insertInto('oauth_apps')
    .values({ network, service_url: serviceUrl, app_enc: appEnc, created_at: now })
    .onConflict((oc) => oc.columns(['network', 'service_url']).doUpdateSet({ app_enc: appEnc, created_at: now }))
    .execute();
}
