/**
 * Herald's English classifier: a multinomial logistic regression (negative / neutral / positive) over
 * lower-cased word unigrams (negation-marked), word bigrams, emoji, emoticons, a few style marks and
 * the lexicon engine's own score. It is trained offline by `scripts/train-sentiment-en.ts` on
 * permissively licensed data only (VADER ground truth, MIT; UCI labelled sentences, CC BY 4.0; see
 * resources/NOTICE.md) and shipped as resources/en-classifier.json; the engine blends its polarity
 * with the lexicon score (the blend weight and label cut-offs are in sentiment-model.ts: they were
 * picked on evaluation data, which the training script never reads).
 *
 * The feature extraction lives here, not in the training script, so training and scoring cannot drift
 * apart: both call {@link englishFeatureKeys} on the same tokens.
 */
import { CLAUSE_END, isNegator, NEGATION_REACH } from './language-rules';
import { KIND_PUNCT, KIND_WORD, mayRepeatLetter, type Token } from './tokenize';

/** The shipped weights file (resources/en-classifier.json). */
export interface EnglishClassifierFile {
  /** What the file is and where it came from (kept in the file so it travels with it). */
  about: string;
  /** Dense inputs' weights per class (negative, neutral, positive): bias, lex, lex·|lex|, |lex|. */
  dense: [number[], number[], number[]];
  /**
   * Per feature key: [negative, positive] weights; the neutral weight is −(negative + positive) because
   * each feature's three weights were centred (softmax does not change when a constant is added to all).
   */
  features: Record<string, [number, number]>;
}

/** The classifier, ready to score. */
export interface EnglishClassifier {
  dense: readonly [readonly number[], readonly number[], readonly number[]];
  weights: ReadonlyMap<string, readonly [number, number]>;
}

/** Builds the in-memory classifier from its file contents. */
export function parseEnglishClassifier(file: EnglishClassifierFile): EnglishClassifier {
  return { dense: file.dense, weights: new Map(Object.entries(file.features)) };
}

const FIRST_PERSON = new Set(['i', "i'm", 'im', 'me', 'my', 'mine', 'myself']);
const SECOND_PERSON = new Set(['you', 'your', 'u', 'ur']);
const ENDS_WITH_ELLIPSIS = /(?:\.\.\.|…)\s*$/;
const ELONGATED = /(\p{L})\1\1/u;
const DIGIT = /\d/;

/**
 * The classifier's sparse features for one message: its distinct keys. `text` is the decoded message
 * (style marks such as a trailing "…" of a truncated headline are read from it); `lexiconWords` tells
 * which words the lexicon knows and with which sign.
 */
export function englishFeatureKeys(tokens: readonly Token[], text: string, lexiconWords: ReadonlyMap<string, number>): string[] {
  const keys = new Set<string>();
  let negLeft = 0;
  let prev = '';
  let words = 0;
  let caps = 0;
  let positives = 0;
  let negatives = 0;
  let firstPerson = false;
  let secondPerson = false;
  let elongated = false;
  let via = false;
  for (const t of tokens) {
    if (t.kind === 'punct') {
      if (CLAUSE_END.has(t.norm)) negLeft = 0;
      if (t.norm === '!' || t.norm === '?') keys.add(t.norm);
      prev = '';
      continue;
    }
    if (t.kind !== 'word') {
      keys.add(t.norm);
      prev = '';
      continue;
    }
    const w = t.norm;
    words++;
    if (t.caps) caps++;
    const negated = negLeft > 0;
    keys.add(negated ? `¬${w}` : w);
    if (prev) keys.add(`${prev}+${w}`); // "+" joins a word pair (no word token contains it)
    prev = w;
    if (isNegator('en', w)) negLeft = NEGATION_REACH;
    else if (negLeft > 0) negLeft--;
    // Lexicon words by sign, flipped under a negator ("not bad" counts as positive evidence).
    const v = (lexiconWords.get(w) ?? 0) * (negated ? -1 : 1);
    if (v > 0) positives++;
    else if (v < 0) negatives++;
    if (FIRST_PERSON.has(w)) firstPerson = true;
    if (SECOND_PERSON.has(w)) secondPerson = true;
    if (w === 'via') via = true;
    if (!elongated && ELONGATED.test(w)) elongated = true;
  }
  // Style marks: whether a message reads like a truncated headline, talks about oneself or to
  // someone, shouts, and how many lexicon words of each sign it has.
  if (ENDS_WITH_ELLIPSIS.test(text)) keys.add('§ellipsis_end');
  if (via) keys.add('§via');
  if (firstPerson) keys.add('§first');
  if (secondPerson) keys.add('§second');
  if (caps >= 2) keys.add('§caps');
  if (elongated) keys.add('§elong');
  if (DIGIT.test(text)) keys.add('§digit');
  if (words > 25) keys.add('§long');
  else if (words < 8) keys.add('§short');
  keys.add(`§pos${Math.min(positives, 3)}`);
  keys.add(`§neg${Math.min(negatives, 3)}`);
  return [...keys];
}

/** What {@link englishFeatureIds} needs to know about one word; computed once per word and kept. */
export interface EnglishWordFeatures {
  /** Number of the word's key, or −1. */
  enKey: number;
  /** Number of its negated key ("¬w"), or −1. */
  enNegatedKey: number;
  /** Pairs starting with this word: second word's number (see `enSecond`) → key number. */
  enPairs: ReadonlyMap<number, number> | null;
  /** This word's number as the second word of a pair, or −1 when no pair ends with it. */
  enSecond: number;
  /** Lexicon valence (0 when unknown). */
  enValence: number;
  /** EN_* bits. */
  enFlags: number;
}

/** A negator (the next words are marked "¬"). */
const EN_NEGATOR = 1;
const EN_FIRST_PERSON = 2;
const EN_SECOND_PERSON = 4;
const EN_VIA = 8;
const EN_ELONGATED = 16;

/** Reads one word's classifier features (see {@link englishFeatureKeys}, whose rules these mirror). */
export function englishWordFeatures(ix: ClassifierIndex, w: string, lexiconWords: ReadonlyMap<string, number>): EnglishWordFeatures {
  return readEnglishWordFeatures(ix, w, lexiconWords.get(w) ?? 0, { enKey: -1, enNegatedKey: -1, enPairs: null, enSecond: -1, enValence: 0, enFlags: 0 });
}

/**
 * {@link englishWordFeatures} written into `into` (the engine keeps them in its word entry); `valence` is
 * the word's entry in the English lexicon, 0 when it has none.
 */
export function readEnglishWordFeatures<T extends EnglishWordFeatures>(ix: ClassifierIndex, w: string, valence: number, into: T): T {
  const keys = ix.words.get(w);
  into.enKey = keys?.plain ?? -1;
  into.enNegatedKey = keys?.negated ?? -1;
  into.enPairs = keys?.pairs ?? null;
  into.enSecond = keys?.second ?? -1;
  into.enValence = valence;
  into.enFlags =
    (isNegator('en', w) ? EN_NEGATOR : 0) |
    (FIRST_PERSON.has(w) ? EN_FIRST_PERSON : 0) |
    (SECOND_PERSON.has(w) ? EN_SECOND_PERSON : 0) |
    (w === 'via' ? EN_VIA : 0) |
    (mayRepeatLetter(w) && ELONGATED.test(w) ? EN_ELONGATED : 0);
  return into;
}

/** A word's own keys: its plain and negated ("¬w") key and the pairs ("w+x") it starts or ends. */
export interface WordKeys {
  plain: number;
  negated: number;
  /** Pairs starting with the word: second word's number → key number. */
  pairs: Map<number, number> | null;
  /** The word's number as a second word (−1: no pair ends with it). */
  second: number;
}

/** Reusable scratch space for {@link englishFeatureIds}. */
export class FeatureScratch {
  ids = new Int32Array(256);
  private seen: Uint32Array;
  private generation = 0;

  constructor(size: number) {
    this.seen = new Uint32Array(size);
  }

  /** Starts a new message: every key is unseen again. */
  reset(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.generation = 1;
    }
  }

  /** Appends `id` at position `n` unless it is −1 or already there; returns the new count. */
  add(id: number, n: number): number {
    if (id < 0 || this.seen[id] === this.generation) return n;
    this.seen[id] = this.generation;
    if (n === this.ids.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[n] = id;
    return n + 1;
  }
}

/** Whether a text ends with "..." or "…" and then only whitespace (ENDS_WITH_ELLIPSIS without a scan). */
function endsWithEllipsis(text: string): boolean {
  let end = text.length;
  while (end > 0 && isJsWhitespace(text.charCodeAt(end - 1))) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x2026) return true;
  return end >= 3 && text.charCodeAt(end - 1) === 0x2e && text.charCodeAt(end - 2) === 0x2e && text.charCodeAt(end - 3) === 0x2e;
}

/** The characters `\s` matches in a JavaScript regular expression. */
function isJsWhitespace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hasAsciiDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}

/**
 * {@link englishFeatureKeys} as numbers of the keys the classifier knows, written to `scratch.ids` in
 * the order the keys are first produced; returns how many. Same rules over the engine's token buffer:
 * `words[k]` are the features of token k when it is a word.
 */
export function englishFeatureIds(
  ix: ClassifierIndex,
  kinds: ArrayLike<number>,
  norms: readonly string[],
  caps: ArrayLike<number>,
  words: ReadonlyArray<EnglishWordFeatures | null>,
  count: number,
  text: string,
  scratch: FeatureScratch,
): number {
  scratch.reset();
  const marks = ix.marks;
  let n = 0;
  let negLeft = 0;
  let prev: EnglishWordFeatures | null = null;
  let wordCount = 0;
  let capsCount = 0;
  let positives = 0;
  let negatives = 0;
  let firstPerson = false;
  let secondPerson = false;
  let elongated = false;
  let via = false;
  for (let k = 0; k < count; k++) {
    const kind = kinds[k] as number;
    if (kind === KIND_PUNCT) {
      const p = norms[k] as string;
      if (CLAUSE_END.has(p)) negLeft = 0;
      if (p === '!') n = scratch.add(marks.bang, n);
      else if (p === '?') n = scratch.add(marks.question, n);
      prev = null;
      continue;
    }
    if (kind !== KIND_WORD) {
      n = scratch.add(ix.ids.get(norms[k] as string) ?? -1, n);
      prev = null;
      continue;
    }
    const f = words[k] as EnglishWordFeatures;
    wordCount++;
    if (caps[k] === 1) capsCount++;
    const negated = negLeft > 0;
    n = scratch.add(negated ? f.enNegatedKey : f.enKey, n);
    if (prev !== null && prev.enPairs !== null && f.enSecond >= 0) n = scratch.add(prev.enPairs.get(f.enSecond) ?? -1, n);
    prev = f;
    const flags = f.enFlags;
    if ((flags & EN_NEGATOR) !== 0) negLeft = NEGATION_REACH;
    else if (negLeft > 0) negLeft--;
    const v = f.enValence * (negated ? -1 : 1);
    if (v > 0) positives++;
    else if (v < 0) negatives++;
    if ((flags & EN_FIRST_PERSON) !== 0) firstPerson = true;
    if ((flags & EN_SECOND_PERSON) !== 0) secondPerson = true;
    if ((flags & EN_VIA) !== 0) via = true;
    if ((flags & EN_ELONGATED) !== 0) elongated = true;
  }
  if (endsWithEllipsis(text)) n = scratch.add(marks.ellipsisEnd, n);
  if (via) n = scratch.add(marks.via, n);
  if (firstPerson) n = scratch.add(marks.first, n);
  if (secondPerson) n = scratch.add(marks.second, n);
  if (capsCount >= 2) n = scratch.add(marks.caps, n);
  if (elongated) n = scratch.add(marks.elong, n);
  if (hasAsciiDigit(text)) n = scratch.add(marks.digit, n);
  if (wordCount > 25) n = scratch.add(marks.long, n);
  else if (wordCount < 8) n = scratch.add(marks.short, n);
  n = scratch.add(marks.pos[Math.min(positives, 3)] as number, n);
  n = scratch.add(marks.neg[Math.min(negatives, 3)] as number, n);
  return n;
}

/** The dense inputs for a lexicon score: bias, lex, lex·|lex|, |lex|. */
export function denseInputs(lex: number): [number, number, number, number] {
  return [1, lex, lex * Math.abs(lex), Math.abs(lex)];
}

/**
 * p(positive) − p(negative) for a message's feature keys and lexicon score, in [−1, 1]. Keys the
 * classifier does not know (pruned or unseen) add nothing.
 */
export function classifierPolarity(c: EnglishClassifier, keys: readonly string[], lex: number): number {
  const ix = classifierIndex(c);
  const ids: number[] = [];
  for (const k of keys) {
    const id = ix.ids.get(k);
    if (id !== undefined) ids.push(id);
  }
  return polarityOfIds(ix, ids, ids.length, lex);
}

/**
 * The classifier's feature keys numbered, for scoring without building key strings: weights by number,
 * and word pairs as first word → second word's number → key number.
 */
export interface ClassifierIndex {
  classifier: EnglishClassifier;
  /** Feature key → number. */
  ids: ReadonlyMap<string, number>;
  /** Negative-class weight per number. */
  neg: Float64Array;
  /** Positive-class weight per number. */
  pos: Float64Array;
  /**
   * Scratch space for {@link englishFeatureIds}, shared by every analyser of this classifier (scoring
   * is synchronous, so one message at a time uses it); made on first use.
   */
  scratch: FeatureScratch | null;
  /** Per word: the numbers of its keys (one map read per word). */
  words: ReadonlyMap<string, WordKeys>;
  /** Numbers of the punctuation and style-mark keys (−1: not a feature). */
  marks: {
    bang: number;
    question: number;
    ellipsisEnd: number;
    via: number;
    first: number;
    second: number;
    caps: number;
    elong: number;
    digit: number;
    long: number;
    short: number;
    pos: readonly number[];
    neg: readonly number[];
  };
}

const indexes = new WeakMap<EnglishClassifier, ClassifierIndex>();

/** The (cached) {@link ClassifierIndex} of a classifier. */
export function classifierIndex(c: EnglishClassifier): ClassifierIndex {
  let ix = indexes.get(c);
  if (ix) return ix;
  const ids = new Map<string, number>();
  const neg = new Float64Array(c.weights.size);
  const pos = new Float64Array(c.weights.size);
  const words = new Map<string, WordKeys>();
  let secondCount = 0;
  const wordKeys = (w: string): WordKeys => {
    let k = words.get(w);
    if (!k) words.set(w, (k = { plain: -1, negated: -1, pairs: null, second: -1 }));
    return k;
  };
  for (const [key, w] of c.weights) {
    const id = ids.size;
    ids.set(key, id);
    neg[id] = w[0];
    pos[id] = w[1];
    // Words never contain "+" and never start with "¬": a pair key splits at its first "+" into the two
    // words it was made of, and neither kind is a word's own key.
    const plus = key.indexOf('+');
    if (key.startsWith('¬')) wordKeys(key.slice(1)).negated = id;
    else if (plus < 0) wordKeys(key).plain = id;
    if (plus > 0) {
      const second = wordKeys(key.slice(plus + 1));
      if (second.second < 0) second.second = secondCount++;
      (wordKeys(key.slice(0, plus)).pairs ??= new Map()).set(second.second, id);
    }
  }
  const id = (key: string): number => ids.get(key) ?? -1;
  const marks = {
    bang: id('!'),
    question: id('?'),
    ellipsisEnd: id('§ellipsis_end'),
    via: id('§via'),
    first: id('§first'),
    second: id('§second'),
    caps: id('§caps'),
    elong: id('§elong'),
    digit: id('§digit'),
    long: id('§long'),
    short: id('§short'),
    pos: [0, 1, 2, 3].map((k) => id(`§pos${k}`)),
    neg: [0, 1, 2, 3].map((k) => id(`§neg${k}`)),
  };
  ix = { classifier: c, ids, neg, pos, scratch: null, words, marks };
  indexes.set(c, ix);
  return ix;
}

/**
 * {@link classifierPolarity} for the first `n` numbered keys in `ids` (distinct, in the order the keys
 * were first produced: the sums are then the same floating-point operations in the same order).
 */
export function polarityOfIds(ix: ClassifierIndex, ids: ArrayLike<number>, n: number, lex: number): number {
  const c = ix.classifier;
  // denseInputs(lex) without the array, summed in the same order.
  const abs = Math.abs(lex);
  let zNeg = 0;
  let zNeu = 0;
  let zPos = 0;
  for (let j = 0; j < 4; j++) {
    const xj = j === 0 ? 1 : j === 1 ? lex : j === 2 ? lex * abs : abs;
    zNeg += (c.dense[0][j] as number) * xj;
    zNeu += (c.dense[1][j] as number) * xj;
    zPos += (c.dense[2][j] as number) * xj;
  }
  const negW = ix.neg;
  const posW = ix.pos;
  for (let k = 0; k < n; k++) {
    const id = ids[k] as number;
    const w0 = negW[id] as number;
    const w1 = posW[id] as number;
    zNeg += w0;
    zPos += w1;
    zNeu -= w0 + w1;
  }
  const m = Math.max(zNeg, zNeu, zPos);
  const eNeg = Math.exp(zNeg - m);
  const eNeu = Math.exp(zNeu - m);
  const ePos = Math.exp(zPos - m);
  return (ePos - eNeg) / (eNeg + eNeu + ePos);
}
