/**
 * Bluesky rich text: lengths (graphemes and UTF-8 bytes) and facet detection for links, mentions,
 * hashtags and cashtags with UTF-8 byte offsets, behaving like @atproto/api's `detectFacets` (same
 * regular expressions, same TLD list) so a post Herald publishes looks exactly like one the Bluesky app
 * would have made from the same text.
 */
import { topLevelDomains } from './bluesky-tlds';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Bluesky's post limits (lexicon app.bsky.feed.post: maxGraphemes 300, maxLength 3000 bytes). */
export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_TEXT_BYTES = 3000;

/** Length in UTF-8 bytes, the unit facet offsets and the lexicon's maxLength use. */
export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

/** Extended grapheme clusters, what a person counts as characters (Intl.Segmenter, ICU's Unicode rules). */
export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** Converts a UTF-16 index (JavaScript string index) into the matching UTF-8 byte offset. */
export function utf16IndexToUtf8Index(text: string, index: number): number {
  return utf8Length(text.slice(0, index));
}

/** A byte range in the UTF-8 encoded text; start inclusive, end exclusive. */
export interface ByteSlice {
  byteStart: number;
  byteEnd: number;
}

/** Facet features as the app.bsky.richtext.facet lexicon defines them. */
export type FacetFeature =
  | { $type: 'app.bsky.richtext.facet#mention'; did: string }
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

/** A facet ready to put into a record. */
export interface Facet {
  $type?: 'app.bsky.richtext.facet';
  index: ByteSlice;
  features: FacetFeature[];
}

/**
 * A facet found in text before mention resolution: mentions carry the handle (without "@") and must be
 * turned into DIDs with `resolveMentions` before publishing.
 */
export type DetectedFacet =
  | { index: ByteSlice; kind: 'mention'; handle: string }
  | { index: ByteSlice; kind: 'link'; uri: string }
  | { index: ByteSlice; kind: 'tag'; tag: string };

// The regular expressions of @atproto/api (packages/api/src/rich-text/util.ts), kept identical on purpose.
const MENTION_REGEX = /(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g;
const URL_REGEX = /(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim;
const TRAILING_PUNCTUATION_REGEX = /\p{P}+$/gu;
// `\ufe0f` is the emoji presentation selector; the others are zero-width characters.
const TAG_REGEX =
  // eslint-disable-next-line no-misleading-character-class
  /(^|\s)[#＃]((?!\ufe0f)[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*[^\d\s\p{P}\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]+[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*)?/gu;
const CASHTAG_REGEX = /(^|\s|\()\$([A-Za-z][A-Za-z0-9]{0,4})(?=\s|$|[.,;:!?)"'\u2019])/gu;

/** True when the text ends in ".<known TLD>" (case-sensitive, as Bluesky checks it). */
function isValidDomain(s: string): boolean {
  const dot = s.lastIndexOf('.');
  return dot >= 0 && topLevelDomains.has(s.slice(dot + 1));
}

/**
 * Finds mentions, links, hashtags and cashtags in `text`, in text order (sorted by byteStart).
 * Bare domains ("example.com/x") become https links; trailing punctuation is left out of links and tags.
 */
export function detectFacets(text: string): DetectedFacet[] {
  const facets: DetectedFacet[] = [];
  const at = (i: number) => utf16IndexToUtf8Index(text, i);
  let m: RegExpExecArray | null;

  const mentions = new RegExp(MENTION_REGEX.source, MENTION_REGEX.flags);
  while ((m = mentions.exec(text))) {
    const handle = m[3]!;
    if (!isValidDomain(handle) && !handle.endsWith('.test')) continue; // probably not a handle
    const start = text.indexOf(handle, m.index) - 1;
    facets.push({ index: { byteStart: at(start), byteEnd: at(start + handle.length + 1) }, kind: 'mention', handle });
  }

  const urls = new RegExp(URL_REGEX.source, URL_REGEX.flags);
  while ((m = urls.exec(text))) {
    const matched = m[2]!;
    let uri = matched;
    if (!uri.startsWith('http')) {
      const domain = m.groups?.domain;
      if (!domain || !isValidDomain(domain)) continue;
      uri = `https://${uri}`;
    }
    const start = text.indexOf(matched, m.index);
    let end = start + matched.length;
    if (/[.,;:!?]$/.test(uri)) {
      uri = uri.slice(0, -1);
      end--;
    }
    if (/[)]$/.test(uri) && !uri.includes('(')) {
      uri = uri.slice(0, -1);
      end--;
    }
    facets.push({ index: { byteStart: at(start), byteEnd: at(end) }, kind: 'link', uri });
  }

  const tags = new RegExp(TAG_REGEX.source, TAG_REGEX.flags);
  while ((m = tags.exec(text))) {
    const leading = m[1]!;
    let tag = m[2];
    if (!tag) continue;
    tag = tag.trim().replace(TRAILING_PUNCTUATION_REGEX, '');
    if (tag.length === 0 || tag.length > 64) continue;
    const index = m.index + leading.length;
    facets.push({ index: { byteStart: at(index), byteEnd: at(index + 1 + tag.length) }, kind: 'tag', tag });
  }

  const cashtags = new RegExp(CASHTAG_REGEX.source, CASHTAG_REGEX.flags);
  while ((m = cashtags.exec(text))) {
    const leading = m[1]!;
    const ticker = m[2];
    if (!ticker) continue;
    const index = m.index + leading.length;
    facets.push({ index: { byteStart: at(index), byteEnd: at(index + 1 + ticker.length) }, kind: 'tag', tag: `$${ticker.toUpperCase()}` });
  }

  // Stable sort, like RichText's facetSort.
  return facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
}

/**
 * Turns detected facets into record facets. Each distinct handle is resolved once; a mention whose
 * handle does not resolve (null) gets no facet, so the text stays plain there.
 */
export async function resolveMentions(
  detected: DetectedFacet[],
  resolveHandle: (handle: string) => Promise<string | null>,
): Promise<Facet[]> {
  const handles = [...new Set(detected.flatMap((f) => (f.kind === 'mention' ? [f.handle.toLowerCase()] : [])))];
  const dids = new Map<string, string | null>();
  await Promise.all(handles.map(async (h) => dids.set(h, await resolveHandle(h))));
  const out: Facet[] = [];
  for (const f of detected) {
    if (f.kind === 'mention') {
      const did = dids.get(f.handle.toLowerCase());
      if (did) out.push({ $type: 'app.bsky.richtext.facet', index: f.index, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
    } else if (f.kind === 'link') {
      out.push({ $type: 'app.bsky.richtext.facet', index: f.index, features: [{ $type: 'app.bsky.richtext.facet#link', uri: f.uri }] });
    } else {
      out.push({ $type: 'app.bsky.richtext.facet', index: f.index, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: f.tag }] });
    }
  }
  return out;
}

/** One piece of text with the facet covering it, if any (what RichText.segments() yields). */
export interface RichTextSegment {
  text: string;
  facet?: Facet;
}

/** Splits text into plain and faceted segments, e.g. for a preview; facets must be sorted and disjoint. */
export function segmentText(text: string, facets: Facet[]): RichTextSegment[] {
  const bytes = encoder.encode(text);
  const slice = (a: number, b?: number) => decoder.decode(bytes.slice(a, b));
  const valid = facets.filter((f) => f.index.byteStart <= f.index.byteEnd).sort((a, b) => a.index.byteStart - b.index.byteStart);
  if (!valid.length) return [{ text }];
  const out: RichTextSegment[] = [];
  let cursor = 0;
  for (const f of valid) {
    if (cursor < f.index.byteStart) out.push({ text: slice(cursor, f.index.byteStart) });
    else if (cursor > f.index.byteStart) continue; // overlapping facet: skip, as the app does
    if (f.index.byteStart < f.index.byteEnd) {
      const segText = slice(f.index.byteStart, f.index.byteEnd);
      // Facets covering only whitespace are not rendered as facets.
      out.push(segText.trim() ? { text: segText, facet: f } : { text: segText });
    }
    cursor = f.index.byteEnd;
  }
  if (cursor < bytes.length) out.push({ text: slice(cursor) });
  return out;
}
