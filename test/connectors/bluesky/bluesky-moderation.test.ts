/**
 * Bluesky moderation against a REAL local AT Protocol network with an AppView (@atproto/dev-env,
 * started by this file): hiding a reply under our post writes the thread's threadgate record
 * (`hiddenReplies`) on the PDS, and the AppView honours it (the thread view carries it and the reply
 * leaves the author's notifications); showing it again removes it; reply controls already on the
 * threadgate are kept; our own reply is deleted; other people's threads and posts are refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { BlueskyCredentials, BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import type { AccountAuth, ModeratedMessage } from '../../../src/connectors/connector';
import type { BlueskyTestNetwork } from '../../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc as call, type Actor } from '../../support/bluesky-appview';
import { connectedBluesky } from './connected-bluesky';

const enabled = appviewSuitesEnabled;

describe.skipIf(!enabled)('bluesky moderation against a local network with an AppView', () => {
  const bsky = useAppviewNetwork();
  let net: BlueskyTestNetwork;
  let alice: Actor;
  let bob: Actor;
  let auth: AccountAuth<BlueskyCredentials, BlueskySession>;
  const { requests, connector, ctx, connect } = connectedBluesky(() => net.pdsUrl);
  const rkeyOf = (uri: string) => uri.split('/').pop()!;
  const threadgate = (rkey: string) => call<{ value: { post: string; allow?: unknown[]; hiddenReplies?: string[] } }>(net.pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: alice.did, collection: 'app.bsky.feed.threadgate', rkey } }).catch(() => null);
  const message = (uri: string, root: string): ModeratedMessage => ({ externalId: uri, kind: 'comment', parentExternalId: root, rootExternalId: root, authorExternalId: bob.did, underOwnPost: true });
  const refOf = async (uri: string) => {
    const [, , repo, collection, rkey] = uri.split('/');
    const r = await call<{ uri: string; cid: string }>(net.pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: repo!, collection: collection!, rkey: rkey! } });
    return { uri: r.uri, cid: r.cid };
  };
  const bobReplies = async (rootUri: string, text: string) => {
    const root = await refOf(rootUri);
    return bsky.createRecord(bob, 'app.bsky.feed.post', { text, reply: { root, parent: root } });
  };
  const notifiedReplies = async () => (await call<{ notifications: Array<{ uri: string; reason: string }> }>(net.pdsUrl, 'app.bsky.notification.listNotifications', { token: alice.token, params: { limit: '50' } })).notifications.filter((n) => n.reason === 'reply').map((n) => n.uri);

  beforeAll(async () => {
    net = bsky.net;
    [alice, bob] = (await bsky.actors('alice', 'bob')) as [Actor, Actor];
    auth = await connect(alice, 'acc-alice');
  }, 150_000);

  it('declares hide/unhide only under our own posts and deleteReply; no delete of other people\'s posts', () => {
    const m = connector.moderation!;
    expect(m.hide).toMatchObject({ kinds: ['comment', 'reply', 'mention'], ownPostsOnly: true });
    expect(m.unhide).toMatchObject({ ownPostsOnly: true });
    expect(m.delete).toBeUndefined();
    expect(m.restore).toBeUndefined();
  });

  it('hides a reply under our post in the threadgate, which the AppView honours, and shows it again', async () => {
    const post = await connector.publish({ auth, variant: { text: 'Our launch post' }, idempotencyKey: randomUUID(), createdAt: new Date().toISOString() }, ctx);
    // Replies to a post the AppView has not indexed yet are not notified: wait for it first.
    await eventually('the post in the AppView', async () => (await call<{ posts: unknown[] }>(net.pdsUrl, 'app.bsky.feed.getPosts', { token: alice.token, params: { uris: post.externalId } })).posts.length > 0);
    const spam = await bobReplies(post.externalId, 'buy cheap followers');
    const fine = await bobReplies(post.externalId, 'congrats!');
    await eventually('both replies notified', async () => {
      const n = await notifiedReplies();
      return n.includes(spam.uri) && n.includes(fine.uri);
    }, 30_000);

    await connector.moderation!.hide!.run({ auth, message: message(spam.uri, post.externalId) }, ctx);
    const gate = await threadgate(rkeyOf(post.externalId));
    expect(gate?.value).toMatchObject({ post: post.externalId, hiddenReplies: [spam.uri] });
    // No reply controls were set, so none are added: everyone may still reply.
    expect(gate?.value.allow).toBeUndefined();

    // The AppView: the thread carries the threadgate, and the hidden reply leaves Alice's notifications.
    await eventually('the AppView sees the threadgate', async () => {
      const t = await call<{ threadgate?: { record?: { hiddenReplies?: string[] } } }>(net.pdsUrl, 'app.bsky.feed.getPostThread', { token: alice.token, params: { uri: post.externalId } });
      return t.threadgate?.record?.hiddenReplies?.includes(spam.uri) ?? false;
    }, 30_000);
    await eventually('the hidden reply is no longer notified', async () => {
      const n = await notifiedReplies();
      return !n.includes(spam.uri) && n.includes(fine.uri);
    }, 30_000);

    // Hiding again changes nothing (no write).
    requests.length = 0;
    await connector.moderation!.hide!.run({ auth, message: message(spam.uri, post.externalId) }, ctx);
    expect(requests.filter((r) => r.includes('putRecord'))).toEqual([]);

    await connector.moderation!.unhide!.run({ auth, message: message(spam.uri, post.externalId) }, ctx);
    expect((await threadgate(rkeyOf(post.externalId)))?.value.hiddenReplies).toEqual([]);
    await eventually('the reply is notified again', async () => (await notifiedReplies()).includes(spam.uri), 30_000);
  }, 120_000);

  it('keeps reply controls set in the app when hiding', async () => {
    const post = await connector.publish({ auth, variant: { text: 'Followers only, please' }, idempotencyKey: randomUUID(), createdAt: new Date().toISOString() }, ctx);
    const reply = await bobReplies(post.externalId, 'sneaking in');
    await call(net.pdsUrl, 'com.atproto.repo.createRecord', {
      token: alice.token,
      body: { repo: alice.did, collection: 'app.bsky.feed.threadgate', rkey: rkeyOf(post.externalId), record: { $type: 'app.bsky.feed.threadgate', post: post.externalId, createdAt: new Date().toISOString(), allow: [{ $type: 'app.bsky.feed.threadgate#followerRule' }] } },
    });
    await connector.moderation!.hide!.run({ auth, message: message(reply.uri, post.externalId) }, ctx);
    expect((await threadgate(rkeyOf(post.externalId)))?.value).toMatchObject({ allow: [{ $type: 'app.bsky.feed.threadgate#followerRule' }], hiddenReplies: [reply.uri] });
  }, 60_000);

  it("refuses to hide in someone else's thread, deletes our own reply and refuses someone else's post", async () => {
    const bobsPost = await bsky.createRecord(bob, 'app.bsky.feed.post', { text: 'my own thread' });
    const reply = await bobReplies(bobsPost.uri, 'self reply');
    await expect(connector.moderation!.hide!.run({ auth, message: message(reply.uri, bobsPost.uri) }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message: expect.stringContaining('only the author of the thread') });

    const post = await connector.publish({ auth, variant: { text: 'Questions welcome' }, idempotencyKey: randomUUID(), createdAt: new Date().toISOString() }, ctx);
    const q = await bobReplies(post.externalId, 'a question');
    const ours = await connector.comments!.reply({ auth, parentExternalId: q.uri, rootExternalId: post.externalId, text: 'an answer', idempotencyKey: randomUUID() }, ctx);
    expect(await refOf(ours.externalId)).toMatchObject({ uri: ours.externalId });
    await connector.moderation!.deleteReply!({ auth, externalId: ours.externalId, parentExternalId: q.uri }, ctx);
    await expect(refOf(ours.externalId)).rejects.toThrow(/HTTP 400|RecordNotFound|not found/i);
    // Deleting it again is fine (already gone); Bob's post is not ours to delete.
    await connector.moderation!.deleteReply!({ auth, externalId: ours.externalId, parentExternalId: q.uri }, ctx);
    await expect(connector.moderation!.deleteReply!({ auth, externalId: q.uri, parentExternalId: post.externalId }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
  }, 60_000);
});
