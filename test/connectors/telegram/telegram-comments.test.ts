/**
 * Comments via getUpdates (offset as cursor), replies in the discussion group, delete, and metrics.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/connector';
import { decodeCursor } from '../../../src/connectors/telegram/telegram-inbound';
import type { TelegramSession } from '../../../src/connectors/telegram/telegram.connector';
import { CHANNEL, DISCUSSION, fixture, TEST_BOT_ID, TEST_BOT_TOKEN } from './fake-telegram-api';
import { channelAuth, channelSession, useFakeTelegram } from './telegram-harness';

const h = useFakeTelegram();

const fetchComments = (cursor: string | null, session: TelegramSession = channelSession()) =>
  h.current.connector.comments!.fetch({ auth: channelAuth(session), cursor, posts: [] }, h.current.ctx());

describe('Telegram comments (getUpdates)', () => {
  it('first sync: takes comments from the discussion group under channel posts, threaded to the post', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-comments');
    const { items, cursor } = await fetchComments(null);
    expect(tg.requests[0]!.params).toEqual({ chat_id: CHANNEL.id });
    expect(tg.requests[1]!.params).toEqual({ limit: 100, timeout: 0, allowed_updates: ['message', 'edited_message'] });
    const post = `${CHANNEL.id}:101`;
    expect(items).toEqual([
      {
        externalId: `${DISCUSSION.id}:501`,
        kind: 'comment',
        parentExternalId: post,
        rootExternalId: post,
        author: { externalId: '11111111', handle: '@alice_iv', displayName: 'Алиса Иванова' },
        text: 'Отличная новость 🎉',
        url: 'https://t.me/heraldnews/101?comment=501',
        createdAt: '2025-11-26T07:02:00.000Z',
        editedAt: null,
      },
      {
        externalId: `${DISCUSSION.id}:502`,
        kind: 'comment',
        parentExternalId: `${DISCUSSION.id}:501`,
        rootExternalId: post,
        author: { externalId: '22222222', handle: 'Bob', displayName: 'Bob' },
        text: 'Agreed',
        url: 'https://t.me/heraldnews/101?comment=502',
        createdAt: '2025-11-26T07:03:00.000Z',
        editedAt: null,
      },
      // The edit of comment 501 re-delivers it with editedAt (Herald deduplicates by externalId).
      expect.objectContaining({ externalId: `${DISCUSSION.id}:501`, text: 'Отличная новость 🎉🎉', editedAt: '2025-11-26T07:05:00.000Z' }),
    ]);
    // Skipped: the automatic forward itself, off-topic chatter, the bot's own answer, another chat.
    expect(decodeCursor(cursor)).toEqual({ offset: 900008, threads: { '500': 101 } });
  });

  it('next sync passes offset = last update_id + 1 and resolves a deep reply through the cursor thread map', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-later');
    const cursorIn = JSON.stringify({ v: 1, offset: 900008, threads: { '500': 101 } });
    const { items, cursor } = await fetchComments(cursorIn);
    expect(tg.requests[1]!.params).toEqual({ offset: 900008, limit: 100, timeout: 0, allowed_updates: ['message', 'edited_message'] });
    expect(items).toEqual([
      expect.objectContaining({ externalId: `${DISCUSSION.id}:505`, kind: 'comment', parentExternalId: `${DISCUSSION.id}:502`, rootExternalId: `${CHANNEL.id}:101` }),
    ]);
    expect(decodeCursor(cursor).offset).toBe(900009);
  });

  it('nothing new: the cursor stays where it was', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-empty');
    const cursorIn = JSON.stringify({ v: 1, offset: 900009, threads: { '500': 101 } });
    const r = await fetchComments(cursorIn);
    expect(r.items).toEqual([]);
    expect(decodeCursor(r.cursor)).toEqual({ offset: 900009, threads: { '500': 101 } });
  });

  it('reads further pages while Telegram returns full pages of 100', async () => {
    const { tg } = h.current;
    const page = fixture('getUpdates-empty');
    const full = { ...page, result: Array.from({ length: 100 }, (_, i) => ({ update_id: 1000 + i, message: { message_id: i + 1, date: 1764140400, chat: { id: -1007777777777, type: 'supergroup', title: 'x' }, text: 'noise' } })) };
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', full);
    tg.expect('getUpdates', 'getUpdates-later');
    const r = await fetchComments(null);
    expect(tg.calls('getUpdates').map((q) => q.params.offset)).toEqual([undefined, 1100]);
    expect(r.items).toHaveLength(1);
    expect(decodeCursor(r.cursor).offset).toBe(900009);
  });

  it('a group account reports replies to the bot\'s own messages as kind "reply"', async () => {
    const { tg } = h.current;
    tg.expect('getUpdates', 'getUpdates-group');
    const group: TelegramSession = { ...channelSession(), chatId: DISCUSSION.id, chatType: 'supergroup', chatUsername: DISCUSSION.username, linkedChatId: CHANNEL.id };
    const { items } = await fetchComments(null, group);
    expect(items).toEqual([
      expect.objectContaining({
        externalId: `${DISCUSSION.id}:301`,
        kind: 'reply',
        parentExternalId: `${DISCUSSION.id}:300`,
        rootExternalId: `${DISCUSSION.id}:300`,
        url: 'https://t.me/heraldnews_chat/301',
        text: "Reply to the bot's post",
      }),
    ]);
  });

  it('a webhook on the bot (409 Conflict) says Herald needs a bot of its own, without flagging the account (publishing still works)', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'error-409-webhook');
    const e = (await fetchComments(null).catch((x: unknown) => x)) as ConnectorError;
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown ?? false).toBe(false);
    expect(e.message).toContain('give Herald a bot of its own');
  });

  it('a channel without a discussion group has no comments (updates are still acknowledged)', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-private-channel');
    tg.expect('getUpdates', 'getUpdates-comments');
    const r = await fetchComments(null);
    expect(r.items).toEqual([]);
    expect(decodeCursor(r.cursor).offset).toBe(900008);
  });

  it('a discussion group linked after connecting is picked up without a reconnect', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-comments');
    const r = await fetchComments(null, { ...channelSession(), linkedChatId: null });
    expect(r.items.map((i) => i.externalId)).toEqual([`${DISCUSSION.id}:501`, `${DISCUSSION.id}:502`, `${DISCUSSION.id}:501`]);
  });

  it('a channel the bot was removed from: the getChat refusal flags the account', async () => {
    const { tg } = h.current;
    tg.expect('getChat', 'error-403-kicked');
    const e = (await fetchComments(null).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('disconnected');
  });
});

describe('Telegram reply', () => {
  it('answers a comment with sendMessage in the discussion group and reply_parameters', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage-reply');
    const r = await h.current.connector.comments!.reply(
      { auth: channelAuth(), parentExternalId: `${DISCUSSION.id}:501`, rootExternalId: `${CHANNEL.id}:101`, text: 'Thank you!', idempotencyKey: 'r1' },
      h.current.ctx(),
    );
    expect(tg.requests[0]!.params).toEqual({ chat_id: DISCUSSION.id, text: 'Thank you!', reply_parameters: { message_id: 501 } });
    expect(r).toEqual({ externalId: `${DISCUSSION.id}:506`, url: 'https://t.me/heraldnews/101?comment=506' });
  });

  it('refuses to "reply" to the channel post itself or to something that is not a message id, without a request', async () => {
    const reply = (parent: string) =>
      h.current.connector.comments!.reply({ auth: channelAuth(), parentExternalId: parent, rootExternalId: null, text: 'x', idempotencyKey: 'r' }, h.current.ctx()).then(
        () => {
          throw new Error('the reply should have been refused');
        },
        (x: unknown) => x as ConnectorError,
      );
    expect((await reply(`${CHANNEL.id}:101`)).message).toContain('reply to one of the comments');
    expect((await reply('bogus')).kind).toBe('invalid_content');
    expect(h.current.tg.requests).toEqual([]);
  });
});

describe('Telegram delete', () => {
  const del = (externalId: string, session: TelegramSession = channelSession()) => h.current.connector.delete!({ auth: channelAuth(session), externalId }, h.current.ctx());

  it('deletes a single message with deleteMessage', async () => {
    const { tg } = h.current;
    tg.expect('deleteMessage', 'true');
    await del(`${CHANNEL.id}:101`);
    expect(tg.requests[0]!.params).toEqual({ chat_id: CHANNEL.id, message_id: 101 });
  });

  it('deletes every message of a multi-message post with deleteMessages (without touching the session)', async () => {
    const { tg, saved } = h.current;
    tg.expect('deleteMessages', 'true');
    const externalId = `${CHANNEL.id}:110`;
    await del(externalId, { ...channelSession(), posts: { [externalId]: [110, 111, 120], [`${CHANNEL.id}:5`]: [5, 6] } });
    expect(tg.requests[0]!.params).toEqual({ chat_id: CHANNEL.id, message_ids: [110, 111, 120] });
    // A delete never writes the session: it could race a publish and drop its progress record.
    expect(saved).toEqual([]);
  });

  it('a message already gone counts as deleted; one older than 48 hours says to delete it in the app', async () => {
    const { tg } = h.current;
    tg.expect('deleteMessage', 'error-400-delete-not-found');
    await del(`${CHANNEL.id}:101`);
    tg.expect('deleteMessage', 'error-400-cant-delete');
    const e = (await del(`${CHANNEL.id}:101`).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('48 hours');
  });

  it('refuses an id of another chat without a request', async () => {
    const e = (await del('-1005:1').catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('invalid_content');
  });
});

describe('Telegram metrics', () => {
  it('account: the member count from getChatMemberCount', async () => {
    const { tg } = h.current;
    tg.expect('getChatMemberCount', 'getChatMemberCount');
    expect(await h.current.connector.metrics!.account({ auth: channelAuth() }, h.current.ctx())).toEqual({ followers: 1532 });
    expect(tg.requests[0]).toMatchObject({ token: TEST_BOT_TOKEN, params: { chat_id: CHANNEL.id } });
  });

  it('posts: the Bot API has no view counts for bots, so every count is null (never 0) and nothing is asked', async () => {
    const r = await h.current.connector.metrics!.posts({ auth: channelAuth(), externalIds: [`${CHANNEL.id}:101`] }, h.current.ctx());
    expect(r).toEqual({ [`${CHANNEL.id}:101`]: { views: null, likes: null, comments: null, shares: null } });
    expect(h.current.tg.requests).toEqual([]);
  });

  it('the bot id in the fixtures matches the test token', () => {
    expect(TEST_BOT_TOKEN.startsWith(`${TEST_BOT_ID}:`)).toBe(true);
  });
});

describe('Telegram comments cursor', () => {
  it('round-trips, keeps only the newest thread pairs, and starts afresh from anything unreadable', async () => {
    const { encodeCursor, MAX_CURSOR_THREADS } = await import('../../../src/connectors/telegram/telegram-inbound');
    const threads: Record<string, number> = {};
    for (let i = 1; i <= MAX_CURSOR_THREADS + 20; i++) threads[String(i * 10)] = i;
    const c = decodeCursor(encodeCursor({ offset: 42, threads }));
    expect(c.offset).toBe(42);
    expect(Object.keys(c.threads)).toHaveLength(MAX_CURSOR_THREADS);
    expect(c.threads['10']).toBeUndefined();
    expect(c.threads[String((MAX_CURSOR_THREADS + 20) * 10)]).toBe(MAX_CURSOR_THREADS + 20);
    expect(decodeCursor('not json')).toEqual({ offset: null, threads: {} });
    expect(decodeCursor('900001')).toEqual({ offset: 900001, threads: {} });
    expect(decodeCursor(null)).toEqual({ offset: null, threads: {} });
  });
});
