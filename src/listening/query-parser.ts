/**
 * The listening query language, parsed into a typed AST.
 *
 * Syntax (operators are upper-case so that "and", "or", "not" stay searchable words):
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := unary ( ["AND"] unary )*        two terms side by side mean AND
 *   unary   := "NOT" unary | "-" primary | primary
 *   primary := "(" or ")" | "\"exact phrase\"" | field ":" value | word | word"*"
 *   field   := lang | network | from | kind
 *
 * - Precedence: NOT binds tighter than AND, AND tighter than OR: `a OR b c` is `a OR (b AND c)`.
 * - `-word` (a minus glued to the term) is NOT; `a-b` inside a word is not an operator.
 * - Words match whole words, case-insensitively, in any script (Cyrillic, Swedish å/ä/ö are letters
 *   of their own: `år` never matches `ar`); `ё` is read as `е`. A trailing `*` matches any word that
 *   begins with the rest (`recens*`). A word with punctuation inside (`e-mail`, `#herald`) means the
 *   words it contains, in order, like a phrase.
 * - `lang:ru` compares the message's language (its primary subtag, `ru-RU` → `ru`); `network:bluesky`
 *   the network id; `from:alice.example` the author's handle (a leading `@` is ignored); `kind:mention`
 *   the message kind (comment, reply, mention, quote, dm).
 * - A query must be able to match something by what it contains: `NOT spam` alone is refused.
 *
 * Errors are `QuerySyntaxError`s naming the column (1-based, in characters) and what was expected.
 */
import { normaliseWord, splitWords } from './text-words';

/** Fields a query can filter on. */
export const queryFields = ['lang', 'network', 'from', 'kind'] as const;
/** A field name. */
export type QueryField = (typeof queryFields)[number];
/** Message kinds `kind:` accepts (the inbox's kinds). */
export const queryKinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const;

/** A node of a parsed query. */
export type QueryNode =
  /** One whole word; `prefix` when written `word*`. */
  | { type: 'word'; value: string; prefix: boolean }
  /** Consecutive words, in order. */
  | { type: 'phrase'; words: string[] }
  | { type: 'field'; field: QueryField; value: string }
  | { type: 'not'; operand: QueryNode }
  | { type: 'and'; operands: QueryNode[] }
  | { type: 'or'; operands: QueryNode[] };

/** Longest query accepted, in characters. */
export const maxQueryLength = 2000;
const maxDepth = 32;
const maxTerms = 200;

/** A query that cannot be parsed: `column` is 1-based; `message` says where and what was expected. */
export class QuerySyntaxError extends Error {
  constructor(
    public readonly column: number,
    public readonly reason: string,
  ) {
    super(`Column ${column}: ${reason}`);
    this.name = 'QuerySyntaxError';
  }
}

type Token =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'end'; col: number; text: string }
  | { kind: 'phrase'; col: number; text: string; value: string }
  | { kind: 'word'; col: number; text: string };

const describe = (t: Token): string => {
  switch (t.kind) {
    case 'end':
      return 'the end of the query';
    case 'phrase':
      return `the phrase "${t.value}"`;
    case 'word':
      return `"${t.text}"`;
    default:
      return `"${t.text}"`;
  }
};

// Opening quote → the quotes that may close it (typographic quotes as keyboards in ru/sv produce them).
const quotePairs: Record<string, string[]> = { '"': ['"', '”'], '“': ['”', '"'], '„': ['“', '”', '"'], '«': ['»'], '”': ['”', '"'] };

/** Splits the query into tokens; columns count code points, as a person counts characters. */
function lex(input: string): Token[] {
  const chars = [...input];
  const out: Token[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
  const isBreak = (c: string | undefined) => c === undefined || isSpace(c) || c === '(' || c === ')' || (c !== undefined && Object.hasOwn(quotePairs, c));
  while (i < chars.length) {
    const c = chars[i]!;
    const col = i + 1;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', col, text: c });
      i++;
      continue;
    }
    const closers = Object.hasOwn(quotePairs, c) ? quotePairs[c] : undefined;
    if (closers) {
      let j = i + 1;
      while (j < chars.length && !closers.includes(chars[j]!)) j++;
      if (j >= chars.length) throw new QuerySyntaxError(col, `the phrase that starts here has no closing quote; expected ${closers[0]}`);
      const value = chars.slice(i + 1, j).join('');
      out.push({ kind: 'phrase', col, text: chars.slice(i, j + 1).join(''), value });
      i = j + 1;
      continue;
    }
    if (c === '-' && i + 1 < chars.length && !isSpace(chars[i + 1]) && chars[i + 1] !== '-' && chars[i + 1] !== ')') {
      out.push({ kind: 'minus', col, text: '-' });
      i++;
      continue;
    }
    if (c === '-' && (i + 1 >= chars.length || isSpace(chars[i + 1]))) {
      throw new QuerySyntaxError(col, 'a minus must be written right before the word it excludes, like -spam');
    }
    let j = i;
    while (j < chars.length && !isBreak(chars[j])) j++;
    const text = chars.slice(i, j).join('');
    if (text === 'AND') out.push({ kind: 'and', col, text });
    else if (text === 'OR') out.push({ kind: 'or', col, text });
    else if (text === 'NOT') out.push({ kind: 'not', col, text });
    else if (text === '&&') out.push({ kind: 'and', col, text });
    else if (text === '||') out.push({ kind: 'or', col, text });
    else out.push({ kind: 'word', col, text });
    i = j;
  }
  out.push({ kind: 'end', col: chars.length + 1, text: '' });
  return out;
}

const expectedTerm = 'a word, a "phrase", a field like lang:ru, NOT or "("';

function fieldValue(field: QueryField, raw: string, col: number): string {
  const valueCol = col + field.length + 1;
  if (raw === '') throw new QuerySyntaxError(valueCol, `expected a value after ${field}:`);
  const v = raw.normalize('NFKC').toLowerCase();
  switch (field) {
    case 'lang':
      if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(v)) throw new QuerySyntaxError(valueCol, `expected a language code after lang:, like lang:ru or lang:sv, found "${raw}"`);
      return v.split('-')[0]!;
    case 'network':
      if (!/^[a-z0-9][a-z0-9_.-]*$/.test(v)) throw new QuerySyntaxError(valueCol, `expected a network id after network:, like network:bluesky, found "${raw}"`);
      return v;
    case 'from': {
      const h = v.replace(/^[@＠]/, '');
      if (h === '' || /[\s]/u.test(h)) throw new QuerySyntaxError(valueCol, `expected an author handle after from:, like from:alice.bsky.social, found "${raw}"`);
      return h;
    }
    case 'kind':
      if (!(queryKinds as readonly string[]).includes(v)) throw new QuerySyntaxError(valueCol, `expected one of ${queryKinds.join(', ')} after kind:, found "${raw}"`);
      return v;
  }
}

function wordNode(text: string, col: number): QueryNode {
  const field = /^([A-Za-z]+):(.*)$/su.exec(text);
  if (field) {
    const name = field[1]!.toLowerCase();
    if ((queryFields as readonly string[]).includes(name)) return { type: 'field', field: name as QueryField, value: fieldValue(name as QueryField, field[2]!, col) };
    throw new QuerySyntaxError(col, `unknown field "${field[1]}:"; expected one of ${queryFields.map((f) => `${f}:`).join(', ')} (put text with a colon in quotes)`);
  }
  const prefix = text.endsWith('*');
  const body = prefix ? text.slice(0, -1) : text;
  const star = body.indexOf('*');
  if (star >= 0) throw new QuerySyntaxError(col + [...body.slice(0, star)].length, 'a * may only end a word (prefix search, like recens*)');
  const words = splitWords(body);
  if (words.length === 0) {
    if (prefix && body === '') throw new QuerySyntaxError(col, 'expected letters before *, like recens*');
    throw new QuerySyntaxError(col, `"${text}" has no letters, digits or emoji to search for`);
  }
  if (prefix) {
    if (words.length > 1) throw new QuerySyntaxError(col, `a prefix search must be one word; "${text}" has ${words.length}`);
    return { type: 'word', value: words[0]!, prefix: true };
  }
  return words.length === 1 ? { type: 'word', value: words[0]!, prefix: false } : { type: 'phrase', words };
}

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  parse(): QueryNode {
    if (this.peek().kind === 'end') throw new QuerySyntaxError(1, `the query is empty; expected ${expectedTerm}`);
    const node = this.or();
    const t = this.peek();
    if (t.kind === 'rparen') throw new QuerySyntaxError(t.col, 'this ")" closes nothing; remove it or add "(" before');
    if (t.kind !== 'end') throw new QuerySyntaxError(t.col, `unexpected ${describe(t)}; expected AND, OR or the end of the query`);
    return node;
  }

  private or(): QueryNode {
    const operands = [this.and()];
    while (this.peek().kind === 'or') {
      this.next();
      operands.push(this.and());
    }
    return flatten('or', operands);
  }

  private startsTerm(t: Token): boolean {
    return t.kind === 'word' || t.kind === 'phrase' || t.kind === 'lparen' || t.kind === 'not' || t.kind === 'minus';
  }

  private and(): QueryNode {
    const operands = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'and') {
        this.next();
        operands.push(this.unary());
      } else if (this.startsTerm(t)) {
        operands.push(this.unary());
      } else break;
    }
    return flatten('and', operands);
  }

  private unary(): QueryNode {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      return this.nested(() => ({ type: 'not', operand: this.unary() }));
    }
    if (t.kind === 'minus') {
      this.next();
      return { type: 'not', operand: this.primary() };
    }
    return this.primary();
  }

  private nested(f: () => QueryNode): QueryNode {
    if (++this.depth > maxDepth) throw new QuerySyntaxError(this.peek().col, `the query nests deeper than ${maxDepth} levels`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private primary(): QueryNode {
    const t = this.next();
    switch (t.kind) {
      case 'lparen': {
        if (this.peek().kind === 'rparen') throw new QuerySyntaxError(this.peek().col, `empty parentheses; expected ${expectedTerm}`);
        const inner = this.nested(() => this.or());
        const close = this.peek();
        if (close.kind !== 'rparen') throw new QuerySyntaxError(close.col, `expected ")" to close the "(" at column ${t.col}, found ${describe(close)}`);
        this.next();
        return inner;
      }
      case 'phrase': {
        this.count(t.col);
        const words = splitWords(t.value);
        if (words.length === 0) throw new QuerySyntaxError(t.col, 'the phrase has no words to search for');
        return words.length === 1 ? { type: 'word', value: words[0]!, prefix: false } : { type: 'phrase', words };
      }
      case 'word':
        this.count(t.col);
        return wordNode(t.text, t.col);
      case 'and':
      case 'or':
        throw new QuerySyntaxError(t.col, `${t.text} needs a term on both sides; expected ${expectedTerm} before it`);
      case 'rparen':
        throw new QuerySyntaxError(t.col, `unexpected ")"; expected ${expectedTerm}`);
      case 'end':
        throw new QuerySyntaxError(t.col, `the query ends too early; expected ${expectedTerm}`);
      case 'not':
      case 'minus':
        throw new QuerySyntaxError(t.col, `expected ${expectedTerm} after the minus`);
    }
  }

  private count(col: number) {
    if (++this.terms > maxTerms) throw new QuerySyntaxError(col, `the query has more than ${maxTerms} terms`);
  }
}

function flatten(type: 'and' | 'or', operands: QueryNode[]): QueryNode {
  if (operands.length === 1) return operands[0]!;
  const out: QueryNode[] = [];
  for (const o of operands) {
    if (o.type === type) out.push(...o.operands);
    else out.push(o);
  }
  return { type, operands: out };
}

/** True when every message the node matches must contain something it names (not only absences). */
function positive(node: QueryNode): boolean {
  switch (node.type) {
    case 'word':
    case 'phrase':
    case 'field':
      return true;
    case 'not':
      return false;
    case 'and':
      return node.operands.some(positive);
    case 'or':
      return node.operands.every(positive);
  }
}

/** Parses a query; throws QuerySyntaxError saying where and what was expected. */
export function parseQuery(input: string): QueryNode {
  if ([...input].length > maxQueryLength) throw new QuerySyntaxError(maxQueryLength + 1, `the query is longer than ${maxQueryLength} characters`);
  const ast = new Parser(lex(input)).parse();
  if (!positive(ast)) throw new QuerySyntaxError(1, 'the query only excludes things; add a word, phrase or field that must be present (like brand -spam)');
  return ast;
}

/** Writes an AST back as canonical query text (fully parenthesised where precedence needs it). */
export function formatQuery(node: QueryNode): string {
  const wrap = (n: QueryNode, parent: 'and' | 'or' | 'not') => {
    const s = formatQuery(n);
    const needs = (n.type === 'or' && parent !== 'or') || (n.type === 'and' && parent === 'not');
    return needs ? `(${s})` : s;
  };
  switch (node.type) {
    case 'word':
      return node.prefix ? `${node.value}*` : node.value;
    case 'phrase':
      return `"${node.words.join(' ')}"`;
    case 'field':
      return `${node.field}:${node.value}`;
    case 'not':
      return `NOT ${wrap(node.operand, 'not')}`;
    case 'and':
      return node.operands.map((o) => wrap(o, 'and')).join(' AND ');
    case 'or':
      return node.operands.map((o) => wrap(o, 'or')).join(' OR ');
  }
}

export { normaliseWord };
