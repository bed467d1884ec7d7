/**
 * Telegram direct messages (private chats with the bot, classified in the comments pass so getUpdates
 * keeps one reader) answered with sendMessage, and moderation with deleteMessage: comments in the
 * discussion group, direct messages and the bot's own replies. Fake Bot API, doc-shaped fixtures; any
 * request the test did not expect fails it.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorError, type ModeratedMessage } from '../../../src/connectors/connector';
import { decodeCursor } from '../../../src/connectors/telegram/telegram-inbound';
import { CHANNEL, DISCUSSION } from './fake-telegram-api';
import { channelAuth, useFakeTelegram } from './telegram-harness';

const h = useFakeTelegram();
const karin = '33333333';

const message = (externalId: string, kind: ModeratedMessage['kind']): ModeratedMessage => ({ externalId, kind, parentExternalId: null, rootExternalId: null, authorExternalId: karin, underOwnPost: kind !== 'dm' });

describe('Telegram direct messages', () => {
  it('private messages to the bot come out of the same getUpdates pass as kind dm, edits included; the comment next to them stays a comment', async () => {
    const { tg, connector } = h.current;
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-private');
    const { items, cursor } = await connector.comments!.fetch({ auth: channelAuth(), cursor: JSON.stringify({ v: 1, offset: 920001, threads: {} }), posts: [] }, h.current.ctx());
    expect(tg.requests[1]!.params).toMatchObject({ offset: 920001 });
    expect(items).toEqual([
      {
        externalId: `${karin}:41`,
        kind: 'dm',
        parentExternalId: null,
        rootExternalId: null,
        author: { externalId: karin, handle: '@karinlund', displayName: 'Karin Lund' },
        text: 'Hej! Var hittar jag era öppettider?',
        url: null,
        createdAt: '2025-11-26T07:10:00.000Z',
        editedAt: null,
      },
      expect.objectContaining({ externalId: `${DISCUSSION.id}:510`, kind: 'comment', rootExternalId: `${CHANNEL.id}:101` }),
      expect.objectContaining({ externalId: `${karin}:41`, kind: 'dm', text: 'Hej! Var hittar jag era öppettider i Malmö?', editedAt: '2025-11-26T07:11:30.000Z' }),
    ]);
    // One offset for both: nothing is read twice or lost to a second reader.
    expect(decodeCursor(cursor).offset).toBe(920004);
    expect(connector.directMessages?.fetch).toBeUndefined();
  });

  it('answers in the private chat as a reply to the message', async () => {
    const { tg, connector } = h.current;
    tg.expect('sendMessage', 'sendMessage-private');
    const r = await connector.directMessages!.send({ auth: channelAuth(), messageExternalId: `${karin}:41`, correspondent: { externalId: karin, handle: '@karinlund' }, text: 'Hej Karin! Öppettiderna står på herald.example/malmo.', idempotencyKey: 'k1' }, h.current.ctx());
    expect(tg.requests[0]!.params).toEqual({ chat_id: 33333333, text: 'Hej Karin! Öppettiderna står på herald.example/malmo.', reply_parameters: { message_id: 41, allow_sending_without_reply: true } });
    expect(r).toEqual({ externalId: `${karin}:42`, url: null });
  });

  it('refuses a message that is not a private chat with its author, without a request; a block by the person is invalid_content', async () => {
    const { tg, connector } = h.current;
    const send = (messageExternalId: string) => connector.directMessages!.send({ auth: channelAuth(), messageExternalId, correspondent: { externalId: karin, handle: '@karinlund' }, text: 'x', idempotencyKey: 'k' }, h.current.ctx());
    await expect(send(`${DISCUSSION.id}:510`)).rejects.toMatchObject({ kind: 'invalid_content' });
    tg.expect('sendMessage', 'error-403-blocked');
    const e = await send(`${karin}:41`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'invalid_content', message: 'Telegram will not deliver it: Forbidden: bot was blocked by the user' });
  });
});

describe('Telegram moderation', () => {
  it('declares delete (comments, replies, DMs) and deleteReply, and no hide, unhide or restore', () => {
    const m = h.current.connector.moderation!;
    expect(m.delete?.kinds).toEqual(['comment', 'reply', 'dm']);
    expect(typeof m.deleteReply).toBe('function');
    expect(m.hide).toBeUndefined();
    expect(m.unhide).toBeUndefined();
    expect(m.restore).toBeUndefined();
  });

  it('deletes a comment in the discussion group and a direct message with deleteMessage', async () => {
    const { tg, connector } = h.current;
    tg.expect('deleteMessage', 'true');
    tg.expect('deleteMessage', 'true');
    await connector.moderation!.delete!.run({ auth: channelAuth(), message: message(`${DISCUSSION.id}:510`, 'comment') }, h.current.ctx());
    await connector.moderation!.delete!.run({ auth: channelAuth(), message: message(`${karin}:41`, 'dm') }, h.current.ctx());
    expect(tg.requests.map((r) => r.params)).toEqual([
      { chat_id: DISCUSSION.id, message_id: 510 },
      { chat_id: 33333333, message_id: 41 },
    ]);
  });

  it('a message already gone counts as deleted; one the bot may not delete says why', async () => {
    const { tg, connector } = h.current;
    tg.expect('deleteMessage', 'error-400-delete-not-found');
    await connector.moderation!.delete!.run({ auth: channelAuth(), message: message(`${DISCUSSION.id}:510`, 'comment') }, h.current.ctx());
    tg.expect('deleteMessage', 'error-400-delete-no-rights');
    await expect(connector.moderation!.delete!.run({ auth: channelAuth(), message: message(`${DISCUSSION.id}:511`, 'comment') }, h.current.ctx())).rejects.toMatchObject({
      kind: 'invalid_content',
      message: expect.stringContaining('as a group admin allowed to delete messages'),
    });
  });

  it("deletes the bot's own reply", async () => {
    const { tg, connector } = h.current;
    tg.expect('deleteMessage', 'true');
    await connector.moderation!.deleteReply!({ auth: channelAuth(), externalId: `${DISCUSSION.id}:506`, parentExternalId: `${DISCUSSION.id}:501` }, h.current.ctx());
    expect(tg.requests[0]!.params).toEqual({ chat_id: DISCUSSION.id, message_id: 506 });
  });
});
