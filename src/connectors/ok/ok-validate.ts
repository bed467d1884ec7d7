/**
 * Odnoklassniki (OK.ru) group-topic validation, browser-safe (no Node modules), so the composer runs
 * the same code as the API, the CLI and the worker.
 *
 * Where the limits come from: the mediatopic.post and attachment docs
 * (https://apiok.ru/dev/methods/rest/mediatopic/mediatopic.post) describe the attachment format (text,
 * link, photo list, poll with question/answers/options) but publish no numeric ceilings for text length,
 * photos per topic or poll answers. The numbers below are therefore Herald's own conservative ceilings,
 * named OK_* so the composer shows them, and each message says they are Herald's.
 */
import type { PostVariant, ValidationContext, ValidationIssue, ValidationResult } from '../connector';

/** Herald's ceiling for the topic text, in UTF-16 code units (JavaScript string length). */
export const OK_MAX_TEXT = 16_000;
/** Herald's ceiling for photos in one topic (one `photo` media item with a `list`). */
export const OK_MAX_PHOTOS = 20;
/** Largest photo Herald uploads (bytes). */
export const OK_MAX_PHOTO_BYTES = 20 * 1024 * 1024;
/** Poll answers: a poll needs at least two; Herald's ceiling is 20. */
export const OK_MIN_POLL_ANSWERS = 2;
export const OK_MAX_POLL_ANSWERS = 20;
/** Herald's ceilings for the poll question and each answer (UTF-16 code units). */
export const OK_MAX_POLL_QUESTION = 255;
export const OK_MAX_POLL_ANSWER = 100;
/** Photo types the upload flow accepts. */
export const OK_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/gif'];

/** Network-specific options (declared as optionFields by the connector). */
export const OK_OPTION_NAMES = ['anonymousPoll', 'hiddenPost'] as const;

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function limit(ctx: ValidationContext | undefined, key: string, fallback: number): number {
  const v = ctx?.networkLimits?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Checks one variant against OK's group-topic rules; length is in UTF-16 code units. */
export function validateOkVariant(variant: PostVariant, context?: ValidationContext): ValidationResult {
  const text = variant.text ?? '';
  const length = text.length;
  const maxText = limit(context, 'maxText', OK_MAX_TEXT);
  const maxPhotos = limit(context, 'maxPhotos', OK_MAX_PHOTOS);
  const errors: ValidationIssue[] = [];
  const media = variant.media ?? [];
  const link = variant.link ?? null;
  const poll = variant.poll ?? null;

  if (!text.trim() && media.length === 0 && !link && !poll) {
    errors.push({ code: 'empty', field: 'text', message: 'The topic is empty: write some text or add a photo, a link or a poll' });
  }
  if (length > maxText) {
    errors.push({ code: 'text_too_long', field: 'text', message: `Text is ${length} characters; Herald allows ${maxText} in an OK topic` });
  }
  if (media.length > maxPhotos) {
    errors.push({ code: 'too_many_photos', field: 'media', message: `${media.length} photos attached; Herald allows ${maxPhotos} per OK topic` });
  }
  media.forEach((m, index) => {
    const n = index + 1;
    if (!OK_PHOTO_TYPES.includes((m.mimeType ?? '').toLowerCase())) {
      errors.push({ code: 'unsupported_media_type', field: 'media', index, message: `Attachment ${n} is ${m.mimeType || 'of unknown type'}; OK topics take JPEG, PNG or GIF photos` });
    }
    const size = m.data ? m.data.byteLength : m.sizeBytes;
    if (size > OK_MAX_PHOTO_BYTES) {
      errors.push({ code: 'photo_too_large', field: 'media', index, message: `Photo ${n} is ${size.toLocaleString('en-US')} bytes; Herald uploads at most ${OK_MAX_PHOTO_BYTES.toLocaleString('en-US')} to OK` });
    }
  });
  if (link && !isHttpUrl(link)) {
    errors.push({ code: 'invalid_link', field: 'link', message: `The link "${link}" is not a web address starting with http:// or https://` });
  }
  if (poll) {
    const question = (poll.question ?? '').trim();
    if (!question) errors.push({ code: 'poll_question_missing', message: 'An OK poll needs a question' });
    else if (question.length > OK_MAX_POLL_QUESTION) {
      errors.push({ code: 'poll_question_too_long', message: `The poll question is ${question.length} characters; Herald allows ${OK_MAX_POLL_QUESTION}` });
    }
    const answers = poll.options ?? [];
    if (answers.length < OK_MIN_POLL_ANSWERS) errors.push({ code: 'poll_too_few_answers', message: `An OK poll needs at least ${OK_MIN_POLL_ANSWERS} answers` });
    if (answers.length > OK_MAX_POLL_ANSWERS) errors.push({ code: 'poll_too_many_answers', message: `${answers.length} poll answers; Herald allows ${OK_MAX_POLL_ANSWERS}` });
    answers.forEach((a, index) => {
      if (!a.trim()) errors.push({ code: 'poll_answer_empty', index, message: `Poll answer ${index + 1} is empty` });
      else if (a.length > OK_MAX_POLL_ANSWER) errors.push({ code: 'poll_answer_too_long', index, message: `Poll answer ${index + 1} is ${a.length} characters; Herald allows ${OK_MAX_POLL_ANSWER}` });
    });
    const seen = new Set(answers.map((a) => a.trim().toLowerCase()));
    if (seen.size !== answers.length) errors.push({ code: 'poll_duplicate_answers', message: 'Two poll answers are the same' });
    if (poll.durationSeconds != null) {
      errors.push({ code: 'poll_duration_unsupported', message: 'OK polls have no end time; leave the poll duration empty' });
    }
    if (poll.correctOptionIndex != null) {
      errors.push({ code: 'poll_quiz_unsupported', message: 'OK polls have no quiz mode; remove the correct answer' });
    }
  }
  if ((variant.thread ?? []).length > 0) {
    errors.push({ code: 'threads_unsupported', message: 'OK group topics have no reply chains; publish the follow-ups as separate posts' });
  }
  for (const [name, value] of Object.entries(variant.options ?? {})) {
    if (!(OK_OPTION_NAMES as readonly string[]).includes(name)) {
      errors.push({ code: 'unknown_option', message: `"${name}" is not an OK option (known: ${OK_OPTION_NAMES.join(', ')})` });
    } else if (value !== undefined && value !== null && typeof value !== 'boolean') {
      errors.push({ code: 'invalid_option', message: `The OK option "${name}" must be true or false` });
    }
  }
  if (variant.options?.anonymousPoll === true && !poll) {
    errors.push({ code: 'option_needs_poll', message: 'Anonymous voting applies only to a topic with a poll' });
  }
  return { network: 'ok', length, max: maxText, unit: 'characters', valid: errors.length === 0, errors };
}
