/**
 * Connecting accounts by OAuth 2 authorization code (with PKCE), for any connector that declares the
 * `oauth` capability. Herald owns the parts that must be the same for every network:
 * - the `state` (32 random bytes; only its sha256 is stored, so a database reader cannot finish
 *   someone's sign-in) bound to the workspace and the user who started, valid 10 minutes, used once;
 * - the PKCE pair (S256); the verifier and whatever the connector asked to keep are sealed at rest;
 * - the redirect URI `${publicUrl}/api/v1/oauth/callback/<network>`;
 * - the app registrations a connector stores per server (sealed, in `oauth_apps`).
 * The credentials `finish` yields then go through the ordinary connect / reconnect use cases, so an
 * OAuth account is checked with the network and stored exactly like one connected by form.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError, type AnyConnector, type OAuthAppStore, type OAuthContext } from '../connectors/connector';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { isId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { findOAuthApp, insertOAuthState, takeOAuthState, upsertOAuthApp } from '../repositories/oauth.repository';
import type { AppServices, UseCaseContext } from '../server/services';
import { connectAccount, reconnectAccount } from './accounts.use-case';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** How long a started sign-in may take before its state is refused. */
export const oauthStateTtlMs = 10 * 60_000;
/** Network calls of the OAuth steps are aborted after this long. */
const oauthRequestTimeoutMs = 30_000;

/** Body of `POST …/accounts/oauth/start`. */
export const startOAuthSchema = z
  .object({
    network: z.string().min(1).max(100),
    serviceUrl: z.string().min(1).max(2000).optional(),
    accountId: z.string().optional(),
    /** Values of the connector's `oauth.startFields` (e.g. the community or group to post to). */
    fields: z.record(z.string(), z.string().max(2000)).optional(),
  })
  .strict();

/** What starting a sign-in yields: where to send the user's browser. */
export interface OAuthStart {
  authorizeUrl: string;
  expiresAt: string;
}

/** What a finished sign-in yields. */
export interface OAuthFinish {
  accountId: string;
  /** True when an existing account got new credentials (its held posts resume). */
  reconnected: boolean;
}

/**
 * A sign-in that cannot be completed; the message is written for the person in the browser and
 * carries no secret (it ends up in the redirect URL).
 */
export class OAuthCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthCallbackError';
  }
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const stateKey = (stateId: string) => `oauth-state:${stateId}`;

/** The redirect URI registered with networks for `network`. */
export function oauthRedirectUri(services: AppServices, network: string): string {
  return `${services.config.publicUrl.replace(/\/+$/, '')}/api/v1/oauth/callback/${encodeURIComponent(network)}`;
}

/** A fresh PKCE pair (RFC 7636, S256): a 43-character verifier and its challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * A server address as users type it (`mastodon.social`, `https://example.social/`) in one canonical
 * form (scheme, host, path without trailing slash), so app registrations are found again.
 */
export function normaliseServiceUrl(raw: string): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ValidationError(`"${trimmed.slice(0, 200)}" is not a server address; write it like mastodon.social or https://mastodon.social`, [{ path: 'serviceUrl', code: 'invalid_url', message: 'not a server address' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError('The server address must start with https://', [{ path: 'serviceUrl', code: 'invalid_url', message: 'http(s) address expected' }]);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ValidationError('The server address must be just the server (no user name, query or #fragment)', [{ path: 'serviceUrl', code: 'invalid_url', message: 'plain server address expected' }]);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The `OAuthContext.apps` store of one network: `oauth_apps`, sealed per (network, server). */
export function oauthAppStore(services: AppServices, network: string): OAuthAppStore {
  const db = services.database.db;
  const context = (serviceUrl: string) => `oauth-app:${network}:${serviceUrl}`;
  return {
    async get(serviceUrl) {
      const sealed = await findOAuthApp(db, network, serviceUrl);
      return sealed ? services.secrets.open<Record<string, string>>(sealed, context(serviceUrl)) : null;
    },
    async put(serviceUrl, app) {
      await upsertOAuthApp(db, network, serviceUrl, services.secrets.seal(app, context(serviceUrl)), services.now().toISOString());
    },
  };
}

function oauthContext(services: AppServices, network: string): OAuthContext {
  return { fetch: services.fetch, signal: AbortSignal.timeout(oauthRequestTimeoutMs), apps: oauthAppStore(services, network) };
}

function oauthConnector(services: AppServices, network: string): AnyConnector & { oauth: NonNullable<AnyConnector['oauth']> } {
  const connector = services.connectors.get(network);
  if (!connector.oauth) {
    throw new DomainError(400, 'Bad request', `${connector.displayName} does not connect by OAuth sign-in; connect it with its credential fields instead`);
  }
  return connector as AnyConnector & { oauth: NonNullable<AnyConnector['oauth']> };
}

/**
 * The start fields as the connector declared them: required ones present (after trimming), unknown
 * ones refused by name, values trimmed. Every problem is listed at once.
 */
function startFieldValues(connector: AnyConnector & { oauth: NonNullable<AnyConnector['oauth']> }, given: Record<string, string>): Record<string, string> {
  const declared = connector.oauth.startFields ?? [];
  const errors: Array<{ path: string; code: string; message: string }> = [];
  const out: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!declared.some((f) => f.name === name)) errors.push({ path: `fields.${name}`, code: 'unknown_field', message: `${connector.displayName} sign-in has no field "${name}"` });
  }
  for (const f of declared) {
    const v = given[f.name]?.trim() ?? '';
    if (v) out[f.name] = v;
    else if (f.required) errors.push({ path: `fields.${f.name}`, code: 'required', message: `${f.label} is required` });
  }
  if (errors.length) throw new ValidationError(`Before signing in to ${connector.displayName}: ${errors.map((e) => e.message).join('; ')}`, errors);
  return out;
}

/**
 * Starts a sign-in: checks the network can do it, stores the state and PKCE verifier, and returns the
 * network's authorization URL. With `accountId` the finished sign-in reconnects that account.
 */
export async function startOAuth(ctx: UseCaseContext, raw: z.input<typeof startOAuthSchema>): Promise<OAuthStart> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'accounts.manage');
  if (ctx.actor.kind !== 'user') throw new DomainError(400, 'Bad request', 'An OAuth sign-in needs a person in a browser; connect from the web app or with a credential form');
  const input = parseInput(startOAuthSchema, raw);
  const connector = oauthConnector(ctx.services, input.network);
  const available = connector.oauth.available();
  if (!available.ok) throw new DomainError(400, 'OAuth not available', `${connector.displayName} sign-in is not set up on this Herald: ${available.reason}`);

  let serviceUrl = input.serviceUrl === undefined ? null : normaliseServiceUrl(input.serviceUrl);
  let accountId: string | null = null;
  if (input.accountId !== undefined) {
    const account = isId(input.accountId) ? await findAccount(ctx.db, ctx.workspaceId, input.accountId) : undefined;
    if (!account) throw new NotFoundError('Account');
    if (account.network !== connector.id) {
      throw new ValidationError(`That account is on ${account.network}, not ${connector.id}`, [{ path: 'accountId', code: 'network_mismatch', message: 'account of another network' }]);
    }
    accountId = account.id;
    serviceUrl ??= account.service_url;
  }
  if (connector.oauth.needsServiceUrl && !serviceUrl) {
    throw new ValidationError(`Name your ${connector.displayName} server (for example mastodon.social) to sign in`, [{ path: 'serviceUrl', code: 'required', message: 'server address required' }]);
  }

  const fields = startFieldValues(connector, input.fields ?? {});

  const state = randomBytes(32).toString('base64url');
  const stateId = sha256Hex(state);
  const { verifier, challenge } = pkcePair();
  const redirectUri = oauthRedirectUri(ctx.services, connector.id);
  let begun: { authorizeUrl: string; keep?: Record<string, string> };
  try {
    begun = await connector.oauth.begin({ serviceUrl, redirectUri, state, codeChallenge: challenge, fields }, oauthContext(ctx.services, connector.id));
  } catch (e) {
    if (e instanceof ConnectorError) {
      const path = connector.oauth.startFields?.length ? 'fields' : 'serviceUrl';
      if (e.kind === 'invalid_content') throw new ValidationError(`${connector.displayName} refused to start the sign-in: ${e.message}`, [{ path, code: e.kind, message: e.message }]);
      throw new DomainError(502, 'Network unavailable', `${connector.displayName} could not be reached to start the sign-in: ${e.message}. Try again.`);
    }
    throw e;
  }
  const authorizeUrl = new URL(begun.authorizeUrl);
  if (authorizeUrl.protocol !== 'https:' && authorizeUrl.protocol !== 'http:') throw new Error(`connector ${connector.id} returned a non-http authorize URL`);

  const now = ctx.services.now();
  const expiresAt = new Date(now.getTime() + oauthStateTtlMs).toISOString();
  await insertOAuthState(ctx.db, {
    id: stateId,
    workspace_id: ctx.workspaceId,
    user_id: ctx.actor.userId,
    network: connector.id,
    service_url: serviceUrl,
    account_id: accountId,
    redirect_uri: redirectUri,
    verifier_enc: ctx.services.secrets.seal(verifier, stateKey(stateId)),
    keep_enc: ctx.services.secrets.seal(begun.keep ?? {}, stateKey(stateId)),
    created_at: now.toISOString(),
    expires_at: expiresAt,
  });
  ctx.services.log.info({ network: connector.id, workspaceId: ctx.workspaceId, reconnect: accountId !== null }, 'oauth sign-in started');
  return { authorizeUrl: authorizeUrl.toString(), expiresAt };
}

/** Control characters out, length capped: network words end up in a URL and on a page. */
function plainWords(s: string, max = 300): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Finishes a sign-in from the network's callback. `query` is every query parameter of the callback;
 * `sessionUserId` is the Herald user signed in in this browser, if any (it must be the one who
 * started). Every refusal is an {@link OAuthCallbackError} with words for the user.
 */
export async function finishOAuth(services: AppServices, input: { network: string; query: Record<string, string>; sessionUserId: string | null }): Promise<OAuthFinish> {
  const { network, query } = input;
  const state = query.state;
  if (!state) throw new OAuthCallbackError('The sign-in answer is incomplete (it carries no state). Start connecting the account again.');
  const row = await takeOAuthState(services.database.db, sha256Hex(state));
  if (!row) throw new OAuthCallbackError('This sign-in link is unknown, has expired or was already used. Start connecting the account again.');
  if (row.network !== network) throw new OAuthCallbackError('This sign-in answer belongs to another network. Start connecting the account again.');
  if (Date.parse(row.expires_at) <= services.now().getTime()) {
    throw new OAuthCallbackError(`The sign-in took longer than ${oauthStateTtlMs / 60_000} minutes and has expired. Start connecting the account again.`);
  }
  if (input.sessionUserId !== null && input.sessionUserId !== row.user_id) {
    throw new OAuthCallbackError('You are signed in to Herald as a different person than the one who started this sign-in; nothing was connected.');
  }
  const connector = services.connectors.has(network) ? services.connectors.get(network) : null;
  if (!connector?.oauth) throw new OAuthCallbackError('This network no longer connects by OAuth sign-in on this Herald.');
  const name = connector.displayName;
  if (query.error) {
    if (query.error === 'access_denied') throw new OAuthCallbackError(`You declined access on ${name}; nothing was connected.`);
    throw new OAuthCallbackError(`${name} refused the sign-in: ${plainWords(query.error_description || query.error)}`);
  }
  if (!query.code) throw new OAuthCallbackError(`${name} sent no authorization code. Start connecting the account again.`);

  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (k !== 'code' && k !== 'state') params[k] = v;
  let credentials: unknown;
  try {
    credentials = await connector.oauth.finish(
      {
        serviceUrl: row.service_url,
        redirectUri: row.redirect_uri,
        code: query.code,
        codeVerifier: services.secrets.open<string>(row.verifier_enc, stateKey(row.id)),
        keep: services.secrets.open<Record<string, string>>(row.keep_enc, stateKey(row.id)),
        params,
      },
      oauthContext(services, network),
    );
  } catch (e) {
    if (e instanceof ConnectorError) throw new OAuthCallbackError(`${name} did not complete the sign-in: ${plainWords(e.message)}`);
    throw e;
  }
  if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) throw new Error(`connector ${network} returned credentials that are not an object`);

  const ctx: UseCaseContext = { actor: { kind: 'user', userId: row.user_id, via: 'session' }, workspaceId: row.workspace_id, db: services.database.db, services };
  const body = { credentials: credentials as Record<string, unknown> };
  try {
    if (row.account_id) {
      const r = await reconnectAccount(ctx, row.account_id, body);
      return { accountId: r.id, reconnected: true };
    }
    try {
      const r = await connectAccount(ctx, { network, ...body });
      return { accountId: r.id, reconnected: false };
    } catch (e) {
      // Signing in again with an account that is already here renews its credentials.
      const existing = e instanceof ConflictError ? e.extra.accountId : undefined;
      if (typeof existing !== 'string') throw e;
      const r = await reconnectAccount(ctx, existing, body);
      return { accountId: r.id, reconnected: true };
    }
  } catch (e) {
    if (e instanceof DomainError) throw new OAuthCallbackError(plainWords(e.message, 500));
    throw e;
  }
}
