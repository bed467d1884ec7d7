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
import type { Token } from './tokenize';

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

/** The dense inputs for a lexicon score: bias, lex, lex·|lex|, |lex|. */
export function denseInputs(lex: number): [number, number, number, number] {
  return [1, lex, lex * Math.abs(lex), Math.abs(lex)];
}

/**
 * p(positive) − p(negative) for a message's feature keys and lexicon score, in [−1, 1]. Keys the
 * classifier does not know (pruned or unseen) add nothing.
 */
export function classifierPolarity(c: EnglishClassifier, keys: readonly string[], lex: number): number {
  const x = denseInputs(lex);
  let zNeg = 0;
  let zNeu = 0;
  let zPos = 0;
  for (let j = 0; j < 4; j++) {
    const xj = x[j] as number;
    zNeg += (c.dense[0][j] as number) * xj;
    zNeu += (c.dense[1][j] as number) * xj;
    zPos += (c.dense[2][j] as number) * xj;
  }
  for (const k of keys) {
    const w = c.weights.get(k);
    if (w === undefined) continue;
    zNeg += w[0];
    zPos += w[1];
    zNeu -= w[0] + w[1];
  }
  const m = Math.max(zNeg, zNeu, zPos);
  const eNeg = Math.exp(zNeg - m);
  const eNeu = Math.exp(zNeu - m);
  const ePos = Math.exp(zPos - m);
  return (ePos - eNeg) / (eNeg + eNeu + ePos);
}
