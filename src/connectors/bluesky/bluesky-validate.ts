/**
 * Bluesky post validation, browser-safe: it imports only pure text helpers and types (no Node
 * modules, no Buffer calls), so the web composer runs exactly the code the API and the worker run.
 */
import type { PostVariant, ValidationIssue, ValidationResult } from '../connector';
import { isValidLanguage, isValidUri } from './atproto-syntax';
import { BLUESKY_MAX_GRAPHEMES, BLUESKY_MAX_TEXT_BYTES, graphemeLength, utf8Length } from './bluesky-text';

/** Bluesky's media rules: the images embed takes up to 4 images of any image/* type. */
export const BLUESKY_MAX_IMAGES = 4;
/**
 * Per-image size limit. The newest app.bsky.embed.images lexicon allows 2 MB, but PDSes running older
 * lexicons reject anything over 1,000,000 bytes, so Herald keeps to the limit every PDS accepts.
 */
export const BLUESKY_MAX_IMAGE_BYTES = 1_000_000;
/** langs: at most 3 BCP-47 tags (lexicon app.bsky.feed.post). */
export const BLUESKY_MAX_LANGS = 3;

/** True for an absolute http(s) URL. */
export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks one variant against Bluesky's limits; length is in graphemes. */
export function validateBlueskyVariant(variant: PostVariant): ValidationResult {
  const text = variant.text ?? '';
  const length = graphemeLength(text);
  const errors: ValidationIssue[] = [];
  if (length > BLUESKY_MAX_GRAPHEMES) {
    errors.push({ code: 'text_too_long', field: 'text', message: `Text is ${length} graphemes; Bluesky allows ${BLUESKY_MAX_GRAPHEMES}` });
  }
  const bytes = utf8Length(text);
  if (bytes > BLUESKY_MAX_TEXT_BYTES) {
    errors.push({ code: 'text_too_many_bytes', field: 'text', message: `Text is ${bytes} bytes in UTF-8; Bluesky allows ${BLUESKY_MAX_TEXT_BYTES}` });
  }
  const media = variant.media ?? [];
  const link = variant.link ?? null;
  if (!text.trim() && media.length === 0 && !link) {
    errors.push({ code: 'empty', field: 'text', message: 'The post is empty: write some text or add an image or a link' });
  }
  if (media.length > BLUESKY_MAX_IMAGES) {
    errors.push({ code: 'too_many_images', field: 'media', message: `${media.length} images attached; Bluesky allows ${BLUESKY_MAX_IMAGES} per post` });
  }
  media.forEach((m, index) => {
    const n = index + 1;
    if (!/^image\/[a-z0-9][a-z0-9.+-]*$/i.test(m.mimeType ?? '')) {
      errors.push({ code: 'unsupported_media_type', field: 'media', index, message: `Attachment ${n} is ${m.mimeType || 'of unknown type'}; Bluesky posts take images only` });
    }
    const size = m.data ? m.data.byteLength : m.sizeBytes;
    if (size > BLUESKY_MAX_IMAGE_BYTES) {
      errors.push({ code: 'image_too_large', field: 'media', index, message: `Image ${n} is ${size.toLocaleString('en-US')} bytes; Bluesky allows ${BLUESKY_MAX_IMAGE_BYTES.toLocaleString('en-US')}` });
    }
    if (typeof m.alt !== 'string') {
      errors.push({ code: 'invalid_alt', field: 'media', index, message: `Image ${n} has no alt text value (an empty text is fine)` });
    }
  });
  if (link) {
    if (!isHttpUrl(link) || !isValidUri(link)) {
      errors.push({ code: 'invalid_link', field: 'link', message: `The link "${link}" is not a web address starting with http:// or https://` });
    }
  }
  const langs = variant.langs ?? [];
  if (langs.length > BLUESKY_MAX_LANGS) {
    errors.push({ code: 'too_many_langs', field: 'langs', message: `${langs.length} languages given; Bluesky allows ${BLUESKY_MAX_LANGS}` });
  }
  langs.forEach((l, index) => {
    if (!isValidLanguage(l)) errors.push({ code: 'invalid_lang', field: 'langs', index, message: `"${l}" is not a language tag like "en" or "pt-BR"` });
  });
  return { network: 'bluesky', length, max: BLUESKY_MAX_GRAPHEMES, unit: 'graphemes', valid: errors.length === 0, errors };
}
