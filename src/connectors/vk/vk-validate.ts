/**
 * VK wall post validation, browser-safe (no Node modules): the composer, the API, the CLI and the
 * worker all run this same code.
 *
 * Sources (dev.vk.com, API 5.199):
 * - wall.post (https://dev.vk.com/ru/method/wall.post): "no more than 10 media (photos, videos)",
 *   "only 1 poll", "a poll can't be the only attachment — text, photos or videos are needed",
 *   "poll answers up to 100 characters", "if more than one link is attached, an error is returned",
 *   and the post needs text, photos, videos, a link snippet or an article.
 * - polls.create (https://dev.vk.com/ru/method/polls.create): question, `add_answers` "from 1 to 10
 *   answers", `is_multiple`, `end_date` (Unix time).
 * - Photo upload (https://dev.vk.com/ru/api/upload/wall-photo): JPG, PNG or GIF, at most 50 MB.
 * - Text length: the wall.post page names no number; VK's post editor and API refuse text over
 *   16,384 characters. Herald counts UTF-16 code units (an emoji outside the BMP counts 2), which
 *   can only over-count, so nothing Herald accepts is refused for length.
 */
import type { PostVariant, ValidationContext, ValidationIssue, ValidationResult } from '../connector';

/** Longest wall post text, in UTF-16 code units. */
export const VK_MAX_TEXT = 16_384;
/** Media attachments (photos) per post. */
export const VK_MAX_MEDIA = 10;
/** Photo types the wall photo upload accepts. */
export const VK_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/gif'] as const;
/** Largest photo the upload server accepts. */
export const VK_MAX_PHOTO_BYTES = 50 * 1024 * 1024;
/** polls.create: from 1 to 10 answers. */
export const VK_MAX_POLL_ANSWERS = 10;
/** wall.post: poll answers up to 100 characters. */
export const VK_MAX_POLL_ANSWER_LENGTH = 100;
/**
 * Question length. polls.create gives no number; VK's poll editor stops at 255 characters, which
 * Herald keeps to so a long question is caught before scheduling.
 */
export const VK_MAX_POLL_QUESTION_LENGTH = 255;

/** The post options Herald knows for VK (declared as optionFields by the connector). */
export const VK_OPTION_NAMES = ['fromGroup', 'signed', 'closeComments', 'muteNotifications'] as const;
export type VkOptionName = (typeof VK_OPTION_NAMES)[number];

/** The options as wall.post takes them, after defaults. */
export interface VkPostOptions {
  fromGroup: boolean;
  signed: boolean;
  closeComments: boolean;
  muteNotifications: boolean;
}

/** Defaults: posts in a community appear under the community's name, unsigned. */
export const VK_OPTION_DEFAULTS: VkPostOptions = { fromGroup: true, signed: false, closeComments: false, muteNotifications: false };

/** Reads the options with defaults applied (call only after validation passed). */
export function vkPostOptions(options: Record<string, unknown> | undefined): VkPostOptions {
  const o = options ?? {};
  const pick = (k: VkOptionName): boolean => (typeof o[k] === 'boolean' ? (o[k] as boolean) : VK_OPTION_DEFAULTS[k]);
  return { fromGroup: pick('fromGroup'), signed: pick('signed'), closeComments: pick('closeComments'), muteNotifications: pick('muteNotifications') };
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Checks one variant against VK's documented limits; length is in UTF-16 code units. */
export function validateVkVariant(variant: PostVariant, context?: ValidationContext): ValidationResult {
  const text = variant.text ?? '';
  const length = text.length;
  // VK's limits are the same for every wall: stored account limits, if any, are not consulted.
  void context;
  const max = VK_MAX_TEXT;
  const errors: ValidationIssue[] = [];
  const media = variant.media ?? [];
  const link = variant.link ?? null;
  const poll = variant.poll ?? null;

  if (length > max) {
    errors.push({ code: 'text_too_long', field: 'text', message: `Text is ${fmt(length)} characters; VK allows ${fmt(max)} in a post` });
  }
  if (!text.trim() && media.length === 0 && !link) {
    errors.push({
      code: 'empty',
      field: 'text',
      message: poll ? 'A VK poll cannot be posted on its own: add text or a photo' : 'The post is empty: write some text or add a photo or a link',
    });
  }

  if (media.length > VK_MAX_MEDIA) {
    errors.push({ code: 'too_many_media', field: 'media', message: `${media.length} photos attached; VK allows ${VK_MAX_MEDIA} per post` });
  }
  media.forEach((m, index) => {
    const n = index + 1;
    const type = (m.mimeType ?? '').toLowerCase();
    if (!(VK_PHOTO_TYPES as readonly string[]).includes(type)) {
      errors.push({ code: 'unsupported_media_type', field: 'media', index, message: `Attachment ${n} is ${m.mimeType || 'of unknown type'}; Herald posts JPEG, PNG or GIF photos to VK` });
    }
    const size = m.data ? m.data.byteLength : m.sizeBytes;
    if (size > VK_MAX_PHOTO_BYTES) {
      errors.push({ code: 'image_too_large', field: 'media', index, message: `Photo ${n} is ${fmt(size)} bytes; VK accepts photos up to 50 MB` });
    }
    if (size <= 0) {
      errors.push({ code: 'image_empty', field: 'media', index, message: `Photo ${n} is empty` });
    }
  });

  if (link !== null && link !== '') {
    if (!isHttpUrl(link)) errors.push({ code: 'invalid_link', field: 'link', message: `The link "${link}" is not a web address starting with http:// or https://` });
    if (/[\s,]/.test(link)) errors.push({ code: 'invalid_link', field: 'link', message: 'The link must be one address without spaces or commas (VK takes one link per post)' });
  }

  if (poll) {
    const question = (poll.question ?? '').trim();
    if (!question) errors.push({ code: 'poll_question_missing', message: 'The VK poll needs a question' });
    else if (question.length > VK_MAX_POLL_QUESTION_LENGTH) {
      errors.push({ code: 'poll_question_too_long', message: `The poll question is ${question.length} characters; Herald allows ${VK_MAX_POLL_QUESTION_LENGTH} for VK` });
    }
    const options = poll.options ?? [];
    if (options.length < 1 || options.length > VK_MAX_POLL_ANSWERS) {
      errors.push({ code: 'poll_option_count', message: `The poll has ${options.length} answers; VK polls take 1 to ${VK_MAX_POLL_ANSWERS}` });
    }
    options.forEach((o, index) => {
      if (!o.trim()) errors.push({ code: 'poll_option_empty', index, message: `Poll answer ${index + 1} is empty` });
      else if (o.length > VK_MAX_POLL_ANSWER_LENGTH) {
        errors.push({ code: 'poll_option_too_long', index, message: `Poll answer ${index + 1} is ${o.length} characters; VK allows ${VK_MAX_POLL_ANSWER_LENGTH}` });
      }
    });
    const seen = new Set<string>();
    options.forEach((o, index) => {
      const k = o.trim().toLowerCase();
      if (k && seen.has(k)) errors.push({ code: 'poll_option_duplicate', index, message: `Poll answer ${index + 1} repeats an earlier answer` });
      seen.add(k);
    });
    if (poll.correctOptionIndex !== undefined && poll.correctOptionIndex !== null) {
      errors.push({ code: 'poll_quiz_unsupported', message: 'VK polls have no quiz mode (no right answer can be set)' });
    }
    if (poll.durationSeconds !== undefined && poll.durationSeconds !== null) {
      if (!Number.isInteger(poll.durationSeconds) || poll.durationSeconds < 60) {
        errors.push({ code: 'poll_duration', message: 'The poll duration must be a whole number of seconds, at least one minute (leave it empty for a poll without end)' });
      }
    }
  }

  if (variant.thread && variant.thread.length > 0) {
    errors.push({ code: 'threads_unsupported', message: 'VK wall posts have no threads: put everything in one post' });
  }

  const options = variant.options ?? {};
  for (const [k, v] of Object.entries(options)) {
    if (!(VK_OPTION_NAMES as readonly string[]).includes(k)) {
      errors.push({ code: 'unknown_option', message: `"${k}" is not a VK post option (known: ${VK_OPTION_NAMES.join(', ')})` });
    } else if (v !== undefined && v !== null && typeof v !== 'boolean') {
      errors.push({ code: 'invalid_option', message: `The VK option "${k}" must be on or off (true or false)` });
    }
  }
  const effective = vkPostOptions(Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v === 'boolean')));
  if (effective.signed && !effective.fromGroup) {
    errors.push({ code: 'signed_needs_from_group', message: 'A VK post can only be signed when it is published on behalf of the community ("fromGroup")' });
  }

  return { network: 'vk', length, max, unit: 'characters', valid: errors.length === 0, errors };
}
