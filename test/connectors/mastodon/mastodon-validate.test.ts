/**
 * Mastodon's length rule against the shared conformance cases (restated from Mastodon's
 * status_length_validator_spec.rb and the web composer's counter tests), plus the server limits,
 * polls, thread parts and options Herald checks before anything is sent.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countableText, extractMentionsWithIndices, statusLength } from '../../../src/connectors/mastodon/mastodon-text';
import { validateMastodonVariant } from '../../../src/connectors/mastodon/mastodon-validate';

const dir = '/work/shared/conformance/mastodon';
const conformance = (name: string) => `${dir}/${name}`;

interface ServerCase { description: string; text: string; spoiler_text: string; max_chars: number; expected_error: boolean; expected_countable_length?: number }
interface WebCase { description: string; input: string; expected: string }
interface MentionCase { description: string; input: string; expected: Array<{ indices: [number, number]; username: string; host: string }> }

const server = JSON.parse(readFileSync(conformance('status-length-validator-cases.json'), 'utf8')) as { cases: ServerCase[] };
const web = JSON.parse(readFileSync(conformance('web-counter-cases.json'), 'utf8')) as { countableText: WebCase[]; extractMentionsWithIndices: MentionCase[] };

describe('Mastodon StatusLengthValidator conformance', () => {
  it.each(server.cases.map((c) => [c.description, c] as const))('%s', (_d, c) => {
    if (c.expected_countable_length !== undefined) expect(statusLength(c.text, c.spoiler_text)).toBe(c.expected_countable_length);
    const r = validateMastodonVariant(
      { text: c.text, options: c.spoiler_text ? { contentWarning: c.spoiler_text } : {} },
      { networkLimits: { maxCharacters: c.max_chars } },
    );
    expect(r.errors.some((e) => e.code === 'text_too_long')).toBe(c.expected_error);
  });
});

describe('Mastodon web composer counter conformance', () => {
  it.each(web.countableText.map((c) => [c.description, c] as const))('countableText: %s', (_d, c) => {
    expect(countableText(c.input)).toBe(c.expected);
  });
  it.each(web.extractMentionsWithIndices.map((c) => [c.description, c] as const))('extractMentionsWithIndices: %s', (_d, c) => {
    expect(extractMentionsWithIndices(c.input)).toEqual(c.expected);
  });
});

describe('validateMastodonVariant', () => {
  it('uses the server limits from networkLimits and Mastodon defaults otherwise', () => {
    const text = 'a'.repeat(600);
    expect(validateMastodonVariant({ text }).valid).toBe(false);
    expect(validateMastodonVariant({ text }).max).toBe(500);
    const big = validateMastodonVariant({ text }, { networkLimits: { maxCharacters: 1000 } });
    expect(big).toMatchObject({ valid: true, length: 600, max: 1000, unit: 'characters', network: 'mastodon' });
  });

  it('counts the content warning toward the limit', () => {
    const r = validateMastodonVariant({ text: 'a'.repeat(490), options: { contentWarning: 'spoilers!!!' } });
    expect(r.length).toBe(501);
    expect(r.errors[0]?.message).toContain('including the content warning');
  });

  it('counts an appended link as 23 characters, or as many as the server reserves per URL', () => {
    expect(validateMastodonVariant({ text: 'hi', link: 'https://example.com/a/very/long/path/that/is/long' }).length).toBe(2 + 2 + 23);
    expect(validateMastodonVariant({ text: 'see https://example.com/x' }, { networkLimits: { charactersReservedPerUrl: 30 } }).length).toBe(4 + 30);
  });

  it('checks media count, types and sizes against the server', () => {
    const img = (n: number) => ({ mimeType: 'image/png', sizeBytes: n, alt: 'x' });
    expect(validateMastodonVariant({ text: 'x', media: [img(1), img(1), img(1), img(1), img(1)] }).errors.map((e) => e.code)).toEqual(['too_many_media']);
    expect(validateMastodonVariant({ text: 'x', media: [img(1), img(1), img(1), img(1), img(1)] }, { networkLimits: { maxMedia: 8 } }).valid).toBe(true);
    expect(validateMastodonVariant({ text: 'x', media: [img(17 * 1024 * 1024)] }).errors[0]?.code).toBe('media_too_large');
    expect(validateMastodonVariant({ text: 'x', media: [{ mimeType: 'application/pdf', sizeBytes: 1, alt: '' }] }).errors[0]?.code).toBe('unsupported_media_type');
  });

  it('checks polls: option count, option length, duplicates, duration, no media, no quiz', () => {
    const ok = validateMastodonVariant({ text: 'Which?', poll: { options: ['a', 'b'], durationSeconds: 3600 } });
    expect(ok.valid).toBe(true);
    const codes = (p: Parameters<typeof validateMastodonVariant>[0], ctx?: Parameters<typeof validateMastodonVariant>[1]) => validateMastodonVariant(p, ctx).errors.map((e) => e.code);
    expect(codes({ text: 'q', poll: { options: ['a'] } })).toEqual(['poll_too_few_options']);
    expect(codes({ text: 'q', poll: { options: ['a', 'b', 'c', 'd', 'e'] } })).toEqual(['poll_too_many_options']);
    expect(codes({ text: 'q', poll: { options: ['a', 'b', 'c', 'd', 'e'] } }, { networkLimits: { maxPollOptions: 5 } })).toEqual([]);
    expect(codes({ text: 'q', poll: { options: ['a', 'x'.repeat(51)] } })).toEqual(['poll_option_too_long']);
    expect(codes({ text: 'q', poll: { options: ['a', 'a'] } })).toEqual(['poll_option_duplicate']);
    expect(codes({ text: 'q', poll: { options: ['a', 'b'], durationSeconds: 60 } })).toEqual(['poll_duration']);
    expect(codes({ text: 'q', poll: { options: ['a', 'b'], correctOptionIndex: 0 } })).toEqual(['poll_quiz_unsupported']);
    expect(codes({ text: 'q', media: [{ mimeType: 'image/png', sizeBytes: 1, alt: '' }], poll: { options: ['a', 'b'] } })).toEqual(['poll_with_media']);
  });

  it('checks thread parts and options', () => {
    expect(validateMastodonVariant({ text: 'one', thread: ['two', 'b'.repeat(501)] }).errors.map((e) => [e.code, e.index])).toEqual([['thread_part_too_long', 1]]);
    expect(validateMastodonVariant({ text: 'one', thread: ['  '] }).errors[0]?.message).toBe('Thread part 2 is empty');
    expect(validateMastodonVariant({ text: 'x', options: { visibility: 'friends' } }).errors[0]?.message).toContain('public, unlisted, private, direct');
    expect(validateMastodonVariant({ text: 'x', options: { visibility: 'unlisted', sensitive: true } }).valid).toBe(true);
    expect(validateMastodonVariant({ text: 'x', options: { colour: 'red' } }).errors[0]?.code).toBe('unknown_option');
    expect(validateMastodonVariant({ text: 'x', media: [{ mimeType: 'image/png', sizeBytes: 1, alt: '' }], options: { focus: ['0.5,-0.25'] } }).valid).toBe(true);
    expect(validateMastodonVariant({ text: 'x', media: [{ mimeType: 'image/png', sizeBytes: 1, alt: '' }], options: { focus: ['2,0'] } }).valid).toBe(false);
    expect(validateMastodonVariant({ text: 'x', langs: ['en', 'de'] }).errors[0]?.code).toBe('too_many_langs');
  });

  it('takes focal points as text with one "x,y" per image separated by ";" (the composer field)', () => {
    const img = { mimeType: 'image/png', sizeBytes: 1, alt: '' };
    expect(validateMastodonVariant({ text: 'x', media: [img, img], options: { focus: '0,0.5; -0.2,0' } }).valid).toBe(true);
    expect(validateMastodonVariant({ text: 'x', media: [img], options: { focus: '0,0.5; -0.2,0' } }).errors[0]?.message).toBe('2 focal points given for 1 attachments');
    expect(validateMastodonVariant({ text: 'x', media: [img], options: { focus: 'middle' } }).errors[0]?.message).toContain('two numbers from -1 to 1');
  });

  it('is browser-safe: the validation modules import no Node built-ins', () => {
    for (const f of ['mastodon-validate.ts', 'mastodon-text.ts', '../bluesky/bluesky-tlds.ts']) {
      const src = readFileSync(new URL(`../../../src/connectors/mastodon/${f}`, import.meta.url), 'utf8');
      expect(src).not.toMatch(/from ['"](node:|fs|path|crypto|buffer)/);
      expect(src).not.toMatch(/Buffer\./);
    }
  });

  it('stays fast on long texts without spaces (no backtracking blow-up)', () => {
    const started = performance.now();
    statusLength('a.'.repeat(50_000) + '@x@' + 'b-'.repeat(20_000), '');
    countableText('a'.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
