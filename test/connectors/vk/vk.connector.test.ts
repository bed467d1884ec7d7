/**
 * The VK connector over real HTTP against the fake VK (fake-vk.ts), whose answers come from the
 * fixture files that follow dev.vk.com and id.vk.com. Every request is recorded; anything the fake
 * does not expect (unknown method or path, GET, a token in the URL, a missing v=5.199) fails the test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type AccountAuth, type ConnectorContext } from '../../../src/connectors/connector';
import { createVkConnector, vkGuid, VK_ERROR_TABLE, type VkCredentials, type VkSession } from '../../../src/connectors/vk/vk.connector';
import { loopbackFetch } from '../bluesky/loopback-fetch';
import { startFakeVk, type FakeVk, type RecordedRequest } from './fake-vk';

const IVAN = 743784474;
const ALEXA = 2;

let fake: FakeVk;
let vk: ReturnType<typeof createVkConnector>;
let n = 0;

beforeAll(async () => {
  fake = await startFakeVk();
  vk = createVkConnector({ apiBaseUrl: fake.apiBaseUrl, idBaseUrl: fake.idBaseUrl, clientId: fake.clientId, requestTimeoutMs: 2_000 });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
  // Every API call: POST form body with the pinned version and the token, nothing in the URL or headers.
  for (const r of fake.requests.filter((x) => x.method !== null)) {
    expect(r.httpMethod).toBe('POST');
    expect(r.query).toEqual({});
    expect(r.form.v).toBe('5.199');
    expect(r.headers.authorization).toBeUndefined();
  }
  fake.requests.length = 0;
});

type Auth = AccountAuth<VkCredentials, VkSession>;
const saves: Array<{ session: VkSession; meta?: { expiresAt?: string | null } }> = [];

function ctxFor(auth: Auth | null, opts: { signal?: AbortSignal } = {}): ConnectorContext<VkSession> {
  return {
    fetch: loopbackFetch(),
    defaultServiceUrl: '',
    ...opts,
    saveSession: async (session, meta) => {
      saves.push({ session, meta });
      if (auth) auth.session = session;
    },
  };
}

async function connectAs(credentials: VkCredentials): Promise<Auth> {
  const parsed = vk.credentialsSchema.parse(credentials);
  const a = await vk.connect(parsed, ctxFor(null));
  return { accountId: `acc-${++n}`, externalId: a.externalId, handle: a.handle, serviceUrl: a.serviceUrl, credentials: parsed, session: a.session };
}

function userToken(userId = IVAN, expiresInSec?: number): string {
  const t = `user-${userId}-${randomBytes(4).toString('hex')}`;
  fake.addUserToken(t, userId, expiresInSec);
  return t;
}

const only = (method: string): RecordedRequest => {
  const c = fake.calls(method);
  expect(c).toHaveLength(1);
  return c[0]!;
};

const createdAt = () => new Date().toISOString();

async function caught(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('connect', () => {
  it('connects a community with a user token: groups.getById → wall id, screen name, name', async () => {
    const token = userToken();
    const a = await vk.connect(vk.credentialsSchema.parse({ accessToken: token, community: 'https://vk.com/apiclub' }), ctxFor(null));
    expect(a).toMatchObject({ externalId: '-1', handle: 'apiclub', displayName: 'VK API', serviceUrl: null, expiresAt: null });
    expect(only('groups.getById').form).toEqual({ group_id: 'apiclub', fields: 'members_count', v: '5.199', access_token: token });
  });

  it('connects a community with a community token (club1 form) and a profile with a user token', async () => {
    fake.addGroupToken('group-token-1', 1);
    const g = await vk.connect(vk.credentialsSchema.parse({ accessToken: 'group-token-1', community: 'club1' }), ctxFor(null));
    expect(g).toMatchObject({ externalId: '-1', handle: 'apiclub', expiresAt: null });
    expect(only('groups.getById').form.group_id).toBe('1');
    fake.requests.length = 0;

    const token = userToken();
    const p = await vk.connect(vk.credentialsSchema.parse({ accessToken: token, expiresAt: '2027-01-01T00:00:00Z' }), ctxFor(null));
    expect(p).toMatchObject({ externalId: String(IVAN), handle: 'ivan.petrov', displayName: 'Ivan Petrov', expiresAt: '2027-01-01T00:00:00Z' });
    expect(only('users.get').form).toEqual({ fields: 'screen_name', v: '5.199', access_token: token });
  });

  it('refuses a community the user does not manage, an unknown community and a bad token', async () => {
    const e1 = await caught(vk.connect(vk.credentialsSchema.parse({ accessToken: userToken(ALEXA), community: 'apiclub' }), ctxFor(null)));
    expect(e1.kind).toBe('disconnected');
    expect(e1.message).toBe('This VK account does not manage the community "VK API"; ask its owner to make you an editor');
    const e2 = await caught(vk.connect(vk.credentialsSchema.parse({ accessToken: userToken(), community: 'nosuchclub' }), ctxFor(null)));
    expect(e2).toMatchObject({ kind: 'invalid_content' });
    expect(e2.opts.networkCode).toBe('100');
    const e3 = await caught(vk.connect(vk.credentialsSchema.parse({ accessToken: 'not-a-token', community: 'apiclub' }), ctxFor(null)));
    expect(e3.kind).toBe('auth_expired');
    expect(e3.message).toContain('VK error 5: User authorization failed');
    expect(e3.message).not.toContain('not-a-token');
  });

  it('checks the credential form with messages a person understands', () => {
    const r = vk.credentialsSchema.safeParse({ accessToken: ' ', community: 'https://example.com/x y' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).sort()).toEqual(['Enter a VK access token', 'Enter the community as https://vk.com/club123, https://vk.com/name, a screen name or a number']);
    expect(vk.credentialsSchema.safeParse({ accessToken: 't', expiresAt: 'soon' }).error!.issues[0]!.message).toBe('The expiry must be a date and time such as 2026-12-31T12:00:00Z');
    expect(vk.credentialFields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['accessToken', 'password', true],
      ['community', 'text', false],
      ['expiresAt', 'text', false],
    ]);
  });
});

describe('publish', () => {
  it('posts text with options on a community wall: exact wall.post parameters, guid from the key', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    fake.requests.length = 0;
    const r = await vk.publish({ auth, variant: { text: 'Привет, VK!', options: { signed: true, closeComments: true } }, idempotencyKey: 'target-1', createdAt: createdAt() }, ctxFor(auth));
    const post = fake.posts.at(-1)!;
    expect(r).toEqual({ externalId: `-1_${post.id}`, url: `https://vk.com/wall-1_${post.id}` });
    expect(only('wall.post').form).toEqual({
      owner_id: '-1',
      from_group: '1',
      signed: '1',
      message: 'Привет, VK!',
      close_comments: '1',
      guid: vkGuid('target-1'),
      v: '5.199',
      access_token: token,
    });
    expect(vkGuid('target-1')).not.toContain('target-1');
    expect(fake.requests.map((x) => x.method)).toEqual(['wall.post']);
  });

  it('uploads photos (upload server → multipart upload → saveWallPhoto), creates the poll and attaches the link', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    fake.requests.length = 0;
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9]);
    const before = Date.now();
    const r = await vk.publish(
      {
        auth,
        variant: {
          text: 'Poll time',
          link: 'https://example.com/page',
          media: [
            { mimeType: 'image/jpeg', sizeBytes: jpeg.length, alt: 'A cat', data: jpeg },
            { mimeType: 'image/png', sizeBytes: png.length, alt: '', data: png },
          ],
          poll: { question: 'Which day?', options: ['Monday', 'Friday'], multiple: true, durationSeconds: 86_400 },
          options: { fromGroup: false },
        },
        idempotencyKey: 'target-media',
        createdAt: createdAt(),
      },
      ctxFor(auth),
    );
    expect(fake.requests.map((x) => x.method ?? x.path)).toEqual([
      'photos.getWallUploadServer',
      '/upload/wall',
      'photos.saveWallPhoto',
      '/upload/wall',
      'photos.saveWallPhoto',
      'polls.create',
      'wall.post',
    ]);
    expect(only('photos.getWallUploadServer').form).toEqual({ group_id: '1', v: '5.199', access_token: token });
    const uploads = fake.requests.filter((x) => x.path === '/upload/wall');
    expect(uploads.map((u) => u.files)).toEqual([
      [{ field: 'photo', filename: 'photo1.jpg', type: 'image/jpeg', size: jpeg.length }],
      [{ field: 'photo', filename: 'photo2.png', type: 'image/png', size: png.length }],
    ]);
    // The upload address is VK's own: the token is not sent there.
    expect(uploads.every((u) => JSON.stringify(u).includes(token) === false)).toBe(true);
    const saves = fake.calls('photos.saveWallPhoto').map((c) => c.form);
    expect(saves[0]).toMatchObject({ group_id: '1', server: '850136', caption: 'A cat' });
    expect(saves[0]!.photo).toMatch(/^\[\{"markers_restarted":true/);
    expect(saves[0]!.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(saves[1]).not.toHaveProperty('caption');
    const poll = only('polls.create').form;
    expect(poll).toMatchObject({ question: 'Which day?', add_answers: '["Monday","Friday"]', is_multiple: '1', owner_id: '-1' });
    expect(Number(poll.end_date)).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 86_400);
    expect(Number(poll.end_date)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 86_401);
    const wp = only('wall.post').form;
    const [p1, p2] = fake.posts.at(-1)!.attachments;
    expect(wp.attachments).toBe(`${p1},${p2},poll-1_${fake.polls.at(-1)!.id},https://example.com/page`);
    expect(p1).toMatch(/^photo-1_\d+$/);
    expect(wp).toMatchObject({ owner_id: '-1', from_group: '0', message: 'Poll time' });
    expect(wp).not.toHaveProperty('signed');
    expect(r.externalId).toBe(`-1_${fake.posts.at(-1)!.id}`);
  });

  it('posts on the own profile without community parameters', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token });
    fake.requests.length = 0;
    const img = Buffer.from([0xff, 0xd8, 0xff, 7]);
    const r = await vk.publish({ auth, variant: { text: 'Mine', media: [{ mimeType: 'image/jpeg', sizeBytes: 4, alt: 'x', data: img }] }, idempotencyKey: 'own-1', createdAt: createdAt() }, ctxFor(auth));
    expect(only('photos.getWallUploadServer').form).toEqual({ v: '5.199', access_token: token });
    expect(only('photos.saveWallPhoto').form).toMatchObject({ user_id: String(IVAN) });
    expect(only('wall.post').form).toEqual({ owner_id: String(IVAN), message: 'Mine', attachments: fake.posts.at(-1)!.attachments[0], guid: vkGuid('own-1'), v: '5.199', access_token: token });
    expect(r.url).toBe(`https://vk.com/wall${IVAN}_${fake.posts.at(-1)!.id}`);
  });

  it('a re-send with the same idempotency key returns the same post (guid); another key makes another', async () => {
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    const a = await vk.publish({ auth, variant: { text: 'once' }, idempotencyKey: 'same-key', createdAt: createdAt() }, ctxFor(auth));
    const b = await vk.publish({ auth, variant: { text: 'once' }, idempotencyKey: 'same-key', createdAt: createdAt() }, ctxFor(auth));
    expect(b).toEqual(a);
    expect(fake.calls('wall.post')).toHaveLength(2);
    expect(fake.posts.filter((p) => p.guid === vkGuid('same-key'))).toHaveLength(1);
    const c = await vk.publish({ auth, variant: { text: 'once' }, idempotencyKey: 'other-key', createdAt: createdAt() }, ctxFor(auth));
    expect(c.externalId).not.toBe(a.externalId);
  });

  it('after a lost answer: outcome unknown, then findPublished finds the post; a key never sent is null without a call', async () => {
    const fast = createVkConnector({ apiBaseUrl: fake.apiBaseUrl, idBaseUrl: fake.idBaseUrl, clientId: fake.clientId, requestTimeoutMs: 400 });
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    fake.hangNext('wall.post');
    const e = await caught(fast.publish({ auth, variant: { text: 'lost answer' }, idempotencyKey: 'hang-1', createdAt: createdAt() }, ctxFor(auth)));
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
    const stored = fake.posts.filter((p) => p.guid === vkGuid('hang-1'));
    expect(stored).toHaveLength(1);
    expect(auth.session!.pending![vkGuid('hang-1')]).toBeDefined();
    fake.requests.length = 0;
    const found = await fast.findPublished!({ auth, idempotencyKey: 'hang-1', createdAt: createdAt() }, ctxFor(auth));
    expect(found).toEqual({ externalId: `-1_${stored[0]!.id}`, url: `https://vk.com/wall-1_${stored[0]!.id}` });
    expect(only('wall.get').form).toMatchObject({ owner_id: '-1', count: '50', filter: 'all' });
    fake.requests.length = 0;
    expect(await fast.findPublished!({ auth, idempotencyKey: 'never-sent', createdAt: createdAt() }, ctxFor(auth))).toBeNull();
    expect(fake.requests).toHaveLength(0);
    // A successful publish clears its journal entry.
    await fast.publish({ auth, variant: { text: 'fine' }, idempotencyKey: 'ok-1', createdAt: createdAt() }, ctxFor(auth));
    expect(auth.session!.pending![vkGuid('ok-1')]).toBeUndefined();
  });

  it('a refused connection is retryable with a known outcome (nothing was sent); HTTP 502 on wall.post is an unknown outcome', async () => {
    const { createServer } = await import('node:http');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    const offline = createVkConnector({ apiBaseUrl: `http://127.0.0.1:${port}/method`, idBaseUrl: fake.idBaseUrl, clientId: fake.clientId });
    const e = await caught(offline.publish({ auth, variant: { text: 'x' }, idempotencyKey: 'offline', createdAt: createdAt() }, ctxFor(auth)));
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(false);
    expect(e.message).toBe('Could not reach VK to publish the post (ECONNREFUSED)');

    const gateway = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
    try {
      const bad = createVkConnector({ apiBaseUrl: `http://127.0.0.1:${(gateway.address() as { port: number }).port}/method` });
      const e2 = await caught(bad.publish({ auth, variant: { text: 'x' }, idempotencyKey: 'gw', createdAt: createdAt() }, ctxFor(auth)));
      expect(e2).toMatchObject({ kind: 'retryable', message: 'VK answered HTTP 502 while trying to publish the post' });
      expect(e2.opts.outcomeUnknown).toBe(true);
    } finally {
      await new Promise<void>((r) => gateway.close(() => r()));
    }
  });

  it('refuses an invalid variant before any request, and a community token cannot post (error 27)', async () => {
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    fake.requests.length = 0;
    const e = await caught(vk.publish({ auth, variant: { text: '', poll: { question: 'Q', options: ['a'] } }, idempotencyKey: 'bad', createdAt: createdAt() }, ctxFor(auth)));
    expect(e.kind).toBe('invalid_content');
    expect(fake.requests).toHaveLength(0);

    fake.addGroupToken('group-token-2', 1);
    const g = await connectAs({ accessToken: 'group-token-2', community: 'apiclub' });
    const e2 = await caught(vk.publish({ auth: g, variant: { text: 'hi' }, idempotencyKey: 'grp', createdAt: createdAt() }, ctxFor(g)));
    expect(e2.kind).toBe('disconnected');
    expect(e2.message).toContain('connect with VK ID');
  });
});

describe('error mapping (every row of the table, on wall.post)', () => {
  const rows = Object.entries(VK_ERROR_TABLE).map(([code, rule]) => ({ code: Number(code), ...rule }));
  it.each(rows)('VK error $code → $kind', async (row) => {
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    fake.failNext('wall.post', row.code);
    const e = await caught(vk.publish({ auth, variant: { text: `error ${row.code}` }, idempotencyKey: `err-${row.code}`, createdAt: createdAt() }, ctxFor(auth)));
    expect(e.kind).toBe(row.kind);
    expect(e.opts.networkCode).toBe(String(row.code));
    expect(e.opts.retryAfterMs).toBe(row.retryAfterMs);
    expect(e.opts.outcomeUnknown === true).toBe(row.writeOutcomeUnknown === true);
    expect(e.message).toContain(row.explain);
    expect(e.message).toContain(`VK error ${row.code}:`);
  });

  it('codes outside the table are invalid_content with VK words; reads never have an unknown outcome', async () => {
    const auth = await connectAs({ accessToken: userToken(), community: 'apiclub' });
    fake.failNext('wall.post', 999);
    const e = await caught(vk.publish({ auth, variant: { text: 'x' }, idempotencyKey: 'err-999', createdAt: createdAt() }, ctxFor(auth)));
    expect(e).toMatchObject({ kind: 'invalid_content', message: 'VK refused to publish the post (error 999: Unknown error occurred)' });
    fake.failNext('wall.getById', 10);
    const e2 = await caught(vk.metrics!.posts({ auth, externalIds: ['-1_1'] }, ctxFor(auth)));
    expect(e2.kind).toBe('retryable');
    expect(e2.opts.outcomeUnknown).toBeUndefined();
  });
});

describe('delete', () => {
  it('deletes with wall.delete; an already deleted post is fine; another wall is refused without a request', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    const r = await vk.publish({ auth, variant: { text: 'to delete' }, idempotencyKey: 'del-1', createdAt: createdAt() }, ctxFor(auth));
    fake.requests.length = 0;
    await vk.delete!({ auth, externalId: r.externalId }, ctxFor(auth));
    expect(only('wall.delete').form).toEqual({ owner_id: '-1', post_id: r.externalId.split('_')[1], v: '5.199', access_token: token });
    expect(fake.posts.find((p) => `${p.ownerId}_${p.id}` === r.externalId)!.deleted).toBe(true);
    await vk.delete!({ auth, externalId: r.externalId }, ctxFor(auth));
    fake.requests.length = 0;
    const e = await caught(vk.delete!({ auth, externalId: '-2_5' }, ctxFor(auth)));
    expect(e.kind).toBe('invalid_content');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('comments', () => {
  it('reads new comments and thread replies per post with a cursor, then replies as the community', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    const post = await vk.publish({ auth, variant: { text: 'Discuss' }, idempotencyKey: 'cm-1', createdAt: createdAt() }, ctxFor(auth));
    const postId = Number(post.externalId.split('_')[1]);
    const c1 = fake.addComment({ ownerId: -1, postId, fromId: ALEXA, text: 'First!' });
    const c2 = fake.addComment({ ownerId: -1, postId, fromId: IVAN, text: '[id2|Alexandra], thanks!' });
    const r1 = fake.addComment({ ownerId: -1, postId, fromId: ALEXA, text: 'Agreed', replyTo: c2 });
    fake.requests.length = 0;
    const posts = [{ externalId: post.externalId, publishedAt: createdAt() }];
    const first = await vk.comments!.fetch({ auth, cursor: null, posts }, ctxFor(auth));
    expect(only('wall.getComments').form).toEqual({
      owner_id: '-1',
      post_id: String(postId),
      sort: 'desc',
      count: '100',
      offset: '0',
      extended: '1',
      fields: 'screen_name',
      thread_items_count: '10',
      preview_length: '0',
      v: '5.199',
      access_token: token,
    });
    const byId = Object.fromEntries(first.items.map((i) => [i.externalId, i]));
    expect(Object.keys(byId).sort()).toEqual([`-1_${postId}_${c1}`, `-1_${postId}_${c2}`, `-1_${postId}_${r1}`].sort());
    expect(byId[`-1_${postId}_${c1}`]).toMatchObject({
      kind: 'comment',
      parentExternalId: post.externalId,
      rootExternalId: post.externalId,
      author: { externalId: String(ALEXA), handle: 'alexa', displayName: 'Alexandra Vladimirova' },
      text: 'First!',
      url: `https://vk.com/wall-1_${postId}?reply=${c1}`,
    });
    expect(byId[`-1_${postId}_${c2}`]).toMatchObject({ text: 'Alexandra, thanks!', author: { handle: 'ivan.petrov', displayName: 'Ivan Petrov' } });
    expect(byId[`-1_${postId}_${r1}`]).toMatchObject({ kind: 'reply', parentExternalId: `-1_${postId}_${c2}`, rootExternalId: post.externalId });
    expect(Date.parse(byId[`-1_${postId}_${c1}`]!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(first.cursor!)).toEqual({ v: 1, last: { [post.externalId]: r1 } });

    // Nothing new: nothing returned, same cursor.
    const again = await vk.comments!.fetch({ auth, cursor: first.cursor, posts }, ctxFor(auth));
    expect(again.items).toEqual([]);
    expect(again.cursor).toBe(first.cursor);

    const c3 = fake.addComment({ ownerId: -1, postId, fromId: ALEXA, text: 'When is the next one?' });
    const next = await vk.comments!.fetch({ auth, cursor: first.cursor, posts }, ctxFor(auth));
    expect(next.items.map((i) => i.externalId)).toEqual([`-1_${postId}_${c3}`]);

    fake.requests.length = 0;
    const reply = await vk.comments!.reply({ auth, parentExternalId: `-1_${postId}_${c3}`, rootExternalId: post.externalId, text: 'Next Friday!', idempotencyKey: 'reply-1' }, ctxFor(auth));
    const form = only('wall.createComment').form;
    expect(form).toEqual({
      owner_id: '-1',
      post_id: String(postId),
      message: 'Next Friday!',
      reply_to_comment: String(c3),
      from_group: '1',
      guid: vkGuid('reply:reply-1'),
      v: '5.199',
      access_token: token,
    });
    const mine = fake.comments.at(-1)!;
    expect(reply).toEqual({ externalId: `-1_${postId}_${mine.id}`, url: `https://vk.com/wall-1_${postId}?reply=${mine.id}` });
    expect(mine).toMatchObject({ fromId: -1, replyTo: c3 });
    // The same reply again (retry) makes no second comment.
    const again2 = await vk.comments!.reply({ auth, parentExternalId: `-1_${postId}_${c3}`, rootExternalId: post.externalId, text: 'Next Friday!', idempotencyKey: 'reply-1' }, ctxFor(auth));
    expect(again2).toEqual(reply);
    expect(fake.comments.filter((c) => c.text === 'Next Friday!')).toHaveLength(1);
    // The community's own answer is not inbound.
    const after = await vk.comments!.fetch({ auth, cursor: next.cursor, posts }, ctxFor(auth));
    expect(after.items).toEqual([]);
    // A comment on the post itself (no parent comment) goes without reply_to_comment.
    fake.requests.length = 0;
    await vk.comments!.reply({ auth, parentExternalId: post.externalId, rootExternalId: post.externalId, text: 'Thanks all', idempotencyKey: 'reply-2' }, ctxFor(auth));
    expect(only('wall.createComment').form).not.toHaveProperty('reply_to_comment');
  });
});

describe('metrics', () => {
  it('reads likes, reposts, views and comments per post, and community members / profile followers', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    const a = await vk.publish({ auth, variant: { text: 'm1' }, idempotencyKey: 'met-1', createdAt: createdAt() }, ctxFor(auth));
    const b = await vk.publish({ auth, variant: { text: 'm2' }, idempotencyKey: 'met-2', createdAt: createdAt() }, ctxFor(auth));
    Object.assign(fake.posts.find((p) => `${p.ownerId}_${p.id}` === a.externalId)!, { likes: 27, reposts: 3, views: 1804 });
    fake.addComment({ ownerId: -1, postId: Number(a.externalId.split('_')[1]), fromId: ALEXA, text: 'hi' });
    fake.requests.length = 0;
    const m = await vk.metrics!.posts({ auth, externalIds: [a.externalId, b.externalId, '-1_999999', 'garbage'] }, ctxFor(auth));
    expect(only('wall.getById').form).toEqual({ posts: `${a.externalId},${b.externalId},-1_999999`, v: '5.199', access_token: token });
    expect(m).toEqual({
      [a.externalId]: { likes: 27, shares: 3, views: 1804, comments: 1 },
      [b.externalId]: { likes: 0, shares: 0, views: 0, comments: 0 },
    });
    fake.requests.length = 0;
    expect(await vk.metrics!.account({ auth }, ctxFor(auth))).toEqual({ followers: 1_520_387 });
    expect(only('groups.getById').form).toEqual({ group_id: '1', fields: 'members_count', v: '5.199', access_token: token });
    const me = await connectAs({ accessToken: userToken() });
    fake.requests.length = 0;
    expect(await vk.metrics!.account({ auth: me }, ctxFor(me))).toEqual({ followers: 210 });
    expect(only('users.get').form).toMatchObject({ user_ids: String(IVAN), fields: 'followers_count' });
  });
});

describe('VK ID OAuth 2.1 + PKCE', () => {
  it('is unavailable, with the reason, when no client id is configured', () => {
    expect(createVkConnector().oauth!.available()).toEqual({
      ok: false,
      reason: 'VK ID sign-in is not configured: set HERALD_VK_CLIENT_ID to the ID of your VK ID app (id.vk.com → your app)',
    });
    expect(vk.oauth!.available()).toEqual({ ok: true });
    expect(vk.oauth!.needsServiceUrl).toBe(false);
    expect(vk.oauth!.startFields!.map((f) => f.name)).toEqual(['community']);
  });

  it('begin: the authorize URL carries response_type, client_id, redirect_uri, state, the S256 challenge and the scopes', async () => {
    const { challenge } = pkce();
    const b = await vk.oauth!.begin(
      { serviceUrl: null, redirectUri: 'https://herald.example/api/v1/oauth/callback/vk', state: 'state-123456789012345678901234567890', codeChallenge: challenge, fields: { community: 'https://vk.com/apiclub' } },
      { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } },
    );
    const u = new URL(b.authorizeUrl);
    expect(`${u.origin}${u.pathname}`).toBe(`${fake.idBaseUrl}/authorize`);
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: 'https://herald.example/api/v1/oauth/callback/vk',
      state: 'state-123456789012345678901234567890',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'wall photos groups stats',
    });
    expect(b.keep).toEqual({ state: 'state-123456789012345678901234567890', community: 'https://vk.com/apiclub' });
    expect(fake.requests).toHaveLength(0);
    await expect(
      vk.oauth!.begin({ serviceUrl: null, redirectUri: 'https://h/cb', state: 's', codeChallenge: challenge, fields: { community: 'not a community!' } }, { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } }),
    ).rejects.toMatchObject({ kind: 'invalid_content' });
  });

  it('finish: exchanges code + code_verifier + device_id for tokens; connect then targets the chosen community', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'https://herald.example/api/v1/oauth/callback/vk';
    const code = fake.issueCode({ codeChallenge: challenge, redirectUri, deviceId: 'device-abc', userId: IVAN });
    const t0 = Date.now();
    const creds = await vk.oauth!.finish(
      { serviceUrl: null, redirectUri, code, codeVerifier: verifier, keep: { state: 'st-1', community: 'apiclub' }, params: { device_id: 'device-abc', state: 'st-1', type: 'code_v2', expires_in: '600' } },
      { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } },
    );
    const req = fake.requests.find((r) => r.path === '/id/oauth2/auth')!;
    expect(req.httpMethod).toBe('POST');
    expect(req.query).toEqual({});
    expect(req.form).toEqual({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, client_id: fake.clientId, device_id: 'device-abc', state: 'st-1' });
    expect(creds).toMatchObject({ kind: 'vkid', deviceId: 'device-abc', userId: IVAN, community: 'apiclub' });
    const c = creds as Extract<VkCredentials, { kind: 'vkid' }>;
    expect(Date.parse(c.accessExpiresAt) - t0).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    expect(Date.parse(c.accessExpiresAt) - t0).toBeLessThanOrEqual(3_600_000 + 5_000);
    const parsed = vk.credentialsSchema.parse(creds);
    const acc = await vk.connect(parsed, ctxFor(null));
    expect(acc).toMatchObject({ externalId: '-1', handle: 'apiclub' });
    // The account expires when the refresh token does (180 days), not with the hour-long access token.
    expect(Date.parse(acc.expiresAt!) - t0).toBeGreaterThan(179 * 86_400_000);
    expect(vk.rateGroup!({ accountId: 'a', externalId: '-1', handle: 'apiclub', serviceUrl: null, credentials: parsed, session: acc.session })).toBe(`vk:user:${IVAN}`);

    // A wrong verifier (or a used code) is refused: the sign-in must start again.
    const code2 = fake.issueCode({ codeChallenge: challenge, redirectUri, deviceId: 'device-abc', userId: IVAN });
    const e = await caught(
      vk.oauth!.finish(
        { serviceUrl: null, redirectUri, code: code2, codeVerifier: pkce().verifier, keep: { state: 'st-2' }, params: { device_id: 'device-abc', state: 'st-2' } },
        { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } },
      ),
    );
    expect(e).toMatchObject({ kind: 'auth_expired' });
    expect(e.message).toBe('VK ID refused to finish the VK ID sign-in (invalid_grant: grant is invalid or expired); connect the account with VK ID again');
  });

  async function oauthAccount(): Promise<Auth> {
    const { verifier, challenge } = pkce();
    const code = fake.issueCode({ codeChallenge: challenge, redirectUri: 'https://h/cb', deviceId: 'dev-r', userId: IVAN });
    const creds = await vk.oauth!.finish(
      { serviceUrl: null, redirectUri: 'https://h/cb', code, codeVerifier: verifier, keep: { state: 's', community: 'apiclub' }, params: { device_id: 'dev-r' } },
      { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } },
    );
    return connectAs(creds);
  }

  it('refreshes the access token before it expires, saves the new pair, and the old refresh token is spent', async () => {
    const auth = await oauthAccount();
    const oldRefresh = auth.session!.refreshToken!;
    // Not near expiry: no refresh.
    fake.requests.length = 0;
    await vk.publish({ auth, variant: { text: 'no refresh' }, idempotencyKey: 'rf-0', createdAt: createdAt() }, ctxFor(auth));
    expect(fake.requests.some((r) => r.path === '/id/oauth2/auth')).toBe(false);

    // One minute left (under the five-minute margin): refresh first.
    auth.session = { ...auth.session!, accessExpiresAt: new Date(Date.now() + 60_000).toISOString() };
    fake.requests.length = 0;
    saves.length = 0;
    await vk.publish({ auth, variant: { text: 'after refresh' }, idempotencyKey: 'rf-1', createdAt: createdAt() }, ctxFor(auth));
    expect(fake.requests.map((r) => r.method ?? r.path)).toEqual(['/id/oauth2/auth', 'wall.post']);
    const refreshReq = fake.requests[0]!;
    expect(Object.keys(refreshReq.form).sort()).toEqual(['client_id', 'device_id', 'grant_type', 'refresh_token', 'state']);
    expect(refreshReq.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: oldRefresh, client_id: fake.clientId, device_id: 'dev-r' });
    expect(refreshReq.form.state!.length).toBeGreaterThanOrEqual(32);
    const newSession = auth.session!;
    expect(newSession.refreshToken).not.toBe(oldRefresh);
    expect(fake.calls('wall.post')[0]!.form.access_token).toBe(newSession.accessToken);
    // The refresh is saved with the account's new expiry (journal saves leave the expiry alone).
    const withExpiry = saves.filter((s) => s.meta?.expiresAt !== undefined);
    expect(withExpiry).toHaveLength(1);
    expect(withExpiry[0]!.meta).toEqual({ expiresAt: newSession.refreshExpiresAt });
    expect(withExpiry[0]!.session.accessToken).toBe(newSession.accessToken);
    expect(Date.parse(newSession.refreshExpiresAt!) - Date.now()).toBeGreaterThan(179 * 86_400_000);
    expect(fake.liveRefreshTokens()).not.toContain(oldRefresh);
    expect(fake.liveRefreshTokens()).toContain(newSession.refreshToken);
  });

  it('refreshes once and retries when VK says the token is invalid (error 5); a dead refresh token is auth_expired', async () => {
    const auth = await oauthAccount();
    fake.revokeToken(auth.session!.accessToken);
    fake.requests.length = 0;
    const r = await vk.publish({ auth, variant: { text: 'retry after 5' }, idempotencyKey: 'rf-5', createdAt: createdAt() }, ctxFor(auth));
    expect(fake.requests.map((x) => x.method ?? x.path)).toEqual(['wall.post', '/id/oauth2/auth', 'wall.post']);
    expect(r.externalId).toMatch(/^-1_\d+$/);

    // The refresh token was spent elsewhere: VK ID refuses, the account needs a new sign-in.
    const stale = { ...auth.session!, refreshToken: 'vk2.a.SPENT', accessExpiresAt: new Date(Date.now() - 1000).toISOString() };
    const dead: Auth = { ...auth, session: stale };
    const e = await caught(vk.publish({ auth: dead, variant: { text: 'x' }, idempotencyKey: 'rf-dead', createdAt: createdAt() }, ctxFor(dead)));
    expect(e.kind).toBe('auth_expired');
    expect(e.message).not.toContain('SPENT');
  });

  it('a manual token has no refresh: rate group is a hash, never the token', async () => {
    const token = userToken();
    const auth = await connectAs({ accessToken: token, community: 'apiclub' });
    const g = vk.rateGroup!(auth);
    expect(g).toMatch(/^vk:token:[0-9a-f]{24}$/);
    expect(g).not.toContain(token);
    expect(vk.limits).toEqual({ maxConcurrentPerAccount: 1, publishRate: { count: 50, windowMs: 86_400_000 }, groupRate: { count: 3, windowMs: 1_000 } });
  });
});
