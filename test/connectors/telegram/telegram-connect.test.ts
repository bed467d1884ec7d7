/**
 * Connecting a chat: getMe, getChat, getChatMember for the bot; a channel needs an administrator with
 * "Post messages", a group a bot allowed to send. Each refusal names what is missing.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/connector';
import { botIdOfToken } from '../../../src/connectors/telegram/telegram.connector';
import { CHANNEL, DISCUSSION, fixtureWith, TEST_BOT_ID, TEST_BOT_TOKEN } from './fake-telegram-api';
import { channelAuth, useFakeTelegram } from './telegram-harness';

const h = useFakeTelegram();

async function connectError(credentials: { botToken: string; chat: string }): Promise<ConnectorError> {
  const e = await h.current.connector.connect(credentials, h.current.ctx()).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
}

describe('Telegram connect', () => {
  it('connects a public channel where the bot is an administrator who may post', async () => {
    const { tg, connector } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getChatMember', 'getChatMember-channel-admin');
    const a = await connector.connect({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews' }, h.current.ctx());
    expect(a).toMatchObject({ externalId: String(CHANNEL.id), handle: '@heraldnews', displayName: 'Herald News', serviceUrl: null, networkLimits: { canPin: 1 } });
    expect(a.session).toEqual({
      botId: TEST_BOT_ID,
      botUsername: 'herald_test_bot',
      chatId: CHANNEL.id,
      chatType: 'channel',
      chatUsername: 'heraldnews',
      title: 'Herald News',
      linkedChatId: DISCUSSION.id,
    });
    expect(tg.requests.map((r) => [r.method, r.token, r.params])).toEqual([
      ['getMe', TEST_BOT_TOKEN, {}],
      ['getChat', TEST_BOT_TOKEN, { chat_id: '@heraldnews' }],
      ['getChatMember', TEST_BOT_TOKEN, { chat_id: CHANNEL.id, user_id: TEST_BOT_ID }],
    ]);
  });

  it('connects a private channel by numeric id; the handle is its title', async () => {
    const { tg, connector } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-private-channel');
    tg.expect('getChatMember', fixtureWith('getChatMember-channel-admin', { can_edit_messages: false }));
    const a = await connector.connect({ botToken: TEST_BOT_TOKEN, chat: '-1001111111111' }, h.current.ctx());
    expect(a).toMatchObject({ externalId: '-1001111111111', handle: 'Herald Insiders', networkLimits: { canPin: 0 } });
    expect(a.session.linkedChatId).toBeNull();
    expect(tg.calls('getChat')[0]!.params).toEqual({ chat_id: '-1001111111111' });
  });

  it('connects a group where the bot is an ordinary member allowed to send', async () => {
    const { tg, connector } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-supergroup');
    tg.expect('getChatMember', 'getChatMember-member');
    const a = await connector.connect({ botToken: TEST_BOT_TOKEN, chat: 'https://t.me/heraldnews_chat' }, h.current.ctx());
    expect(a).toMatchObject({ externalId: String(DISCUSSION.id), handle: '@heraldnews_chat', networkLimits: { canPin: 0 } });
    expect(a.session.chatType).toBe('supergroup');
    expect(tg.calls('getChat')[0]!.params).toEqual({ chat_id: '@heraldnews_chat' });
  });

  it('a group administrator with "Pin messages" may pin; members never can (pinChatMessage needs an admin)', async () => {
    const { tg, connector } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', fixtureWith('getChat-supergroup', { permissions: { can_send_messages: true, can_pin_messages: true } }));
    tg.expect('getChatMember', 'getChatMember-member');
    expect((await connector.connect({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews_chat' }, h.current.ctx())).networkLimits).toEqual({ canPin: 0 });
    tg.assertDone();
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-supergroup');
    tg.expect('getChatMember', 'getChatMember-group-admin');
    expect((await connector.connect({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews_chat' }, h.current.ctx())).networkLimits).toEqual({ canPin: 1 });
  });

  it('refuses a bad token (401 from getMe) as auth_expired, without the token in the message', async () => {
    const { tg } = h.current;
    const wrong = '7000000001:AAwrongwrongwrongwrongwrongwrongwro';
    tg.expect('getMe', 'error-401', { anyToken: true });
    const e = await connectError({ botToken: wrong, chat: '@heraldnews' });
    expect(e.kind).toBe('auth_expired');
    expect(e.message).toMatch(/does not know this bot token \(Unauthorized\).*@BotFather/);
    expect(e.message).not.toContain('AAwrong');
    expect(tg.requests[0]!.token).toBe(wrong);
  });

  it('refuses a channel where the bot is not an administrator, saying how to add it', async () => {
    const { tg } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getChatMember', 'getChatMember-member');
    const e = await connectError({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews' });
    expect(e.kind).toBe('disconnected');
    expect(e.message).toContain('is not an administrator of the channel @heraldnews');
    expect(e.message).toContain('"Post messages"');
  });

  it('refuses an administrator without "Post messages", naming the missing right', async () => {
    const { tg } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getChatMember', 'getChatMember-channel-admin-no-post');
    const e = await connectError({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews' });
    expect(e.kind).toBe('disconnected');
    expect(e.message).toContain('lacks the right "Post messages"');
  });

  it('refuses a group where the bot is restricted or gone', async () => {
    const { tg } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-supergroup');
    tg.expect('getChatMember', 'getChatMember-restricted');
    expect((await connectError({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews_chat' })).message).toContain('is restricted and may not send messages');
    tg.assertDone();
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-supergroup');
    tg.expect('getChatMember', 'getChatMember-left');
    expect((await connectError({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews_chat' })).message).toContain('is not a member of the group');
  });

  it('refuses a chat the bot cannot see (400 chat not found) and a private chat with a person', async () => {
    const { tg } = h.current;
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'error-400-chat-not-found');
    const e = await connectError({ botToken: TEST_BOT_TOKEN, chat: '@nosuchchannel' });
    expect(e.kind).toBe('disconnected');
    expect(e.message).toContain('cannot see the chat @nosuchchannel (Bad Request: chat not found)');
    tg.assertDone();
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-private');
    const p = await connectError({ botToken: TEST_BOT_TOKEN, chat: '@alice' });
    expect(p.message).toContain('private chat with a person');
  });

  it('an unreachable Bot API is retryable (a 502 to the API, not a 422 to the user)', async () => {
    const { tg } = h.current;
    tg.expect('getMe', 'error-502');
    const e = await connectError({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews' });
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(false);
  });

  it('the credentials schema checks the token shape and normalises the chat, never echoing the token', () => {
    const schema = h.current.connector.credentialsSchema;
    expect(schema.parse({ botToken: ` ${TEST_BOT_TOKEN} `, chat: 'heraldnews' })).toEqual({ botToken: TEST_BOT_TOKEN, chat: '@heraldnews' });
    expect(schema.parse({ botToken: TEST_BOT_TOKEN, chat: 't.me/heraldnews' }).chat).toBe('@heraldnews');
    expect(schema.parse({ botToken: TEST_BOT_TOKEN, chat: '-1001234567890' }).chat).toBe('-1001234567890');
    const bad = schema.safeParse({ botToken: 'not-a-token-secret123', chat: '@x' });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message).join(' ');
    expect(messages).toContain('does not look like a bot token');
    expect(messages).toContain('@username (5–32');
    expect(messages).not.toContain('secret123');
    const field = h.current.connector.credentialFields.find((f) => f.name === 'botToken');
    expect(field?.type).toBe('password');
  });

  it('the rate group is the bot id from the token prefix (shared by every chat of the bot)', () => {
    expect(botIdOfToken(TEST_BOT_TOKEN)).toBe(TEST_BOT_ID);
    expect(h.current.connector.rateGroup!(channelAuth())).toBe(`telegram-bot:${TEST_BOT_ID}`);
    expect(h.current.connector.limits).toEqual({ maxConcurrentPerAccount: 1, publishRate: { count: 20, windowMs: 60_000 }, groupRate: { count: 30, windowMs: 1_000 } });
  });
});
