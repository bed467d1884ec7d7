/**
 * Herald's sentiment engine: negative / neutral / positive with a score in [-1, 1] and the detected
 * language, for Russian, English and Swedish. Rule-based over lexicons, in the manner VADER made
 * popular: valences of words, emoji and emoticons, flipped by nearby negators, scaled by intensifiers
 * and ALL CAPS, re-weighted around "but"-clauses and strengthened by exclamation marks; the sum is
 * squashed into [-1, 1] and cut into labels with per-language thresholds.
 *
 * Pure and synchronous (no I/O after the model is loaded), so ingest and the CLI can call it per
 * message at tens of thousands of messages per second.
 */
import { detectLanguage } from './language-detect';
import { CLAUSE_END, isNegator, LANGUAGE_RULES, NEGATION_REACH, RU_ABUSE_ROOTS, RU_ABUSE_VALENCE, type DetectedLanguage, type SentimentLanguage } from './language-rules';
import { classifierPolarity, englishFeatureKeys } from './english-classifier';
import { loadDefaultModel, messageKey, stemFor, type Lexicon, type SentimentModel, type Thresholds } from './sentiment-model';
import { createTokenizer, type Token } from './tokenize';

/** A sentiment label. */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

/** The engine's verdict on one message. */
export interface SentimentResult {
  label: SentimentLabel;
  /** −1 (most negative) … 1 (most positive), three decimals. */
  score: number;
  lang: DetectedLanguage;
}

/** Options for one analysis. */
export interface AnalyzeOptions {
  /** Skip detection and score as this language (e.g. the network told us). */
  lang?: SentimentLanguage;
}

/** A ready-to-use analyser bound to one model. */
export interface SentimentAnalyzer {
  analyze(text: string, options?: AnalyzeOptions): SentimentResult;
  readonly model: SentimentModel;
}

const NEGATION_FACTOR = -0.75;
const CAPS_FACTOR = 1.25;
const EXCLAMATION_STEP = 0.3;
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;
// Same squashing as VADER's normalisation: sum / sqrt(sum² + α).
const ALPHA = 15;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Undoes the escaping that reaches us in network text: HTML entities (`&amp;`, `&#8217;`) and literal
 * JSON-style `\u2019` sequences some APIs and exports leave in. Without this "Don\u2019t" is not a
 * negator and "&gt;&gt;" is letters.
 */
export function decodeEscapes(text: string): string {
  let out = text;
  if (out.includes('\\u')) out = out.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (out.includes('&')) {
    out = out.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
      if (!name.startsWith('#')) return ENTITIES[name] ?? whole;
      const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      // Out-of-range references ("&#99999999;") stay as written: fromCodePoint would throw.
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
  }
  return out;
}

function lookup(lex: Lexicon, lang: SentimentLanguage, word: string): number | undefined {
  const exact = lex.words.get(word);
  if (exact !== undefined) return exact;
  // Elongated words: "sooo goood" → "soo good" → "so god"; try the two-letter squash, then one.
  if (/(\p{L})\1\1/u.test(word)) {
    const two = word.replace(/(\p{L})\1+/gu, '$1$1');
    const v = lex.words.get(two) ?? lex.words.get(word.replace(/(\p{L})\1+/gu, '$1'));
    if (v !== undefined) return v;
  }
  if (word.length < 3) return undefined;
  const stem = lex.stems.get(stemFor(lang, word));
  if (stem !== undefined) return stem;
  return lang === 'ru' && RU_ABUSE_ROOTS.test(word) ? RU_ABUSE_VALENCE : undefined;
}

interface Scored {
  sum: number;
  hits: number;
  /**
   * True when a context rule decided a valence: a negator flipped a word, a "but" clause re-weighted
   * the message, a multi-word idiom matched, or "like" was read as a preposition. The English classifier
   * (a bag of words) defers to these hand-written rules where they apply.
   */
  ruled: boolean;
}

/** Sums the valences of a message's tokens as `lang`. */
function scoreTokens(tokens: readonly Token[], lang: SentimentLanguage, model: SentimentModel): Scored {
  const lex = model.lexicons[lang];
  const rules = LANGUAGE_RULES[lang];
  const mixedCase = tokens.some((t) => t.kind === 'word' && !t.caps);
  let lastContrast = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'word' && rules.contrast.has(t.norm) && i > 0) lastContrast = i;
  }
  let sum = 0;
  let hits = 0;
  let ruled = false;
  let exclamations = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    let v: number | undefined;
    let span = 1;
    if (t.kind === 'word') {
      // Multi-word entries first ("does not work", "can't stand"): they already include their negation.
      const n1 = tokens[i + 1];
      const n2 = tokens[i + 2];
      if (lex.phrases.size > 0 && n1?.kind === 'word') {
        const two = `${t.norm} ${n1.norm}`;
        const three = n2?.kind === 'word' ? `${two} ${n2.norm}` : '';
        const p3 = three ? lex.phrases.get(three) : undefined;
        const p2 = p3 === undefined ? lex.phrases.get(two) : undefined;
        if (p3 !== undefined) {
          v = p3;
          span = 3;
          ruled = true;
        } else if (p2 !== undefined) {
          v = p2;
          span = 2;
          ruled = true;
        }
      }
      if (v === undefined) {
        if (rules.boosters.has(t.norm) && n1?.kind === 'word' && lookup(lex, lang, n1.norm) !== undefined) {
          // A degree word before a sentiment word only scales it ("pretty bad", "super slow"): its own
          // lexicon valence ("pretty" +1, "super" +3) would pull against the word it modifies.
          v = undefined;
        } else if (rules.negators.has(t.norm) || rules.boosters.has(t.norm) || rules.stopwords.has(t.norm)) {
          v = lex.words.get(t.norm);
        } else {
          v = lookup(lex, lang, t.norm);
        }
        if (v !== undefined && rules.verbOnly.has(t.norm)) {
          // "like" is a verb of liking only after a subject or auxiliary ("I like", "would like");
          // elsewhere it is a preposition or filler ("like I said", "looks like rain").
          const prev = tokens[i - 1];
          if (!(prev?.kind === 'word' && rules.likeSubjects.has(prev.norm))) {
            v = undefined;
            ruled = true;
          }
        }
      }
      if (v === undefined || v === 0) continue;
      if (t.caps && mixedCase) v *= CAPS_FACTOR;
      // Intensifiers and softeners right before the word.
      const prev = tokens[i - 1];
      if (prev?.kind === 'word') {
        const b = rules.boosters.get(prev.norm);
        if (b !== undefined) v *= b;
      }
      // Negation within reach, not across a clause mark.
      for (let j = i - 1; j >= 0 && j >= i - NEGATION_REACH; j--) {
        const p = tokens[j] as Token;
        if (p.kind === 'punct' && CLAUSE_END.has(p.norm)) break;
        if (p.kind === 'word' && isNegator(lang, p.norm)) {
          v *= NEGATION_FACTOR;
          ruled = true;
          break;
        }
      }
    } else if (t.kind === 'emoji') {
      v = model.emoji.get(t.norm);
    } else if (t.kind === 'emoticon') {
      v = model.emoticons.get(t.norm) ?? model.emoticons.get(t.norm.toLowerCase());
    } else if (t.norm === '!') {
      exclamations++;
    }
    if (v === undefined || v === 0) continue;
    if (lastContrast > 0) {
      v *= i < lastContrast ? CONTRAST_BEFORE : CONTRAST_AFTER;
      ruled = true;
    }
    sum += v;
    hits++;
    i += span - 1;
  }
  if (sum !== 0 && exclamations > 0) sum += Math.sign(sum) * EXCLAMATION_STEP * Math.min(exclamations, 4);
  return { sum, hits, ruled };
}

/** Squashes a valence sum into [−1, 1] (VADER's normalisation). */
function squash(sum: number): number {
  return sum / Math.sqrt(sum * sum + ALPHA);
}

/** What the English classifier reads for a message: its feature keys and the lexicon score. */
export interface EnglishInputs {
  keys: string[];
  /** The lexicon engine's English score in [−1, 1], unrounded. */
  lex: number;
}

/**
 * Builds the English classifier's inputs for a message exactly as the analyser does: the training
 * script (scripts/train-sentiment-en.ts) calls this with the lexicon-only model, so training and
 * scoring share one code path.
 */
export function createEnglishInputs(model: SentimentModel): (text: string) => EnglishInputs {
  const tokenize = createTokenizer(model.emoticons.keys());
  return (text) => {
    const decoded = decodeEscapes(text);
    const tokens = tokenize(decoded);
    return { keys: englishFeatureKeys(tokens, decoded, model.lexicons.en.words), lex: squash(scoreTokens(tokens, 'en', model).sum) };
  };
}

/** True when a token is a word whose English valence a workspace correction set. */
function mentionsCorrectedTerm(tokens: readonly Token[], model: SentimentModel): boolean {
  const corrected = model.correctedTerms?.en;
  if (!corrected || corrected.words.size === 0) return false;
  for (const t of tokens) {
    if (t.kind === 'word' && (corrected.words.has(t.norm) || corrected.stems.has(stemFor('en', t.norm)))) return true;
  }
  return false;
}

/** Builds an analyser over `model` (the shipped one by default). */
export function createSentimentAnalyzer(model: SentimentModel = loadDefaultModel()): SentimentAnalyzer {
  const tokenize = createTokenizer(model.emoticons.keys());
  const known = {
    en: (w: string) => model.lexicons.en.words.has(w),
    sv: (w: string) => model.lexicons.sv.words.has(w),
  };
  return {
    model,
    analyze(text: string, options: AnalyzeOptions = {}): SentimentResult {
      const decoded = decodeEscapes(text);
      const tokens = tokenize(decoded);
      const lang: DetectedLanguage = options.lang ?? detectLanguage(tokens, known);
      let scored: Scored;
      if (lang === 'und') {
        // Unknown language: the lexicon that recognises most of the message decides (emoji count in all).
        scored = { sum: 0, hits: -1, ruled: false };
        for (const l of ['en', 'ru', 'sv'] as const) {
          const s = scoreTokens(tokens, l, model);
          if (s.hits > scored.hits) scored = s;
        }
      } else {
        scored = scoreTokens(tokens, lang, model);
      }
      let raw = squash(scored.sum);
      let t: Thresholds = model.thresholds[lang];
      if (lang === 'en' && model.english && !scored.ruled && !mentionsCorrectedTerm(tokens, model)) {
        // The trained classifier, blended with the lexicon score it also reads as an input. Where a
        // context rule decided the lexicon score, or a workspace relabel changed a word, the lexicon
        // alone speaks: both are more specific than weights learned from other people's data.
        const { classifier, blend, thresholds } = model.english;
        const polarity = classifierPolarity(classifier, englishFeatureKeys(tokens, decoded, model.lexicons.en.words), raw);
        raw = blend * polarity + (1 - blend) * raw;
        t = thresholds;
      }
      const score = Math.round(raw * 1000) / 1000;
      const override = model.overrides.size > 0 ? model.overrides.get(messageKey(text)) : undefined;
      const label: SentimentLabel = override ?? (score >= t.positive ? 'positive' : score <= t.negative ? 'negative' : 'neutral');
      // A relabelled message keeps a score that agrees with its label (filters use both).
      let final = score;
      if (override === 'positive' && score < t.positive) final = t.positive;
      else if (override === 'negative' && score > t.negative) final = t.negative;
      else if (override === 'neutral' && (score >= t.positive || score <= t.negative)) final = 0;
      return { label, score: Object.is(final, -0) ? 0 : final, lang };
    },
  };
}
