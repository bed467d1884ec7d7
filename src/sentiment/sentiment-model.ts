/**
 * The data the sentiment engine scores with: per-language lexicons (shipped AFINN lists, the Russian
 * stem lexicon derived from OpenSentimentCorpus, hand-written seeds), emoticons, emoji and the
 * per-language label thresholds. Loaded once from src/sentiment/resources (never from ../shared) and
 * immutable: workspace corrections produce a new model (see corrections.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMOJI_VALENCE } from './emoji-polarity';
import { parseEnglishClassifier, type EnglishClassifier, type EnglishClassifierFile } from './english-classifier';
import { LANGUAGE_RULES, type DetectedLanguage, type SentimentLanguage } from './language-rules';
import { stemRussian } from './russian-stemmer';

/** Word lists of one language. */
export interface Lexicon {
  /** Surface form (lower case) → valence. */
  words: ReadonlyMap<string, number>;
  /** Light stem → valence, consulted when the surface form is unknown. */
  stems: ReadonlyMap<string, number>;
  /** Multi-word entries ("does not work") keyed by their words joined with a space. */
  phrases: ReadonlyMap<string, number>;
}

/** Label cut-offs on the score in [-1, 1]: positive when ≥ `positive`, negative when ≤ `negative`. */
export interface Thresholds {
  positive: number;
  negative: number;
}

/** Everything the engine needs; build with {@link loadDefaultModel}. */
export interface SentimentModel {
  lexicons: Readonly<Record<SentimentLanguage, Lexicon>>;
  emoticons: ReadonlyMap<string, number>;
  emoji: ReadonlyMap<string, number>;
  thresholds: Readonly<Record<DetectedLanguage, Thresholds>>;
  /** Exact-message labels from corrections (key: {@link messageKey}). */
  overrides: ReadonlyMap<string, 'negative' | 'neutral' | 'positive'>;
  /**
   * The trained English classifier: score = blend · (p(positive) − p(negative)) + (1 − blend) ·
   * lexicon score, cut into labels with its own thresholds. Null scores English by the lexicon alone
   * with `thresholds.en`.
   */
  english: { classifier: EnglishClassifier; blend: number; thresholds: Thresholds } | null;
  /**
   * Words (and their stems) whose valence a workspace correction set, per language. An English
   * message containing one is scored by the corrected lexicon alone: the relabel is more specific
   * evidence than weights learned from other people's data.
   */
  correctedTerms?: Partial<Record<SentimentLanguage, { words: ReadonlySet<string>; stems: ReadonlySet<string> }>>;
}

// Light suffix lists, longest first: the first one a word ends with is the longest, which is what
// replacing /(…|…)$/ removes (the leftmost match of an end-anchored alternation).
const SV_SUFFIXES = byLength(['arna', 'orna', 'erna', 'ande', 'ende', 'heten', 'het', 'ens', 'ast', 'are', 'na', 'en', 'et', 'ar', 'or', 'er', 'a', 't', 'e']);
// English: enough to map "loves", "loved", "loving", "lovely" onto one key.
const EN_SUFFIXES = byLength(['ingly', 'edly', 'ing', 'ies', 'ied', 'ed', 'es', 'ly', 's', 'e', 'y']);

function byLength(list: string[]): string[] {
  return [...list].sort((a, b) => b.length - a.length);
}

function stripSuffix(word: string, suffixes: readonly string[]): string {
  for (const s of suffixes) if (word.endsWith(s)) return word.slice(0, word.length - s.length);
  return word;
}

/** Reduces a word to the key the language's stem index uses. */
export function stemFor(lang: SentimentLanguage, word: string): string {
  if (lang === 'ru') return stemRussian(word);
  if (lang === 'sv') return word.length > 5 ? stripSuffix(word, SV_SUFFIXES) : word;
  return word.length > 4 ? stripSuffix(word, EN_SUFFIXES) : word;
}

/** The key under which a corrected message's label is remembered: case, spacing and links ignored. */
export function messageKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/(?:https?:\/\/|www\.)\S+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// A path, not `new URL(…, import.meta.url)`: Vite rewrites the latter into an asset URL when the web
// app's jsdom tests import server code that labels sentiment.
const resourceDir = join(dirname(fileURLToPath(import.meta.url)), 'resources');

function resource(name: string): string {
  return readFileSync(join(resourceDir, name), 'utf8');
}

/** Parses an AFINN tab-separated list ("word\tvalence" per line). */
export function parseAfinn(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab <= 0) continue;
    const value = Number(line.slice(tab + 1));
    if (Number.isFinite(value)) map.set(line.slice(0, tab).trim().toLowerCase(), value);
  }
  return map;
}

/** Builds a lexicon from surface-form entries (later sources override earlier ones) and stem entries. */
export function buildLexicon(lang: SentimentLanguage, sources: Array<Map<string, number> | Record<string, number>>, stemEntries: Record<string, number> = {}): Lexicon {
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  for (const source of sources) {
    for (const [w, v] of source instanceof Map ? source : Object.entries(source)) {
      if (w.includes(' ')) phrases.set(w, v);
      else words.set(w, v);
    }
  }
  // Stems from surface forms first: where forms disagree, the mean keeps the stem's sign honest.
  const sums = new Map<string, { sum: number; n: number }>();
  for (const [w, v] of words) {
    const s = stemFor(lang, w);
    const acc = sums.get(s) ?? { sum: 0, n: 0 };
    acc.sum += v;
    acc.n++;
    sums.set(s, acc);
  }
  const stems = new Map<string, number>();
  for (const [s, v] of Object.entries(stemEntries)) stems.set(s, v);
  // Hand/AFINN forms outrank corpus-derived stems: they were judged by people, not estimated.
  for (const [s, { sum, n }] of sums) stems.set(s, sum / n);
  return { words, stems, phrases };
}

/**
 * A copy of `base` in which `terms` (lower-case word → valence) replace the lexicon's entries, for the
 * surface form and its stem, so inflected forms follow a correction too.
 */
export function buildLexiconOverlay(lang: SentimentLanguage, base: Lexicon, terms: Record<string, number>): Lexicon {
  const words = new Map(base.words);
  const stems = new Map(base.stems);
  for (const [w, v] of Object.entries(terms)) {
    words.set(w, v);
    stems.set(stemFor(lang, w), v);
  }
  return { words, stems, phrases: base.phrases };
}

let cached: SentimentModel | null = null;
let cachedLexiconOnly: SentimentModel | null = null;

/**
 * The shipped model without the English classifier: what the classifier was trained on top of
 * (scripts/train-sentiment-en.ts) and what a message with a corrected English word is scored by.
 */
export function loadLexiconModel(): SentimentModel {
  if (cachedLexiconOnly) return cachedLexiconOnly;
  const ruLexicon = JSON.parse(resource('ru-osc-lexicon.json')) as { stems: Record<string, number> };
  const emoticons = parseAfinn(resource('AFINN-emoticon-8.txt'));
  emoticons.set('))', 2);
  emoticons.set('((', -2);
  // Single unpaired brackets (see tokenize.ts): a lighter smile or frown than "))" / "((".
  emoticons.set(')', 1.5);
  emoticons.set('(', -1.5);
  for (const [k, v] of [...emoticons]) {
    // AFINN lists ":D" and ":P" only in capitals; lower-case tokens must find them too.
    emoticons.set(k.toLowerCase(), v);
    emoticons.set(k, v);
  }
  cachedLexiconOnly = {
    lexicons: {
      en: buildLexicon('en', [parseAfinn(resource('AFINN-en-165.txt')), LANGUAGE_RULES.en.seeds]),
      sv: buildLexicon('sv', [parseAfinn(resource('AFINN-sv-165.txt')), LANGUAGE_RULES.sv.seeds]),
      ru: buildLexicon('ru', [LANGUAGE_RULES.ru.seeds], ruLexicon.stems),
    },
    emoticons,
    emoji: EMOJI_VALENCE,
    // Picked on the even-numbered rows of the evaluation sets (the issue allows tuning thresholds on
    // them); bench/sentiment reports the odd-numbered rows separately. Positive needs more evidence than
    // negative: friendly words are everyday filler in comments, complaints are not.
    thresholds: {
      en: { positive: 0.4, negative: -0.5 },
      ru: { positive: 0.6, negative: -0.25 },
      sv: { positive: 0.7, negative: -0.15 },
      und: { positive: 0.5, negative: -0.3 },
    },
    overrides: new Map(),
    english: null,
  };
  return cachedLexiconOnly;
}

/** The model Herald ships, loaded from src/sentiment/resources once per process. */
export function loadDefaultModel(): SentimentModel {
  if (cached) return cached;
  const file = JSON.parse(resource(ENGLISH_CLASSIFIER_FILE)) as EnglishClassifierFile;
  cached = { ...loadLexiconModel(), english: { classifier: parseEnglishClassifier(file), ...ENGLISH_BLEND } };
  return cached;
}

/**
 * How the English classifier's polarity and the lexicon score are blended, and where the blended score
 * is cut into labels: picked on the even-numbered rows of TweetEval's validation set (evaluation-only
 * data; the issue allows tuning thresholds on it, never training), reported on the odd rows.
 */
export const ENGLISH_BLEND: { blend: number; thresholds: Thresholds } = { blend: 0.7, thresholds: { positive: 0.35, negative: -0.5 } };

/** The English classifier's weights file in resources/ (generated by scripts/train-sentiment-en.ts). */
export const ENGLISH_CLASSIFIER_FILE = 'en-classifier.json';
