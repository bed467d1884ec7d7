/**
 * The checks a connector's declarations imply, on top of its own validate: what each one catches,
 * that the connector's own words win over a repeat, and that a server's announced media limit counts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { blueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import type { AnyConnector, ValidationIssue } from '../../src/connectors/connector';
import { declarationIssues, mediaTypeAccepted, validateWithDeclarations } from '../../src/connectors/declared-checks';

/** A connector that checks nothing itself (unless told to report `own`). */
function bare(own: ValidationIssue[] = []): AnyConnector {
  return {
    id: 'bare',
    displayName: 'Bare',
    lengthUnit: 'characters',
    credentialFields: [],
    credentialsSchema: z.unknown(),
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 1, windowMs: 1000 } },
    supports: { maxMedia: 2, mediaTypes: ['image/*', 'video/mp4'], polls: false, threads: false },
    optionFields: [
      { name: 'silent', label: 'Silent', type: 'boolean' },
      { name: 'mode', label: 'Mode', type: 'select', choices: [{ value: 'a', label: 'A' }] },
      { name: 'warning', label: 'Content warning', type: 'text' },
    ],
    connect: async () => {
      throw new Error('unused');
    },
    validate: (v) => ({ network: 'bare', length: v.text.length, max: 100, unit: 'characters', valid: own.length === 0, errors: own }),
    publish: async () => {
      throw new Error('unused');
    },
  };
}

const img = (mimeType: string) => ({ mimeType, sizeBytes: 10, alt: '' });

describe('declaration checks', () => {
  it('matches media types exactly or by family', () => {
    expect(mediaTypeAccepted('image/png', ['image/*'])).toBe(true);
    expect(mediaTypeAccepted('IMAGE/PNG', ['image/png'])).toBe(true);
    expect(mediaTypeAccepted('video/mp4; codecs=avc1', ['video/mp4'])).toBe(true);
    expect(mediaTypeAccepted('video/webm', ['video/mp4', 'image/*'])).toBe(false);
    expect(mediaTypeAccepted('imagex/png', ['image/*'])).toBe(false);
  });

  it('finds each kind of problem, naming the network', () => {
    const issues = declarationIssues(bare(), {
      text: 'x',
      poll: { options: ['a', 'b'] },
      thread: ['two'],
      media: [img('image/png'), img('video/webm'), img('image/gif')],
      options: { silent: 'yes', mode: 'b', warning: true, colour: 'red' },
    });
    expect(issues.map((i) => [i.code, i.field, i.index])).toEqual([
      ['polls_unsupported', 'poll', undefined],
      ['threads_unsupported', 'thread', undefined],
      ['media_count', 'media', undefined],
      ['media_type', 'media', 1],
      ['option_value', 'options', undefined],
      ['option_value', 'options', undefined],
      ['option_value', 'options', undefined],
      ['unknown_option', 'options', undefined],
    ]);
    for (const i of issues) expect(i.message).toContain('Bare');
    expect(declarationIssues(bare(), { text: 'x', thread: [], poll: null, media: [img('image/png')], options: { silent: false, mode: 'a', warning: 'spoilers' } })).toEqual([]);
  });

  it("a server's announced maxMedia replaces the declared one", () => {
    const three = { text: 'x', media: [img('image/png'), img('image/png'), img('image/png')] };
    expect(declarationIssues(bare(), three).map((i) => i.code)).toEqual(['media_count']);
    expect(declarationIssues(bare(), three, { networkLimits: { maxMedia: 4 } })).toEqual([]);
    expect(declarationIssues(bare(), three, { networkLimits: { maxCharacters: 500 } }).map((i) => i.code)).toEqual(['media_count']);
  });

  it("does not repeat what the connector already said in its own words", () => {
    const own: ValidationIssue[] = [
      { code: 'too_many_images', field: 'media', message: 'five is too many' },
      { code: 'bad_type', field: 'media', index: 1, message: 'item 2 is a video' },
      { code: 'no_polls_here', field: 'poll', message: 'no polls' },
      { code: 'threads_unsupported', message: 'no threads' },
      { code: 'invalid_option', message: '"colour" is not an option' },
    ];
    const r = validateWithDeclarations(bare(own), { text: 'x', poll: { options: ['a', 'b'] }, thread: ['t'], media: [img('image/png'), img('video/webm'), img('image/gif')], options: { colour: 'red' } });
    expect(r.errors).toEqual(own);
    expect(r.valid).toBe(false);
    // Without the connector's words, the generic ones appear and the result turns invalid.
    const plain = validateWithDeclarations(bare(), { text: 'x', poll: { options: ['a', 'b'] } });
    expect(plain).toMatchObject({ network: 'bare', valid: false, errors: [{ code: 'polls_unsupported', field: 'poll' }] });
  });

  it('Bluesky: five images read as one problem, not two', () => {
    const media = Array.from({ length: 5 }, () => ({ mimeType: 'image/png', sizeBytes: 100, alt: '' }));
    const r = validateWithDeclarations(blueskyConnector as AnyConnector, { text: 'hello', media });
    expect(r.errors.filter((e) => e.field === 'media').map((e) => e.code)).toEqual(['too_many_images']);
    const poll = validateWithDeclarations(blueskyConnector as AnyConnector, { text: 'hello', poll: { options: ['a', 'b'] } });
    expect(poll.errors).toEqual([{ code: 'polls_unsupported', field: 'poll', message: 'Bluesky posts cannot have a poll; remove the poll for this account' }]);
  });
});
