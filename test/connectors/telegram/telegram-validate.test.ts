/**
 * Telegram validation: lengths in UTF-16 code units (as Telegram counts them: an emoji outside the
 * BMP is 2, a Cyrillic letter 1), entity offsets in UTF-16 units, captions, albums, file sizes, polls
 * and quizzes, options.
 */
import { describe, expect, it } from 'vitest';
import type { AnyConnector, MediaItem, PostVariant } from '../../../src/connectors/connector';
import { validateWithDeclarations } from '../../../src/connectors/declared-checks';
import { createTelegramConnector } from '../../../src/connectors/telegram/telegram.connector';
import {
  composeTelegramText,
  planTelegramPost,
  telegramMediaKind,
  validateTelegramVariant,
  TELEGRAM_MAX_CAPTION,
  TELEGRAM_MAX_FILE_BYTES,
  TELEGRAM_MAX_PHOTO_BYTES,
  TELEGRAM_MAX_TEXT,
} from '../../../src/connectors/telegram/telegram-validate';

const codes = (v: PostVariant, ctx?: Parameters<typeof validateTelegramVariant>[1]) => validateTelegramVariant(v, ctx).errors.map((e) => e.code);
const img = (sizeBytes = 1000, mimeType = 'image/jpeg'): MediaItem => ({ mimeType, sizeBytes, alt: '' });

describe('Telegram text length (UTF-16 code units)', () => {
  it('counts an emoji outside the BMP as 2 and Cyrillic letters as 1', () => {
    expect(validateTelegramVariant({ text: '😀' }).length).toBe(2);
    expect(validateTelegramVariant({ text: 'Привет' }).length).toBe(6);
    // A skin-tone emoji is two code points = 4 units; one grapheme.
    expect(validateTelegramVariant({ text: '👋🏽' }).length).toBe(4);
    expect(validateTelegramVariant({ text: 'Привет' }).unit).toBe('UTF-16 code units');
  });

  it('2048 emoji fit exactly in 4096 units; 2049 do not, although they are only 2049 code points', () => {
    const ok = validateTelegramVariant({ text: '😀'.repeat(2048) });
    expect(ok).toMatchObject({ valid: true, length: 4096, max: TELEGRAM_MAX_TEXT });
    const over = validateTelegramVariant({ text: '😀'.repeat(2049) });
    expect(over.valid).toBe(false);
    expect(over.length).toBe(4098);
    expect(over.errors[0]).toMatchObject({ code: 'text_too_long', field: 'text' });
    expect(over.errors[0]!.message).toContain('4,098');
  });

  it('4096 Cyrillic letters are valid (8192 bytes in UTF-8 do not matter); 4097 are not', () => {
    expect(validateTelegramVariant({ text: 'ж'.repeat(4096) }).valid).toBe(true);
    expect(codes({ text: 'ж'.repeat(4097) })).toEqual(['text_too_long']);
  });

  it('a caption under media allows 1024 units', () => {
    expect(validateTelegramVariant({ text: 'я'.repeat(1024), media: [img()] })).toMatchObject({ valid: true, max: TELEGRAM_MAX_CAPTION });
    const over = validateTelegramVariant({ text: '🎉'.repeat(513), media: [img()] });
    expect(over.length).toBe(1026);
    expect(over.errors.map((e) => e.code)).toEqual(['caption_too_long']);
  });

  it('empty and whitespace-only posts are refused; media, a link or a poll alone are fine', () => {
    expect(codes({ text: '' })).toEqual(['empty']);
    expect(codes({ text: '  \n ' })).toEqual(['empty']);
    expect(codes({ text: '', media: [img()] })).toEqual([]);
    expect(codes({ text: '', link: 'https://example.com' })).toEqual([]);
    expect(codes({ text: '', poll: { question: 'Q?', options: ['a', 'b'] } })).toEqual([]);
  });
});

describe('link as text with a url entity (offsets in UTF-16 units)', () => {
  it('appends the link on its own paragraph; the entity offset counts emoji as 2 and Cyrillic as 1', () => {
    const text = 'Привет 👋🏽 мир';
    const link = 'https://example.com/новости?a=1';
    const t = composeTelegramText(text, link);
    expect(t.text).toBe(`${text}\n\n${link}`);
    // 'Привет ' 7 + '👋🏽' 4 + ' мир' 4 = 15 units, + 2 newlines = 17 (code points would say 15).
    expect(t.entities).toEqual([{ type: 'url', offset: 17, length: link.length }]);
    expect([...text].length + 2).toBe(15);
    expect(t.text.slice(t.entities[0]!.offset, t.entities[0]!.offset + t.entities[0]!.length)).toBe(link);
    expect(t.previewUrl).toBe(link);
  });

  it('sends plain text without entities when there is no link, and does not repeat a link the text has', () => {
    expect(composeTelegramText('Just text 🎉', null)).toEqual({ text: 'Just text 🎉', entities: [], previewUrl: null });
    expect(composeTelegramText('See https://example.com now', 'https://example.com')).toEqual({ text: 'See https://example.com now', entities: [], previewUrl: 'https://example.com' });
  });

  it('the appended link counts toward the limit', () => {
    const link = 'https://example.com/x';
    const text = 'a'.repeat(TELEGRAM_MAX_TEXT - link.length - 2);
    expect(validateTelegramVariant({ text, link })).toMatchObject({ valid: true, length: TELEGRAM_MAX_TEXT });
    expect(codes({ text: text + 'b', link })).toEqual(['text_too_long']);
  });

  it('refuses a link that is not http(s)', () => {
    expect(codes({ text: 'x', link: 'ftp://example.com' })).toEqual(['invalid_link']);
  });
});

describe('media', () => {
  it('maps MIME types to the send method Telegram documents', () => {
    expect(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime', 'audio/mpeg', 'audio/mp4', 'audio/ogg', 'application/pdf'].map(telegramMediaKind)).toEqual([
      'photo',
      'photo',
      'photo',
      'document',
      'video',
      'document',
      'audio',
      'audio',
      'document',
      'document',
    ]);
  });

  it('photos up to 10 MB, other uploads up to 50 MB', () => {
    expect(codes({ text: 'x', media: [img(TELEGRAM_MAX_PHOTO_BYTES)] })).toEqual([]);
    expect(codes({ text: 'x', media: [img(TELEGRAM_MAX_PHOTO_BYTES + 1)] })).toEqual(['photo_too_large']);
    expect(codes({ text: 'x', media: [img(TELEGRAM_MAX_FILE_BYTES, 'video/mp4')] })).toEqual([]);
    const big = validateTelegramVariant({ text: 'x', media: [img(TELEGRAM_MAX_FILE_BYTES + 1, 'application/pdf')] });
    expect(big.errors).toEqual([expect.objectContaining({ code: 'file_too_large', index: 0, message: expect.stringContaining('50 MB') })]);
  });

  it('albums hold up to 10 items; photos and videos mix, documents and audio only with their own kind', () => {
    expect(codes({ text: 'x', media: Array.from({ length: 10 }, () => img()) })).toEqual([]);
    expect(codes({ text: 'x', media: Array.from({ length: 11 }, () => img()) })).toEqual(['media_count']);
    expect(codes({ text: 'x', media: [img(), img(10, 'video/mp4')] })).toEqual([]);
    expect(codes({ text: 'x', media: [img(10, 'application/pdf'), img(10, 'application/zip')] })).toEqual([]);
    expect(codes({ text: 'x', media: [img(), img(10, 'application/pdf')] })).toEqual(['mixed_album']);
    expect(codes({ text: 'x', media: [img(10, 'audio/mpeg'), img(10, 'video/mp4')] })).toEqual(['mixed_album']);
  });

  it('plans one media message, or an album with the caption on the first item', () => {
    expect(planTelegramPost({ text: 'x', media: [img()] }).body?.kind).toBe('media');
    expect(planTelegramPost({ text: 'x', media: [img(), img()] }).body?.kind).toBe('album');
    expect(planTelegramPost({ text: 'x' }).body?.kind).toBe('text');
  });
});

describe('polls and quizzes', () => {
  const poll = (p: Partial<NonNullable<PostVariant['poll']>> = {}): PostVariant => ({ text: 'Intro', poll: { question: 'Which day?', options: ['Monday', 'Friday'], ...p } });

  it('accepts 2 to 12 options of 1 to 100 characters and a question of up to 300', () => {
    expect(codes(poll())).toEqual([]);
    expect(codes(poll({ options: ['only one'] }))).toEqual(['poll_option_count']);
    expect(codes(poll({ options: Array.from({ length: 12 }, (_, i) => `o${i}`) }))).toEqual([]);
    expect(codes(poll({ options: Array.from({ length: 13 }, (_, i) => `o${i}`) }))).toEqual(['poll_option_count']);
    expect(codes(poll({ options: ['a', ' '] }))).toEqual(['poll_option_empty']);
    expect(codes(poll({ options: ['a', '😀'.repeat(51)] }))).toEqual(['poll_option_too_long']);
    expect(codes(poll({ question: 'й'.repeat(300) }))).toEqual([]);
    expect(codes(poll({ question: 'й'.repeat(301) }))).toEqual(['poll_question_too_long']);
  });

  it('a quiz needs its right answer among the options and cannot allow several answers', () => {
    expect(codes(poll({ correctOptionIndex: 1 }))).toEqual([]);
    expect(codes(poll({ correctOptionIndex: 2 }))).toEqual(['quiz_answer_out_of_range']);
    expect(codes(poll({ correctOptionIndex: 0, multiple: true }))).toEqual(['quiz_multiple']);
  });

  it('an open period must be 5 to 600 seconds when set', () => {
    expect(codes(poll({ durationSeconds: 5 }))).toEqual([]);
    expect(codes(poll({ durationSeconds: 600 }))).toEqual([]);
    expect(codes(poll({ durationSeconds: 4 }))).toEqual(['poll_open_period']);
    expect(codes(poll({ durationSeconds: 86_400 }))).toEqual(['poll_open_period']);
  });

  it('without its own question, the post text is the question (one message) and is held to 300', () => {
    const plan = planTelegramPost({ text: 'Which day?', poll: { options: ['Mon', 'Fri'] } });
    expect(plan.body).toBeNull();
    expect(plan.poll?.question).toBe('Which day?');
    expect(validateTelegramVariant({ text: 'Which day?', poll: { options: ['Mon', 'Fri'] } })).toMatchObject({ valid: true, length: 10, max: 300 });
    expect(codes({ text: 'q'.repeat(301), poll: { options: ['a', 'b'] } })).toEqual(['poll_question_too_long']);
    expect(codes({ text: '', poll: { options: ['a', 'b'] } })).toEqual(['poll_no_question']);
  });

  it('with its own question the text goes first as a message, then the poll', () => {
    const plan = planTelegramPost(poll());
    expect(plan.body?.kind).toBe('text');
    expect(plan.poll?.question).toBe('Which day?');
  });
});

describe('options and threads', () => {
  it('knows silent, pinned and protectContent; refuses other names and non-booleans', () => {
    expect(codes({ text: 'x', options: { silent: true, pinned: true, protectContent: false } })).toEqual([]);
    expect(codes({ text: 'x', options: { spoiler: true } })).toEqual(['unknown_option']);
    expect(codes({ text: 'x', options: { silent: 'yes' } })).toEqual(['option_value']);
  });

  it('refuses "pinned" when the account recorded at connect that the bot may not pin', () => {
    expect(codes({ text: 'x', options: { pinned: true } }, { networkLimits: { canPin: 0 } })).toEqual(['cannot_pin']);
    expect(codes({ text: 'x', options: { pinned: true } }, { networkLimits: { canPin: 1 } })).toEqual([]);
  });

  it('has no threads', () => {
    expect(codes({ text: 'x', thread: ['more'] })).toEqual(['threads_unsupported']);
  });
});

describe('with the generic declaration checks', () => {
  const connector = createTelegramConnector() as unknown as AnyConnector;

  it('reports each problem once (same codes and fields as the declaration checks)', () => {
    const r = validateWithDeclarations(connector, { text: 'x', media: Array.from({ length: 11 }, () => img()), thread: ['more'], options: { spoiler: true, silent: 'yes' } });
    expect(r.errors.map((e) => `${e.code}/${e.field}`).sort()).toEqual(['media_count/media', 'option_value/options', 'threads_unsupported/thread', 'unknown_option/options']);
  });

  it('a valid post with poll and options passes both', () => {
    expect(validateWithDeclarations(connector, { text: 'Hi', poll: { question: 'Q?', options: ['a', 'b'] }, options: { silent: true, pinned: false } }).valid).toBe(true);
  });
});

