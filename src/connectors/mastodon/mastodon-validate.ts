/**
 * Mastodon status validation, browser-safe (pure functions, no Node modules), so the web composer,
 * the API, the CLI and the worker run the same code. Limits come from the account's server
 * (`/api/v2/instance` → ConnectedAccount.networkLimits); Mastodon's defaults apply when none are known.
 */
import type { PostVariant, ValidationContext, ValidationIssue, ValidationResult } from '../connector';
import { graphemeCount, statusLength } from './mastodon-text';

/** Mastodon's defaults (a stock server's /api/v2/instance `configuration`). */
export const MASTODON_DEFAULT_LIMITS = {
  maxCharacters: 500,
  maxMedia: 4,
  maxPollOptions: 4,
  maxPollOptionChars: 50,
  minPollExpiration: 300,
  maxPollExpiration: 2_629_746,
  charactersReservedPerUrl: 23,
  imageSizeLimit: 16 * 1024 * 1024,
  videoSizeLimit: 99 * 1024 * 1024,
} as const;

/** Keys of `networkLimits` this connector stores and reads. */
export type MastodonLimits = { -readonly [K in keyof typeof MASTODON_DEFAULT_LIMITS]: number };

/** The visibilities Mastodon's POST /api/v1/statuses accepts. */
export const MASTODON_VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
export type MastodonVisibility = (typeof MASTODON_VISIBILITIES)[number];

/** Server limits merged over the defaults; unknown or non-positive values fall back to the default. */
export function mastodonLimits(context?: ValidationContext): MastodonLimits {
  const given = context?.networkLimits ?? {};
  const out = { ...MASTODON_DEFAULT_LIMITS } as MastodonLimits;
  for (const k of Object.keys(out) as Array<keyof MastodonLimits>) {
    const v = given[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
  }
  return out;
}

/** The options a Mastodon variant may carry (declared in the connector's optionFields). */
export interface MastodonOptions {
  contentWarning?: string;
  visibility?: MastodonVisibility;
  sensitive?: boolean;
  /** Focal point per media index, "x,y" in −1..1 (Mastodon's `focus`). */
  focus?: Array<string | null>;
}

const focusPattern = /^(-?(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)),(-?(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+))$/;
const langPattern = /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$/;
const optionKeys = new Set(['contentWarning', 'visibility', 'sensitive', 'focus']);

/** Reads and checks the options; problems go to `errors`. */
export function readMastodonOptions(options: Record<string, unknown> | undefined, errors: ValidationIssue[]): MastodonOptions {
  const out: MastodonOptions = {};
  for (const [k, v] of Object.entries(options ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (!optionKeys.has(k)) {
      errors.push({ code: 'unknown_option', message: `"${k}" is not a Mastodon post option (known: content warning, visibility, sensitive, focus)` });
      continue;
    }
    if (k === 'contentWarning') {
      if (typeof v !== 'string') errors.push({ code: 'invalid_option', message: 'The content warning must be text' });
      else out.contentWarning = v;
    } else if (k === 'visibility') {
      if (typeof v !== 'string' || !(MASTODON_VISIBILITIES as readonly string[]).includes(v)) {
        errors.push({ code: 'invalid_option', message: `Visibility must be one of ${MASTODON_VISIBILITIES.join(', ')}` });
      } else out.visibility = v as MastodonVisibility;
    } else if (k === 'sensitive') {
      if (typeof v !== 'boolean') errors.push({ code: 'invalid_option', message: '"sensitive" must be true or false' });
      else out.sensitive = v;
    } else if (k === 'focus') {
      // One "x,y" per attachment: a list, or text with ';' between attachments (as the composer field gives it).
      const list = typeof v === 'string' ? v.split(';').map((f) => (f.trim() ? f : null)) : v;
      if (!Array.isArray(list) || list.some((f) => f !== null && (typeof f !== 'string' || !focusPattern.test(f.replace(/\s+/g, ''))))) {
        errors.push({ code: 'invalid_option', field: 'media', message: 'A focal point is two numbers from -1 to 1 like "0.5,-0.25" (one per image)' });
      } else {
        out.focus = (list as Array<string | null>).map((f) => (f === null ? null : f.replace(/\s+/g, '')));
        const bad = out.focus.find((f) => f !== null && f.split(',').some((n) => Math.abs(Number(n)) > 1));
        if (bad) errors.push({ code: 'invalid_option', field: 'media', message: `The focal point "${bad}" is outside -1..1` });
      }
    }
  }
  return out;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) ? 1 : 0)} MB` : `${n.toLocaleString('en-US')} bytes`;
}

/** Checks one status (and its thread parts) against the server's limits; length as Mastodon counts it. */
export function validateMastodonVariant(variant: PostVariant, context?: ValidationContext): ValidationResult {
  const limits = mastodonLimits(context);
  const errors: ValidationIssue[] = [];
  const opts = readMastodonOptions(variant.options, errors);
  const text = variant.text ?? '';
  const cw = opts.contentWarning ?? '';
  // The link is appended to the text when it is not already in it (Mastodon has no separate link field).
  const link = variant.link ?? null;
  const fullText = link && !text.includes(link) ? (text ? `${text}\n\n${link}` : link) : text;
  const length = statusLength(fullText, cw, limits.charactersReservedPerUrl);
  const max = limits.maxCharacters;
  if (length > max) {
    errors.push({ code: 'text_too_long', field: 'text', message: `The status is ${length} characters${cw ? ' including the content warning' : ''}${link && fullText !== text ? ' and the link' : ''}; this server allows ${max}` });
  }
  if (link) {
    let ok = false;
    try {
      const u = new URL(link);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) errors.push({ code: 'invalid_link', field: 'link', message: `The link "${link}" is not a web address starting with http:// or https://` });
  }
  const media = variant.media ?? [];
  const poll = variant.poll ?? null;
  if (!fullText.trim() && media.length === 0) {
    errors.push({ code: 'empty', field: 'text', message: 'The status is empty: write some text or attach media' });
  }
  if (media.length > limits.maxMedia) {
    errors.push({ code: 'too_many_media', field: 'media', message: `${media.length} attachments; this server allows ${limits.maxMedia} per status` });
  }
  media.forEach((m, index) => {
    const n = index + 1;
    const type = m.mimeType ?? '';
    const isImage = /^image\/[a-z0-9.+-]+$/i.test(type);
    const isAv = /^(video|audio)\/[a-z0-9.+-]+$/i.test(type);
    if (!isImage && !isAv) {
      errors.push({ code: 'unsupported_media_type', field: 'media', index, message: `Attachment ${n} is ${type || 'of unknown type'}; Mastodon takes images, video and audio` });
      return;
    }
    const size = m.data ? m.data.byteLength : m.sizeBytes;
    const cap = isImage ? limits.imageSizeLimit : limits.videoSizeLimit;
    if (size > cap) {
      errors.push({ code: 'media_too_large', field: 'media', index, message: `Attachment ${n} is ${formatBytes(size)}; this server allows ${formatBytes(cap)} for ${isImage ? 'images' : 'video and audio'}` });
    }
    // Mastodon allows 1,500 characters of alt text per attachment.
    if (typeof m.alt === 'string' && graphemeCount(m.alt) > 1500) {
      errors.push({ code: 'alt_too_long', field: 'media', index, message: `The description of attachment ${n} is ${graphemeCount(m.alt)} characters; Mastodon allows 1500` });
    }
  });
  if (opts.focus && opts.focus.length > media.length) {
    errors.push({ code: 'invalid_option', field: 'media', message: `${opts.focus.length} focal points given for ${media.length} attachments` });
  }
  if (poll) {
    if (media.length) errors.push({ code: 'poll_with_media', field: 'media', message: 'A Mastodon status can have a poll or attachments, not both' });
    const options = poll.options ?? [];
    if (options.length < 2) errors.push({ code: 'poll_too_few_options', message: 'A poll needs at least 2 options' });
    if (options.length > limits.maxPollOptions) {
      errors.push({ code: 'poll_too_many_options', message: `The poll has ${options.length} options; this server allows ${limits.maxPollOptions}` });
    }
    const seen = new Set<string>();
    options.forEach((o, index) => {
      const n = graphemeCount(o ?? '');
      if (!o || !o.trim()) errors.push({ code: 'poll_option_empty', index, message: `Poll option ${index + 1} is empty` });
      else if (n > limits.maxPollOptionChars) {
        errors.push({ code: 'poll_option_too_long', index, message: `Poll option ${index + 1} is ${n} characters; this server allows ${limits.maxPollOptionChars}` });
      }
      const key = (o ?? '').trim();
      if (key && seen.has(key)) errors.push({ code: 'poll_option_duplicate', index, message: `Poll option ${index + 1} ("${key}") appears twice` });
      seen.add(key);
    });
    const d = poll.durationSeconds ?? 86_400;
    if (!Number.isInteger(d) || d < limits.minPollExpiration || d > limits.maxPollExpiration) {
      errors.push({ code: 'poll_duration', message: `A poll must stay open between ${Math.round(limits.minPollExpiration / 60)} minutes and ${Math.round(limits.maxPollExpiration / 86_400)} days (given: ${d} seconds)` });
    }
    if (poll.correctOptionIndex !== undefined && poll.correctOptionIndex !== null) {
      errors.push({ code: 'poll_quiz_unsupported', message: 'Mastodon polls have no quiz mode (no correct answer)' });
    }
  }
  (variant.thread ?? []).forEach((part, index) => {
    const n = statusLength(part ?? '', cw, limits.charactersReservedPerUrl);
    if (!part || !part.trim()) errors.push({ code: 'thread_part_empty', field: 'text', index, message: `Thread part ${index + 2} is empty` });
    else if (n > max) errors.push({ code: 'thread_part_too_long', field: 'text', index, message: `Thread part ${index + 2} is ${n} characters${cw ? ' including the content warning' : ''}; this server allows ${max}` });
  });
  const langs = variant.langs ?? [];
  if (langs.length > 1) errors.push({ code: 'too_many_langs', field: 'langs', message: `A Mastodon status has one language; ${langs.length} given` });
  langs.forEach((l, index) => {
    if (!langPattern.test(l)) errors.push({ code: 'invalid_lang', field: 'langs', index, message: `"${l}" is not a language code like "en" or "pt"` });
  });
  return { network: 'mastodon', length, max, unit: 'characters', valid: errors.length === 0, errors };
}
