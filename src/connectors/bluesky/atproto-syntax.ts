/**
 * AT Protocol string syntax checks (https://atproto.com/specs), written from the specs and held to the
 * official interop test files (bluesky-social/atproto-interop-tests, syntax/*.txt). Herald validates
 * identifiers it sends or stores with these instead of depending on @atproto/syntax.
 */

const HANDLE_REGEX = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const DID_REGEX = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const NSID_REGEX = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+(?:\.[a-zA-Z][a-zA-Z0-9]{0,62})$/;
const RECORD_KEY_REGEX = /^[a-zA-Z0-9_~.:-]{1,512}$/;
const TID_REGEX = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const DATETIME_REGEX =
  /^[0-9]{4}-(0[1-9]|1[012])-([0-2][0-9]|3[01])T([0-1][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([0-1][0-9]|2[0-3]):[0-5][0-9])$/;
// RFC 5646 (BCP 47) well-formedness: grandfathered tags, langtag, or private use. As the interop
// vectors require, the primary language subtag is lower-case and 2–3 or 5–8 letters (never 4); the
// private-use singleton "x" may be either case.
const LANGUAGE_REGEX =
  /^((en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE)|(art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang)|((([a-z]{2,3}(-([A-Za-z]{3}(-[A-Za-z]{3}){0,2}))?)|[a-z]{5,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-([0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+))*(-[xX](-[A-Za-z0-9]{1,8})+)?)|([xX](-[A-Za-z0-9]{1,8})+))$/;
// RFC 3986 scheme (letter, then letters, digits, + - .), then no whitespace.
const URI_REGEX = /^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/)?[^\s/][^\s]*$/;

/** A handle: a DNS name of at least two labels whose last label starts with a letter (≤ 253 chars). */
export function isValidHandle(s: string): boolean {
  return s.length <= 253 && HANDLE_REGEX.test(s);
}

/** A DID: `did:<lowercase method>:<id>` in the allowed ASCII set, not ending in ":" or "%" (≤ 2048 chars). */
export function isValidDid(s: string): boolean {
  return s.length <= 2048 && DID_REGEX.test(s);
}

/** An at-identifier: a DID or a handle. */
export function isValidAtIdentifier(s: string): boolean {
  return s.startsWith('did:') ? isValidDid(s) : isValidHandle(s);
}

/** An NSID such as app.bsky.feed.post (≤ 317 chars, ≥ 3 segments, name segment letters and digits). */
export function isValidNsid(s: string): boolean {
  return s.length <= 317 && NSID_REGEX.test(s);
}

/** A record key: 1–512 chars of [A-Za-z0-9_~.:-], not "." or "..". */
export function isValidRecordKey(s: string): boolean {
  return s !== '.' && s !== '..' && RECORD_KEY_REGEX.test(s);
}

/** A TID: 13 chars of base32-sortable with the top bit clear. */
export function isValidTid(s: string): boolean {
  return TID_REGEX.test(s);
}

/**
 * A strict AT-URI: at://<did or handle>[/<nsid>[/<record key>]], no query, fragment or trailing slash
 * (≤ 8 KB). This is the shape a record URI has.
 */
export function isValidAtUri(s: string): boolean {
  if (s.length > 8192 || !s.startsWith('at://')) return false;
  const parts = s.slice(5).split('/');
  if (parts.length > 3) return false;
  const [authority, collection, rkey] = parts;
  if (!authority || !isValidAtIdentifier(authority)) return false;
  if (collection !== undefined && !isValidNsid(collection)) return false;
  if (rkey !== undefined && !isValidRecordKey(rkey)) return false;
  return true;
}

/** Splits a record AT-URI into its parts, or returns null when it is not one. */
export function parseRecordUri(s: string): { repo: string; collection: string; rkey: string } | null {
  if (!isValidAtUri(s)) return null;
  const [repo, collection, rkey] = s.slice(5).split('/');
  return repo && collection && rkey ? { repo, collection, rkey } : null;
}

/** An atproto datetime: RFC 3339 with mandatory seconds and time zone, upper-case T and Z, not -00:00. */
export function isValidDatetime(s: string): boolean {
  if (s.length > 64 || s.endsWith('-00:00') || !DATETIME_REGEX.test(s)) return false;
  const year = new Date(s).getUTCFullYear();
  return !Number.isNaN(year) && year >= 0 && year <= 9999;
}

/** A well-formed BCP 47 language tag (syntax only; the tag need not be registered). */
export function isValidLanguage(s: string): boolean {
  return LANGUAGE_REGEX.test(s);
}

/** The lexicon's generic `uri` format: scheme, colon, no whitespace (≤ 8 KB). */
export function isValidUri(s: string): boolean {
  return s.length <= 8192 && URI_REGEX.test(s);
}
