/**
 * The firehose reader's edges (the live path is covered against the real PDS in bluesky-stream.test.ts):
 * the DAG-CBOR subset, CAR blocks, refusing what is outside the subset, and how a post record maps to
 * an inbound message for each kind (reply, quote, quote with media, mention, none, own post).
 */
import { describe, expect, it } from 'vitest';
import { CborError, Cid, decodeCbor, decodeFirst, readCarBlocks } from '../../src/connectors/bluesky/bluesky-stream-cbor';
import { postToInbound, subscribeReposUrl } from '../../src/connectors/bluesky/bluesky-stream';
import { cidOf, enc, varint } from './dag-cbor-encode';

describe('DAG-CBOR and CAR reader', () => {
  it('decodes maps, arrays, strings, bytes, integers, floats, booleans, null and CID links', () => {
    const cid = cidOf(7);
    const value = { text: 'héllo 👋', n: 500, big: 70_000, neg: -3, list: [1, 'two', null, true, false], bytes: new Uint8Array([1, 2, 3]), link: cid };
    const out = decodeCbor(enc(value)) as Record<string, unknown>;
    expect(out).toMatchObject({ text: 'héllo 👋', n: 500, big: 70_000, neg: -3, list: [1, 'two', null, true, false] });
    expect(Buffer.from(out.bytes as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect((out.link as Cid).key).toBe(cid.key);
    expect(decodeCbor(Buffer.from([0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]))).toBe(1.5);
    expect(decodeCbor(Buffer.from([0xf9, 0x3c, 0x00]))).toBe(1);
  });

  it('reads two values back to back (a firehose frame: header, then body)', () => {
    const frame = Buffer.concat([enc({ op: 1, t: '#commit' }), enc({ seq: 42 })]);
    const first = decodeFirst(frame);
    expect(first.value).toEqual({ op: 1, t: '#commit' });
    expect(decodeCbor(frame.subarray(first.length))).toEqual({ seq: 42 });
  });

  it('refuses what DAG-CBOR forbids or what is cut short, and keeps "__proto__" an ordinary key', () => {
    expect(() => decodeCbor(Buffer.from([0x9f, 0x01, 0xff]))).toThrow(CborError); // indefinite array
    expect(() => decodeCbor(Buffer.from([0xc1, 0x01]))).toThrow(/tag 1/); // a tag other than 42
    expect(() => decodeCbor(Buffer.from([0xa1, 0x01, 0x02]))).toThrow(/keys must be strings/);
    expect(() => decodeCbor(Buffer.from([0x65, 0x61]))).toThrow(/end of CBOR/);
    expect(() => decodeCbor(Buffer.concat([enc(1), enc(2)]))).toThrow(/trailing/);
    let deep = Buffer.from([0x01]);
    for (let i = 0; i < 100; i++) deep = Buffer.concat([Buffer.from([0x81]), deep]);
    expect(() => decodeCbor(deep)).toThrow(/deeply/);
    const m = decodeCbor(enc(JSON.parse('{"__proto__": {"polluted": true}}'))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(m, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads the blocks of a CAR v1 file by CID', () => {
    const a = cidOf(1);
    const b = cidOf(2);
    const blockA = enc({ text: 'a' });
    const blockB = enc({ text: 'b' });
    const header = enc({ version: 1, roots: [a] });
    const section = (cid: Cid, data: Buffer) => Buffer.concat([varint(cid.bytes.length + data.length), Buffer.from(cid.bytes), data]);
    const car = Buffer.concat([varint(header.length), header, section(a, blockA), section(b, blockB)]);
    const blocks = readCarBlocks(car);
    expect(decodeCbor(blocks.get(b.key)!)).toEqual({ text: 'b' });
    expect(decodeCbor(blocks.get(a.key)!)).toEqual({ text: 'a' });
    expect(() => readCarBlocks(Buffer.concat([varint(header.length), header, varint(500), Buffer.from(a.bytes)]))).toThrow(/past the end/);
  });
});

describe('post records as inbound messages', () => {
  const us = 'did:plc:us';
  const them = 'did:plc:them';
  const ourPost = `at://${us}/app.bsky.feed.post/3kaaaaaaaaaa2`;
  const theirPost = `at://${them}/app.bsky.feed.post/3kbbbbbbbbbb2`;
  const uri = `at://${them}/app.bsky.feed.post/3kcccccccccc2`;
  const base = { uri, authorDid: them, authorHandle: 'them.test', accountDid: us, seenAt: '2026-01-01T00:00:00.000Z' };
  const mention = { index: { byteStart: 0, byteEnd: 3 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: us }] };

  it('reply, quote (plain and with media), mention; threads as the notifications poll files them', () => {
    expect(postToInbound({ ...base, record: { text: 'hi', createdAt: '2026-01-02T03:04:05Z', langs: ['sv'], reply: { root: { uri: ourPost }, parent: { uri: theirPost } } } })).toEqual({
      externalId: uri,
      kind: 'reply',
      parentExternalId: theirPost,
      rootExternalId: ourPost,
      author: { externalId: them, handle: 'them.test', displayName: null },
      text: 'hi',
      url: 'https://bsky.app/profile/them.test/post/3kcccccccccc2',
      createdAt: '2026-01-02T03:04:05.000Z',
      lang: 'sv',
    });
    expect(postToInbound({ ...base, record: { text: 'q', embed: { $type: 'app.bsky.embed.record', record: { uri: ourPost } } } })).toMatchObject({ kind: 'quote', parentExternalId: ourPost, rootExternalId: ourPost });
    expect(postToInbound({ ...base, record: { text: 'q', embed: { $type: 'app.bsky.embed.recordWithMedia', record: { record: { uri: ourPost } }, media: {} } } })).toMatchObject({ kind: 'quote', parentExternalId: ourPost });
    expect(postToInbound({ ...base, record: { text: '@us in their thread', facets: [mention], reply: { root: { uri: theirPost }, parent: { uri: theirPost } } } })).toMatchObject({ kind: 'mention', parentExternalId: theirPost, rootExternalId: theirPost });
  });

  it('nothing for posts that do not name the account, for the account\'s own posts, and the DID when no handle is known', () => {
    expect(postToInbound({ ...base, record: { text: 'unrelated', reply: { root: { uri: theirPost }, parent: { uri: theirPost } } } })).toBeNull();
    expect(postToInbound({ ...base, record: { text: 'q', embed: { $type: 'app.bsky.embed.record', record: { uri: theirPost } } } })).toBeNull();
    expect(postToInbound({ ...base, authorDid: us, uri: ourPost, record: { text: 'self', facets: [mention] } })).toBeNull();
    expect(postToInbound({ ...base, authorHandle: null, record: { text: 'x', facets: [mention] } })).toMatchObject({ author: { handle: them }, url: `https://bsky.app/profile/${them}/post/3kcccccccccc2` });
    expect(postToInbound({ ...base, authorHandle: 'handle.invalid', record: { text: 'x', facets: [mention] } })!.author.handle).toBe(them);
  });

  it('subscribeRepos address from a PDS or relay, in any scheme, with a numeric cursor only', () => {
    expect(subscribeReposUrl('https://pds.example/', '12')).toBe('wss://pds.example/xrpc/com.atproto.sync.subscribeRepos?cursor=12');
    expect(subscribeReposUrl('http://127.0.0.1:2583', null)).toBe('ws://127.0.0.1:2583/xrpc/com.atproto.sync.subscribeRepos');
    expect(subscribeReposUrl('wss://bsky.network', 'x; drop')).toBe('wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos');
  });
});
