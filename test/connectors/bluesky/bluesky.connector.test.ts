/**
 * The Bluesky connector against a real local PDS (@atproto/dev-env, started once per run by
 * test/support/global-setup-bluesky.ts). Every request goes through a fetch that refuses non-loopback
 * addresses.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { blueskyConnector, type BlueskyCredentials, type BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import { tidFromIdempotencyKey } from '../../../src/connectors/bluesky/bluesky-tid';
import { ConnectorError, type AccountAuth, type ConnectorContext } from '../../../src/connectors/connector';
import { requireAll } from '../../support/databases';
import {
  createTestAccount,
  getPostRecord,
  listPosts,
  requireBlueskyPds,
  uniqueAccountName,
  type BlueskyTestAccount,
} from '../../support/bluesky-network';
import { loopbackFetch } from './loopback-fetch';

const pdsUrl = requireBlueskyPds();

// 1×1 PNG and 1×1 GIF.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

function ctxFor(serviceUrl: string) {
  const saved: BlueskySession[] = [];
  const requests: string[] = [];
  const ctx: ConnectorContext<BlueskySession> = {
    fetch: loopbackFetch(requests),
    saveSession: async (s) => {
      saved.push(s);
    },
    defaultServiceUrl: serviceUrl,
  };
  return { ctx, saved, requests };
}

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a ConnectorError, but the call succeeded');
}

/** Re-signs a real access token with an expiry in the past (dev-env's PDS uses the secret "jwt-secret"). */
function expiredCopy(jwt: string): string {
  const [h, p] = jwt.split('.') as [string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, number>;
  payload.iat = Math.floor(Date.now() / 1000) - 7200;
  payload.exp = Math.floor(Date.now() / 1000) - 3600;
  const body = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', 'jwt-secret').update(body).digest('base64url')}`;
}

async function closedPort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

describe.skipIf(!pdsUrl && !requireAll)('bluesky connector against a local PDS', () => {
  const url = pdsUrl ?? 'http://127.0.0.1:1';
  let alice: BlueskyTestAccount;
  let bob: BlueskyTestAccount;
  let auth: AccountAuth<BlueskyCredentials, BlueskySession>;

  beforeAll(async () => {
    if (!pdsUrl) throw new Error('the Bluesky test PDS is required (HERALD_TEST_REQUIRE_ALL=1) but did not start');
    [alice, bob] = await Promise.all([createTestAccount(url, uniqueAccountName('alice')), createTestAccount(url, uniqueAccountName('bob'))]);
    const { ctx } = ctxFor(url);
    const connected = await blueskyConnector.connect({ identifier: alice.handle, appPassword: alice.appPassword }, ctx);
    auth = {
      accountId: 'acc-alice',
      externalId: connected.externalId,
      handle: connected.handle,
      serviceUrl: connected.serviceUrl,
      credentials: { identifier: alice.handle, appPassword: alice.appPassword, serviceUrl: url },
      session: connected.session,
    };
  });

  it('connects with an app password (by handle and by e-mail)', async () => {
    const { ctx, requests } = ctxFor(url);
    const c = await blueskyConnector.connect({ identifier: `@${alice.handle}`, appPassword: alice.appPassword }, ctx);
    expect(c.externalId).toBe(alice.did);
    expect(c.handle).toBe(alice.handle);
    expect(c.displayName).toBeNull(); // a bare PDS has no profiles
    expect(c.serviceUrl).toBe(url);
    expect(c.session.did).toBe(alice.did);
    expect(c.session.accessJwt.split('.')).toHaveLength(3);
    expect(requests[0]).toBe('POST /xrpc/com.atproto.server.createSession');
    const byMail = await blueskyConnector.connect({ identifier: alice.handle.replace('.test', '@herald.test'), appPassword: alice.appPassword }, ctx);
    expect(byMail.externalId).toBe(alice.did);
  });

  it('maps a wrong app password to auth_expired with a readable message', async () => {
    const { ctx } = ctxFor(url);
    const e = await rejection(blueskyConnector.connect({ identifier: alice.handle, appPassword: 'wrong-pass-word-xxxx' }, ctx));
    expect(e.kind).toBe('auth_expired');
    expect(e.message).toContain(alice.handle);
    expect(e.message).toContain('Invalid identifier or password');
    expect(e.message).not.toContain('wrong-pass-word-xxxx');
  });

  it('publishes text with a mention, a link and a hashtag: exact text, byte-offset facets, langs', async () => {
    const { ctx } = ctxFor(url);
    const text = `👨‍👩‍👧‍👧 Grüße @${bob.handle} and @nobody-here.test, see https://example.com/a?b=1. #herald!`;
    const createdAt = '2026-11-26T10:00:00.000Z';
    const res = await blueskyConnector.publish({ auth, variant: { text, langs: ['de', 'en'] }, idempotencyKey: 'facets-1', createdAt }, ctx);
    const rkey = tidFromIdempotencyKey('facets-1', createdAt);
    expect(res).toEqual({ externalId: `at://${alice.did}/app.bsky.feed.post/${rkey}`, url: `https://bsky.app/profile/${alice.handle}/post/${rkey}` });

    const rec = await getPostRecord(url, alice.did, rkey);
    expect(rec).not.toBeNull();
    const value = rec!.value;
    expect(value.text).toBe(text);
    expect(value.createdAt).toBe(createdAt);
    expect(value.langs).toEqual(['de', 'en']);
    expect(value.embed).toBeUndefined();
    const b = (s: string) => Buffer.byteLength(s, 'utf8');
    const at = (needle: string) => b(text.slice(0, text.indexOf(needle)));
    expect(value.facets).toEqual([
      {
        $type: 'app.bsky.richtext.facet',
        index: { byteStart: at(`@${bob.handle}`), byteEnd: at(`@${bob.handle}`) + b(`@${bob.handle}`) },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: bob.did }],
      },
      {
        $type: 'app.bsky.richtext.facet',
        index: { byteStart: at('https://'), byteEnd: at('https://') + b('https://example.com/a?b=1') },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/a?b=1' }],
      },
      {
        $type: 'app.bsky.richtext.facet',
        index: { byteStart: at('#herald'), byteEnd: at('#herald') + b('#herald') },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'herald' }],
      },
    ]);
    // The emoji family is 25 bytes: offsets are UTF-8, not UTF-16.
    expect(at(`@${bob.handle}`)).toBe(25 + 1 + b('Grüße '));
  });

  it('publishes two images with alt text: an images embed with two fetchable blobs', async () => {
    const { ctx, requests } = ctxFor(url);
    const createdAt = '2026-11-26T10:01:00.000Z';
    const media = [
      { mimeType: 'image/png', sizeBytes: png.length, alt: 'A single pixel', data: png },
      { mimeType: 'image/gif', sizeBytes: gif.length, alt: '', data: gif },
    ];
    const res = await blueskyConnector.publish({ auth, variant: { text: 'two pictures', media, link: 'https://example.com/ignored-when-images' }, idempotencyKey: 'images-1', createdAt }, ctx);
    expect(requests.filter((r) => r.endsWith('uploadBlob'))).toHaveLength(2);
    const rkey = res.externalId.split('/').pop()!;
    const rec = await getPostRecord(url, alice.did, rkey);
    const embed = rec!.value.embed as { $type: string; images: Array<{ alt: string; image: { $type: string; mimeType: string; size: number; ref: { $link: string } } }> };
    expect(embed.$type).toBe('app.bsky.embed.images');
    expect(embed.images.map((i) => [i.alt, i.image.$type, i.image.mimeType, i.image.size])).toEqual([
      ['A single pixel', 'blob', 'image/png', png.length],
      ['', 'blob', 'image/gif', gif.length],
    ]);
    for (const [i, original] of [png, gif].entries()) {
      const blob = await fetch(`${url}/xrpc/com.atproto.sync.getBlob?did=${alice.did}&cid=${embed.images[i]!.image.ref.$link}`);
      expect(blob.status).toBe(200);
      expect(Buffer.from(await blob.arrayBuffer()).equals(original)).toBe(true);
    }
  });

  it('adds an external link card when a link is set and there are no images', async () => {
    const { ctx } = ctxFor(url);
    const res = await blueskyConnector.publish(
      { auth, variant: { text: 'read this', link: 'https://example.org/article' }, idempotencyKey: 'card-1', createdAt: '2026-11-26T10:02:00.000Z' },
      ctx,
    );
    const rec = await getPostRecord(url, alice.did, res.externalId.split('/').pop()!);
    expect(rec!.value.embed).toEqual({ $type: 'app.bsky.embed.external', external: { uri: 'https://example.org/article', title: 'example.org', description: '' } });
  });

  it('publishing the same idempotency key twice (one after another and at once) leaves exactly one post', async () => {
    const carol = await createTestAccount(url, uniqueAccountName('carol'));
    const { ctx } = ctxFor(url);
    const c = await blueskyConnector.connect({ identifier: carol.handle, appPassword: carol.appPassword }, ctx);
    const carolAuth = { ...auth, accountId: 'acc-carol', externalId: c.externalId, handle: c.handle, credentials: { identifier: carol.handle, appPassword: carol.appPassword }, session: c.session };
    const input = { auth: carolAuth, variant: { text: 'only once' }, idempotencyKey: 'dup-1', createdAt: '2026-11-26T10:03:00.000Z' };
    const first = await blueskyConnector.publish(input, ctx);
    const second = await blueskyConnector.publish(input, ctx);
    expect(second.externalId).toBe(first.externalId);
    const both = await Promise.all([
      blueskyConnector.publish({ ...input, idempotencyKey: 'dup-2' }, ctx),
      blueskyConnector.publish({ ...input, idempotencyKey: 'dup-2' }, ctx),
    ]);
    expect(both[0].externalId).toBe(both[1].externalId);
    const posts = await listPosts(url, carol.did);
    expect(posts.map((p) => p.uri).sort()).toEqual([first.externalId, both[0].externalId].sort());
  });

  it('findPublished is null before publishing and finds the post after; delete removes it (twice is fine)', async () => {
    const { ctx } = ctxFor(url);
    const key = { idempotencyKey: 'find-1', createdAt: '2026-11-26T10:04:00.000Z' };
    expect(await blueskyConnector.findPublished!({ auth, ...key }, ctx)).toBeNull();
    const res = await blueskyConnector.publish({ auth, variant: { text: 'find me' }, ...key }, ctx);
    expect(await blueskyConnector.findPublished!({ auth, ...key }, ctx)).toEqual(res);
    await blueskyConnector.delete!({ auth, externalId: res.externalId }, ctx);
    expect(await getPostRecord(url, alice.did, res.externalId.split('/').pop()!)).toBeNull();
    expect(await blueskyConnector.findPublished!({ auth, ...key }, ctx)).toBeNull();
    await blueskyConnector.delete!({ auth, externalId: res.externalId }, ctx);
  });

  it('refuses to delete something that is not a post of this account', async () => {
    const { ctx } = ctxFor(url);
    expect((await rejection(blueskyConnector.delete!({ auth, externalId: 'https://bsky.app/x' }, ctx))).kind).toBe('invalid_content');
    const e = await rejection(blueskyConnector.delete!({ auth, externalId: `at://${bob.did}/app.bsky.feed.post/3jzfcijpj2z2a` }, ctx));
    expect(e.kind).toBe('invalid_content');
  });

  it('refreshes an expired access token with the refresh token and saves the new session', async () => {
    const { ctx, saved, requests } = ctxFor(url);
    const expired = { ...auth.session!, accessJwt: expiredCopy(auth.session!.accessJwt) };
    // The PDS really sees an expired token (not a bad signature).
    const probe = await fetch(`${url}/xrpc/com.atproto.server.getSession`, { headers: { authorization: `Bearer ${expired.accessJwt}` } });
    expect(await probe.json()).toMatchObject({ error: 'ExpiredToken' });
    const res = await blueskyConnector.publish({ auth: { ...auth, session: expired }, variant: { text: 'after refresh' }, idempotencyKey: 'refresh-1', createdAt: '2026-11-26T10:05:00.000Z' }, ctx);
    expect(await getPostRecord(url, alice.did, res.externalId.split('/').pop()!)).not.toBeNull();
    expect(requests).toEqual([
      'POST /xrpc/com.atproto.repo.createRecord',
      'POST /xrpc/com.atproto.server.refreshSession',
      'POST /xrpc/com.atproto.repo.createRecord',
    ]);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.did).toBe(alice.did);
    expect(saved[0]!.accessJwt).not.toBe(expired.accessJwt);
  });

  it('signs in again from the app password when both stored tokens are garbage', async () => {
    const { ctx, saved, requests } = ctxFor(url);
    const garbage = { ...auth.session!, accessJwt: 'garbage', refreshJwt: 'garbage' };
    await blueskyConnector.publish({ auth: { ...auth, session: garbage }, variant: { text: 'after sign-in' }, idempotencyKey: 'relogin-1', createdAt: '2026-11-26T10:06:00.000Z' }, ctx);
    expect(requests).toEqual([
      'POST /xrpc/com.atproto.repo.createRecord',
      'POST /xrpc/com.atproto.server.refreshSession',
      'POST /xrpc/com.atproto.server.createSession',
      'POST /xrpc/com.atproto.repo.createRecord',
    ]);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.accessJwt).not.toBe('garbage');
  });

  it('reports auth_expired when the tokens and the app password are all refused', async () => {
    const { ctx, saved } = ctxFor(url);
    const e = await rejection(
      blueskyConnector.publish(
        {
          auth: { ...auth, session: { ...auth.session!, accessJwt: 'garbage', refreshJwt: 'garbage' }, credentials: { ...auth.credentials, appPassword: 'revoked-app-pass' } },
          variant: { text: 'never' },
          idempotencyKey: 'revoked-1',
          createdAt: '2026-11-26T10:07:00.000Z',
        },
        ctx,
      ),
    );
    expect(e.kind).toBe('auth_expired');
    expect(saved).toHaveLength(0);
    expect(await getPostRecord(url, alice.did, tidFromIdempotencyKey('revoked-1', '2026-11-26T10:07:00.000Z'))).toBeNull();
  });

  it('refuses invalid content before touching the network', async () => {
    const { ctx, requests } = ctxFor(url);
    const e = await rejection(blueskyConnector.publish({ auth, variant: { text: 'x'.repeat(301) }, idempotencyKey: 'long-1', createdAt: '2026-11-26T10:08:00.000Z' }, ctx));
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toBe('Text is 301 graphemes; Bluesky allows 300');
    expect(requests).toEqual([]);
  });

  it('maps a closed port to retryable (nothing was sent, so the outcome is known)', async () => {
    const port = await closedPort();
    const { ctx } = ctxFor(url);
    const e = await rejection(
      blueskyConnector.publish({ auth: { ...auth, serviceUrl: `http://127.0.0.1:${port}` }, variant: { text: 'nowhere' }, idempotencyKey: 'closed-1', createdAt: '2026-11-26T10:09:00.000Z' }, ctx),
    );
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(false);
    expect(e.message).toContain('ECONNREFUSED');
  });
  it('a PDS without an AppView makes comments and metrics retryable failures, never a disconnected account', async () => {
    const { ctx } = ctxFor(url);
    // One call at a time: calls started together would reject while the loop still awaits the first
    // (an unhandled rejection, which fails the run even though each is checked later).
    for (const attempt of [
      () => blueskyConnector.comments!.fetch({ auth, cursor: null, posts: [] }, ctx),
      () => blueskyConnector.metrics!.account({ auth }, ctx),
      () => blueskyConnector.metrics!.posts({ auth, externalIds: [`at://${alice.did}/app.bsky.feed.post/3kabcdefghij2`] }, ctx),
    ]) {
      const e = await rejection(attempt());
      expect(e.kind).toBe('retryable');
    }
    // Nothing to ask about: no request at all.
    const { ctx: quiet, requests } = ctxFor(url);
    expect(await blueskyConnector.metrics!.posts({ auth, externalIds: ['not-a-uri', 'https://bsky.app/x'] }, quiet)).toEqual({});
    expect(requests).toEqual([]);
  });
});
