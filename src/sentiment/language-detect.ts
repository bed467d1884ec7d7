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

/**
 * Detects the language of a tokenised message. `known` are optional lexicon checks for Latin words
 * (weak evidence: "LMAO, AMAZING!" has no function word but is English).
 */
export function detectLanguage(tokens: readonly Token[], known?: { en(word: string): boolean; sv(word: string): boolean }): DetectedLanguage {
  let cyrillic = 0;
  let latin = 0;
  let ukBe = 0;
  let en = 0;
  let sv = 0;
  let latinWords = 0;
  let foreign = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    const first = t.norm[0] ?? '';
    if (CYRILLIC.test(first)) {
      cyrillic++;
      if (UK_BE_LETTERS.test(t.norm)) ukBe++;
      continue;
    }
    if (!LATIN.test(first)) continue;
    latin++;
    latinWords++;
    if (LANGUAGE_RULES.en.stopwords.has(t.norm)) en += 1;
    if (LANGUAGE_RULES.sv.stopwords.has(t.norm)) sv += 1;
    if (SV_LETTERS.test(t.norm)) sv += 1;
    else if (NON_EN_LATIN.test(t.norm)) foreign++;
    if (known) {
      if (known.en(t.norm)) en += 0.5;
      if (known.sv(t.norm) && !LANGUAGE_RULES.en.stopwords.has(t.norm)) sv += 0.5;
    }
  }
  if (cyrillic === 0 && latin === 0) return 'und';
  if (cyrillic >= latin) {
    // Ukrainian and Belarusian share most Russian letters; their own letters give them away.
    return ukBe * 4 >= cyrillic && ukBe > 0 ? 'und' : 'ru';
  }
  if (en === 0 && sv === 0) return 'und';
  // Mostly unknown words (German, Spanish, …) with a stray "is" or "är": no verdict.
  if (latinWords >= 6 && Math.max(en, sv) < latinWords * 0.12) return 'und';
  if (foreign > latinWords / 3) return 'und';
  if (sv > en) return 'sv';
  if (en > sv) return 'en';
  return 'und';
}
