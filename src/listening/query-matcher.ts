/**
 * Compiles a parsed listening query into a predicate over a message. A message is prepared once
 * (split into normalised words, a set for whole-word lookups) and then tested against any number of
 * compiled queries, so matching one message against every query of a workspace splits it only once.
 */
import type { QueryNode } from './query-parser';
import { parseQuery } from './query-parser';
import { splitWords } from './text-words';

/** What a query can look at in a message. */
export interface MatchableMessage {
  text: string;
  /** BCP 47 tag or null when unknown; only the primary subtag is compared. */
  lang: string | null;
  network: string;
  authorHandle: string;
  kind: string;
}

/** A message split and normalised for matching. */
export interface PreparedMessage {
  words: readonly string[];
  wordSet: ReadonlySet<string>;
  lang: string | null;
  network: string;
  author: string;
  kind: string;
}

/** A compiled query. */
export type MessagePredicate = (m: PreparedMessage) => boolean;

/** Splits and normalises a message once for any number of predicates. */
export function prepareMessage(m: MatchableMessage): PreparedMessage {
  const words = splitWords(m.text);
  return {
    words,
    wordSet: new Set(words),
    lang: m.lang ? (m.lang.toLowerCase().split(/[-_]/)[0] ?? null) : null,
    network: m.network.toLowerCase(),
    author: m.authorHandle.toLowerCase().replace(/^[@＠]/, ''),
    kind: m.kind.toLowerCase(),
  };
}

function phraseAt(words: readonly string[], phrase: readonly string[], start: number): boolean {
  for (let k = 1; k < phrase.length; k++) if (words[start + k] !== phrase[k]) return false;
  return true;
}

/** Compiles an AST into a predicate. */
export function compileQuery(node: QueryNode): MessagePredicate {
  switch (node.type) {
    case 'word': {
      const v = node.value;
      if (!node.prefix) return (m) => m.wordSet.has(v);
      return (m) => {
        for (const w of m.wordSet) if (w.startsWith(v)) return true;
        return false;
      };
    }
    case 'phrase': {
      const words = node.words;
      const first = words[0]!;
      return (m) => {
        // Every word must be there at all before scanning for the sequence.
        for (const w of words) if (!m.wordSet.has(w)) return false;
        const last = m.words.length - words.length;
        for (let i = 0; i <= last; i++) if (m.words[i] === first && phraseAt(m.words, words, i)) return true;
        return false;
      };
    }
    case 'field': {
      const v = node.value;
      switch (node.field) {
        case 'lang':
          return (m) => m.lang === v;
        case 'network':
          return (m) => m.network === v;
        case 'from':
          return (m) => m.author === v;
        case 'kind':
          return (m) => m.kind === v;
      }
      break;
    }
    case 'not': {
      const inner = compileQuery(node.operand);
      return (m) => !inner(m);
    }
    case 'and': {
      // Cheap field tests first: they reject most messages without touching the words.
      const parts = orderByCost(node.operands).map(compileQuery);
      return (m) => {
        for (const p of parts) if (!p(m)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = orderByCost(node.operands).map(compileQuery);
      return (m) => {
        for (const p of parts) if (p(m)) return true;
        return false;
      };
    }
  }
  throw new Error('unreachable query node');
}

function cost(n: QueryNode): number {
  switch (n.type) {
    case 'field':
      return 0;
    case 'word':
      return n.prefix ? 3 : 1;
    case 'phrase':
      return 2;
    case 'not':
      return cost(n.operand);
    case 'and':
    case 'or':
      return 1 + Math.max(...n.operands.map(cost));
  }
}

function orderByCost(nodes: QueryNode[]): QueryNode[] {
  return [...nodes].sort((a, b) => cost(a) - cost(b));
}

/** Parses and compiles query text in one step (throws QuerySyntaxError). */
export function compileQueryText(text: string): MessagePredicate {
  return compileQuery(parseQuery(text));
}

/** Convenience for one-off checks: does `query` match `message`? */
export function queryMatches(query: string | QueryNode, message: MatchableMessage): boolean {
  return compileQuery(typeof query === 'string' ? parseQuery(query) : query)(prepareMessage(message));
}
