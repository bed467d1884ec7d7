/**
 * Word splitting shared by the query parser and the matcher, so a query word and a message word are
 * normalised the same way: Unicode NFKC, lower case (locale-independent), `ё` read as `е`. Words are
 * runs of letters, combining marks and digits; each emoji is a word of its own; everything else
 * (spaces, punctuation, `#`, `@`, apostrophes, hyphens) separates words. Swedish å/ä/ö and Cyrillic
 * letters are letters like any other and are never folded to a base letter.
 */

// One emoji with its variation selectors, skin tones and ZWJ sequences, or a run of letters/digits.
const wordPattern = /\p{Extended_Pictographic}(?:\uFE0F|\uFE0E|\uD83C[\uDFFB-\uDFFF]|\u200D\p{Extended_Pictographic})*|[\p{L}\p{M}\p{N}]+/gu;

/** Normalises one word as both sides compare it. */
export function normaliseWord(word: string): string {
  return word.toLowerCase().replaceAll('ё', 'е');
}

/** The normalised words of a text, in order. */
export function splitWords(text: string): string[] {
  // Plain ASCII is already in NFKC; skipping the call saves a copy per message.
  const normalised = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKC');
  const out: string[] = [];
  for (const m of normalised.matchAll(wordPattern)) out.push(normaliseWord(m[0].replace(/[\uFE0E\uFE0F]/g, '')));
  return out;
}
