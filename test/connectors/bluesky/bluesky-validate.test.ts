/** Bluesky's posting rules as `validate` reports them (pure, no network). */
import { describe, expect, it } from 'vitest';
import { blueskyConnector } from '../../../src/connectors/bluesky/bluesky.connector';
import type { PostVariant } from '../../../src/connectors/connector';

const v = (p: Partial<PostVariant>) => blueskyConnector.validate({ text: 'hello', ...p });
const codes = (p: Partial<PostVariant>) => v(p).errors.map((e) => e.code);
const family = '👨‍👩‍👧‍👧';

describe('bluesky validate', () => {
  it('accepts a plain post and reports graphemes', () => {
    expect(v({ text: `hi ${family}` })).toEqual({ network: 'bluesky', length: 4, max: 300, unit: 'graphemes', valid: true, errors: [] });
  });

  it('allows exactly 300 graphemes and refuses 301 with a plain message', () => {
    expect(v({ text: 'a'.repeat(300) }).valid).toBe(true);
    const r = v({ text: 'a'.repeat(301) });
    expect(r.valid).toBe(false);
    expect(r.length).toBe(301);
    expect(r.errors).toEqual([{ code: 'text_too_long', field: 'text', message: 'Text is 301 graphemes; Bluesky allows 300' }]);
  });

  it('counts a ZWJ family as one grapheme but limits UTF-8 bytes to 3000', () => {
    // 120 families = 120 graphemes but 3000 bytes; 121 = 3025 bytes.
    expect(v({ text: family.repeat(120) }).valid).toBe(true);
    const r = v({ text: family.repeat(121) });
    expect(r.length).toBe(121);
    expect(r.errors.map((e) => e.code)).toEqual(['text_too_many_bytes']);
    expect(r.errors[0]!.message).toBe('Text is 3025 bytes in UTF-8; Bluesky allows 3000');
  });

  it('refuses an empty post but accepts an image-only or link-only one', () => {
    expect(codes({ text: '  ' })).toEqual(['empty']);
    expect(codes({ text: '', media: [{ mimeType: 'image/png', sizeBytes: 10, alt: '' }] })).toEqual([]);
    expect(codes({ text: '', link: 'https://example.com' })).toEqual([]);
  });

  it('takes at most 4 images of image/* type, each up to 1,000,000 bytes; empty alt is fine', () => {
    const img = { mimeType: 'image/jpeg', sizeBytes: 1_000_000, alt: '' };
    expect(codes({ media: [img, img, img, img] })).toEqual([]);
    expect(codes({ media: [img, img, img, img, img] })).toEqual(['too_many_images']);
    const r = v({ media: [img, { mimeType: 'video/mp4', sizeBytes: 10, alt: 'x' }, { mimeType: 'image/webp', sizeBytes: 1_000_001, alt: 'x' }] });
    expect(r.errors).toEqual([
      { code: 'unsupported_media_type', field: 'media', index: 1, message: 'Attachment 2 is video/mp4; Bluesky posts take images only' },
      { code: 'image_too_large', field: 'media', index: 2, message: 'Image 3 is 1,000,001 bytes; Bluesky allows 1,000,000' },
    ]);
  });

  it('measures the real data when it is present', () => {
    expect(codes({ media: [{ mimeType: 'image/png', sizeBytes: 1, alt: '', data: Buffer.alloc(1_000_001) }] })).toEqual(['image_too_large']);
  });

  it('accepts up to 3 well-formed language tags', () => {
    expect(codes({ langs: ['en', 'pt-BR', 'zh-Hant'] })).toEqual([]);
    expect(codes({ langs: ['en', 'de', 'fr', 'es'] })).toEqual(['too_many_langs']);
    const r = v({ langs: ['en_US'] });
    expect(r.errors).toEqual([{ code: 'invalid_lang', field: 'langs', index: 0, message: '"en_US" is not a language tag like "en" or "pt-BR"' }]);
  });

  it('wants links to be http(s) URLs', () => {
    expect(codes({ link: 'https://example.com/a?b=c' })).toEqual([]);
    expect(codes({ link: 'http://localhost:8080/x' })).toEqual([]);
    expect(codes({ link: 'ftp://example.com' })).toEqual(['invalid_link']);
    expect(codes({ link: 'javascript:alert(1)' })).toEqual(['invalid_link']);
    expect(codes({ link: 'example.com' })).toEqual(['invalid_link']);
  });

  it('declares its limits and form fields', () => {
    expect(blueskyConnector.limits).toEqual({ maxConcurrentPerAccount: 2, publishRate: { count: 1600, windowMs: 3_600_000 } });
    expect(blueskyConnector.credentialFields.map((f) => [f.name, f.required])).toEqual([
      ['identifier', true],
      ['appPassword', true],
      ['serviceUrl', false],
    ]);
    expect(blueskyConnector.credentialsSchema.parse({ identifier: ' @alice.test ', appPassword: 'a-b', serviceUrl: 'http://localhost:2583/' })).toEqual({
      identifier: 'alice.test',
      appPassword: 'a-b',
      serviceUrl: 'http://localhost:2583',
    });
    expect(blueskyConnector.credentialsSchema.safeParse({ identifier: '', appPassword: 'x' }).success).toBe(false);
    expect(blueskyConnector.credentialsSchema.safeParse({ identifier: 'a', appPassword: 'x', serviceUrl: 'ftp://x' }).success).toBe(false);
  });
});
