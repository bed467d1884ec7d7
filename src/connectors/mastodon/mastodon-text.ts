/**
 * Mastodon's length rule, browser-safe (no Node modules): the server counts a status as the grapheme
 * clusters of its content warning plus its text after every URL is replaced by 23 characters and every
 * remote mention `@user@host` by `@user`. Two variants exist upstream and both are here:
 *
 * - the server's StatusLengthValidator, which decides whether a status is accepted: only URLs with a
 *   protocol get the concession (twitter-text's extractor with `extract_url_without_protocol: false`);
 * - the web composer's counter, which also shortens bare domains (`example.com`), IDN ones included.
 *
 * Herald validates with the server's rule (that is what makes the server refuse a post) and offers the
 * composer's for display. The URL rules follow twitter-text: a URL must not be glued to a preceding
 * letter, digit, `@`, `$` or `#`; its host must end in a real top-level domain; trailing punctuation is
 * not part of it; a URL longer than 4,096 characters gets no concession.
 */
import { topLevelDomains } from '../bluesky/bluesky-tlds';

/** What every URL counts as, whatever its length (Mastodon's `characters_reserved_per_url`). */
export const MASTODON_URL_LENGTH = 23;
/** twitter-text's MAX_URL_LENGTH: longer URLs are not extracted, so they count in full. */
const MAX_URL_LENGTH = 4096;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// Before such a character a grapheme boundary is certain (UAX #29: nothing joins an ASCII character,
// a non-Hangul letter or a pictograph to what precedes it, unless that ends in a mark or a ZWJ).
const safeBreakBefore = /[\x00-\x7f]|(?![\p{Script=Hangul}])\p{L}|\p{Extended_Pictographic}/u;
const joinsNext = /[\p{M}\u200d\r]$/u;
const CHUNK = 256;

/**
 * Extended grapheme clusters (what Ruby's `grapheme_clusters` and the composer count). V8's segment
 * iterator is quadratic on long strings (140,000 ASCII characters take ~50 s), so the text is cut into
 * short pieces at places where a boundary is certain and each piece is segmented on its own.
 */
export function graphemeCount(text: string): number {
  let n = 0;
  let from = 0;
  let i = CHUNK;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const isLow = cp >= 0xdc00 && cp <= 0xdfff;
    if (!isLow && safeBreakBefore.test(String.fromCodePoint(cp)) && !joinsNext.test(text.slice(Math.max(from, i - 2), i))) {
      for (const _ of segmenter.segment(text.slice(from, i))) n++;
      from = i;
      i += CHUNK;
    } else i++;
  }
  for (const _ of segmenter.segment(text.slice(from))) n++;
  return n;
}

/** One entity found in the text; `start`/`end` are UTF-16 offsets, end exclusive. */
export interface TextEntity {
  start: number;
  end: number;
  kind: 'url' | 'mention';
  /** For mentions: the local part (what is counted) and the host. */
  username?: string;
  host?: string;
}

// A domain character is anything but whitespace, ASCII punctuation and invisible formatting marks,
// as in twitter-text's validDomainChars; '-' may join characters inside a label.
const domainChar = /^[^\s!-/:-@\[-\x60{-~\u00a0\u1680\u180e\u2000-\u200b\u2028-\u202f\u205f\u3000\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]$/u;

// Characters that may not come right before a URL (twitter-text's validPrecedingChars, inverted).
const badBeforeUrl = /[A-Za-z0-9@＠$#＃\u202a-\u202e]$/;
// A bare domain may in addition not follow '-', '_', '.' or '/' (invalidUrlWithoutProtocolPrecedingChars).
const badBeforeBareUrl = /[-_./]$/;
// Trailing characters that end a sentence rather than a URL.
const trailingPunctuation = /[.,:;!?'"…)\]}>。、，！？」』】）]$/u;
const protocolAt = /https?:\/\//iy;
const portAt = /:\d{1,5}(?![\d])/y;
const pathRun = /[^\s<>"]*/y;

function isTopLevelDomain(label: string): boolean {
  const l = label.toLowerCase();
  return topLevelDomains.has(l) || /^xn--[a-z0-9-]+$/.test(l);
}

function isDomainCharAt(text: string, i: number): { ok: boolean; size: number } {
  const cp = text.codePointAt(i);
  if (cp === undefined) return { ok: false, size: 0 };
  const ch = String.fromCodePoint(cp);
  return { ok: domainChar.test(ch), size: ch.length };
}

/**
 * Reads a host starting at `i` (linear: one pass over the run of domain characters, dots and hyphens).
 * Returns its end offset, or -1 when there is no host with at least two labels and a real TLD.
 */
export function readHost(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text[j];
    if (c === '.' || c === '-' || c === '_') {
      j++;
      continue;
    }
    const d = isDomainCharAt(text, j);
    if (!d.ok) break;
    j += d.size;
  }
  // A host does not end with a dot, hyphen or underscore ("see example.com." ends a sentence).
  while (j > i && /[._-]/.test(text[j - 1]!)) j--;
  const host = text.slice(i, j);
  const labels = host.split('.');
  if (labels.length < 2) return -1;
  if (labels.some((l) => !l || l.startsWith('-') || l.endsWith('-'))) return -1;
  if (!isTopLevelDomain(labels[labels.length - 1]!)) return -1;
  return j;
}

/** Drops sentence punctuation from the end of a URL path; keeps a ')' that closes a '(' inside it. */
function trimPath(path: string): string {
  let p = path;
  for (;;) {
    if (!p || !trailingPunctuation.test(p)) return p;
    if (p.endsWith(')')) {
      const opens = (p.match(/\(/g) ?? []).length;
      const closes = (p.match(/\)/g) ?? []).length;
      if (opens >= closes) return p;
    }
    p = p.slice(0, -1);
  }
}

/** The end of a URL whose host starts at `hostStart`, or -1. */
function readUrlRest(text: string, hostStart: number): number {
  const hostEnd = readHost(text, hostStart);
  if (hostEnd < 0) return -1;
  let j = hostEnd;
  portAt.lastIndex = j;
  const port = portAt.exec(text);
  if (port) j += port[0].length;
  if (j < text.length && '/?#'.includes(text[j]!)) {
    pathRun.lastIndex = j;
    const run = pathRun.exec(text)?.[0] ?? '';
    j += trimPath(run).length;
  }
  return j;
}

/**
 * URLs in `text`. `withoutProtocol` also finds bare domains (the web composer does, the server's
 * length validator does not).
 */
export function extractUrls(text: string, opts: { withoutProtocol: boolean }): TextEntity[] {
  const out: TextEntity[] = [];
  let i = 0;
  while (i < text.length) {
    protocolAt.lastIndex = i;
    const proto = protocolAt.exec(text);
    const before = text.slice(Math.max(0, i - 2), i);
    let end = -1;
    if (proto) {
      if (!badBeforeUrl.test(before)) end = readUrlRest(text, i + proto[0].length);
    } else if (opts.withoutProtocol) {
      // A bare domain starts where a run of domain characters starts.
      const startsRun = i === 0 || !isDomainCharAt(text, i - 1).ok || /[\s]/.test(text[i - 1]!);
      const prevIsLowSurrogate = i > 0 && /[\udc00-\udfff]/.test(text[i]!);
      if (startsRun && !prevIsLowSurrogate && isDomainCharAt(text, i).ok && !badBeforeUrl.test(before) && !badBeforeBareUrl.test(before)) {
        end = readUrlRest(text, i);
      }
    }
    if (end > i) {
      if (end - i <= MAX_URL_LENGTH) out.push({ start: i, end, kind: 'url' });
      i = end;
      continue;
    }
    i++;
  }
  return out;
}

// Server side (Account::MENTION_RE): '@user' or '@user@host' not preceded by '=', '/' or a word character.
const serverMention = /(?<![=/\p{L}\p{M}\p{N}_])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([\p{L}\p{M}\p{N}_.-]*[\p{L}\p{M}\p{N}_]))?/giu;

/** A host Mastodon would accept in a mention: DNS-sized labels (1–63) and at most 253 characters. */
function plausibleHost(host: string): boolean {
  if (host.length > 253) return false;
  return host.split('.').every((l) => l.length >= 1 && l.length <= 63);
}

/** Mentions as the server's validator extracts them (local and remote). */
export function extractServerMentions(text: string): TextEntity[] {
  const out: TextEntity[] = [];
  for (const m of text.matchAll(serverMention)) {
    const [whole, username = '', host] = m;
    if (host !== undefined && !plausibleHost(host)) continue;
    out.push({ start: m.index, end: m.index + whole.length, kind: 'mention', username, ...(host ? { host } : {}) });
  }
  return out;
}

// Web composer: only remote mentions matter; the host must look like a real domain (known TLD).
const webMentionStart = /(^|[^/\w])@([a-z0-9_]+)@/giu;

/** Remote mentions as the web composer extracts them (JS string offsets of `@user@host`). */
export function extractMentionsWithIndices(text: string): Array<{ indices: [number, number]; username: string; host: string }> {
  const out: Array<{ indices: [number, number]; username: string; host: string }> = [];
  webMentionStart.lastIndex = 0;
  for (let m = webMentionStart.exec(text); m; m = webMentionStart.exec(text)) {
    const [whole, lead = '', username = ''] = m;
    const start = m.index + lead.length;
    const hostStart = m.index + whole.length;
    const hostEnd = readHost(text, hostStart);
    if (hostEnd < 0 || !plausibleHost(text.slice(hostStart, hostEnd))) {
      webMentionStart.lastIndex = start + 1;
      continue;
    }
    out.push({ indices: [start, hostEnd], username, host: text.slice(hostStart, hostEnd) });
    webMentionStart.lastIndex = hostEnd;
  }
  return out;
}

function rewrite(text: string, entities: TextEntity[], urlLength = MASTODON_URL_LENGTH): string {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    // twitter-text's remove_overlapping_entities: the first entity wins.
    if (e.start < at) continue;
    out += text.slice(at, e.start);
    out += e.kind === 'url' ? 'x'.repeat(urlLength) : `@${e.username ?? ''}`;
    at = e.end;
  }
  return out + text.slice(at);
}

/**
 * The text the server counts (URLs with a protocol → `urlLength` × 'x', `@user@host` → `@user`).
 * `urlLength` is the server's `characters_reserved_per_url` (23 on Mastodon; forks may differ).
 */
export function serverCountableText(text: string, urlLength = MASTODON_URL_LENGTH): string {
  if (!text) return '';
  return rewrite(text, [...extractUrls(text, { withoutProtocol: false }), ...extractServerMentions(text)], urlLength);
}

/** The text the web composer counts (bare domains shortened as well). */
export function countableText(text: string): string {
  if (!text) return '';
  const urls = extractUrls(text, { withoutProtocol: true });
  const withUrls = rewrite(text, urls);
  const mentions = extractMentionsWithIndices(withUrls).map<TextEntity>((m) => ({ start: m.indices[0], end: m.indices[1], kind: 'mention', username: m.username }));
  return rewrite(withUrls, mentions);
}

/** Mastodon's countable length of a status: content warning + text, in grapheme clusters. */
export function statusLength(text: string, spoilerText = '', urlLength = MASTODON_URL_LENGTH): number {
  return graphemeCount(spoilerText) + graphemeCount(serverCountableText(text, urlLength));
}
