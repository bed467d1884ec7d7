/**
 * A Russian stemmer following the published Snowball algorithm for Russian (RV/R2 regions, perfective
 * gerund, reflexive, adjectival, verb and noun endings, then и, derivational ость, superlative and нн).
 * Written here from the algorithm's description so the sentiment lexicon can match inflected forms:
 * "ужасный", "ужасная", "ужасно" all reduce to "ужасн".
 */

const VOWELS = new Set(['а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я']);

// Suffix groups. "Group 1" endings only count when preceded by а or я (which stays on the stem).
const PERFECTIVE_GERUND_1 = ['вшись', 'вши', 'в'];
const PERFECTIVE_GERUND_2 = ['ившись', 'ывшись', 'ивши', 'ывши', 'ив', 'ыв'];
const ADJECTIVE = [
  'ими', 'ыми', 'его', 'ого', 'ему', 'ому', 'ее', 'ие', 'ые', 'ое', 'ей', 'ий', 'ый', 'ой', 'ем', 'им', 'ым', 'ом',
  'их', 'ых', 'ую', 'юю', 'ая', 'яя', 'ою', 'ею',
];
const PARTICIPLE_1 = ['ем', 'нн', 'вш', 'ющ', 'щ'];
const PARTICIPLE_2 = ['ивш', 'ывш', 'ующ'];
const REFLEXIVE = ['ся', 'сь'];
const VERB_1 = ['ешь', 'нно', 'ете', 'йте', 'ла', 'на', 'ли', 'ем', 'ло', 'но', 'ет', 'ют', 'ны', 'ть', 'й', 'л', 'н'];
const VERB_2 = [
  'уйте', 'ейте', 'ила', 'ыла', 'ена', 'ите', 'или', 'ыли', 'ило', 'ыло', 'ено', 'ует', 'уют', 'ены', 'ить', 'ыть', 'ишь',
  'ей', 'уй', 'ил', 'ыл', 'им', 'ым', 'ен', 'ят', 'ит', 'ыт', 'ую', 'ю',
];
const NOUN = [
  'иями', 'ями', 'ами', 'ией', 'иям', 'ием', 'иях', 'ев', 'ов', 'ие', 'ье', 'еи', 'ии', 'ей', 'ой', 'ий', 'ям', 'ем', 'ам',
  'ом', 'ах', 'ях', 'ию', 'ью', 'ия', 'ья', 'а', 'е', 'и', 'й', 'о', 'у', 'ы', 'ь', 'ю', 'я',
];
const SUPERLATIVE = ['ейше', 'ейш'];
const DERIVATIONAL = ['ость', 'ост'];

const byLengthDesc = (list: string[]) => [...list].sort((a, b) => b.length - a.length);
const G1 = byLengthDesc(PERFECTIVE_GERUND_1);
const G2 = byLengthDesc(PERFECTIVE_GERUND_2);
const ADJ = byLengthDesc(ADJECTIVE);
const P1 = byLengthDesc(PARTICIPLE_1);
const P2 = byLengthDesc(PARTICIPLE_2);
const REF = byLengthDesc(REFLEXIVE);
const V1 = byLengthDesc(VERB_1);
const V2 = byLengthDesc(VERB_2);
const N = byLengthDesc(NOUN);
const SUP = byLengthDesc(SUPERLATIVE);
const DER = byLengthDesc(DERIVATIONAL);

/**
 * Removes the longest suffix of `group1` (only after а/я) or `group2` found within the region that starts
 * at `start`; returns the shortened word, or null when nothing matched.
 */
function removeSuffix(word: string, start: number, group1: string[], group2: string[]): string | null {
  let best: { len: number } | null = null;
  for (const s of group1) {
    if (word.length - s.length - 1 < start) continue;
    if (word.endsWith(s)) {
      const before = word[word.length - s.length - 1];
      if (before === 'а' || before === 'я') {
        best = { len: s.length };
        break;
      }
    }
  }
  for (const s of group2) {
    if (best && s.length <= best.len) break;
    if (word.length - s.length < start) continue;
    if (word.endsWith(s)) {
      best = { len: s.length };
      break;
    }
  }
  return best ? word.slice(0, word.length - best.len) : null;
}

/** Start of RV: the position after the first vowel (the word's length when it has none). */
function rvStart(word: string): number {
  for (let i = 0; i < word.length; i++) if (VOWELS.has(word[i] as string)) return i + 1;
  return word.length;
}

/** Start of R1/R2 as Snowball defines them: after the first non-vowel that follows a vowel. */
function rStart(word: string, from: number): number {
  for (let i = from + 1; i < word.length; i++) {
    if (!VOWELS.has(word[i] as string) && VOWELS.has(word[i - 1] as string)) return i + 1;
  }
  return word.length;
}

/** Stems one lower-case Russian word (ё is folded to е). Words without a vowel are returned as they are. */
export function stemRussian(input: string): string {
  let word = input.replace(/ё/g, 'е');
  const rv = rvStart(word);
  if (rv >= word.length) return word;
  const r1 = rStart(word, 0);
  const r2 = rStart(word, r1);

  // Step 1
  const gerund = removeSuffix(word, rv, G1, G2);
  if (gerund !== null) {
    word = gerund;
  } else {
    const noReflexive = removeSuffix(word, rv, [], REF);
    if (noReflexive !== null) word = noReflexive;
    const adjective = removeSuffix(word, rv, [], ADJ);
    if (adjective !== null) {
      word = adjective;
      const participle = removeSuffix(word, rv, P1, P2);
      if (participle !== null) word = participle;
    } else {
      const verb = removeSuffix(word, rv, V1, V2);
      if (verb !== null) {
        word = verb;
      } else {
        const noun = removeSuffix(word, rv, [], N);
        if (noun !== null) word = noun;
      }
    }
  }
  // Step 2
  if (word.length > rv && word.endsWith('и')) word = word.slice(0, -1);
  // Step 3
  const derivational = removeSuffix(word, r2, [], DER);
  if (derivational !== null) word = derivational;
  // Step 4
  if (word.length - 2 >= rv && word.endsWith('нн')) {
    word = word.slice(0, -1);
  } else {
    const superlative = removeSuffix(word, rv, [], SUP);
    if (superlative !== null) {
      word = superlative;
      if (word.length - 2 >= rv && word.endsWith('нн')) word = word.slice(0, -1);
    } else if (word.length > rv && word.endsWith('ь')) {
      word = word.slice(0, -1);
    }
  }
  return word;
}
