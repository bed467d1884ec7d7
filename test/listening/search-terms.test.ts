/**
 * From listening queries to network search terms: a table of queries with the terms, language and
 * networks they search, and queries that cannot be searched. The property that matters is coverage:
 * every message the query matches contains at least one of the terms (checked on sample texts).
 */
import { describe, expect, it } from 'vitest';
import type { SearchTerm } from '../../src/connectors/connector';
import { parseQuery } from '../../src/listening/query-parser';
import { queryMatches } from '../../src/listening/query-matcher';
import { maxSearchTerms, searchPlan } from '../../src/listening/search-terms';
import { blueskySearchQuery } from '../../src/connectors/bluesky/bluesky-search';
import { mastodonSearchQuery } from '../../src/connectors/mastodon/mastodon-search';

const w = (...words: string[]): SearchTerm => ({ type: 'text', words });
const from = (handle: string): SearchTerm => ({ type: 'author', handle });

describe('searchPlan', () => {
  it.each<[string, SearchTerm[], string | null, string[] | null]>([
    ['herald', [w('herald')], null, null],
    ['Herald', [w('herald')], null, null],
    ['#herald', [w('herald')], null, null],
    ['"customer service"', [w('customer', 'service')], null, null],
    ['e-mail', [w('e', 'mail')], null, null],
    ['recens*', [w('recens')], null, null],
    ['herald -spam', [w('herald')], null, null],
    ['herald NOT (spam OR scam)', [w('herald')], null, null],
    ['herald OR smm', [w('herald'), w('smm')], null, null],
    ['herald OR herald', [w('herald')], null, null],
    ['(herald OR smm) -spam', [w('herald'), w('smm')], null, null],
    // AND: one operand covers every match; the one with fewer terms wins.
    ['(a OR b OR c) herald', [w('herald')], null, null],
    // On a tie the more specific (more words) operand wins.
    ['herald "customer service"', [w('customer', 'service')], null, null],
    ['a OR b c', [w('a'), w('b')], null, null],
    ['from:@alice.bsky.social', [from('alice.bsky.social')], null, null],
    ['from:alice.test herald', [from('alice.test')], null, null],
    ['herald lang:ru', [w('herald')], 'ru', null],
    ['lang:sv-SE herald', [w('herald')], 'sv', null],
    ['herald network:bluesky', [w('herald')], null, ['bluesky']],
    ['herald (network:bluesky OR network:mastodon)', [w('herald')], null, ['bluesky', 'mastodon']],
    ['herald network:bluesky network:mastodon', [w('herald')], null, []],
    ['(herald lang:ru) OR smm', [w('herald'), w('smm')], null, null],
    ['ёлка', [w('елка')], null, null],
    ['«служба поддержки»', [w('служба', 'поддержки')], null, null],
    ['år OR ärende', [w('år'), w('ärende')], null, null],
  ])('%s', (query, terms, lang, networks) => {
    expect(searchPlan(parseQuery(query))).toEqual({ terms, lang, networks });
  });

  it.each(['lang:ru', 'network:bluesky', 'kind:mention', 'lang:ru network:bluesky', 'herald OR lang:ru', 'lang:ru -spam', '(herald OR kind:dm) -x'])(
    '%s has nothing to search',
    (query) => {
      expect(searchPlan(parseQuery(query))).toBeNull();
    },
  );

  it('searches at most maxSearchTerms terms', () => {
    const words = Array.from({ length: maxSearchTerms + 5 }, (_, i) => `w${i}`);
    expect(searchPlan(parseQuery(words.join(' OR ')))!.terms).toHaveLength(maxSearchTerms);
  });

  // Coverage: a text the query matches contains one of the searched terms (as words, in order).
  it.each<[string, string]>([
    ['(herald OR smm) -spam', 'We switched to SMM tools'],
    ['herald "customer service"', 'Herald customer service was quick'],
    ['a OR b c', 'only b and c here'],
    ['recens* lang:sv', 'Recensionen var bra'],
  ])('%s: a match of %j contains a searched term', (query, text) => {
    const ast = parseQuery(query);
    expect(queryMatches(ast, { text, lang: 'sv', network: 'bluesky', authorHandle: 'x', kind: 'search' })).toBe(true);
    const plan = searchPlan(ast)!;
    const covered = plan.terms.some((t) => t.type === 'text' && queryMatches(t.words.length === 1 ? `${t.words[0]}*` : `"${t.words.join(' ')}"`, { text, lang: null, network: 'bluesky', authorHandle: 'x', kind: 'search' }));
    expect(covered).toBe(true);
  });
});

describe('network search syntax', () => {
  it.each<[SearchTerm, string]>([
    [w('herald'), 'herald'],
    [w('customer', 'service'), '"customer service"'],
    [from('alice.test'), 'from:alice.test'],
  ])('%j', (term, q) => {
    expect(blueskySearchQuery(term)).toBe(q);
    expect(mastodonSearchQuery(term)).toBe(q);
  });
});
