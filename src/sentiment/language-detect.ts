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
  let ru = 0;
  let de = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    const first = t.norm[0] ?? '';
    if (CYRILLIC.test(first)) {
      cyrillic++;
      if (UK_BE_LETTERS.test(t.norm) || UK_WORDS.has(t.norm)) ukBe++;
      if (LANGUAGE_RULES.ru.stopwords.has(t.norm)) ru++;
      continue;
    }
    if (!LATIN.test(first)) continue;
    latin++;
    latinWords++;
    if (LANGUAGE_RULES.en.stopwords.has(t.norm)) en += 1;
    if (LANGUAGE_RULES.sv.stopwords.has(t.norm)) sv += 1;
    if (DE_WORDS.has(t.norm)) de++;
    // å/ä/ö alone are weak: German and Finnish have ä and ö too.
    if (SV_LETTERS.test(t.norm)) sv += t.norm.includes('å') ? 1 : 0.5;
    else if (NON_EN_LATIN.test(t.norm)) foreign++;
    if (known) {
      if (known.en(t.norm)) en += 0.5;
      if (known.sv(t.norm) && !LANGUAGE_RULES.en.stopwords.has(t.norm)) sv += 0.5;
    }
  }
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
