/**
 * The pure parts of the Bluesky comments capability: how one notification (shaped as the lexicon
 * app.bsky.notification.listNotifications#notification defines it) becomes an inbound message, and
 * how cursors are read. The behaviour against a real AppView is in bluesky-engagement.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseInboundCursor, seenKey, toInboundMessage } from '../../../src/connectors/bluesky/bluesky-engagement';
import { keyTime } from '../../../src/connectors/bluesky/bluesky.connector';

const me = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa';
const them = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb';
const myPost = `at://${me}/app.bsky.feed.post/3kmypost00000`;
const theirPost = `at://${them}/app.bsky.feed.post/3ktheirs00000`;
const cid = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm';

function notification(over: Record<string, unknown> = {}, record: Record<string, unknown> = {}) {
  return {
    uri: theirPost,
    cid,
    author: { did: them, handle: 'bob.test', displayName: 'Bob' },
    reason: 'mention',
    record: { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2026-11-26T07:00:00.000Z', ...record },
    isRead: false,
    indexedAt: '2026-11-26T07:00:01.000Z',
    ...over,
  };
}

describe('notification → inbound message', () => {
  it('ignores reasons that are not inbox items and records that are not posts', () => {
    for (const reason of ['like', 'repost', 'follow', 'starterpack-joined', 'like-via-repost', undefined]) {
      expect(toInboundMessage(notification({ reason }), me)).toBeNull();
    }
    expect(toInboundMessage(notification({ uri: `at://${them}/app.bsky.feed.like/3k` }), me)).toBeNull();
    expect(toInboundMessage(notification({ uri: 'not a uri' }), me)).toBeNull();
  });

  it('files a mention inside a reply to our thread as a reply, elsewhere as a mention', () => {
    const inOurs = toInboundMessage(notification({}, { reply: { root: { uri: myPost, cid }, parent: { uri: theirPost.replace('theirs', 'other'), cid } } }), me)!;
    expect(inOurs).toMatchObject({ kind: 'reply', rootExternalId: myPost });
    const elsewhere = `at://${them}/app.bsky.feed.post/3kelsewhere00`;
    const inTheirs = toInboundMessage(notification({}, { reply: { root: { uri: elsewhere, cid }, parent: { uri: elsewhere, cid } } }), me)!;
    expect(inTheirs).toMatchObject({ kind: 'mention', parentExternalId: elsewhere, rootExternalId: elsewhere });
  });

  it('points a quote (also one with media) at the quoted post', () => {
    const plain = toInboundMessage(notification({ reason: 'quote', reasonSubject: myPost }), me)!;
    expect(plain).toMatchObject({ kind: 'quote', parentExternalId: myPost, rootExternalId: myPost });
    const withMedia = toInboundMessage(
      notification({ reason: 'quote' }, { embed: { $type: 'app.bsky.embed.recordWithMedia', record: { $type: 'app.bsky.embed.record', record: { uri: myPost, cid } }, media: { $type: 'app.bsky.embed.images', images: [] } } }),
      me,
    )!;
    expect(withMedia).toMatchObject({ kind: 'quote', parentExternalId: myPost });
  });

  it('keeps odd data as plain text and falls back sensibly', () => {
    const m = toInboundMessage(
      notification({ author: { did: them, handle: 'handle.invalid', displayName: '  ' }, indexedAt: '2026-11-26T07:00:05Z' }, { text: '<img src=x onerror=alert(1)>', createdAt: 'yesterday', langs: [42, '', 'ru'] }),
      me,
    )!;
    expect(m.text).toBe('<img src=x onerror=alert(1)>');
    // An unverifiable handle is shown as the DID, in the link too.
    expect(m.author).toEqual({ externalId: them, handle: them, displayName: null });
    expect(m.url).toBe(`https://bsky.app/profile/${them}/post/3ktheirs00000`);
    // An unreadable createdAt falls back to when the AppView indexed it.
    expect(m.createdAt).toBe('2026-11-26T07:00:05.000Z');
    expect(m.lang).toBe('ru');
    const bare = toInboundMessage(notification({ record: null }), me)!;
    expect(bare).toMatchObject({ text: '', lang: null, parentExternalId: null });
  });
});

describe('inbound cursor', () => {
  it('reads its own JSON, a bare instant, and treats anything else as no cursor', () => {
    const uri = theirPost;
    const c = parseInboundCursor(JSON.stringify({ v: 1, t: '2026-11-26T07:00:00Z', seen: [seenKey(uri), 7], edge: '2026-11-26T06:00:00Z', recent: [[uri, 'reply', 1, 2], ['x', 'nonsense', 1, 2], 'junk'] }));
    expect(c.t).toBe('2026-11-26T07:00:00.000Z');
    expect([...c.seen]).toEqual([seenKey(uri)]);
    expect(c.edge).toBe('2026-11-26T06:00:00.000Z');
    expect(c.recent).toEqual([[uri, 'reply', 1, 2]]);
    expect(parseInboundCursor('2026-11-26T07:00:00Z')).toMatchObject({ t: '2026-11-26T07:00:00.000Z', edge: null });
    for (const junk of ['{not json', 'yesterday', '', null]) expect(parseInboundCursor(junk)).toMatchObject({ t: null, edge: null, recent: [] });
    expect(seenKey(uri)).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});

describe('reply idempotency key time', () => {
  it('takes the time out of a UUIDv7 and nothing out of other keys', () => {
    expect(keyTime('019ac3f2-5b1e-7a00-8000-0123456789ab')).toBe(new Date(0x019ac3f25b1e).toISOString());
    expect(keyTime('6f1c7a52-2d0e-4c55-9c4e-0f2a1d3b4c5d')).toBeNull();
    expect(keyTime('target-1')).toBeNull();
  });
});
