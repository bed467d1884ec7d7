/**
 * VK validation: the documented wall.post, polls.create and photo upload limits, options, and the
 * length unit (UTF-16 code units: Cyrillic counts 1, an emoji outside the BMP counts 2).
 */
import { describe, expect, it } from 'vitest';
import type { MediaItem, PostVariant } from '../../../src/connectors/connector';
import { createVkConnector } from '../../../src/connectors/vk/vk.connector';
import { VK_MAX_PHOTO_BYTES, VK_MAX_TEXT, validateVkVariant } from '../../../src/connectors/vk/vk-validate';

const codes = (v: PostVariant) => validateVkVariant(v).errors.map((e) => e.code);
const photo = (over: Partial<MediaItem> = {}): MediaItem => ({ mimeType: 'image/jpeg', sizeBytes: 1000, alt: '', ...over });

describe('validateVkVariant', () => {
  it('accepts 16,384 characters and refuses 16,385, counting in UTF-16 code units', () => {
    expect(VK_MAX_TEXT).toBe(16_384);
    const ok = validateVkVariant({ text: 'я'.repeat(16_384) });
    expect(ok).toMatchObject({ network: 'vk', length: 16_384, max: 16_384, unit: 'characters', valid: true, errors: [] });
    const over = validateVkVariant({ text: 'я'.repeat(16_385) });
    expect(over.valid).toBe(false);
    expect(over.errors[0]).toMatchObject({ code: 'text_too_long', field: 'text' });
    expect(over.errors[0]!.message).toBe('Text is 16,385 characters; VK allows 16,384 in a post');
    // 8,192 emoji = 16,384 code units: at the limit; one more letter is over.
    expect(validateVkVariant({ text: '😀'.repeat(8_192) }).length).toBe(16_384);
    expect(validateVkVariant({ text: '😀'.repeat(8_192) }).valid).toBe(true);
    expect(validateVkVariant({ text: '😀'.repeat(8_192) + 'a' }).valid).toBe(false);
  });

  it('refuses an empty post and a poll without text or photo', () => {
    expect(codes({ text: '   ' })).toEqual(['empty']);
    const r = validateVkVariant({ text: '', poll: { question: 'Q?', options: ['a', 'b'] } });
    expect(r.errors.map((e) => e.message)).toEqual(['A VK poll cannot be posted on its own: add text or a photo']);
    expect(codes({ text: '', media: [photo()] })).toEqual([]);
    expect(codes({ text: '', link: 'https://example.com/' })).toEqual([]);
  });

  it('allows 10 photos of JPEG/PNG/GIF up to 50 MB and refuses more, other types and larger files', () => {
    expect(codes({ text: 'x', media: Array.from({ length: 10 }, () => photo()) })).toEqual([]);
    expect(codes({ text: 'x', media: Array.from({ length: 11 }, () => photo()) })).toEqual(['too_many_media']);
    expect(codes({ text: 'x', media: [photo({ mimeType: 'image/png' }), photo({ mimeType: 'image/gif' })] })).toEqual([]);
    expect(codes({ text: 'x', media: [photo({ mimeType: 'image/webp' })] })).toEqual(['unsupported_media_type']);
    expect(codes({ text: 'x', media: [photo({ mimeType: 'video/mp4' })] })).toEqual(['unsupported_media_type']);
    expect(codes({ text: 'x', media: [photo({ sizeBytes: VK_MAX_PHOTO_BYTES })] })).toEqual([]);
    expect(codes({ text: 'x', media: [photo({ sizeBytes: VK_MAX_PHOTO_BYTES + 1 })] })).toEqual(['image_too_large']);
  });

  it('takes one http(s) link', () => {
    expect(codes({ text: 'x', link: 'https://vk.com/dev' })).toEqual([]);
    expect(codes({ text: 'x', link: 'ftp://example.com' })).toEqual(['invalid_link']);
    expect(codes({ text: 'x', link: 'https://a.example,https://b.example' })).toContain('invalid_link');
  });

  it('checks polls as polls.create and wall.post document them', () => {
    const base = { text: 'Vote!' };
    expect(codes({ ...base, poll: { question: 'Which day?', options: ['Mon'] } })).toEqual([]);
    expect(codes({ ...base, poll: { question: 'Which day?', options: Array.from({ length: 10 }, (_, i) => `d${i}`), multiple: true, durationSeconds: 86_400 } })).toEqual([]);
    expect(codes({ ...base, poll: { question: 'Which day?', options: [] } })).toEqual(['poll_option_count']);
    expect(codes({ ...base, poll: { question: 'Which day?', options: Array.from({ length: 11 }, (_, i) => `d${i}`) } })).toEqual(['poll_option_count']);
    expect(codes({ ...base, poll: { question: '', options: ['a', 'b'] } })).toEqual(['poll_question_missing']);
    expect(codes({ ...base, poll: { question: 'Q', options: ['a'.repeat(100), 'b'] } })).toEqual([]);
    expect(codes({ ...base, poll: { question: 'Q', options: ['a'.repeat(101), 'b'] } })).toEqual(['poll_option_too_long']);
    expect(codes({ ...base, poll: { question: 'Q', options: ['a', ' '] } })).toEqual(['poll_option_empty']);
    expect(codes({ ...base, poll: { question: 'Q', options: ['Yes', 'yes'] } })).toEqual(['poll_option_duplicate']);
    expect(codes({ ...base, poll: { question: 'Q', options: ['a', 'b'], correctOptionIndex: 0 } })).toEqual(['poll_quiz_unsupported']);
    expect(codes({ ...base, poll: { question: 'Q', options: ['a', 'b'], durationSeconds: 10 } })).toEqual(['poll_duration']);
    expect(codes({ ...base, poll: { question: 'q'.repeat(256), options: ['a'] } })).toEqual(['poll_question_too_long']);
  });

  it('validates options: known names, booleans, signed only with fromGroup', () => {
    expect(codes({ text: 'x', options: { fromGroup: true, signed: true, closeComments: false, muteNotifications: true } })).toEqual([]);
    expect(codes({ text: 'x', options: { silent: true } })).toEqual(['unknown_option']);
    expect(codes({ text: 'x', options: { fromGroup: 'yes' } })).toEqual(['invalid_option']);
    expect(codes({ text: 'x', options: { fromGroup: false, signed: true } })).toEqual(['signed_needs_from_group']);
    expect(validateVkVariant({ text: 'x', options: { silent: true } }).errors[0]!.message).toBe('"silent" is not a VK post option (known: fromGroup, signed, closeComments, muteNotifications)');
  });

  it('has no threads', () => {
    expect(codes({ text: 'x', thread: ['second'] })).toEqual(['threads_unsupported']);
    expect(codes({ text: 'x', thread: [] })).toEqual([]);
  });

  it('is what the connector validates with', () => {
    const c = createVkConnector();
    expect(c.validate({ text: 'я'.repeat(16_385) }).valid).toBe(false);
    expect(c.supports).toEqual({ maxMedia: 10, mediaTypes: ['image/jpeg', 'image/png', 'image/gif'], polls: true, threads: false });
    expect(c.optionFields!.map((o) => o.name)).toEqual(['fromGroup', 'signed', 'closeComments', 'muteNotifications']);
  });
});
