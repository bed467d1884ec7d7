/**
 * VK community messages (messages.getConversations / getHistory / send with random_id) and comment
 * moderation (wall.deleteComment / restoreComment) at the HTTP level: a local fake answers each
 * expected method, in order, with fixtures shaped like dev.vk.com (test/fixtures/vk); any other
 * request fails the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError, type AccountAuth, type ConnectorContext, type ModeratedMessage } from '../../../src/connectors/connector';
import { createVkConnector, type VkCredentials, type VkSession } from '../../../src/connectors/vk/vk.connector';
import { vkRandomId } from '../../../src/connectors/vk/vk-direct-messages';
import { fixture } from './fake-vk';
import { useLoopbackServer } from '../../support/loopback-server';

let base = '';
let expected: Array<{ method: string; body: unknown }> = [];
let calls: Array<{ method: string; form: Record<string, string> }> = [];
let unexpected: string[] = [];

useLoopbackServer(
  (req, res, body) => {
    const method = (req.url ?? '').replace(/^\/method\//, '');
    const form = Object.fromEntries(new URLSearchParams(body));
    calls.push({ method, form });
    const next = expected[0];
    if (req.method !== 'POST' || !next || next.method !== method || form.v !== '5.199') {
      unexpected.push(`${req.method} ${method}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { error_code: 3, error_msg: 'Unknown method passed' } }));
      return;
    }
    expected.shift();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(next.body));
  },
  (url) => (base = url),
);
afterEach(() => {
  const problems = [...unexpected, ...expected.map((e) => `expected but not received: ${e.method}`)];
  calls = [];
  unexpected = [];
  expected = [];
  expect(problems).toEqual([]);
});

const expectCall = (method: string, file = method) => expected.push({ method, body: fixture(file) });
const connector = createVkConnector({ apiBaseUrl: `http://127.0.0.1:1/method`, requestTimeoutMs: 2_000 });
const conn = () => createVkConnector({ apiBaseUrl: `${base}/method`, requestTimeoutMs: 2_000 });
const ctx: ConnectorContext<VkSession> = {
  fetch: (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const u = new URL(String(input instanceof Request ? input.url : input));
    if (u.hostname !== '127.0.0.1') throw new Error(`test fetch refused ${u.origin}`);
    return fetch(input, init);
  }) as typeof fetch,
  saveSession: async () => undefined,
  defaultServiceUrl: 'https://vk.com',
};
const TOKEN = 'community-admin-token';
const auth = (externalId = '-1'): AccountAuth<VkCredentials, VkSession> => ({
  accountId: 'a1',
  externalId,
  handle: 'apiclub',
  serviceUrl: null,
  credentials: { accessToken: TOKEN, community: 'apiclub' },
  session: { accessToken: TOKEN, userId: 100 } as VkSession,
});
const comment = (externalId: string): ModeratedMessage => ({ externalId, kind: 'comment', parentExternalId: '-1_10', rootExternalId: '-1_10', authorExternalId: '501', underOwnPost: true });

describe('VK community messages', () => {
  it('first sync: the last incoming message of each conversation (our own answers skipped), cursor = the highest id', async () => {
    expectCall('messages.getConversations');
    const r = await conn().directMessages!.fetch!({ auth: auth(), cursor: null }, ctx);
    expect(calls[0]!.form).toEqual({ group_id: '1', filter: 'all', count: '50', extended: '1', fields: 'screen_name', v: '5.199', access_token: TOKEN });
    expect(r.items).toEqual([
      { externalId: 'msg_501_72', kind: 'dm', parentExternalId: null, rootExternalId: null, author: { externalId: '501', handle: 'olga.p', displayName: 'Ольга Петрова' }, text: 'И ещё: доставка в Казань есть?', url: null, createdAt: '2025-11-26T07:43:20.000Z', editedAt: null },
    ]);
    expect(r.cursor).toBe('72');
  });

  it('next sync reads the history of conversations newer than the cursor: incoming messages after it only', async () => {
    expectCall('messages.getConversations');
    expectCall('messages.getHistory');
    // Conversation 502 ends with message 61, not newer than the cursor: the listing stops there.
    const r = await conn().directMessages!.fetch!({ auth: auth(), cursor: '61' }, ctx);
    expect(calls[1]!.form).toMatchObject({ group_id: '1', peer_id: '501', count: '50', extended: '1' });
    expect(r.items.map((i) => [i.externalId, i.text, i.editedAt])).toEqual([
      ['msg_501_72', 'И ещё: доставка в Казань есть?', null],
      ['msg_501_71', 'Здравствуйте! Где мой заказ 4411?', '2025-11-26T07:42:30.000Z'],
    ]);
    expect(r.cursor).toBe('72');
  });

  it('reads the history of every conversation newer than the cursor, also one that ends with our answer', async () => {
    expectCall('messages.getConversations');
    expectCall('messages.getHistory');
    expectCall('messages.getHistory', 'messages.getHistory-502');
    const r = await conn().directMessages!.fetch!({ auth: auth(), cursor: '60' }, ctx);
    expect(calls.slice(1).map((c) => c.form.peer_id)).toEqual(['501', '502']);
    // 502's conversation holds only our answer (61) and a message not newer than the cursor (60).
    expect(r.items.map((i) => i.externalId)).toEqual(['msg_501_72', 'msg_501_71']);
    expect(r.cursor).toBe('72');
  });

  it('a sign-in without the messages right gets no DMs and keeps its cursor (the wall keeps working); a profile wall asks nothing', async () => {
    expectCall('messages.getConversations', 'error-917');
    const r = await conn().directMessages!.fetch!({ auth: auth(), cursor: '60' }, ctx);
    expect(r).toEqual({ items: [], cursor: '60' });
    expect(await conn().directMessages!.fetch!({ auth: auth('100'), cursor: null }, ctx)).toEqual({ items: [], cursor: null });
  });

  it('answers with messages.send to the person as a reply; random_id comes from the idempotency key', async () => {
    expectCall('messages.send');
    const r = await conn().directMessages!.send({ auth: auth(), messageExternalId: 'msg_501_72', correspondent: { externalId: '501', handle: 'olga.p' }, text: 'Да, доставляем!', idempotencyKey: 'reply-1' }, ctx);
    expect(calls[0]!.form).toEqual({ group_id: '1', peer_id: '501', message: 'Да, доставляем!', reply_to: '72', random_id: String(vkRandomId('reply-1')), v: '5.199', access_token: TOKEN });
    expect(vkRandomId('reply-1')).toBe(vkRandomId('reply-1'));
    expect(vkRandomId('reply-2')).not.toBe(vkRandomId('reply-1'));
    expect(r).toEqual({ externalId: 'msg_501_73', url: null });
  });

  it('refuses to answer a message of someone else without a request; no messages right is invalid_content, not a disconnect', async () => {
    await expect(conn().directMessages!.send({ auth: auth(), messageExternalId: 'msg_501_72', correspondent: { externalId: '999', handle: 'x' }, text: 'x', idempotencyKey: 'k' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
    expectCall('messages.send', 'error-917');
    const e = await conn().directMessages!.send({ auth: auth(), messageExternalId: 'msg_501_72', correspondent: { externalId: '501', handle: 'olga.p' }, text: 'x', idempotencyKey: 'k' }, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'invalid_content', message: expect.stringContaining("needs the community's messages permission") });
  });
});

describe('VK moderation', () => {
  it('declares delete and restore for comments and replies, deleteReply, and no hide', () => {
    const m = connector.moderation!;
    expect(m.delete?.kinds).toEqual(['comment', 'reply']);
    expect(m.restore?.kinds).toEqual(['comment', 'reply']);
    expect(m.hide).toBeUndefined();
    expect(m.unhide).toBeUndefined();
  });

  it('deletes and restores a comment on the wall, deletes our reply; another wall is refused without a request', async () => {
    expectCall('wall.deleteComment');
    expectCall('wall.restoreComment');
    expectCall('wall.deleteComment');
    const c = conn();
    await c.moderation!.delete!.run({ auth: auth(), message: comment('-1_10_325') }, ctx);
    await c.moderation!.restore!.run({ auth: auth(), message: comment('-1_10_325') }, ctx);
    await c.moderation!.deleteReply!({ auth: auth(), externalId: '-1_10_327', parentExternalId: '-1_10_325' }, ctx);
    expect(calls.map((x) => [x.method, x.form.owner_id, x.form.comment_id])).toEqual([
      ['wall.deleteComment', '-1', '325'],
      ['wall.restoreComment', '-1', '325'],
      ['wall.deleteComment', '-1', '327'],
    ]);
    await expect(c.moderation!.delete!.run({ auth: auth(), message: comment('-2_10_325') }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
  });
});
