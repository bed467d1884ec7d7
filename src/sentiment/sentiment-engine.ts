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
import { LanguageTally, readLanguageEvidence, type KnownWords, type WordLanguageEvidence } from './language-detect';
import { CLAUSE_END, isNegator, LANGUAGE_RULES, NEGATION_REACH, RU_ABUSE_ROOTS, RU_ABUSE_VALENCE, type DetectedLanguage, type SentimentLanguage } from './language-rules';
import {
  classifierIndex,
  englishFeatureIds,
  englishFeatureKeys,
  readEnglishWordFeatures,
  FeatureScratch,
  polarityOfIds,
  type ClassifierIndex,
  type EnglishClassifier,
  type EnglishWordFeatures,
} from './english-classifier';
import { loadDefaultModel, messageKey, stemFor, type Lexicon, type SentimentModel, type Thresholds } from './sentiment-model';
import { createScanner, createTokenizer, KIND_EMOJI, KIND_EMOTICON, KIND_PUNCT, KIND_WORD, mayRepeatLetter, packWord, TokenBuffer, WordTable, type InternedWord } from './tokenize';

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

/** A word's valence in a lexicon; `exact` is the lexicon's entry for the word itself (already read). */
function lookup(lex: Lexicon, lang: SentimentLanguage, word: string, exact: number | undefined): number | undefined {
  if (exact !== undefined) return exact;
  // Elongated words: "sooo goood" → "soo good" → "so god"; try the two-letter squash, then one.
  if (mayRepeatLetter(word) && /(\p{L})\1\1/u.test(word)) {
    const two = word.replace(/(\p{L})\1+/gu, '$1$1');
    const v = lex.words.get(two) ?? lex.words.get(word.replace(/(\p{L})\1+/gu, '$1'));
    if (v !== undefined) return v;
  }
  if (word.length < 3) return undefined;
  const stem = lex.stems.get(stemFor(lang, word));
  if (stem !== undefined) return stem;
  return lang === 'ru' && RU_ABUSE_ROOTS.test(word) ? RU_ABUSE_VALENCE : undefined;
}

/** Multi-word entries by their first word: second word → the pair's valence and the triples it starts. */
type PhraseTree = ReadonlyMap<string, ReadonlyMap<string, { two: number | undefined; three: Map<string, number> | null }>>;

const phraseTrees = new WeakMap<ReadonlyMap<string, number>, PhraseTree>();

/**
 * The phrases of a lexicon as a tree, so the engine looks a pair or triple up without joining words
 * into a key. Words contain no spaces, so a key splits into exactly the words that would form it; keys
 * of other lengths could never be looked up.
 */
function phraseTree(phrases: ReadonlyMap<string, number>): PhraseTree {
  let tree = phraseTrees.get(phrases);
  if (tree) return tree;
  const built = new Map<string, Map<string, { two: number | undefined; three: Map<string, number> | null }>>();
  for (const [key, v] of phrases) {
    const parts = key.split(' ');
    if (parts.length !== 2 && parts.length !== 3) continue;
    const [a, b, c] = parts as [string, string, string | undefined];
    let second = built.get(a);
    if (!second) built.set(a, (second = new Map()));
    let node = second.get(b);
    if (!node) second.set(b, (node = { two: undefined, three: null }));
    if (c === undefined) node.two = v;
    else (node.three ??= new Map()).set(c, v);
  }
  tree = built;
  phraseTrees.set(phrases, tree);
  return tree;
}

const LANG_CODES: readonly SentimentLanguage[] = ['en', 'ru', 'sv'];

// A word's part in each language's rules: bits at 0 (en), 8 (ru) and 16 (sv). The lists are fixed
// (language-rules.ts), so one map read gives a word's flags in all three languages.
const R_BOOSTER = 1;
/** A negator, degree word or function word: only its own lexicon entry counts. */
const R_PLAIN = 2;
const R_NEGATOR = 4;
const R_CONTRAST = 8;
const R_VERB_ONLY = 16;
const R_LIKE_SUBJECT = 32;
const RULE_WORDS: ReadonlyMap<string, number> = (() => {
  const flags = new Map<string, number>();
  const mark = (words: Iterable<string>, bits: number) => {
    for (const w of words) flags.set(w, (flags.get(w) ?? 0) | bits);
  };
  LANG_CODES.forEach((lang, li) => {
    const rules = LANGUAGE_RULES[lang];
    const shift = li * 8;
    mark(rules.stopwords, R_PLAIN << shift);
    mark(rules.negators, (R_PLAIN | R_NEGATOR) << shift);
    mark(rules.boosters.keys(), (R_PLAIN | R_BOOSTER) << shift);
    mark(rules.contrast, R_CONTRAST << shift);
    mark(rules.verbOnly, R_VERB_ONLY << shift);
    mark(rules.likeSubjects, R_LIKE_SUBJECT << shift);
  });
  return flags;
})();

/** Flags of `word` in every language (see R_*): the rule lists, plus "…n't" as an English negator. */
function ruleFlags(word: string): number {
  let flags = RULE_WORDS.get(word) ?? 0;
  if (isNegator('en', word)) flags |= R_NEGATOR;
  return flags;
}

/** Bit of WordEntry.ready: the English classifier's fields are filled. */
const ENGLISH_READY = 1 << 3;
/** Bits of WordEntry.ready: direct0 / direct2 were read (language detection asks the en/sv lexicons). */
const DIRECT_EN = 1 << 4;
const DIRECT_SV = 1 << 5;

type PhraseNode = PhraseTree extends ReadonlyMap<string, infer N> ? N : never;

/**
 * What an analyser remembers about one word (lower-case form): its language evidence and rule flags
 * (fixed), and per language its lexicon valences and the phrases it starts (read on first use). One
 * flat object, so a cached word costs one memory read or two.
 */
class WordEntry implements WordLanguageEvidence, EnglishWordFeatures, InternedWord {
  // Declared in the order the hot paths read them: the word, its flags, then its evidence.
  norm: string;
  // The word packed for the scanner's comparison (see InternedWord).
  packedLength = -1;
  p0 = 0;
  p1 = 0;
  p2 = 0;
  p3 = 0;
  hash: number;
  /** R_* bits per language. */
  flags: number;
  /** The last message (Engine.message) that read this entry: an entry in use is never recycled. */
  message = 0;
  /** Bit li set: the lexicon fields of language li are filled. */
  ready = 0;
  script: 0 | 1 | 2 = 0;
  ukBe = false;
  ru = false;
  en = 0;
  sv = 0;
  de = false;
  foreign = false;
  /** The lexicon's entry for the surface form, per language. */
  direct0: number | undefined = undefined;
  /** {@link lookup} (surface form, squashed elongation, stem, Russian abuse root), per language. */
  valence0: number | undefined = undefined;
  /** Phrases starting with this word, per language. */
  phrases0: PhraseNode | null = null;
  // The English classifier's view (filled on first use, bit ENGLISH_READY of `ready`).
  enKey = -1;
  enNegatedKey = -1;
  enPairs: ReadonlyMap<number, number> | null = null;
  enSecond = -1;
  enValence = 0;
  enFlags = 0;
  direct1: number | undefined = undefined;
  valence1: number | undefined = undefined;
  phrases1: PhraseNode | null = null;
  direct2: number | undefined = undefined;
  valence2: number | undefined = undefined;
  phrases2: PhraseNode | null = null;
  /** 1 when a workspace correction set this word's English valence, 0 if not, −1 not yet known. */
  corrected = -1;

  constructor(norm: string, hash: number) {
    this.norm = norm;
    this.hash = hash;
    packWord(norm, this);
    this.flags = ruleFlags(norm);
  }

  /**
   * Makes this entry one for `norm`, as a new entry would be (the caller then reads its evidence). The
   * table recycles the entry a new word evicts: cached entries live long, and allocating one per new
   * word kept the collector busy.
   */
  reset(norm: string, hash: number): void {
    this.norm = norm;
    this.hash = hash;
    packWord(norm, this);
    this.flags = ruleFlags(norm);
    this.ready = 0;
    this.direct0 = undefined;
    this.valence0 = undefined;
    this.phrases0 = null;
    this.direct1 = undefined;
    this.valence1 = undefined;
    this.phrases1 = null;
    this.direct2 = undefined;
    this.valence2 = undefined;
    this.phrases2 = null;
    this.corrected = -1;
  }
}

/** Totals of one scoring pass (see Engine.score). */
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

/**
 * The engine's working state for one model: the scanner, the token buffer reused between messages and
 * the words seen so far. Messages are analysed one at a time (the engine is synchronous), so one
 * buffer serves them all.
 */
class Engine {
  readonly buffer = new TokenBuffer();
  /** Per token of the buffer: its word's entry (null for other tokens). */
  entries: Array<WordEntry | null> = [];
  private readonly scan: (text: string, out: TokenBuffer) => void;
  /** Words seen so far (the scanner reads the same table). */
  private readonly words = new WordTable<WordEntry>();
  private readonly known: KnownWords;
  private readonly tally = new LanguageTally();
  /** Counts messages read (see WordEntry.message). */
  private message = 0;
  /** The entry whose language evidence is being read (see `known`). */
  private building: WordEntry | null = null;
  private english: { ix: ClassifierIndex; scratch: FeatureScratch } | null = null;
  readonly result: Scored = { sum: 0, hits: 0, ruled: false };

  constructor(readonly model: SentimentModel) {
    // The scanner reads the same table: a word it finds there arrives with its entry.
    this.scan = createScanner(model.emoticons.keys(), this.words);
    // Language detection asks whether the English and Swedish lexicons know a word: the entry being
    // built keeps the answers, which scoring and the classifier read again.
    const enWords = model.lexicons.en.words;
    const svWords = model.lexicons.sv.words;
    this.known = {
      en: (w: string) => {
        const e = this.building as WordEntry;
        e.direct0 = enWords.get(w);
        e.ready |= DIRECT_EN;
        return e.direct0 !== undefined;
      },
      sv: (w: string) => {
        const e = this.building as WordEntry;
        e.direct2 = svWords.get(w);
        e.ready |= DIRECT_SV;
        return e.direct2 !== undefined;
      },
    };
  }

  /** Tokenises `text` into the buffer and looks its words up. */
  read(text: string): void {
    const buf = this.buffer;
    this.scan(text, buf);
    const entries = this.entries;
    const slots = this.words.slots;
    const mask = this.words.mask;
    const kinds = buf.kind;
    const hashes = buf.hash;
    const norms = buf.norm;
    const found = buf.found;
    const message = ++this.message;
    // Entries the scanner found are this message's: mark them first, so no other word of the message
    // recycles one of them.
    for (let k = 0; k < buf.n; k++) {
      const f = found[k];
      if (f !== null && f !== undefined) (f as WordEntry).message = message;
    }
    for (let k = 0; k < buf.n; k++) {
      if (kinds[k] !== KIND_WORD) {
        entries[k] = null;
        continue;
      }
      let e = found[k] as WordEntry | null;
      if (e === null) {
        const norm = norms[k] as string;
        const hash = hashes[k] as number;
        const slot = hash & mask;
        e = slots[slot] as WordEntry | null;
        if (e === null || e.norm !== norm) {
          if (e !== null && e.message !== message) {
            e.reset(norm, hash);
          } else {
            e = new WordEntry(norm, hash);
            slots[slot] = e;
          }
          this.words.noteStored();
          this.building = e;
          readLanguageEvidence(norm, this.known, e);
        }
        e.message = message;
      }
      entries[k] = e;
    }
  }

  /** detectLanguage over the buffer. */
  detect(): DetectedLanguage {
    const tally = this.tally;
    tally.reset();
    const entries = this.entries;
    for (let k = 0; k < this.buffer.n; k++) {
      const e = entries[k];
      if (e) tally.add(e);
    }
    return tally.verdict();
  }

  /** Fills the lexicon fields of language `li` of an entry. */
  private fill(e: WordEntry, li: number): void {
    const lang = LANG_CODES[li] as SentimentLanguage;
    const lex = this.model.lexicons[lang];
    const w = e.norm;
    const direct = li === 0 && (e.ready & DIRECT_EN) !== 0 ? e.direct0 : li === 2 && (e.ready & DIRECT_SV) !== 0 ? e.direct2 : lex.words.get(w);
    const valence = lookup(lex, lang, w, direct);
    const phrases = lex.phrases.size > 0 ? (phraseTree(lex.phrases).get(w) ?? null) : null;
    if (li === 0) {
      e.direct0 = direct;
      e.valence0 = valence;
      e.phrases0 = phrases;
    } else if (li === 1) {
      e.direct1 = direct;
      e.valence1 = valence;
      e.phrases1 = phrases;
    } else {
      e.direct2 = direct;
      e.valence2 = valence;
      e.phrases2 = phrases;
    }
    e.ready |= 1 << li;
  }

  private valenceOf(e: WordEntry, li: number): number | undefined {
    if ((e.ready & (1 << li)) === 0) this.fill(e, li);
    return li === 0 ? e.valence0 : li === 1 ? e.valence1 : e.valence2;
  }

  /** Sums the valences of the buffer's tokens as language `li` (index into LANG_CODES) into `result`. */
  score(li: number): Scored {
    const { model, buffer, entries } = this;
    const lang = LANG_CODES[li] as SentimentLanguage;
    const rules = LANGUAGE_RULES[lang];
    const lex = model.lexicons[lang];
    const n = buffer.n;
    const kinds = buffer.kind;
    const norms = buffer.norm;
    const caps = buffer.caps;
    const shift = li * 8;
    const bit = 1 << li;
    const hasPhrases = lex.phrases.size > 0;
    let mixedCase = false;
    for (let i = 0; i < n; i++) {
      if (kinds[i] === KIND_WORD && caps[i] === 0) {
        mixedCase = true;
        break;
      }
    }
    let lastContrast = -1;
    for (let i = 1; i < n; i++) {
      if (kinds[i] === KIND_WORD && (((entries[i] as WordEntry).flags >> shift) & R_CONTRAST) !== 0) lastContrast = i;
    }
    let sum = 0;
    let hits = 0;
    let ruled = false;
    let exclamations = 0;
    for (let i = 0; i < n; i++) {
      const kind = kinds[i];
      let v: number | undefined;
      let span = 1;
      if (kind === KIND_WORD) {
        const e = entries[i] as WordEntry;
        if ((e.ready & bit) === 0) this.fill(e, li);
        const flags = e.flags >> shift;
        const nextIsWord = i + 1 < n && kinds[i + 1] === KIND_WORD;
        // Multi-word entries first ("does not work", "can't stand"): they already include their negation.
        if (hasPhrases && nextIsWord) {
          const phrases = li === 0 ? e.phrases0 : li === 1 ? e.phrases1 : e.phrases2;
          const node = phrases === null ? undefined : phrases.get(norms[i + 1] as string);
          if (node !== undefined) {
            const p3 = node.three !== null && i + 2 < n && kinds[i + 2] === KIND_WORD ? node.three.get(norms[i + 2] as string) : undefined;
            const p2 = p3 === undefined ? node.two : undefined;
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
        }
        if (v === undefined) {
          if ((flags & R_BOOSTER) !== 0 && nextIsWord && this.valenceOf(entries[i + 1] as WordEntry, li) !== undefined) {
            // A degree word before a sentiment word only scales it ("pretty bad", "super slow"): its own
            // lexicon valence ("pretty" +1, "super" +3) would pull against the word it modifies.
            v = undefined;
          } else if ((flags & R_PLAIN) !== 0) {
            v = li === 0 ? e.direct0 : li === 1 ? e.direct1 : e.direct2;
          } else {
            v = li === 0 ? e.valence0 : li === 1 ? e.valence1 : e.valence2;
          }
          if (v !== undefined && (flags & R_VERB_ONLY) !== 0) {
            // "like" is a verb of liking only after a subject or auxiliary ("I like", "would like");
            // elsewhere it is a preposition or filler ("like I said", "looks like rain").
            if (!(i > 0 && kinds[i - 1] === KIND_WORD && (((entries[i - 1] as WordEntry).flags >> shift) & R_LIKE_SUBJECT) !== 0)) {
              v = undefined;
              ruled = true;
            }
          }
        }
        if (v === undefined || v === 0) continue;
        if (caps[i] === 1 && mixedCase) v *= CAPS_FACTOR;
        // Intensifiers and softeners right before the word.
        if (i > 0 && kinds[i - 1] === KIND_WORD) {
          const p = entries[i - 1] as WordEntry;
          if (((p.flags >> shift) & R_BOOSTER) !== 0) {
            const b = rules.boosters.get(p.norm);
            if (b !== undefined) v *= b;
          }
        }
        // Negation within reach, not across a clause mark.
        for (let j = i - 1; j >= 0 && j >= i - NEGATION_REACH; j--) {
          const pk = kinds[j];
          if (pk === KIND_PUNCT && CLAUSE_END.has(norms[j] as string)) break;
          if (pk === KIND_WORD && (((entries[j] as WordEntry).flags >> shift) & R_NEGATOR) !== 0) {
            v *= NEGATION_FACTOR;
            ruled = true;
            break;
          }
        }
      } else if (kind === KIND_EMOJI) {
        v = model.emoji.get(norms[i] as string);
      } else if (kind === KIND_EMOTICON) {
        const e = norms[i] as string;
        v = model.emoticons.get(e) ?? model.emoticons.get(e.toLowerCase());
      } else if (norms[i] === '!') {
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
    const out = this.result;
    out.sum = sum;
    out.hits = hits;
    out.ruled = ruled;
    return out;
  }

  /** True when a word of the buffer is one whose English valence a workspace correction set. */
  mentionsCorrectedTerm(): boolean {
    const corrected = this.model.correctedTerms?.en;
    if (!corrected || corrected.words.size === 0) return false;
    const entries = this.entries;
    for (let k = 0; k < this.buffer.n; k++) {
      const e = entries[k];
      if (!e) continue;
      if (e.corrected < 0) e.corrected = corrected.words.has(e.norm) || corrected.stems.has(stemFor('en', e.norm)) ? 1 : 0;
      if (e.corrected === 1) return true;
    }
    return false;
  }

  /** The English classifier's polarity for the buffer (decoded `text`) and lexicon score `lex`. */
  englishPolarity(classifier: EnglishClassifier, text: string, lex: number): number {
    let english = this.english;
    if (english === null || english.ix.classifier !== classifier) {
      const ix = classifierIndex(classifier);
      english = this.english = { ix, scratch: (ix.scratch ??= new FeatureScratch(ix.ids.size)) };
    }
    const { ix, scratch } = english;
    const { buffer, entries } = this;
    const lexiconWords = this.model.lexicons.en.words;
    for (let k = 0; k < buffer.n; k++) {
      const e = entries[k];
      if (e && (e.ready & ENGLISH_READY) === 0) {
        const direct = (e.ready & DIRECT_EN) !== 0 ? e.direct0 : lexiconWords.get(e.norm);
        readEnglishWordFeatures(ix, e.norm, direct ?? 0, e);
        e.ready |= ENGLISH_READY;
      }
    }
    const count = englishFeatureIds(ix, buffer.kind, buffer.norm, buffer.caps, entries, buffer.n, text, scratch);
    return polarityOfIds(ix, scratch.ids, count, lex);
  }
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
  const engine = new Engine(model);
  const tokenize = createTokenizer(model.emoticons.keys());
  return (text) => {
    const decoded = decodeEscapes(text);
    engine.read(decoded);
    return { keys: englishFeatureKeys(tokenize(decoded), decoded, model.lexicons.en.words), lex: squash(engine.score(0).sum) };
  };
}

/** Builds an analyser over `model` (the shipped one by default). */
export function createSentimentAnalyzer(model: SentimentModel = loadDefaultModel()): SentimentAnalyzer {
  const engine = new Engine(model);
  return {
    model,
    analyze(text: string, options?: AnalyzeOptions): SentimentResult {
      const decoded = decodeEscapes(text);
      engine.read(decoded);
      // No default `{}`: one allocation less per message.
      const lang: DetectedLanguage = (options === undefined ? undefined : options.lang) ?? engine.detect();
      let sum: number;
      let ruled: boolean;
      if (lang === 'und') {
        // Unknown language: the lexicon that recognises most of the message decides (emoji count in all).
        sum = 0;
        ruled = false;
        let hits = -1;
        for (let li = 0; li < LANG_CODES.length; li++) {
          const s = engine.score(li);
          if (s.hits > hits) {
            sum = s.sum;
            hits = s.hits;
            ruled = s.ruled;
          }
        }
      } else {
        const s = engine.score(LANG_CODES.indexOf(lang));
        sum = s.sum;
        ruled = s.ruled;
      }
      let raw = squash(sum);
      let t: Thresholds = model.thresholds[lang];
      if (lang === 'en' && model.english && !ruled && !engine.mentionsCorrectedTerm()) {
        // The trained classifier, blended with the lexicon score it also reads as an input. Where a
        // context rule decided the lexicon score, or a workspace relabel changed a word, the lexicon
        // alone speaks: both are more specific than weights learned from other people's data.
        const { classifier, blend, thresholds } = model.english;
        const polarity = engine.englishPolarity(classifier, decoded, raw);
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
