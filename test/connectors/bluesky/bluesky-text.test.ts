/**
 * Bluesky rich-text conformance: every vector extracted from @atproto/api's own tests
 * (/work/shared/conformance/bluesky) must give the same facets, byte offsets and lengths.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  detectFacets,
  graphemeLength,
  resolveMentions,
  segmentText,
  utf16IndexToUtf8Index,
  utf8Length,
} from '../../../src/connectors/bluesky/bluesky-text';

const dir = '/work/shared/conformance/bluesky';
const facetsFile = JSON.parse(readFileSync(`${dir}/detect-facets.json`, 'utf8')) as {
  segments: Array<{ input: string; expected: Array<[string] | [string, string]> }>;
  tags: Array<{ input: string; tags: string[]; indices: Array<{ byteStart: number; byteEnd: number }> }>;
  cashtags: Array<{ input: string; tags: string[]; indices: Array<{ byteStart: number; byteEnd: number }> }>;
};
const lengthsFile = JSON.parse(readFileSync(`${dir}/lengths.json`, 'utf8')) as {
  richTextLength: Array<{ text: string; utf8Length: number; graphemes: number }>;
  graphemeLen: Array<{ text: string; graphemes: number }>;
  utf16ToUtf8Facets: EntityCase | EntityCase[];
};
interface EntityCase {
  text: string;
  entities: Array<{ index: { start: number; end: number }; type: string; value: string }>;
  expectedFacets: Array<{ index: { byteStart: number; byteEnd: number }; feature: Record<string, string> }>;
}
const entityCases = ([] as EntityCase[]).concat(lengthsFile.utf16ToUtf8Facets);

describe('detectFacets: segments (mentions resolved to did:fake:<handle>, links)', () => {
  it('has the expected number of vectors', () => {
    expect(facetsFile.segments.length).toBe(40);
  });
  it.each(facetsFile.segments.map((c) => [JSON.stringify(c.input), c] as const))('%s', async (_name, c) => {
    const facets = await resolveMentions(detectFacets(c.input), async (h) => `did:fake:${h}`);
    const segs = segmentText(c.input, facets).map((s) => {
      if (!s.facet) return [s.text];
      const f = s.facet.features[0]!;
      const value = f.$type === 'app.bsky.richtext.facet#mention' ? f.did : f.$type === 'app.bsky.richtext.facet#link' ? f.uri : f.tag;
      return [s.text, value];
    });
    expect(segs).toEqual(c.expected);
  });
});

describe('detectFacets: hashtags', () => {
  it.each(facetsFile.tags.map((c) => [JSON.stringify(c.input), c] as const))('%s', (_name, c) => {
    const tags = detectFacets(c.input).filter((f) => f.kind === 'tag');
    expect(tags.map((t) => (t.kind === 'tag' ? t.tag : null))).toEqual(c.tags);
    expect(tags.map((t) => t.index)).toEqual(c.indices);
  });
});

describe('detectFacets: cashtags', () => {
  it.each(facetsFile.cashtags.map((c) => [JSON.stringify(c.input), c] as const))('%s', (_name, c) => {
    const tags = detectFacets(c.input).filter((f) => f.kind === 'tag');
    expect(tags.map((t) => (t.kind === 'tag' ? t.tag : null))).toEqual(c.tags);
    expect(tags.map((t) => t.index)).toEqual(c.indices);
  });
});

describe('lengths', () => {
  it.each(lengthsFile.richTextLength.map((c) => [c.text, c] as const))('bytes and graphemes of %s', (_t, c) => {
    expect(utf8Length(c.text)).toBe(c.utf8Length);
    expect(graphemeLength(c.text)).toBe(c.graphemes);
  });
  it.each(lengthsFile.graphemeLen.map((c) => [c.text, c] as const))('graphemes of %s', (_t, c) => {
    expect(graphemeLength(c.text)).toBe(c.graphemes);
  });
  it.each(entityCases.map((c, i) => [i, c] as const))('UTF-16 entity indices become UTF-8 byte offsets (%i)', (_i, c) => {
    const facets = c.entities
      .filter((e) => e.type === 'link' || e.type === 'mention')
      .map((e) => ({
        index: { byteStart: utf16IndexToUtf8Index(c.text, e.index.start), byteEnd: utf16IndexToUtf8Index(c.text, e.index.end) },
        feature: e.type === 'link' ? { $type: 'app.bsky.richtext.facet#link', uri: e.value } : { $type: 'app.bsky.richtext.facet#mention', did: e.value },
      }));
    expect(facets).toEqual(c.expectedFacets);
  });
});

describe('resolveMentions', () => {
  it('drops a mention whose handle does not resolve and keeps the other facets', async () => {
    const text = 'hi @ghost.test and @alice.test see https://example.com #tag';
    const facets = await resolveMentions(detectFacets(text), async (h) => (h === 'alice.test' ? 'did:plc:alice' : null));
    expect(facets.map((f) => f.features[0])).toEqual([
      { $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:alice' },
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' },
      { $type: 'app.bsky.richtext.facet#tag', tag: 'tag' },
    ]);
  });
  it('resolves each distinct handle once', async () => {
    const asked: string[] = [];
    await resolveMentions(detectFacets('@a.test @a.test @b.test'), async (h) => {
      asked.push(h);
      return `did:plc:${h}`;
    });
    expect(asked.sort()).toEqual(['a.test', 'b.test']);
  });
});
