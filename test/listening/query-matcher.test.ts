/**
 * The compiled matcher: whole words (never substrings) in any script, case-insensitive, phrases in
 * order, prefixes, fields, NOT and precedence, on messages in Russian, Swedish and English.
 */
import { describe, expect, it } from 'vitest';
import { compileQueryText, prepareMessage, queryMatches, type MatchableMessage } from '../../src/listening/query-matcher';

const msg = (text: string, extra: Partial<MatchableMessage> = {}): MatchableMessage => ({ text, lang: null, network: 'bluesky', authorHandle: 'fan.example', kind: 'comment', ...extra });

const cases: Array<[query: string, text: string, expected: boolean, extra?: Partial<MatchableMessage>]> = [
  ['herald', 'I love Herald!', true],
  ['herald', 'HERALD rocks', true],
  ['herald', 'heralding a new era', false],
  ['herald', 'the #herald app', true],
  ['herald', 'mail@herald.example', true],
  ['art', 'smart move', false],
  ['art', 'art-house cinema', true],
  // Cyrillic: case-insensitive, whole words, ё = е.
  ['сервис', 'Отличный СЕРВИС, спасибо', true],
  ['сервис', 'сервисный центр', false],
  ['сервис*', 'сервисный центр', true],
  ['елка', 'Новогодняя ёлка', true],
  ['ёлка', 'новогодняя елка', true],
  ['"отличный сервис"', 'Это отличный сервис!', true],
  ['"отличный сервис"', 'сервис отличный', false],
  // Swedish: å/ä/ö are letters of their own, never folded.
  ['år', 'Bästa året', false],
  ['år', 'Ett bra år för oss', true],
  ['ar', 'Ett bra år för oss', false],
  ['tjänst', 'Bra TJÄNST', true],
  ['tjanst', 'Bra tjänst', false],
  ['"bra tjänst"', 'Verkligen en bra tjänst.', true],
  ['öl', 'Gott öl', true],
  ['öl', 'Göl', false],
  // Phrases and prefixes.
  ['"customer service"', 'Your customer   service is great', true],
  ['"customer service"', 'service for every customer', false],
  ['"customer service"', 'customer, service', true],
  ['recens*', 'En bra recension', true],
  ['recens*', 'precensur', false],
  ['🔥', 'this is 🔥🔥', true],
  ['🔥', 'fire', false],
  // Boolean structure.
  ['herald -spam', 'herald is spam', false],
  ['herald -spam', 'herald is great', true],
  ['a OR b c', 'just a', true],
  ['a OR b c', 'just b', false],
  ['a OR b c', 'b and c', true],
  ['(a OR b) c', 'just a', false],
  ['rock and roll', 'Rock AND roll forever', true],
  ['NOT bad good', 'good and bad', false],
  // Fields.
  ['herald lang:ru', 'herald хорош', true, { lang: 'ru-RU' }],
  ['herald lang:ru', 'herald is good', false, { lang: 'en' }],
  ['herald lang:ru', 'herald', false, { lang: null }],
  ['herald network:mastodon', 'herald', false],
  ['herald network:bluesky', 'herald', true],
  ['herald from:fan.example', 'herald', true, { authorHandle: '@Fan.Example' }],
  ['herald -from:fan.example', 'herald', false],
  ['herald kind:mention', 'herald', false],
  ['herald kind:mention', 'herald', true, { kind: 'mention' }],
];

describe('listening query matcher', () => {
  it.each(cases)('%j on %j → %s', (query, text, expected, extra) => {
    expect(queryMatches(query, msg(text, extra))).toBe(expected);
  });

  it('a prepared message serves many queries', () => {
    const m = prepareMessage(msg('Отличный сервис и быстрая доставка', { lang: 'ru' }));
    const queries = ['сервис', 'доставк*', '"быстрая доставка"', 'lang:sv', 'сервис -доставка'].map(compileQueryText);
    expect(queries.map((q) => q(m))).toEqual([true, true, true, false, false]);
  });

  it('matches fast enough for ingest (100 queries × 20k messages well under the time box)', () => {
    const queries = Array.from({ length: 100 }, (_, i) => compileQueryText(`(brand${i} OR "product ${i}") -spam lang:en`));
    const messages = Array.from({ length: 20_000 }, (_, i) => prepareMessage(msg(`a message about product ${i % 150} and other things brand${i % 120}`, { lang: 'en' })));
    const started = performance.now();
    let hits = 0;
    for (const m of messages) for (const q of queries) if (q(m)) hits++;
    const ms = performance.now() - started;
    expect(hits).toBeGreaterThan(0);
    // Two million evaluations; generous bound for a shared 2-core machine.
    expect(ms).toBeLessThan(5_000);
  });
});
