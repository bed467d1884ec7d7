/**
 * Telegram post rules, browser-safe (no Node modules, no Buffer calls): the web composer, the API, the
 * CLI and the worker all run this exact code.
 *
 * Telegram counts text in UTF-16 code units ("characters" in the Bot API docs are what JavaScript's
 * `String.length` counts), and MessageEntity offsets/lengths are UTF-16 code units too — so an emoji
 * outside the Basic Multilingual Plane counts 2, a Cyrillic letter counts 1.
 *
 * One Herald post becomes up to two Telegram messages, always in this order (the plan below is shared
 * by `validate` and `publish`, so what is checked is what is sent):
 *   1. the body: one media message with the text as caption (sendPhoto/sendVideo/sendAudio/
 *      sendDocument), or an album (sendMediaGroup, caption on the first item), or a text message;
 *   2. the native poll or quiz (sendPoll), after the body, so the body reads as its introduction.
 * A poll without its own question uses the post text as the question (then no separate text message).
 */
import type { PollSpec, PostVariant, ValidationContext, ValidationIssue, ValidationResult } from '../connector';

/** sendMessage: text of 1-4096 characters after entities parsing. */
export const TELEGRAM_MAX_TEXT = 4096;
/** Captions of photos, videos, documents, audio and album items: 0-1024 characters. */
export const TELEGRAM_MAX_CAPTION = 1024;
/** sendMediaGroup: an album holds 2-10 items. */
export const TELEGRAM_MAX_MEDIA = 10;
/** sendPhoto: "The photo must be at most 10 MB in size" (multipart upload). */
export const TELEGRAM_MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Other files sent by multipart upload: "up to 50 MB in size". */
export const TELEGRAM_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** sendPoll: question of 1-300 characters. */
export const TELEGRAM_MAX_POLL_QUESTION = 300;
/** InputPollOption.text: 1-100 characters. */
export const TELEGRAM_MAX_POLL_OPTION = 100;
/**
 * sendPoll options: "A JSON-serialized list of 2-12 answer options" in the current Bot API (Bot API
 * 9.1 raised it from 10 to 12).
 */
export const TELEGRAM_MAX_POLL_OPTIONS = 12;
/** A poll needs at least two answer options. */
export const TELEGRAM_MIN_POLL_OPTIONS = 2;
/** sendPoll open_period: 5-600 seconds. */
export const TELEGRAM_POLL_OPEN_PERIOD = { min: 5, max: 600 } as const;

/** The unit `validate` reports lengths in. */
export const TELEGRAM_LENGTH_UNIT = 'UTF-16 code units';

/** Post options the composer offers for Telegram (`PostVariant.options`). */
export interface TelegramPostOptions {
  /** disable_notification: members get the message without a sound. */
  silent: boolean;
  /** Pin the first message of the post after sending (pinChatMessage). */
  pinned: boolean;
  /** protect_content: the message cannot be forwarded or saved. */
  protectContent: boolean;
}

const optionNames: Array<keyof TelegramPostOptions> = ['silent', 'pinned', 'protectContent'];

/** The kind of Telegram message a media item is sent as. */
export type TelegramMediaKind = 'photo' | 'video' | 'audio' | 'document';

/**
 * sendPhoto takes JPEG/PNG/WebP pictures; sendVideo "MPEG4 videos (other formats may be sent as
 * Document)"; sendAudio "the .MP3 or .M4A format"; everything else goes as a document (GIFs too:
 * Telegram shows an uploaded GIF document as an animation).
 */
export function telegramMediaKind(mimeType: string): TelegramMediaKind {
  const m = (mimeType ?? '').toLowerCase().split(';')[0]!.trim();
  if (m === 'image/jpeg' || m === 'image/png' || m === 'image/webp') return 'photo';
  if (m === 'video/mp4') return 'video';
  if (m === 'audio/mpeg' || m === 'audio/mp3' || m === 'audio/mp4' || m === 'audio/m4a' || m === 'audio/x-m4a') return 'audio';
  return 'document';
}

/** A MessageEntity as sent (offset/length in UTF-16 code units). */
export interface TelegramEntity {
  type: 'url' | 'text_link' | 'bold' | 'italic';
  offset: number;
  length: number;
  url?: string;
}

/** A text or caption ready to send: plain text plus computed entities (never parse_mode). */
export interface TelegramText {
  text: string;
  entities: TelegramEntity[];
  /** The link the preview should show (text messages only). */
  previewUrl: string | null;
}

/** What one post is sent as. */
export interface TelegramPlan {
  /** The body: media (with the text as caption) or a text message; null when there is none. */
  body: { kind: 'text' | 'media' | 'album'; text: TelegramText } | null;
  /** The poll, sent after the body. */
  poll: { question: string; spec: PollSpec } | null;
  options: TelegramPostOptions;
}

/** Length as Telegram counts it: UTF-16 code units. */
export function telegramLength(text: string): number {
  return text.length;
}

/**
 * The text as sent: the link, when the post has one that the text does not already contain, goes on
 * its own paragraph at the end with a `url` entity whose offset is counted in UTF-16 code units.
 */
export function composeTelegramText(text: string, link: string | null | undefined): TelegramText {
  const base = text ?? '';
  if (!link) return { text: base, entities: [], previewUrl: null };
  if (base.includes(link)) return { text: base, entities: [], previewUrl: link };
  const prefix = base.trim() ? `${base.replace(/\s+$/, '')}\n\n` : '';
  return { text: prefix + link, entities: [{ type: 'url', offset: prefix.length, length: link.length }], previewUrl: link };
}

/** Reads the Telegram options from a variant (unknown names and non-booleans are reported by validate). */
export function telegramOptions(variant: PostVariant): TelegramPostOptions {
  const o = variant.options ?? {};
  return { silent: o.silent === true, pinned: o.pinned === true, protectContent: o.protectContent === true };
}

/** How a variant is sent (see the module comment). */
export function planTelegramPost(variant: PostVariant): TelegramPlan {
  const media = variant.media ?? [];
  const poll = variant.poll ?? null;
  const questionFromText = poll !== null && !(poll.question ?? '').trim();
  const bodyText = questionFromText ? '' : (variant.text ?? '');
  const composed = composeTelegramText(bodyText, variant.link);
  let body: TelegramPlan['body'] = null;
  if (media.length > 1) body = { kind: 'album', text: composed };
  else if (media.length === 1) body = { kind: 'media', text: composed };
  else if (composed.text.trim()) body = { kind: 'text', text: composed };
  return {
    body,
    poll: poll ? { question: questionFromText ? (variant.text ?? '').trim() : poll.question!.trim(), spec: poll } : null,
    options: telegramOptions(variant),
  };
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

function validatePoll(plan: TelegramPlan, errors: ValidationIssue[]): void {
  const p = plan.poll;
  if (!p) return;
  const spec = p.spec;
  const qLen = telegramLength(p.question);
  if (qLen === 0) {
    errors.push({ code: 'poll_no_question', field: 'poll', message: 'The poll has no question: write one (or write the post text, which then becomes the question)' });
  } else if (qLen > TELEGRAM_MAX_POLL_QUESTION) {
    errors.push({ code: 'poll_question_too_long', field: 'poll', message: `The poll question is ${fmt(qLen)} characters; Telegram allows ${TELEGRAM_MAX_POLL_QUESTION}` });
  }
  const options = Array.isArray(spec.options) ? spec.options : [];
  if (options.length < TELEGRAM_MIN_POLL_OPTIONS || options.length > TELEGRAM_MAX_POLL_OPTIONS) {
    errors.push({ code: 'poll_option_count', field: 'poll', message: `The poll has ${options.length} answer options; Telegram needs ${TELEGRAM_MIN_POLL_OPTIONS} to ${TELEGRAM_MAX_POLL_OPTIONS}` });
  }
  options.forEach((o, index) => {
    const len = typeof o === 'string' ? telegramLength(o.trim()) : 0;
    if (len === 0) errors.push({ code: 'poll_option_empty', field: 'poll', index, message: `Answer option ${index + 1} is empty` });
    else if (len > TELEGRAM_MAX_POLL_OPTION) errors.push({ code: 'poll_option_too_long', field: 'poll', index, message: `Answer option ${index + 1} is ${len} characters; Telegram allows ${TELEGRAM_MAX_POLL_OPTION}` });
  });
  if (spec.correctOptionIndex !== undefined && spec.correctOptionIndex !== null) {
    const i = spec.correctOptionIndex;
    if (!Number.isInteger(i) || i < 0 || i >= options.length) {
      errors.push({ code: 'quiz_answer_out_of_range', field: 'poll', message: `The quiz's right answer is option ${Number(i) + 1}, but the poll has ${options.length} options` });
    }
    if (spec.multiple) errors.push({ code: 'quiz_multiple', field: 'poll', message: 'A quiz has exactly one right answer: turn off "multiple answers"' });
  }
  if (spec.durationSeconds !== undefined && spec.durationSeconds !== null) {
    const d = spec.durationSeconds;
    if (!Number.isInteger(d) || d < TELEGRAM_POLL_OPEN_PERIOD.min || d > TELEGRAM_POLL_OPEN_PERIOD.max) {
      errors.push({
        code: 'poll_open_period',
        field: 'poll',
        message: `Telegram polls can close on their own after ${TELEGRAM_POLL_OPEN_PERIOD.min} to ${TELEGRAM_POLL_OPEN_PERIOD.max} seconds (${d} given); leave the duration empty for a poll that stays open`,
      });
    }
  }
}

/**
 * Checks one variant against the Bot API's limits. `context.networkLimits.canPin` (recorded at connect:
 * 1 when the bot may pin in the chat, 0 when not) lets the composer refuse "pinned" up front.
 */
export function validateTelegramVariant(variant: PostVariant, context?: ValidationContext): ValidationResult {
  const errors: ValidationIssue[] = [];
  const plan = planTelegramPost(variant);
  const media = variant.media ?? [];
  const hasMedia = media.length > 0;
  const bodyText = plan.body?.text.text ?? '';
  let length = telegramLength(bodyText);
  let max = hasMedia ? TELEGRAM_MAX_CAPTION : TELEGRAM_MAX_TEXT;
  if (plan.poll && !(variant.poll?.question ?? '').trim()) {
    // The text is the poll question: the counter measures it against the question limit.
    length = telegramLength(plan.poll.question);
    max = TELEGRAM_MAX_POLL_QUESTION;
  } else if (length > max) {
    errors.push(
      hasMedia
        ? { code: 'caption_too_long', field: 'text', message: `The caption is ${fmt(length)} characters (UTF-16 code units, as Telegram counts them); Telegram allows ${fmt(TELEGRAM_MAX_CAPTION)} under media` }
        : { code: 'text_too_long', field: 'text', message: `The text is ${fmt(length)} characters (UTF-16 code units, as Telegram counts them); Telegram allows ${fmt(TELEGRAM_MAX_TEXT)}` },
    );
  }
  if (!plan.body && !plan.poll) {
    errors.push({ code: 'empty', field: 'text', message: 'The post is empty: write some text, or add media, a link or a poll' });
  }

  if (media.length > TELEGRAM_MAX_MEDIA) {
    errors.push({ code: 'media_count', field: 'media', message: `${media.length} files attached; a Telegram album holds at most ${TELEGRAM_MAX_MEDIA}` });
  }
  const kinds = media.map((m) => telegramMediaKind(m.mimeType));
  if (media.length > 1) {
    const hasDoc = kinds.includes('document');
    const hasAudio = kinds.includes('audio');
    const hasVisual = kinds.some((k) => k === 'photo' || k === 'video');
    if ((hasDoc && (hasAudio || hasVisual)) || (hasAudio && hasVisual)) {
      errors.push({
        code: 'mixed_album',
        field: 'media',
        message: 'Telegram albums mix photos and videos only; documents go only with documents and audio files only with audio files',
      });
    }
  }
  media.forEach((m, index) => {
    const size = m.data ? m.data.byteLength : m.sizeBytes;
    const kind = kinds[index]!;
    const limit = kind === 'photo' ? TELEGRAM_MAX_PHOTO_BYTES : TELEGRAM_MAX_FILE_BYTES;
    if (size > limit) {
      errors.push({
        code: kind === 'photo' ? 'photo_too_large' : 'file_too_large',
        field: 'media',
        index,
        message: `${kind === 'photo' ? 'Photo' : 'File'} ${index + 1} is ${fmt(size)} bytes; bots may upload ${kind === 'photo' ? 'photos' : 'files'} of up to ${mb(limit)}`,
      });
    }
    if (size === 0) errors.push({ code: 'file_empty', field: 'media', index, message: `File ${index + 1} is empty` });
  });

  const link = variant.link ?? null;
  if (link && !isHttpUrl(link)) {
    errors.push({ code: 'invalid_link', field: 'link', message: `The link "${link}" is not a web address starting with http:// or https://` });
  }

  validatePoll(plan, errors);

  if ((variant.thread ?? []).length > 0) {
    errors.push({ code: 'threads_unsupported', field: 'thread', message: 'Telegram posts have no reply chains here: put the follow-up text into the post or publish it as another post' });
  }

  const opts = variant.options ?? {};
  for (const [name, value] of Object.entries(opts)) {
    if (!(optionNames as string[]).includes(name)) {
      errors.push({ code: 'unknown_option', field: 'options', message: `"${name}" is not a Telegram post option (known: ${optionNames.join(', ')})` });
    } else if (value !== undefined && value !== null && typeof value !== 'boolean') {
      errors.push({ code: 'option_value', field: 'options', message: `The Telegram option "${name}" must be on or off` });
    }
  }
  if (plan.options.pinned && context?.networkLimits?.canPin === 0) {
    errors.push({
      code: 'cannot_pin',
      field: 'options',
      message: "The bot may not pin messages in this chat: give it the \"Pin messages\" right (groups) or \"Edit messages of others\" (channels), then reconnect the account — or turn off \"pinned\"",
    });
  }
  return { network: 'telegram', length, max, unit: TELEGRAM_LENGTH_UNIT, valid: errors.length === 0, errors };
}
