/**
 * The OK connector at the HTTP level against the local fake OK API (ok-fake-api.ts): every request is
 * signature-checked like OK does, answered from the documented fixtures, and any request the test did
 * not queue fails the test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type AccountAuth, type ConnectorContext, type PostVariant } from '../../../src/connectors/connector';
import { createOkConnector, OK_SCOPES, type OkCredentials, type OkSession } from '../../../src/connectors/ok/ok.connector';
import { okErrorTable } from '../../../src/connectors/ok/ok-api';
import { loopbackFetch } from '../bluesky/loopback-fetch';
import { okErrorBody, okFixture, startFakeOk, type FakeOk } from './ok-fake-api';

const GID = '54104453840996';
const TOKEN = 'tok-oauth-1';
const MANUAL_TOKEN = 'tkn1eternal';
const MANUAL_SECRET = 'ae5362b5b588cc7294c2414d71b74d5d';

let fake: FakeOk;
let clock = Date.parse('2026-11-26T07:00:00Z');
const now = () => new Date(clock);

beforeAll(async () => {
  fake = await startFakeOk();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.tokens.clear();
  fake.tokens.set(TOKEN, {});
  fake.tokens.set(MANUAL_TOKEN, { sessionSecretKey: MANUAL_SECRET });
  clock = Date.parse('2026-11-26T07:00:00Z');
});
afterEach(() => {
  // Anything the fake did not expect, or expected and never got, fails the test.
  expect(fake.unexpected).toEqual([]);
  expect(fake.pending()).toEqual([]);
});

function connector(overrides: Partial<Parameters<typeof createOkConnector>[0]> = {}) {
  return createOkConnector({
    apiBaseUrl: fake.apiUrl,
    oauthBaseUrl: 'http://127.0.0.1:1/oauth/authorize',
    tokenUrl: fake.tokenUrl,
    applicationId: fake.applicationId,
    applicationKey: fake.applicationKey,
    applicationSecretKey: fake.applicationSecretKey,
    requestTimeoutMs: 2_000,
    now,
    ...overrides,
  });
}

function ctx(saved: Array<{ session: OkSession; expiresAt: string | null | undefined }> = []): ConnectorContext<OkSession> {
  return {
    fetch: loopbackFetch(),
    defaultServiceUrl: '',
    async saveSession(session, meta) {
      saved.push({ session, expiresAt: meta?.expiresAt });
    },
  };
}

const oauthSession = (over: Partial<OkSession> = {}): OkSession => ({
  accessToken: TOKEN,
  accessTokenExpiresAt: new Date(clock + 25 * 60_000).toISOString(),
  refreshToken: 'refresh-1',
  refreshTokenExpiresAt: new Date(clock + 20 * 86_400_000).toISOString(),
  sessionSecretKey: null,
  ...over,
});

function auth(session: OkSession | null = oauthSession(), credentials: Partial<OkCredentials> = {}): AccountAuth<OkCredentials, OkSession> {
  return { accountId: 'acc1', externalId: GID, handle: 'heraldtest', serviceUrl: null, credentials: { groupId: GID, accessToken: TOKEN, ...credentials }, session };
}

const groupInfo = () => ({ body: okFixture('group-getInfo') });
const attachmentOf = (i = 0) => JSON.parse(fake.calls('mediatopic.post')[i]!.params.attachment!) as unknown;

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error('expected a ConnectorError');
}

describe('connect', () => {
  it('connects with the manual token and its session secret key: group.getInfo gives id, handle and name', async () => {
    fake.expect('group.getInfo', groupInfo());
    const c = connector();
    const creds = c.credentialsSchema.parse({ groupId: `https://ok.ru/group/${GID}`, accessToken: MANUAL_TOKEN, sessionSecretKey: MANUAL_SECRET });
    const account = await c.connect(creds, ctx());
    expect(account).toMatchObject({ externalId: GID, handle: 'heraldtest', displayName: 'Herald test group', serviceUrl: null, expiresAt: null });
    const call = fake.calls('group.getInfo')[0]!;
    expect(call.params).toMatchObject({ uids: GID, fields: 'uid,name,shortname,members_count', application_key: fake.applicationKey, format: 'json', access_token: MANUAL_TOKEN });
    expect(fake.badSignatures).toEqual([]);
  });

  it('connects OAuth credentials; the account expires with the refresh token (30 days), not the 30-minute access token', async () => {
    fake.expect('group.getInfo', groupInfo());
    const refreshEnds = new Date(clock + 30 * 86_400_000).toISOString();
    const account = await connector().connect({ groupId: GID, accessToken: TOKEN, refreshToken: 'refresh-1', accessTokenExpiresAt: new Date(clock + 30 * 60_000).toISOString(), refreshTokenExpiresAt: refreshEnds }, ctx());
    expect(account.expiresAt).toBe(refreshEnds);
    expect(account.session).toMatchObject({ accessToken: TOKEN, refreshToken: 'refresh-1', sessionSecretKey: null });
  });

  it('fails with a bad session secret: the fake refuses the signature (104) and Herald says auth_expired', async () => {
    const e = await failure(connector().connect({ groupId: GID, accessToken: MANUAL_TOKEN, sessionSecretKey: 'wrong-secret' }, ctx()));
    expect(fake.badSignatures).toEqual(['group.getInfo']);
    expect(e.kind).toBe('auth_expired');
    expect(e.opts.networkCode).toBe('104');
    expect(e.message).toMatch(/PARAM_SIGNATURE/);
    expect(e.message).not.toContain('wrong-secret');
  });

  it('fails with an unknown token (103) as auth_expired, and with a group it cannot see as invalid_content', async () => {
    const e1 = await failure(connector().connect({ groupId: GID, accessToken: 'nobody' }, ctx()));
    expect([e1.kind, e1.opts.networkCode]).toEqual(['auth_expired', '103']);
    fake.expect('group.getInfo', { body: { groups: [] } });
    const e2 = await failure(connector().connect({ groupId: '1', accessToken: TOKEN }, ctx()));
    expect(e2.kind).toBe('invalid_content');
    expect(e2.message).toMatch(/no group 1/);
  });

  it('refuses credentials that are not a group id, in words', () => {
    const r = connector().credentialsSchema.safeParse({ groupId: 'https://ok.ru/heraldtest', accessToken: 'x' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/numeric OK group id/);
  });

  it('is unusable without an application key, with a clear reason', async () => {
    const e = await failure(connector({ applicationKey: undefined }).connect({ groupId: GID, accessToken: MANUAL_TOKEN, sessionSecretKey: MANUAL_SECRET }, ctx()));
    expect(e.message).toMatch(/HERALD_OK_APPLICATION_KEY/);
  });
});

describe('validate', () => {
  const v = (variant: Partial<PostVariant>) => connector().validate({ text: '', ...variant });
  it('counts UTF-16 code units and enforces the text ceiling', () => {
    expect(v({ text: 'Привет 👋' })).toMatchObject({ network: 'ok', length: 9, unit: 'characters', valid: true });
    const long = v({ text: 'я'.repeat(16_001) });
    expect(long.valid).toBe(false);
    expect(long.errors[0]!.message).toBe('Text is 16001 characters; Herald allows 16000 in an OK topic');
    expect(v({ text: 'x'.repeat(60) }, ).valid).toBe(true);
    expect(connector().validate({ text: 'x'.repeat(60) }, { networkLimits: { maxText: 50 } }).errors[0]!.code).toBe('text_too_long');
  });
  it('refuses an empty topic, bad links, too many or wrong photos', () => {
    expect(v({}).errors.map((e) => e.code)).toEqual(['empty']);
    expect(v({ text: 'a', link: 'ftp://x' }).errors.map((e) => e.code)).toEqual(['invalid_link']);
    const photo = { mimeType: 'image/jpeg', sizeBytes: 10, alt: '' };
    expect(v({ media: Array.from({ length: 21 }, () => photo) }).errors.map((e) => e.code)).toEqual(['too_many_photos']);
    expect(v({ media: [{ mimeType: 'video/mp4', sizeBytes: 10, alt: '' }] }).errors[0]!.message).toMatch(/JPEG, PNG or GIF/);
    expect(v({ media: [{ ...photo, sizeBytes: 21 * 1024 * 1024 }] }).errors[0]!.code).toBe('photo_too_large');
  });
  it('checks polls: question, 2..20 distinct answers, no duration or quiz', () => {
    expect(v({ poll: { question: 'Q?', options: ['a', 'b'] } }).valid).toBe(true);
    const codes = (p: PostVariant['poll']) => v({ poll: p }).errors.map((e) => e.code);
    expect(codes({ question: ' ', options: ['a', 'b'] })).toEqual(['poll_question_missing']);
    expect(codes({ question: 'Q', options: ['a'] })).toEqual(['poll_too_few_answers']);
    expect(codes({ question: 'Q', options: Array.from({ length: 21 }, (_, i) => `a${i}`) })).toEqual(['poll_too_many_answers']);
    expect(codes({ question: 'Q', options: ['a', 'A'] })).toEqual(['poll_duplicate_answers']);
    expect(codes({ question: 'Q', options: ['a', 'b'], durationSeconds: 3600 })).toEqual(['poll_duration_unsupported']);
    expect(codes({ question: 'Q', options: ['a', 'b'], correctOptionIndex: 0 })).toEqual(['poll_quiz_unsupported']);
  });
  it('checks options and refuses threads', () => {
    expect(v({ text: 'a', options: { hiddenPost: true } }).valid).toBe(true);
    expect(v({ text: 'a', options: { pinned: true } }).errors[0]!.message).toMatch(/"pinned" is not an OK option/);
    expect(v({ text: 'a', options: { hiddenPost: 'yes' } }).errors[0]!.code).toBe('invalid_option');
    expect(v({ text: 'a', options: { anonymousPoll: true } }).errors[0]!.code).toBe('option_needs_poll');
    expect(v({ text: 'a', thread: ['b'] }).errors[0]!.code).toBe('threads_unsupported');
  });
});

describe('publish', () => {
  it('publishes text as a GROUP_THEME topic and returns the topic URL', async () => {
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    const r = await connector().publish({ auth: auth(), variant: { text: 'Привет, группа!' }, idempotencyKey: 'k1', createdAt: '2026-11-26T07:00:00Z' }, ctx());
    expect(r).toEqual({ externalId: '70102413183763', url: `https://ok.ru/group/${GID}/topic/70102413183763` });
    const p = fake.calls('mediatopic.post')[0]!.params;
    expect(p).toMatchObject({ gid: GID, type: 'GROUP_THEME' });
    expect(p.hidden_post).toBeUndefined();
    expect(attachmentOf()).toEqual({ media: [{ type: 'text', text: 'Привет, группа!' }] });
  });

  it('publishes text with a link', async () => {
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    await connector().publish({ auth: auth(), variant: { text: 'Read this', link: 'https://example.com/a?b=1' }, idempotencyKey: 'k', createdAt: '' }, ctx());
    expect(attachmentOf()).toEqual({ media: [{ type: 'text', text: 'Read this' }, { type: 'link', url: 'https://example.com/a?b=1' }] });
  });

  it('uploads photos (getUploadUrl → multipart pic1..picN) and puts the upload tokens in the photo list', async () => {
    const ids = ['GuL9zIvR8Ymnw+lmctJOOnoaHD7dyUklrJpUOuu/UHNvZcxn3GDN4g==', 'second+photo/id=='];
    fake.expect('photosV2.getUploadUrl', (req) => {
      const body = okFixture<Record<string, unknown>>('photosV2-getUploadUrl');
      return { body: { ...body, photo_ids: ids.slice(0, Number(req.params.count)), upload_url: `${fake.url}/upload/1?apiToken=abc` } };
    });
    fake.expect('upload', () => {
      const doc = okFixture<{ photos: Record<string, { token: string }> }>('photo-upload');
      return { body: { photos: { [ids[0]!]: doc.photos[ids[0]!]!, [ids[1]!]: { token: 'token-2' } } } };
    });
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 4, 5]);
    await connector().publish({
      auth: auth(),
      variant: { text: 'Two photos', media: [{ mimeType: 'image/jpeg', sizeBytes: jpeg.length, alt: 'one', data: jpeg }, { mimeType: 'image/png', sizeBytes: png.length, alt: 'two', data: png }] },
      idempotencyKey: 'k',
      createdAt: '',
    }, ctx());
    expect(fake.calls('photosV2.getUploadUrl')[0]!.params).toMatchObject({ gid: GID, count: '2' });
    expect(fake.calls('upload')[0]!.files).toEqual([
      { field: 'pic1', type: 'image/jpeg', size: jpeg.length },
      { field: 'pic2', type: 'image/png', size: png.length },
    ]);
    const firstToken = okFixture<{ photos: Record<string, { token: string }> }>('photo-upload').photos[ids[0]!]!.token;
    expect(attachmentOf()).toEqual({ media: [{ type: 'text', text: 'Two photos' }, { type: 'photo', list: [{ id: firstToken }, { id: 'token-2' }] }] });
  });

  it('publishes a poll (single choice unless multiple, AnonymousVoting on request) and a hidden topic', async () => {
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    const c = connector();
    await c.publish({ auth: auth(), variant: { text: 'Vote!', poll: { question: 'Do you like our API?', options: ['Yes', 'No'] }, options: { anonymousPoll: true } }, idempotencyKey: 'k', createdAt: '' }, ctx());
    expect(attachmentOf(0)).toEqual({
      media: [
        { type: 'text', text: 'Vote!' },
        { type: 'poll', question: 'Do you like our API?', answers: [{ text: 'Yes' }, { text: 'No' }], options: 'SingleChoice,AnonymousVoting' },
      ],
    });
    await c.publish({ auth: auth(), variant: { text: '', poll: { question: 'Pick any', options: ['a', 'b', 'c'], multiple: true }, options: { hiddenPost: true } }, idempotencyKey: 'k2', createdAt: '' }, ctx());
    expect(attachmentOf(1)).toEqual({ media: [{ type: 'poll', question: 'Pick any', answers: [{ text: 'a' }, { text: 'b' }, { text: 'c' }], options: '' }] });
    expect(fake.calls('mediatopic.post')[1]!.params.hidden_post).toBe('true');
  });

  it('treats topic id 0 (unapproved application) as not published', async () => {
    fake.expect('mediatopic.post', { body: '0' });
    const e = await failure(connector().publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toMatch(/not approved/);
  });

  it('refuses an invalid variant, or a photo without its bytes, before any request', async () => {
    const e = await failure(connector().publish({ auth: auth(), variant: { text: '' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect(e.kind).toBe('invalid_content');
    const e2 = await failure(connector().publish({ auth: auth(), variant: { text: 'x', media: [{ mimeType: 'image/png', sizeBytes: 3, alt: '' }] }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e2.kind, e2.message]).toEqual(['invalid_content', 'Photo 1 has no data to upload']);
    expect(fake.requests).toEqual([]);
  });

  it('has no findPublished: OK has no idempotency key and no documented topic listing', () => {
    expect(connector().findPublished).toBeUndefined();
  });
});

describe('error mapping (https://apiok.ru/en/dev/errors)', () => {
  const expected: Record<number, [string, { retryAfterMs?: number; outcomeUnknown?: boolean }]> = {
    1: ['retryable', { outcomeUnknown: true }],
    2: ['retryable', { outcomeUnknown: true }],
    3: ['invalid_content', {}],
    4: ['invalid_content', {}],
    7: ['rate_limited', { retryAfterMs: 900_000 }],
    8: ['rate_limited', { retryAfterMs: 60_000 }],
    9: ['rate_limited', { retryAfterMs: 3_600_000 }],
    10: ['auth_expired', {}],
    11: ['rate_limited', { retryAfterMs: 3_600_000 }],
    12: ['invalid_content', {}],
    21: ['invalid_content', {}],
    22: ['disconnected', {}],
    24: ['disconnected', {}],
    50: ['disconnected', {}],
    100: ['invalid_content', {}],
    101: ['auth_expired', {}],
    102: ['auth_expired', {}],
    103: ['auth_expired', {}],
    104: ['auth_expired', {}],
    105: ['auth_expired', {}],
    106: ['invalid_content', {}],
    110: ['invalid_content', {}],
    120: ['invalid_content', {}],
    121: ['invalid_content', {}],
    141: ['invalid_content', {}],
    200: ['auth_expired', {}],
    300: ['invalid_content', {}],
    9999: ['retryable', { outcomeUnknown: true }],
  };

  it('covers every code in the table', () => {
    expect(Object.keys(okErrorTable).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [code, [kind, opts]] of Object.entries(expected)) {
    it(`maps ${code} (${okErrorTable[Number(code)]!.name}) on mediatopic.post to ${kind}`, async () => {
      fake.expect('mediatopic.post', { okError: Number(code) });
      // A manual token: 102 cannot be healed by a refresh, so the table row itself shows.
      const e = await failure(connector().publish({ auth: auth(null, { accessToken: MANUAL_TOKEN, sessionSecretKey: MANUAL_SECRET }), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
      expect(e.kind).toBe(kind);
      expect(e.opts.networkCode).toBe(code);
      expect(e.opts.retryAfterMs).toBe(opts.retryAfterMs);
      expect(e.opts.outcomeUnknown ?? false).toBe(opts.outcomeUnknown ?? false);
      expect(e.message).toContain(okErrorBody(Number(code)).error_msg);
    });
  }

  it('an error code outside the table on a write is retryable with an unknown outcome (never re-sent blindly)', async () => {
    fake.expect('mediatopic.post', { status: 200, body: { error_code: 5000, error_msg: 'SOMETHING_NEW', error_data: null }, headers: { 'invocation-error': '5000' } });
    const e = await failure(connector().publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', true]);
  });

  it('HTTP 429 is rate_limited with Retry-After; HTTP 502 on a write is retryable with an unknown outcome', async () => {
    fake.expect('mediatopic.post', { status: 429, body: {}, headers: { 'retry-after': '30' } });
    fake.expect('mediatopic.post', { status: 502, body: {} });
    const c = connector();
    const e1 = await failure(c.publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e1.kind, e1.opts.retryAfterMs]).toEqual(['rate_limited', 30_000]);
    const e2 = await failure(c.publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e2.kind, e2.opts.outcomeUnknown]).toEqual(['retryable', true]);
  });

  it('a timeout after sending mediatopic.post is an unknown outcome', async () => {
    fake.expect('mediatopic.post', { hang: true });
    const e = await failure(connector({ requestTimeoutMs: 300 }).publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e.kind, e.opts.outcomeUnknown]).toEqual(['retryable', true]);
  });
});

describe('delete', () => {
  it('deletes the topic with mediatopic.deleteTopic; an already deleted topic (300) counts as done', async () => {
    fake.expect('mediatopic.deleteTopic', { body: okFixture('mediatopic-deleteTopic') });
    fake.expect('mediatopic.deleteTopic', { okError: 300 });
    const c = connector();
    await c.delete!({ auth: auth(), externalId: '70102413183763' }, ctx());
    await c.delete!({ auth: auth(), externalId: '70102413183763' }, ctx());
    expect(fake.calls('mediatopic.deleteTopic').map((r) => [r.params.gid, r.params.topic_id])).toEqual([
      [GID, '70102413183763'],
      [GID, '70102413183763'],
    ]);
  });
  it('other delete failures are mapped', async () => {
    fake.expect('mediatopic.deleteTopic', { okError: 50 });
    const e = await failure(connector().delete!({ auth: auth(), externalId: '1' }, ctx()));
    expect(e.kind).toBe('disconnected');
  });
});

describe('comments', () => {
  const posts = [{ externalId: '70102413183763', publishedAt: '2026-11-26T05:00:00Z' }];

  it('reads comments page by page with the anchor, and resumes from the cursor', async () => {
    fake.expect('discussions.getComments', { body: okFixture('discussions-getComments-page1') });
    fake.expect('discussions.getComments', { body: okFixture('discussions-getComments-page2') });
    const c = connector();
    const first = await c.comments!.fetch({ auth: auth(), cursor: null, posts }, ctx());
    const calls = fake.calls('discussions.getComments');
    expect(calls[0]!.params).toMatchObject({ discussionId: '70102413183763', discussionType: 'GROUP_TOPIC', direction: 'FORWARD', count: '100' });
    expect(calls[0]!.params.anchor).toBeUndefined();
    expect(calls[1]!.params.anchor).toBe('LTE6MTc2NDE0MDQ2MDAwMA==');
    expect(first.items.map((i) => [i.externalId, i.kind, i.parentExternalId, i.text])).toEqual([
      ['MTc2NDE0MDQwMDAwMDoxMDAx', 'comment', '70102413183763', 'Отличная новость!'],
      ['MTc2NDE0MDQ2MDAwMDoxMDAy', 'reply', 'MTc2NDE0MDQwMDAwMDoxMDAx', 'Когда начало?'],
      ['MTc2NDE0MDUyMDAwMDoxMDAz', 'comment', '70102413183763', '👍'],
    ]);
    expect(first.items[0]).toMatchObject({
      rootExternalId: '70102413183763',
      author: { externalId: '577039159081', handle: '577039159081', displayName: 'Ольга Петрова' },
      url: `https://ok.ru/group/${GID}/topic/70102413183763`,
      createdAt: '2026-11-26T06:00:00.000Z',
    });

    fake.expect('discussions.getComments', { body: okFixture('discussions-getComments-empty') });
    const second = await c.comments!.fetch({ auth: auth(), cursor: first.cursor, posts }, ctx());
    expect(fake.calls('discussions.getComments')[2]!.params.anchor).toBe('LTE6MTc2NDE0MDUyMDAwMA==');
    expect(second.items).toEqual([]);
  });

  it('skips a topic deleted on OK (300) and still reads the others; other failures stop the sync', async () => {
    fake.expect('discussions.getComments', { okError: 300 });
    fake.expect('discussions.getComments', { body: okFixture('discussions-getComments-page2') });
    const two = [{ externalId: '111', publishedAt: '2026-11-26T06:00:00Z' }, ...posts];
    const r = await connector().comments!.fetch({ auth: auth(), cursor: null, posts: two }, ctx());
    expect(fake.calls('discussions.getComments').map((c) => c.params.discussionId)).toEqual(['111', '70102413183763']);
    expect(r.items.map((i) => i.externalId)).toEqual(['MTc2NDE0MDUyMDAwMDoxMDAz']);
    expect(JSON.parse(r.cursor!)).toEqual({ anchors: { '70102413183763': 'LTE6MTc2NDE0MDUyMDAwMA==' } });
    fake.expect('discussions.getComments', { okError: 8 });
    const e = await failure(connector().comments!.fetch({ auth: auth(), cursor: null, posts }, ctx()));
    expect(e.kind).toBe('rate_limited');
  });

  it('replies under a comment as the group (discussions.comment)', async () => {
    fake.expect('discussions.comment', { body: okFixture('discussions-comment') });
    fake.expect('discussions.comment', { body: okFixture('discussions-comment') });
    const c = connector();
    const r = await c.comments!.reply({ auth: auth(), parentExternalId: 'MTc2NDE0MDQwMDAwMDoxMDAx', rootExternalId: '70102413183763', text: 'Спасибо!', idempotencyKey: 'r1' }, ctx());
    expect(r).toEqual({ externalId: 'MTc2NDE0MDYwMDAwMDoxMDA0', url: `https://ok.ru/group/${GID}/topic/70102413183763` });
    expect(fake.calls('discussions.comment')[0]!.params).toMatchObject({ discussionId: '70102413183763', discussionType: 'GROUP_TOPIC', comment: 'Спасибо!', as_admin: 'true', reply_to_comment_id: 'MTc2NDE0MDQwMDAwMDoxMDAx' });
    await c.comments!.reply({ auth: auth(), parentExternalId: '70102413183763', rootExternalId: null, text: 'To the topic', idempotencyKey: 'r2' }, ctx());
    expect(fake.calls('discussions.comment')[1]!.params.reply_to_comment_id).toBeUndefined();
  });
});

describe('metrics', () => {
  it('reads members_count and per-topic like/reshare/comment counts (no view count is documented)', async () => {
    fake.expect('group.getInfo', groupInfo());
    fake.expect('mediatopic.getByIds', { body: okFixture('mediatopic-getByIds') });
    const c = connector();
    expect(await c.metrics!.account({ auth: auth() }, ctx())).toEqual({ followers: 1284 });
    const m = await c.metrics!.posts({ auth: auth(), externalIds: ['70102413183763', '999'] }, ctx());
    expect(m).toEqual({ '70102413183763': { likes: 12, shares: 3, comments: 5 } });
    expect(fake.calls('mediatopic.getByIds')[0]!.params).toMatchObject({ topic_ids: '70102413183763,999', fields: 'media_topic.*' });
  });
});

describe('OAuth', () => {
  it('is unavailable, with the reason, until the application id, key and secret are configured', () => {
    expect(connector({ applicationId: undefined, applicationSecretKey: undefined }).oauth!.available()).toEqual({ ok: false, reason: 'OK sign-in needs an OK application: set HERALD_OK_APPLICATION_ID, HERALD_OK_APPLICATION_SECRET' });
    expect(connector().oauth!.available()).toEqual({ ok: true });
  });

  it('begin: authorize URL with client_id, ;-separated scopes, response_type=code, redirect_uri, layout, state (no PKCE: OK documents none)', async () => {
    const o = connector({ oauthBaseUrl: 'https://connect.ok.ru/oauth/authorize' }).oauth!;
    expect(o.needsServiceUrl).toBe(false);
    expect(o.startFields?.map((f) => f.name)).toEqual(['groupId']);
    const r = await o.begin({ serviceUrl: null, redirectUri: 'https://herald.example/api/v1/oauth/callback/ok', state: 'st4te', codeChallenge: 'challenge', fields: { groupId: `https://ok.ru/group/${GID}/` } }, { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } });
    const u = new URL(r.authorizeUrl);
    expect(u.origin + u.pathname).toBe('https://connect.ok.ru/oauth/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      client_id: fake.applicationId,
      scope: 'VALUABLE_ACCESS;GROUP_CONTENT;PHOTO_CONTENT;LONG_ACCESS_TOKEN',
      response_type: 'code',
      redirect_uri: 'https://herald.example/api/v1/oauth/callback/ok',
      layout: 'w',
      state: 'st4te',
    });
    expect(OK_SCOPES).toHaveLength(4);
    expect(r.keep).toEqual({ groupId: GID });
    await expect(o.begin({ serviceUrl: null, redirectUri: 'x', state: 's', codeChallenge: 'c', fields: { groupId: 'my group' } }, { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } })).rejects.toThrow(/ok\.ru\/group/);
  });

  it('finish: exchanges the code at token.do and returns tokens with 30-minute / 30-day expiries; the result connects', async () => {
    fake.expect('authorization_code', { body: okFixture('oauth-token-authorization-code') });
    const c = connector();
    const creds = await c.oauth!.finish({ serviceUrl: null, redirectUri: 'https://herald.example/api/v1/oauth/callback/ok', code: 'c0de', codeVerifier: 'v', keep: { groupId: GID }, params: {} }, { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } });
    expect(fake.calls('authorization_code')[0]!.params).toEqual({
      code: 'c0de',
      client_id: fake.applicationId,
      client_secret: fake.applicationSecretKey,
      redirect_uri: 'https://herald.example/api/v1/oauth/callback/ok',
      grant_type: 'authorization_code',
    });
    expect(creds).toEqual({
      groupId: GID,
      accessToken: 'kjdhfldjfhgldsjhfglkdjfg9ds8fg0sdf8gsd8fg',
      refreshToken: 'klsdjhf0e9dyfasduhfpasdfasdfjaspdkfjp',
      accessTokenExpiresAt: '2026-11-26T07:30:00.000Z',
      refreshTokenExpiresAt: '2026-12-26T07:00:00.000Z',
    });
    fake.tokens.set(creds.accessToken, {});
    fake.expect('group.getInfo', groupInfo());
    const account = await c.connect(c.credentialsSchema.parse(creds), ctx());
    expect(account.expiresAt).toBe('2026-12-26T07:00:00.000Z');
  });

  it('finish: a refused code is auth_expired with OK\'s reason', async () => {
    fake.expect('authorization_code', { status: 400, body: okFixture('oauth-token-error') });
    const e = await failure(connector().oauth!.finish({ serviceUrl: null, redirectUri: 'r', code: 'old', codeVerifier: 'v', keep: { groupId: GID }, params: {} }, { fetch: loopbackFetch(), apps: { get: async () => null, put: async () => undefined } }));
    expect(e.kind).toBe('auth_expired');
    expect(e.message).toMatch(/Expired refresh token|invalid_grant/);
  });
});

describe('token refresh', () => {
  it('renews the access token before it ends, saves the session with the refresh token expiry, then publishes with the new token', async () => {
    const fresh = okFixture<{ access_token: string }>('oauth-token-refresh');
    fake.tokens.set(fresh.access_token, {});
    fake.expect('refresh_token', { body: fresh });
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    const saved: Array<{ session: OkSession; expiresAt: string | null | undefined }> = [];
    const session = oauthSession({ accessTokenExpiresAt: new Date(clock + 60_000).toISOString() });
    await connector().publish({ auth: auth(session), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx(saved));
    expect(fake.calls('refresh_token')[0]!.params).toEqual({ refresh_token: 'refresh-1', client_id: fake.applicationId, client_secret: fake.applicationSecretKey, grant_type: 'refresh_token' });
    expect(fake.calls('mediatopic.post')[0]!.params.access_token).toBe(fresh.access_token);
    expect(saved).toEqual([
      {
        session: { ...session, accessToken: fresh.access_token, accessTokenExpiresAt: '2026-11-26T07:30:00.000Z' },
        expiresAt: session.refreshTokenExpiresAt,
      },
    ]);
  });

  it('does not refresh a token with time left', async () => {
    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    await connector().publish({ auth: auth(oauthSession()), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx());
    expect(fake.calls('refresh_token')).toEqual([]);
  });

  it('OK saying the session expired (102) renews the token and asks the worker to retry; nothing was posted', async () => {
    fake.tokens.set(TOKEN, { expired: true });
    const fresh = okFixture<{ access_token: string }>('oauth-token-refresh');
    fake.tokens.set(fresh.access_token, {});
    fake.expect('refresh_token', { body: fresh });
    const saved: Array<{ session: OkSession; expiresAt: string | null | undefined }> = [];
    const e = await failure(connector().publish({ auth: auth(), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx(saved)));
    expect([e.kind, e.opts.networkCode, e.opts.outcomeUnknown ?? false]).toEqual(['retryable', '102', false]);
    expect(saved[0]!.session.accessToken).toBe(fresh.access_token);
  });

  it('a refresh token past its 30 days is auth_expired without calling OK', async () => {
    const session = oauthSession({ accessTokenExpiresAt: new Date(clock - 1000).toISOString(), refreshTokenExpiresAt: new Date(clock - 1000).toISOString() });
    const e = await failure(connector().publish({ auth: auth(session), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect(e.kind).toBe('auth_expired');
    expect(e.message).toMatch(/30 days/);
    expect(fake.requests).toEqual([]);
  });

  it('a refused refresh is auth_expired', async () => {
    fake.expect('refresh_token', { status: 400, body: okFixture('oauth-token-error') });
    const session = oauthSession({ accessTokenExpiresAt: new Date(clock - 1000).toISOString() });
    const e = await failure(connector().publish({ auth: auth(session), variant: { text: 'x' }, idempotencyKey: 'k', createdAt: '' }, ctx()));
    expect([e.kind, e.opts.networkCode]).toEqual(['auth_expired', 'invalid_grant']);
  });
});
