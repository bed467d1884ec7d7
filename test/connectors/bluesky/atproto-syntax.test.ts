/**
 * AT Protocol syntax validators against the official interop test files
 * (/work/shared/conformance/atproto-syntax): every valid line passes, every invalid line fails.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isValidAtIdentifier,
  isValidAtUri,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
  parseRecordUri,
} from '../../../src/connectors/bluesky/atproto-syntax';
import { decodeTid, encodeTid, tidFromIdempotencyKey } from '../../../src/connectors/bluesky/bluesky-tid';

const dir = '/work/shared/conformance/atproto-syntax';

/** Lines of a vector file; comments and blank lines skipped, nothing else trimmed (spaces matter). */
function vectors(file: string): string[] {
  return readFileSync(`${dir}/${file}`, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const kinds: Array<[string, (s: string) => boolean]> = [
  ['handle', isValidHandle],
  ['did', isValidDid],
  ['atidentifier', isValidAtIdentifier],
  ['aturi', isValidAtUri],
  ['nsid', isValidNsid],
  ['recordkey', isValidRecordKey],
  ['tid', isValidTid],
  ['datetime', isValidDatetime],
  ['language', isValidLanguage],
  ['uri', isValidUri],
];

describe.each(kinds)('%s syntax', (kind, check) => {
  const valid = vectors(`${kind}_syntax_valid.txt`);
  const invalid = vectors(`${kind}_syntax_invalid.txt`);
  it('has vectors', () => {
    expect(valid.length).toBeGreaterThan(3);
    expect(invalid.length).toBeGreaterThan(3);
  });
  it('accepts every valid vector', () => {
    expect(valid.filter((v) => !check(v))).toEqual([]);
  });
  it('rejects every invalid vector', () => {
    expect(invalid.filter((v) => check(v))).toEqual([]);
  });
});

describe('parseRecordUri', () => {
  it('splits a post URI', () => {
    expect(parseRecordUri('at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a')).toEqual({ repo: 'did:plc:abc', collection: 'app.bsky.feed.post', rkey: '3jzfcijpj2z2a' });
  });
  it('returns null without a record key or for garbage', () => {
    expect(parseRecordUri('at://did:plc:abc/app.bsky.feed.post')).toBeNull();
    expect(parseRecordUri('https://bsky.app/profile/x/post/y')).toBeNull();
  });
});

describe('deterministic TIDs', () => {
  it('encodes and decodes the spec example', () => {
    // 3jzfcijpj2z2a is the example TID from the atproto spec.
    const { timestampUs, clockId } = decodeTid('3jzfcijpj2z2a');
    expect(encodeTid((timestampUs << 10n) | BigInt(clockId))).toBe('3jzfcijpj2z2a');
  });
  it('is a valid TID, stable for the same key and time, different for different keys', () => {
    const at = '2026-11-26T12:00:00.000Z';
    const a = tidFromIdempotencyKey('target-1', at);
    expect(isValidTid(a)).toBe(true);
    expect(tidFromIdempotencyKey('target-1', at)).toBe(a);
    expect(tidFromIdempotencyKey('target-2', at)).not.toBe(a);
    const keys = new Set(Array.from({ length: 2000 }, (_, i) => tidFromIdempotencyKey(`k${i}`, at)));
    expect(keys.size).toBe(2000);
  });
  it('carries the creation second in its timestamp, so keys sort by time', () => {
    const t = tidFromIdempotencyKey('x', '2026-11-26T12:00:05.678Z');
    const { timestampUs } = decodeTid(t);
    expect(timestampUs / 1_000_000n).toBe(BigInt(Date.parse('2026-11-26T12:00:05Z') / 1000));
    expect(tidFromIdempotencyKey('y', '2026-11-26T12:00:06Z') > tidFromIdempotencyKey('x', '2026-11-26T12:00:05Z')).toBe(true);
  });
  it('refuses a time that does not parse', () => {
    expect(() => tidFromIdempotencyKey('x', 'not a time')).toThrow(/createdAt/);
  });
});
