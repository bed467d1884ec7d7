/**
 * Bluesky's publicData capability against a real local AT Protocol network with an AppView (PLC + PDS
 * + Bluesky AppView from @atproto/dev-env, started by this file), read WITHOUT signing in: a rival
 * account posts text with a hashtag, images, a link card, a quote, a reply and a repost; fans follow,
 * like, repost, reply and quote. Then the same through Herald: an own Bluesky account connected, the
 * rival added as a competitor through the API, collected and analysed, on SQLite and PostgreSQL.
 * AppView reads are eventually consistent, so checks poll with a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type PublicDataContext, type PublicPost } from '../../../src/connectors/connector';
import { createBlueskyConnector } from '../../../src/connectors/bluesky/bluesky.connector';
import { blueskyActorFrom, createBlueskyPublicData } from '../../../src/connectors/bluesky/bluesky-public';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { collectCompetitors } from '../../../src/competitors/competitor-collection';
import { dialects } from '../../support/databases';
import { createTestApp, type TestApp } from '../../support/test-app';
import type { BlueskyTestAccount, BlueskyTestNetwork } from '../../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc as call, type Actor, type StrongRef } from '../../support/bluesky-appview';
import { loopbackFetch } from './loopback-fetch';

const enabled = appviewSuitesEnabled;

// A 1×1 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('blueskyActorFrom', () => {
  it.each([
    ['@Alice.bsky.social', 'alice.bsky.social'],
    ['alice.bsky.social', 'alice.bsky.social'],
    ['did:plc:abc123', 'did:plc:abc123'],
    ['https://bsky.app/profile/alice.bsky.social', 'alice.bsky.social'],
    ['https://bsky.app/profile/did:plc:abc123/post/3kxyz', 'did:plc:abc123'],
  ])('%s → %s', (q, actor) => expect(blueskyActorFrom(q)).toBe(actor));
  it.each(['alice', 'https://bsky.app/search?q=x', '@', 'not a handle.'])('rejects %j', (q) => expect(blueskyActorFrom(q)).toBeNull());
});

describe.skipIf(!enabled)('bluesky public data against a local network with an AppView', () => {
  const bsky = useAppviewNetwork({ startTimeoutMs: 150_000 });
  let net: BlueskyTestNetwork;
  let rival: Actor;
  let fan1: Actor;
  let fan2: Actor;
  let own: BlueskyTestAccount;
  const requests: string[] = [];
  let ctx: PublicDataContext;
  let publicData: ReturnType<typeof createBlueskyPublicData>;
  const refs: Record<string, StrongRef> = {};

  const create = bsky.createRecord;
  const post = (who: Actor, text: string, extra: Record<string, unknown> = {}) => create(who, 'app.bsky.feed.post', { text, langs: ['en'], ...extra });
  const image = async (who: Actor) => (await call<{ blob: unknown }>(net.pdsUrl, 'com.atproto.repo.uploadBlob', { token: who.token, bytes: png })).blob;

  beforeAll(async () => {
    net = bsky.net;
    [rival, fan1, fan2, own] = (await bsky.actors('rival', 'fanone', 'fantwo', 'ownacc')) as [Actor, Actor, Actor, Actor];
    ctx = { fetch: loopbackFetch(requests) };
    publicData = createBlueskyPublicData({ appviewUrl: net.appviewUrl!, requestTimeoutMs: 10_000 });

    const tagText = 'Spring launch #HeraldTest today';
    const at = Buffer.from(tagText).indexOf('#HeraldTest');
    refs.text = await post(rival, tagText, { facets: [{ index: { byteStart: at, byteEnd: at + '#HeraldTest'.length }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'HeraldTest' }] }] });
    refs.photo = await post(rival, 'One photo', { embed: { $type: 'app.bsky.embed.images', images: [{ image: await image(rival), alt: 'a pixel' }] } });
    refs.carousel = await post(rival, 'Two photos', { embed: { $type: 'app.bsky.embed.images', images: [{ image: await image(rival), alt: 'one' }, { image: await image(rival), alt: 'two' }] } });
    refs.link = await post(rival, 'Read this', { embed: { $type: 'app.bsky.embed.external', external: { uri: 'https://example.com/article', title: 'Article', description: '' } } });
    const fanPost = await post(fan1, 'A fan post worth sharing');
    refs.fanPost = fanPost;
    await create(rival, 'app.bsky.graph.follow', { subject: fan1.did });
    for (const f of [fan1, fan2]) await create(f, 'app.bsky.graph.follow', { subject: rival.did });
    await create(fan1, 'app.bsky.feed.like', { subject: refs.text });
    await create(fan2, 'app.bsky.feed.like', { subject: refs.text });
    await create(fan1, 'app.bsky.feed.repost', { subject: refs.text });
    await post(fan2, 'Nice one', { reply: { root: refs.text, parent: refs.text } });
    await post(fan1, 'Quoting this', { embed: { $type: 'app.bsky.embed.record', record: refs.text } });
    // A reply by the rival (left out: posts_no_replies) and a repost of the fan's post.
    await post(rival, 'Thanks!', { reply: { root: refs.text, parent: refs.text } });
    refs.repost = await create(rival, 'app.bsky.feed.repost', { subject: fanPost });
  }, 200_000);

  it('looks up a profile by handle, link or DID without signing in', async () => {
    const byHandle = await eventually('two followers in the AppView', async () => {
      const a = await publicData.lookup({ query: `@${rival.handle}` }, ctx);
      return a.followers === 2 ? a : null;
    });
    expect(byHandle).toEqual({ externalId: rival.did, handle: rival.handle, displayName: null, followers: 2, serviceUrl: null, url: `https://bsky.app/profile/${rival.handle}` });
    expect((await publicData.lookup({ query: `https://bsky.app/profile/${rival.handle}` }, ctx)).externalId).toBe(rival.did);
    expect((await publicData.lookup({ query: rival.did }, ctx)).handle).toBe(rival.handle);
    // Straight to the AppView: no session, no PDS.
    expect(requests.every((r) => r === 'GET /xrpc/app.bsky.actor.getProfile')).toBe(true);
  });

  it('an unknown handle is invalid_content; nonsense never reaches the network', async () => {
    const e = await publicData.lookup({ query: 'nobody-here.test' }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'invalid_content' });
    expect((e as Error).message).toMatch(/^No Bluesky account "nobody-here.test" was found/);
    const before = requests.length;
    await expect(publicData.lookup({ query: 'not a handle' }, ctx)).rejects.toThrow('is not a Bluesky handle, DID or profile link');
    expect(requests.length).toBe(before);
  });

  it('lists recent posts with content types, hashtags and the counts the AppView reports', async () => {
    const posts = await eventually('every post with its counts in the AppView', async () => {
      const p = await publicData.posts({ account: { externalId: rival.did, handle: rival.handle, serviceUrl: null }, limit: 50 }, ctx);
      const text = p.find((x) => x.externalId === refs.text!.uri);
      return p.length === 5 && text && text.likes === 2 && text.shares === 1 && text.comments === 2 && text.quotes === 1 ? p : null;
    });
    const by = new Map<string, PublicPost>(posts.map((p) => [p.externalId, p]));
    const rkey = (u: string) => u.split('/').pop()!;
    // The text post: 2 likes, 1 repost, 2 replies (the fan's and the rival's own), 1 quote; no views on Bluesky.
    expect(by.get(refs.text!.uri)).toEqual({
      externalId: refs.text!.uri,
      url: `https://bsky.app/profile/${rival.handle}/post/${rkey(refs.text!.uri)}`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      text: 'Spring launch #HeraldTest today',
      contentType: 'text',
      hashtags: ['HeraldTest'],
      likes: 2,
      shares: 1,
      comments: 2,
      quotes: 1,
      views: null,
    });
    expect(by.get(refs.photo!.uri)).toMatchObject({ contentType: 'photo', likes: 0, shares: 0, comments: 0, quotes: 0 });
    expect(by.get(refs.carousel!.uri)?.contentType).toBe('carousel');
    expect(by.get(refs.link!.uri)?.contentType).toBe('link');
    // The repost is the fan's post, without counts (they are the fan's), keyed by the repost record.
    expect(by.get(refs.repost!.uri)).toMatchObject({ contentType: 'repost', text: 'A fan post worth sharing', likes: null, shares: null, comments: null, quotes: null });
    // The rival's reply is not a post of its own.
    expect(posts.some((p) => p.text === 'Thanks!')).toBe(false);
    // Paging: a limit of 2 gives the two newest.
    const two = await publicData.posts({ account: { externalId: rival.did, handle: rival.handle, serviceUrl: null }, limit: 2 }, ctx);
    expect(two.map((p) => p.externalId)).toEqual(posts.slice(0, 2).map((p) => p.externalId));
    expect(requests.filter((r) => r.includes('getAuthorFeed')).length).toBeGreaterThan(0);
  });

  describe.each(dialects())('through Herald (%s)', (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      const registry = new ConnectorRegistry();
      registry.register({ ...createBlueskyConnector({ requestTimeoutMs: 10_000 }), publicData: createBlueskyPublicData({ appviewUrl: net.appviewUrl!, requestTimeoutMs: 10_000 }) });
      t = await createTestApp(dialect, { services: { connectors: registry }, config: { blueskyDefaultService: net.pdsUrl } });
    });
    afterAll(async () => t?.close());

    it('adds the rival as a competitor, collects and analyses it', async () => {
      const owner = await t.setupOwner({ timezone: 'UTC' });
      const ws = owner.workspaceId;
      const acc = await t.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'bluesky', credentials: { identifier: own.handle, appPassword: own.appPassword, serviceUrl: net.pdsUrl } }, owner);
      expect(acc.status).toBe(201);
      const res = await t.json('POST', `/api/v1/workspaces/${ws}/competitors`, { network: 'bluesky', handle: `https://bsky.app/profile/${rival.handle}` }, owner);
      expect(res.status).toBe(201);
      const c = (await res.json()) as { id: string; externalId: string; followers: number };
      expect(c).toMatchObject({ externalId: rival.did, followers: 2 });

      const report = await collectCompetitors(t.services, ws);
      expect(report).toMatchObject({ competitors: 1, snapshots: 1, postsSeen: 5, postsAdded: 5, observations: 4, failed: [] });
      const db = t.services.database.db;
      const stored = await db.selectFrom('competitor_posts').selectAll().where('competitor_id', '=', c.id).where('external_id', '=', refs.text!.uri).executeTakeFirstOrThrow();
      expect([stored.likes, stored.shares, stored.comments, stored.quotes, stored.views].map((v) => (v === null ? null : Number(v)))).toEqual([2, 1, 2, 1, null]);
      // A second run at once stores no new observations (nothing is due yet), but keeps the counts fresh.
      expect(await collectCompetitors(t.services, ws)).toMatchObject({ snapshots: 0, postsAdded: 0, observations: 0 });

      const a = await t.json('GET', `/api/v1/workspaces/${ws}/competitors/${c.id}/analysis`, undefined, owner);
      expect(a.status).toBe(200);
      const body = (await a.json()) as { summary: { posts: number; reposts: number; hashtags: Array<{ tag: string; posts: number; engagement: number }>; topPosts: Array<{ id: string; engagement: number }>; er: { value: number | null; inputs: { numerator: number; denominator: number } } } };
      expect([body.summary.posts, body.summary.reposts]).toEqual([4, 1]);
      expect(body.summary.hashtags).toEqual([{ tag: 'heraldtest', posts: 1, engagement: 6 }]);
      expect(body.summary.topPosts[0]!.engagement).toBe(6);
      // LiveDune pooled ER: (2 likes + 2 replies + 1 repost) / 2 followers at publishing (the first snapshot, taken within 24 h) × 100.
      expect(body.summary.er.inputs).toMatchObject({ numerator: 5, denominator: 8 });
      expect(body.summary.er.value).toBe(62.5);
    });
  });
});
