/**
 * From a parsed listening query to what to ask a network's search for. Network search is only a way to
 * find candidates: everything it returns is tested with the compiled query, so the terms must cover
 * every post the query can match (recall), not describe it exactly.
 *
 * - A word (also a prefix word, searched as its stem), a phrase and `from:` are searchable terms.
 * - `NOT …` contributes nothing (an absence cannot be searched for).
 * - `a OR b` needs the union of its operands' terms; an operand without any (e.g. `lang:ru OR brand`)
 *   makes the OR unsearchable, because search could not find all of its matches.
 * - `a AND b` is covered by the terms of any one positive operand, since a match contains all of them;
 *   the operand with the fewest terms is taken (on a tie, the one with more words, the most specific).
 *   So `brand -spam` searches `brand`, `(a OR b) -c` searches `a` and `b`.
 * - `lang:` and `network:` at the top level (alone or ANDed) narrow the search: the language is passed
 *   to networks that filter by it, and only the named networks are searched.
 * - A query with no searchable terms (`lang:ru network:bluesky`) is not searched at all.
 */
import type { SearchTerm } from '../connectors/connector';
import type { QueryNode } from './query-parser';

/** What to search for one query. */
export interface SearchPlan {
  /** Searched one by one; their union covers every possible match. */
  terms: SearchTerm[];
  /** Language filter for networks that have one (from a top-level `lang:`). */
  lang: string | null;
  /** Only these network ids (from a top-level `network:`), or null for every network. */
  networks: string[] | null;
}

/** Most terms searched per query and account in one round (the rest would cost requests for little). */
export const maxSearchTerms = 10;

function termKey(t: SearchTerm): string {
  return t.type === 'author' ? `from:${t.handle}` : `text:${t.words.join(' ')}`;
}

function weight(terms: SearchTerm[]): number {
  return terms.reduce((n, t) => n + (t.type === 'author' ? 2 : t.words.length), 0);
}

function dedupe(terms: SearchTerm[]): SearchTerm[] {
  const out = new Map<string, SearchTerm>();
  for (const t of terms) if (!out.has(termKey(t))) out.set(termKey(t), t);
  return [...out.values()];
}

/** Terms whose search results together contain every match of `node`, or null when none can. */
export function coveringTerms(node: QueryNode): SearchTerm[] | null {
  switch (node.type) {
    case 'word':
      return [{ type: 'text', words: [node.value] }];
    case 'phrase':
      return [{ type: 'text', words: [...node.words] }];
    case 'field':
      return node.field === 'from' ? [{ type: 'author', handle: node.value }] : null;
    case 'not':
      return null;
    case 'or': {
      const all: SearchTerm[] = [];
      for (const o of node.operands) {
        const t = coveringTerms(o);
        if (!t) return null;
        all.push(...t);
      }
      return dedupe(all);
    }
    case 'and': {
      let best: SearchTerm[] | null = null;
      for (const o of node.operands) {
        const t = coveringTerms(o);
        if (!t) continue;
        if (!best || t.length < best.length || (t.length === best.length && weight(t) > weight(best))) best = t;
      }
      return best;
    }
  }
}

/** The top-level conjuncts of a query (the node itself when it is not an AND). */
function conjuncts(node: QueryNode): QueryNode[] {
  return node.type === 'and' ? node.operands : [node];
}

function networksOf(node: QueryNode): string[] | null {
  if (node.type === 'field' && node.field === 'network') return [node.value];
  if (node.type === 'or' && node.operands.every((o) => o.type === 'field' && o.field === 'network')) {
    return [...new Set(node.operands.map((o) => (o as { value: string }).value))];
  }
  return null;
}

/** What to search for a query, or null when it has nothing searchable. */
export function searchPlan(ast: QueryNode): SearchPlan | null {
  const terms = coveringTerms(ast);
  if (!terms || terms.length === 0) return null;
  let lang: string | null = null;
  let networks: string[] | null = null;
  for (const c of conjuncts(ast)) {
    if (c.type === 'field' && c.field === 'lang') lang ??= c.value;
    const n = networksOf(c);
    if (n) networks = networks ? networks.filter((x) => n.includes(x)) : n;
  }
  return { terms: terms.slice(0, maxSearchTerms), lang, networks };
}
