/**
 * The listening query language: a table of valid queries with the AST they parse to (and the
 * canonical text they print as), and a table of invalid ones with the exact error, column included.
 */
import { describe, expect, it } from 'vitest';
import { formatQuery, parseQuery, QuerySyntaxError, type QueryNode } from '../../src/listening/query-parser';

const w = (value: string, prefix = false): QueryNode => ({ type: 'word', value, prefix });
const p = (...words: string[]): QueryNode => ({ type: 'phrase', words });
const f = (field: 'lang' | 'network' | 'from' | 'kind', value: string): QueryNode => ({ type: 'field', field, value });
const and = (...operands: QueryNode[]): QueryNode => ({ type: 'and', operands });
const or = (...operands: QueryNode[]): QueryNode => ({ type: 'or', operands });
const not = (operand: QueryNode): QueryNode => ({ type: 'not', operand });

const valid: Array<[string, QueryNode, string]> = [
  ['herald', w('herald'), 'herald'],
  ['Herald', w('herald'), 'herald'],
  ['brand support', and(w('brand'), w('support')), 'brand AND support'],
  ['brand AND support', and(w('brand'), w('support')), 'brand AND support'],
  ['brand && support', and(w('brand'), w('support')), 'brand AND support'],
  ['brand OR support', or(w('brand'), w('support')), 'brand OR support'],
  ['a OR b || c', or(w('a'), w('b'), w('c')), 'a OR b OR c'],
  // AND binds tighter than OR, NOT tighter than AND.
  ['a b OR c', or(and(w('a'), w('b')), w('c')), 'a AND b OR c'],
  ['a OR b c', or(w('a'), and(w('b'), w('c'))), 'a OR b AND c'],
  ['a (b OR c)', and(w('a'), or(w('b'), w('c'))), 'a AND (b OR c)'],
  ['NOT a b', and(not(w('a')), w('b')), 'NOT a AND b'],
  ['b NOT (a OR c)', and(w('b'), not(or(w('a'), w('c')))), 'b AND NOT (a OR c)'],
  ['b NOT NOT a', and(w('b'), not(not(w('a')))), 'b AND NOT NOT a'],
  ['brand -spam', and(w('brand'), not(w('spam'))), 'brand AND NOT spam'],
  ['brand -"free money"', and(w('brand'), not(p('free', 'money'))), 'brand AND NOT "free money"'],
  ['brand -(spam OR ads)', and(w('brand'), not(or(w('spam'), w('ads')))), 'brand AND NOT (spam OR ads)'],
  ['((a))', w('a'), 'a'],
  // "and", "or", "not" in lower case are words.
  ['rock and roll', and(w('rock'), w('and'), w('roll')), 'rock AND and AND roll'],
  ['"exact phrase"', p('exact', 'phrase'), '"exact phrase"'],
  ['"  Exact,   PHRASE! "', p('exact', 'phrase'), '"exact phrase"'],
  ['"single"', w('single'), 'single'],
  ['«отличный сервис»', p('отличный', 'сервис'), '"отличный сервис"'],
  ['“bra tjänst”', p('bra', 'tjänst'), '"bra tjänst"'],
  ['Ёлка', w('елка'), 'елка'],
  ['ÅÄÖ', w('åäö'), 'åäö'],
  ['recens*', w('recens', true), 'recens*'],
  ['отзыв* OR review*', or(w('отзыв', true), w('review', true)), 'отзыв* OR review*'],
  ['e-mail', p('e', 'mail'), '"e mail"'],
  ['#herald', w('herald'), 'herald'],
  ['🔥', w('🔥'), '🔥'],
  ['lang:ru', f('lang', 'ru'), 'lang:ru'],
  ['LANG:sv-SE', f('lang', 'sv'), 'lang:sv'],
  ['network:Bluesky', f('network', 'bluesky'), 'network:bluesky'],
  ['from:@Alice.bsky.social', f('from', 'alice.bsky.social'), 'from:alice.bsky.social'],
  ['kind:mention', f('kind', 'mention'), 'kind:mention'],
  [
    '(herald OR "herald app") lang:ru -from:spammer network:bluesky',
    and(or(w('herald'), p('herald', 'app')), f('lang', 'ru'), not(f('from', 'spammer')), f('network', 'bluesky')),
    '(herald OR "herald app") AND lang:ru AND NOT from:spammer AND network:bluesky',
  ],
  ['lang:ru NOT спам', and(f('lang', 'ru'), not(w('спам'))), 'lang:ru AND NOT спам'],
];

const invalid: Array<[string, string]> = [
  ['', 'Column 1: the query is empty; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['   ', 'Column 1: the query is empty; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['(brand', 'Column 7: expected ")" to close the "(" at column 1, found the end of the query'],
  ['(a OR b', 'Column 8: expected ")" to close the "(" at column 1, found the end of the query'],
  ['brand)', 'Column 6: this ")" closes nothing; remove it or add "(" before'],
  ['()', 'Column 2: empty parentheses; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['brand AND', 'Column 10: the query ends too early; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['brand OR', 'Column 9: the query ends too early; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['OR brand', 'Column 1: OR needs a term on both sides; expected a word, a "phrase", a field like lang:ru, NOT or "(" before it'],
  ['brand AND OR x', 'Column 11: OR needs a term on both sides; expected a word, a "phrase", a field like lang:ru, NOT or "(" before it'],
  ['brand NOT', 'Column 10: the query ends too early; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
  ['"brand', 'Column 1: the phrase that starts here has no closing quote; expected "'],
  ['x «brand', 'Column 3: the phrase that starts here has no closing quote; expected »'],
  ['""', 'Column 1: the phrase has no words to search for'],
  ['brand -', 'Column 7: a minus must be written right before the word it excludes, like -spam'],
  ['foo:bar', 'Column 1: unknown field "foo:"; expected one of lang:, network:, from:, kind: (put text with a colon in quotes)'],
  ['brand lang:', 'Column 12: expected a value after lang:'],
  ['lang:russian', 'Column 6: expected a language code after lang:, like lang:ru or lang:sv, found "russian"'],
  ['kind:post', 'Column 6: expected one of comment, reply, mention, quote, dm after kind:, found "post"'],
  ['network:blue/sky', 'Column 9: expected a network id after network:, like network:bluesky, found "blue/sky"'],
  ['from:@', 'Column 6: expected an author handle after from:, like from:alice.bsky.social, found "@"'],
  ['re*view', 'Column 3: a * may only end a word (prefix search, like recens*)'],
  ['*', 'Column 1: expected letters before *, like recens*'],
  ['"e mail"*', 'Column 9: expected letters before *, like recens*'],
  ['e-mail*', 'Column 1: a prefix search must be one word; "e-mail*" has 2'],
  ['!!!', 'Column 1: "!!!" has no letters, digits or emoji to search for'],
  ['NOT spam', 'Column 1: the query only excludes things; add a word, phrase or field that must be present (like brand -spam)'],
  ['-spam -ads', 'Column 1: the query only excludes things; add a word, phrase or field that must be present (like brand -spam)'],
  ['brand OR -spam', 'Column 1: the query only excludes things; add a word, phrase or field that must be present (like brand -spam)'],
  ['в ы (', 'Column 6: the query ends too early; expected a word, a "phrase", a field like lang:ru, NOT or "("'],
];

describe('listening query parser', () => {
  it.each(valid)('parses %j', (query, ast, canonical) => {
    expect(parseQuery(query)).toEqual(ast);
    expect(formatQuery(parseQuery(query))).toBe(canonical);
    // The canonical text reads back as the same query.
    expect(parseQuery(canonical)).toEqual(ast);
  });

  it.each(invalid)('refuses %j', (query, message) => {
    let error: unknown;
    try {
      parseQuery(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect((error as Error).message).toBe(message);
    expect((error as QuerySyntaxError).column).toBe(Number(/^Column (\d+)/.exec(message)?.[1]));
  });

  it('counts columns in characters, not UTF-16 units (emoji before the error)', () => {
    expect(() => parseQuery('🔥🔥 (x')).toThrow('Column 6: expected ")" to close the "(" at column 4, found the end of the query');
  });

  it('limits size and nesting', () => {
    expect(() => parseQuery('a '.repeat(1001) + 'b')).toThrow(/longer than 2000 characters/);
    expect(() => parseQuery(Array.from({ length: 201 }, (_, i) => `w${i}`).join(' '))).toThrow(/more than 200 terms/);
    expect(() => parseQuery(`${'('.repeat(40)}a${')'.repeat(40)}`)).toThrow(/nests deeper than 32 levels/);
  });
});
