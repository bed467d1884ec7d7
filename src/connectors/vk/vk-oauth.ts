/**
 * VK ID (OAuth 2.1 with PKCE) for the VK connector: the authorize URL, the code exchange and the
 * refresh, as id.vk.com documents them
 * (https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/api-integration/api-description):
 *
 *   GET  {id}/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&code_challenge_method&scope
 *   POST {id}/oauth2/auth  grant_type=authorization_code  code, code_verifier, redirect_uri, client_id, device_id, state
 *   POST {id}/oauth2/auth  grant_type=refresh_token       refresh_token, client_id, device_id, state
 *     → { access_token, refresh_token, id_token?, token_type, expires_in, user_id, state, scope }
 *     ✗ { error, error_description, state? }
 *
 * The access token lives one hour (expires_in = 3600); each refresh returns a new refresh token that
 * replaces the old one, so the newest pair always goes into the account's session. The refresh token
 * lives 180 days (VK ID "Refresh token" page); Herald reports that as the account's expiry, renewed
 * by every refresh.
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError } from '../connector';
import { sendForJson, type VkIo } from './vk-api';

/** Access VK ID asks the user for: posting, photo upload, community info, community statistics. */
export const VK_ID_SCOPES = ['wall', 'photos', 'groups', 'stats'] as const;
/** How long a refresh token stays usable after it is issued. */
export const VK_REFRESH_TOKEN_LIFETIME_MS = 180 * 24 * 3_600_000;

/** Tokens as VK ID returns them, with absolute expiry times. */
export interface VkIdTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token stops working (ISO). */
  accessExpiresAt: string;
  /** When the refresh token stops working (ISO). */
  refreshExpiresAt: string;
  userId: number;
  scope: string | null;
}

/** The authorize URL the user is sent to. */
export function vkIdAuthorizeUrl(idBaseUrl: string, p: { clientId: string; redirectUri: string; state: string; codeChallenge: string }): string {
  const u = new URL(`${idBaseUrl}/authorize`);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('state', p.state);
  u.searchParams.set('code_challenge', p.codeChallenge);
  u.searchParams.set('code_challenge_method', 'S256');
  u.searchParams.set('scope', VK_ID_SCOPES.join(' '));
  return u.href;
}

/** A fresh `state` for token requests (VK ID requires one on every call; 32+ characters). */
export function newVkIdState(): string {
  return randomBytes(24).toString('base64url');
}

interface TokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  user_id?: unknown;
  scope?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** Posts one grant to {id}/oauth2/auth and checks the answer. */
export async function vkIdTokenRequest(
  io: VkIo,
  idBaseUrl: string,
  form: Record<string, string>,
  what: string,
  now: () => number = Date.now,
): Promise<VkIdTokens> {
  const body = new URLSearchParams(form);
  const a = (await sendForJson(io, `${idBaseUrl}/oauth2/auth`, { body, write: false, what })) as TokenAnswer | null;
  if (!a || typeof a !== 'object') throw new ConnectorError('retryable', `VK ID answered without tokens while trying to ${what}`);
  if (typeof a.error === 'string') {
    const desc = typeof a.error_description === 'string' && a.error_description ? `: ${a.error_description}` : '';
    // invalid_grant / invalid_request / invalid_client: the code, verifier or refresh token is not
    // (or no longer) accepted; only a new sign-in helps.
    if (a.error === 'slow_down' || a.error === 'temporarily_unavailable' || a.error === 'server_error') {
      throw new ConnectorError('retryable', `VK ID is unavailable while trying to ${what} (${a.error}${desc})`, { networkCode: a.error, retryAfterMs: 30_000 });
    }
    throw new ConnectorError('auth_expired', `VK ID refused to ${what} (${a.error}${desc}); connect the account with VK ID again`, { networkCode: a.error });
  }
  const userId = typeof a.user_id === 'number' ? a.user_id : typeof a.user_id === 'string' && /^\d+$/.test(a.user_id) ? Number(a.user_id) : NaN;
  if (typeof a.access_token !== 'string' || typeof a.refresh_token !== 'string' || typeof a.expires_in !== 'number' || !Number.isFinite(userId)) {
    throw new ConnectorError('retryable', `VK ID answered without a usable token set while trying to ${what}`);
  }
  const t = now();
  return {
    accessToken: a.access_token,
    refreshToken: a.refresh_token,
    accessExpiresAt: new Date(t + a.expires_in * 1000).toISOString(),
    refreshExpiresAt: new Date(t + VK_REFRESH_TOKEN_LIFETIME_MS).toISOString(),
    userId,
    scope: typeof a.scope === 'string' ? a.scope : null,
  };
}
