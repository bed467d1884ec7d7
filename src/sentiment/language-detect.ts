/**
 * Per-message language detection for sentiment: script first (Cyrillic → Russian unless it is
 * Ukrainian/Belarusian), then, for Latin script, function-word and letter evidence for English versus
 * Swedish. Short or ambiguous messages are 'und' rather than a guess: the engine then scores them with
 * whichever lexicon recognises the most words.
 */
import { LANGUAGE_RULES, type DetectedLanguage } from './language-rules';
import type { Token } from './tokenize';

const SV_LETTERS = /[åäö]/;
const NON_EN_LATIN = /[àáâãçèéêëìíîïñòóôõùúûüýÿßæøœ]/;
const UK_BE_LETTERS = /[іїєґў]/;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /\p{Script=Latin}/u;
// Frequent words that mark Ukrainian (not Russian) or German (not Swedish/English): evidence against.
const UK_WORDS = new Set('і й та це що як але дуже дякую добре вже ми ви він вона вони є був була було буде також тому коли мені тебе'.split(' '));
const DE_WORDS = new Set('der die das und ist ich nicht mit sich auf für ein eine den von sehr auch mich uns wir sie es zu dem des'.split(' '));

// Script of a word's first UTF-16 unit (1 Cyrillic, 2 Latin, 0 other), as CYRILLIC / LATIN test it;
// filled on first use (−1: not yet tested).
const SCRIPTS = new Int8Array(0x10000).fill(-1);

function scriptOf(unit: number): number {
  let s = SCRIPTS[unit] as number;
  if (s < 0) {
    const ch = String.fromCharCode(unit);
    s = CYRILLIC.test(ch) ? 1 : LATIN.test(ch) ? 2 : 0;
    SCRIPTS[unit] = s;
  }
  return s;
}

function isAscii(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Lexicon checks for Latin words (weak evidence: "LMAO, AMAZING!" has no function word but is English). */
export interface KnownWords {
  en(word: string): boolean;
  sv(word: string): boolean;
}

/** What one word says about a message's language; a pure function of the word (and `known`). */
export interface WordLanguageEvidence {
  /** 1 Cyrillic, 2 Latin, 0 other (by the word's first character). */
  script: 0 | 1 | 2;
  /** A Ukrainian/Belarusian letter or frequent word. */
  ukBe: boolean;
  /** A Russian function word. */
  ru: boolean;
  /** Points for English. */
  en: number;
  /** Points for Swedish. */
  sv: number;
  /** A German function word. */
  de: boolean;
  /** Letters of neither English nor Swedish. */
  foreign: boolean;
}

/** Reads one lower-case word's language evidence (the engine remembers it per word). */
export function wordLanguageEvidence(word: string, known?: KnownWords): WordLanguageEvidence {
  return readLanguageEvidence(word, known, { script: 0, ukBe: false, ru: false, en: 0, sv: 0, de: false, foreign: false });
}

/** {@link wordLanguageEvidence} written into `into` (every field set); returns `into`. */
export function readLanguageEvidence<T extends WordLanguageEvidence>(word: string, known: KnownWords | undefined, into: T): T {
  into.script = 0;
  into.ukBe = false;
  into.ru = false;
  into.en = 0;
  into.sv = 0;
  into.de = false;
  into.foreign = false;
  const script = word.length > 0 ? scriptOf(word.charCodeAt(0)) : 0;
  if (script === 1) {
    into.script = 1;
    into.ukBe = UK_BE_LETTERS.test(word) || UK_WORDS.has(word);
    into.ru = LANGUAGE_RULES.ru.stopwords.has(word);
    return into;
  }
  if (script !== 2) return into;
  // Points are multiples of 0.5, so summing them per word or per message gives the same totals.
  let en = 0;
  let sv = 0;
  let foreign = false;
  if (LANGUAGE_RULES.en.stopwords.has(word)) en += 1;
  if (LANGUAGE_RULES.sv.stopwords.has(word)) sv += 1;
  // å/ä/ö alone are weak: German and Finnish have ä and ö too. (Both lists are of non-ASCII letters.)
  if (!isAscii(word)) {
    if (SV_LETTERS.test(word)) sv += word.includes('å') ? 1 : 0.5;
    else if (NON_EN_LATIN.test(word)) foreign = true;
  }
  if (known) {
    if (known.en(word)) en += 0.5;
    if (known.sv(word) && !LANGUAGE_RULES.en.stopwords.has(word)) sv += 0.5;
  }
  into.script = 2;
  into.en = en;
  into.sv = sv;
  into.de = DE_WORDS.has(word);
  into.foreign = foreign;
  return into;
}

/** Running totals of a message's word evidence. */
export class LanguageTally {
  cyrillic = 0;
  latin = 0;
  ukBe = 0;
  en = 0;
  sv = 0;
  foreign = 0;
  ru = 0;
  de = 0;

  /** Back to no words. */
  reset(): void {
    this.cyrillic = 0;
    this.latin = 0;
    this.ukBe = 0;
    this.en = 0;
    this.sv = 0;
    this.foreign = 0;
    this.ru = 0;
    this.de = 0;
  }

  /** Adds one word. */
  add(e: WordLanguageEvidence): void {
    if (e.script === 1) {
      this.cyrillic++;
      if (e.ukBe) this.ukBe++;
      if (e.ru) this.ru++;
    } else if (e.script === 2) {
      this.latin++;
      this.en += e.en;
      this.sv += e.sv;
      if (e.de) this.de++;
      if (e.foreign) this.foreign++;
    }
  }

  /** The language the totals point to. */
  verdict(): DetectedLanguage {
    const { cyrillic, latin, ukBe, en, sv, foreign, ru, de } = this;
    const latinWords = latin;
    if (cyrillic === 0 && latin === 0) return 'und';
    if (cyrillic >= latin) {
      // Ukrainian and Belarusian share most Russian letters; their own letters give them away.
      return ukBe > ru ? 'und' : 'ru';
    }
    if (en === 0 && sv === 0) return 'und';
    if (de > 0 && de >= Math.max(en, sv)) return 'und';
    // Mostly unknown words (German, Spanish, …) with a stray "is" or "är": no verdict.
    if (latinWords >= 6 && Math.max(en, sv) < latinWords * 0.12) return 'und';
    if (foreign > latinWords / 3) return 'und';
    if (sv > en) return 'sv';
    if (en > sv) return 'en';
    return 'und';
  }
}

/**
 * Detects the language of a tokenised message. `known` are optional lexicon checks for Latin words
 * (weak evidence: "LMAO, AMAZING!" has no function word but is English).
 */
export function detectLanguage(tokens: readonly Token[], known?: KnownWords): DetectedLanguage {
  const tally = new LanguageTally();
  for (const t of tokens) if (t.kind === 'word') tally.add(wordLanguageEvidence(t.norm, known));
  return tally.verdict();
}
