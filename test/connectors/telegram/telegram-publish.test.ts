/**
 * Publishing against the fake Bot API, asserting the exact requests Telegram received: text with
 * computed entities (never parse_mode), photo/document with caption (multipart), an album, polls and
 * quizzes, silent/pinned/protected posts, and multi-message posts that never send a part twice.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorError, type MediaItem, type PostVariant } from '../../../src/connectors/connector';
import type { TelegramSession } from '../../../src/connectors/telegram/telegram.connector';
import { CHANNEL, fixtureWith } from './fake-telegram-api';
import { channelAuth, channelSession, useFakeTelegram } from './telegram-harness';

const h = useFakeTelegram();

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const file = (mimeType: string, n: number, seed: number): MediaItem => ({ mimeType, sizeBytes: n, alt: '', data: bytes(n, seed) });

async function publish(variant: PostVariant, session: TelegramSession | null = channelSession(), key = 'target-1') {
  return h.current.connector.publish({ auth: channelAuth(session), variant, idempotencyKey: key, createdAt: '2026-11-26T06:00:00.000Z' }, h.current.ctx());
}

async function publishError(variant: PostVariant, session: TelegramSession | null = channelSession(), key = 'target-1'): Promise<ConnectorError> {
  const e = await publish(variant, session, key).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
}

describe('Telegram publish', () => {
  it('sends plain text as sendMessage without entities or parse_mode; externalId is chat:message, url t.me', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    const r = await publish({ text: 'Hello *not bold* <b>nor this</b> _x_' });
    expect(r).toEqual({ externalId: `${CHANNEL.id}:101`, url: 'https://t.me/heraldnews/101' });
    expect(tg.requests).toHaveLength(1);
    expect(tg.requests[0]!.multipart).toBe(false);
    expect(tg.requests[0]!.params).toEqual({ chat_id: CHANNEL.id, text: 'Hello *not bold* <b>nor this</b> _x_' });
    expect(h.current.saved).toEqual([]);
  });

  it('appends the link with a url entity at its UTF-16 offset and asks for its preview', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    const link = 'https://example.com/статья';
    await publish({ text: 'Новости 🚀🇸🇪 today', link });
    const p = tg.requests[0]!.params;
    const text = 'Новости 🚀🇸🇪 today\n\n' + link;
    // 'Новости ' 8 + '🚀' 2 + '🇸🇪' 4 + ' today' 6 + '\n\n' 2 = 22 (code points: 19).
    expect(p).toEqual({ chat_id: CHANNEL.id, text, entities: [{ type: 'url', offset: 22, length: link.length }], link_preview_options: { url: link } });
    expect(p).not.toHaveProperty('parse_mode');
  });

  it('a private channel (no username) has no public URL', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', fixtureWith('sendMessage', { message_id: 7 }));
    const r = await publish({ text: 'Hi' }, { ...channelSession(), chatUsername: null });
    expect(r).toEqual({ externalId: `${CHANNEL.id}:7`, url: null });
  });

  it('uploads one photo with sendPhoto (multipart) and the text as caption', async () => {
    const { tg } = h.current;
    tg.expect('sendPhoto', 'sendPhoto');
    const photo = file('image/jpeg', 3000, 1);
    const r = await publish({ text: 'A photo 📷', media: [photo] });
    expect(r.externalId).toBe(`${CHANNEL.id}:102`);
    const req = tg.requests[0]!;
    expect(req.method).toBe('sendPhoto');
    expect(req.multipart).toBe(true);
    expect(req.params).toEqual({ chat_id: CHANNEL.id, caption: 'A photo 📷' });
    expect(req.files).toHaveLength(1);
    expect(req.files[0]).toMatchObject({ field: 'photo', filename: 'file1.jpg', type: 'image/jpeg', size: 3000 });
    expect(req.files[0]!.bytes.equals(photo.data!)).toBe(true);
  });

  it('sends a PDF with sendDocument and a caption link entity', async () => {
    const { tg } = h.current;
    tg.expect('sendDocument', 'sendDocument');
    await publish({ text: 'Report', link: 'https://example.com/r', media: [file('application/pdf', 2048, 2)] });
    const req = tg.requests[0]!;
    expect(req.params).toEqual({ chat_id: CHANNEL.id, caption: 'Report\n\nhttps://example.com/r', caption_entities: [{ type: 'url', offset: 8, length: 21 }] });
    expect(req.files.map((f) => [f.field, f.filename, f.type])).toEqual([['document', 'file1.pdf', 'application/pdf']]);
  });

  it('sends video and audio with their own methods', async () => {
    const { tg } = h.current;
    tg.expect('sendVideo', 'sendVideo');
    tg.expect('sendAudio', 'sendAudio');
    await publish({ text: '', media: [file('video/mp4', 100, 3)] });
    await publish({ text: 'Listen', media: [file('audio/mpeg', 100, 4)] }, channelSession(), 'target-2');
    expect(tg.requests.map((r) => [r.method, r.files[0]!.field, r.params])).toEqual([
      ['sendVideo', 'video', { chat_id: CHANNEL.id }],
      ['sendAudio', 'audio', { chat_id: CHANNEL.id, caption: 'Listen' }],
    ]);
  });

  it('sends an album with sendMediaGroup: attach:// names, caption on the first item; keeps every id for delete', async () => {
    const { tg, saved } = h.current;
    tg.expect('sendMediaGroup', 'sendMediaGroup');
    const media = [file('image/png', 500, 5), file('video/mp4', 700, 6)];
    const r = await publish({ text: 'Album ✨', media });
    expect(r).toEqual({ externalId: `${CHANNEL.id}:110`, url: 'https://t.me/heraldnews/110' });
    const req = tg.requests[0]!;
    expect(req.params).toEqual({
      chat_id: CHANNEL.id,
      media: [
        { type: 'photo', media: 'attach://file0', caption: 'Album ✨' },
        { type: 'video', media: 'attach://file1' },
      ],
    });
    expect(req.files.map((f) => [f.field, f.type, f.size])).toEqual([
      ['file0', 'image/png', 500],
      ['file1', 'video/mp4', 700],
    ]);
    expect(req.files[1]!.bytes.equals(media[1]!.data!)).toBe(true);
    expect(saved.at(-1)?.posts).toEqual({ [`${CHANNEL.id}:110`]: [110, 111] });
  });

  it('sends text, then the poll (sendPoll with InputPollOption objects); the text is first and both ids are kept', async () => {
    const { tg, saved } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('sendPoll', 'sendPoll');
    const r = await publish({ text: 'We are planning a meetup.', poll: { question: 'Which day?', options: ['Monday', ' Friday '] } }, channelSession(), 'poll-1');
    expect(r.externalId).toBe(`${CHANNEL.id}:101`);
    expect(tg.requests.map((q) => q.method)).toEqual(['sendMessage', 'sendPoll']);
    expect(tg.requests[1]!.params).toEqual({ chat_id: CHANNEL.id, question: 'Which day?', options: [{ text: 'Monday' }, { text: 'Friday' }] });
    // Progress recorded before the poll went out, then the finished post.
    expect(saved[0]!.inFlight?.['poll-1']).toMatchObject({ done: ['body'], messageIds: [101] });
    expect(saved.at(-1)!.inFlight).toEqual({});
    expect(saved.at(-1)!.posts).toEqual({ [`${CHANNEL.id}:101`]: [101, 120] });
  });

  it('sends a quiz whose question is the post text as one sendPoll (type quiz, correct_option_id, open_period)', async () => {
    const { tg } = h.current;
    tg.expect('sendPoll', 'sendPoll-quiz');
    const r = await publish({ text: '2 + 2?', poll: { options: ['3', '4', '5'], correctOptionIndex: 1, durationSeconds: 60 } });
    expect(r.externalId).toBe(`${CHANNEL.id}:121`);
    expect(tg.requests.map((q) => [q.method, q.params])).toEqual([
      ['sendPoll', { chat_id: CHANNEL.id, question: '2 + 2?', options: [{ text: '3' }, { text: '4' }, { text: '5' }], type: 'quiz', correct_option_id: 1, open_period: 60 }],
    ]);
  });

  it('a multiple-answer poll sets allows_multiple_answers', async () => {
    const { tg } = h.current;
    tg.expect('sendPoll', 'sendPoll');
    await publish({ text: 'Pick any', poll: { options: ['a', 'b'], multiple: true } });
    expect(tg.requests[0]!.params).toMatchObject({ allows_multiple_answers: true });
    expect(tg.requests[0]!.params).not.toHaveProperty('type');
  });

  it('silent, protected and pinned: disable_notification + protect_content on the send, then pinChatMessage', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('pinChatMessage', 'true');
    await publish({ text: 'Important', options: { silent: true, pinned: true, protectContent: true } });
    expect(tg.requests.map((q) => [q.method, q.params])).toEqual([
      ['sendMessage', { chat_id: CHANNEL.id, text: 'Important', disable_notification: true, protect_content: true }],
      ['pinChatMessage', { chat_id: CHANNEL.id, message_id: 101, disable_notification: true }],
    ]);
  });

  it('silent applies to every message of a post (album and poll)', async () => {
    const { tg } = h.current;
    tg.expect('sendMediaGroup', 'sendMediaGroup');
    tg.expect('sendPoll', 'sendPoll');
    await publish({ text: 'x', media: [file('image/png', 10, 1), file('image/png', 10, 2)], poll: { question: 'Q?', options: ['a', 'b'] }, options: { silent: true } }, channelSession(), 'silent-2');
    expect(tg.requests.map((q) => q.params.disable_notification)).toEqual([true, true]);
  });

  it('a refused pin leaves the post published (it is out) instead of failing it', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('pinChatMessage', 'error-400-not-enough-rights');
    const r = await publish({ text: 'Pin me', options: { pinned: true } });
    expect(r.externalId).toBe(`${CHANNEL.id}:101`);
  });

  it('a video held back for re-encoding (message id 0, Bot API 8.0) is published without a link, not pinned, and not deletable by the bot', async () => {
    const { tg } = h.current;
    tg.expect('sendVideo', fixtureWith('sendVideo', { message_id: 0 }));
    const r = await publish({ text: 'Big video', media: [file('video/mp4', 100, 9)], options: { pinned: true } });
    expect(r).toEqual({ externalId: `${CHANNEL.id}:0`, url: null });
    expect(tg.requests.map((q) => q.method)).toEqual(['sendVideo']);
    const e = (await h.current.connector.delete!({ auth: channelAuth(), externalId: r.externalId }, h.current.ctx()).catch((x: unknown) => x)) as ConnectorError;
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('delete it in the Telegram app');
  });

  it('refuses an invalid variant before any request', async () => {
    const e = await publishError({ text: 'x'.repeat(4097) });
    expect(e.kind).toBe('invalid_content');
    expect(e.message).toContain('4,097');
    expect(h.current.tg.requests).toHaveLength(0);
  });
});

describe('multi-message posts are never sent twice', () => {
  it('text went out, the poll met 429: rate_limited (not unknown), and the retry sends only the poll', async () => {
    const { tg, saved } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('sendPoll', 'error-429');
    const variant: PostVariant = { text: 'Intro', poll: { question: 'Which day?', options: ['Mon', 'Fri'] } };
    const e = await publishError(variant, channelSession(), 'resume-1');
    expect(e.kind).toBe('rate_limited');
    expect(e.opts).toMatchObject({ retryAfterMs: 17_000 });
    expect(e.opts.outcomeUnknown).toBeFalsy();
    expect(e.message).toContain('message 101 is already in the chat');
    const afterFirst = saved.at(-1)!;
    expect(afterFirst.inFlight?.['resume-1']).toMatchObject({ done: ['body'], messageIds: [101] });
    tg.assertDone();

    // The engine retries with the session as stored.
    tg.expect('sendPoll', 'sendPoll');
    const r = await publish(variant, afterFirst, 'resume-1');
    expect(r).toEqual({ externalId: `${CHANNEL.id}:101`, url: 'https://t.me/heraldnews/101' });
    expect(tg.requests.map((q) => q.method)).toEqual(['sendPoll']);
    expect(saved.at(-1)!.inFlight).toEqual({});
    expect(saved.at(-1)!.posts?.[`${CHANNEL.id}:101`]).toEqual([101, 120]);
  });

  it('the connection dies after the poll request left: outcome unknown (a person checks), never a blind re-send', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('sendPoll', 'sendPoll', { drop: true });
    const e = await publishError({ text: 'Intro', poll: { question: 'Q?', options: ['a', 'b'] } }, channelSession(), 'drop-1');
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
  });

  it('the bot is kicked between the text and the poll: a person decides (reconnecting would drop the record)', async () => {
    const { tg } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('sendPoll', 'error-403-kicked');
    const e = await publishError({ text: 'Intro', poll: { question: 'Q?', options: ['a', 'b'] } }, channelSession(), 'kick-1');
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBe(true);
    expect(e.message).toContain('bot was kicked');
  });

  it('a failed pin (5xx) is retried alone: the post is not sent again', async () => {
    const { tg, saved } = h.current;
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('pinChatMessage', 'error-500');
    const variant: PostVariant = { text: 'Pinned', options: { pinned: true } };
    const e = await publishError(variant, channelSession(), 'pin-1');
    expect(e.kind).toBe('retryable');
    expect(e.opts.outcomeUnknown).toBeFalsy();
    tg.assertDone();
    tg.expect('pinChatMessage', 'true');
    const r = await publish(variant, saved.at(-1)!, 'pin-1');
    expect(r.externalId).toBe(`${CHANNEL.id}:101`);
    expect(tg.requests.map((q) => q.method)).toEqual(['pinChatMessage']);
  });
});
