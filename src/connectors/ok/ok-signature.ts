/**
 * OK REST request signature, as https://apiok.ru/en/dev/methods ("Calculating request signature")
 * documents it:
 *  - without a session_secret_key: in a session, secret = lowercase MD5(access_token + application_secret_key);
 *    without a session, secret = application_secret_key;
 *  - access_token / session_key are left out of the signed parameters (and so is sig);
 *  - the remaining parameters are sorted by key and joined as key=value with nothing between them;
 *  - sig = lowercase MD5(joined + secret), over the UTF-8 bytes, values NOT URL-encoded.
 */
import { createHash } from 'node:crypto';

/** Lowercase hex MD5 of the UTF-8 bytes of `s`. */
export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex').toLowerCase();
}

/** The signing secret for a call in a session made with the application secret key. */
export function okSessionSecret(accessToken: string, applicationSecretKey: string): string {
  return md5Hex(accessToken + applicationSecretKey);
}

/** The string OK hashes: sorted key=value pairs without access_token, session_key and sig. */
export function okSignatureBase(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'access_token' && k !== 'session_key' && k !== 'sig')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('');
}

/** sig for `params` with the given secret (session_secret_key, or the derived one). */
export function okSign(params: Record<string, string>, secret: string): string {
  return md5Hex(okSignatureBase(params) + secret);
}
