/**
 * Splits a message into the tokens the sentiment rules look at: words (lower-cased, with their
 * original casing kept for the ALL-CAPS rule), emoji, emoticons and the punctuation that matters
 * (`!` for emphasis, clause marks that end a negation's reach). Links and @mentions are dropped: they
 * carry no sentiment and their letters would confuse language detection.
 */
import { normaliseEmoji } from './emoji-polarity';

/** One token of a message. */
export interface Token {
  kind: 'word' | 'emoji' | 'emoticon' | 'punct';
  /** Lower-cased word, normalised emoji, emoticon or punctuation mark. */
  norm: string;
  /** True for a word of two or more letters written in capitals. */
  caps: boolean;
}

// '-' must stay unescaped: in a /u pattern \- outside a class is a syntax error.
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Builds a tokenizer that recognises the given emoticons (e.g. the AFINN emoticon list). */
export function createTokenizer(emoticons: Iterable<string>): (text: string) => Token[] {
  // Longest first so ":-)))" wins over ":-)". Letter-initial emoticons (like "8)" or "xD") need a space
  // or the start before them, so "item 8)" in a list still counts but "B8)" does not.
  const list = [...new Set(emoticons)].filter((e) => e.length > 1).sort((a, b) => b.length - a.length);
  // Eyes-first emoticons (":)", ";-D", "=(") may follow a word directly ("great:)"); the rest ("(:",
  // "8)", "<3") need a space or the start before them, so "(see above):" is no frown.
  const eyesFirst = list.filter((e) => /^[:;=]/.test(e)).map(escape).join('|');
  const others = list.filter((e) => !/^[:;=]/.test(e)).map(escape).join('|');
  const pattern = new RegExp(
    [
      '(?<skip>(?:https?:\\/\\/|www\\.)\\S+|[@＠][\\p{L}\\p{N}_.]+)',
      `(?<emoticon>(?:(?<=^|[\\s\\p{L}\\p{P}])(?:${eyesFirst}|\\){2,}|\\({2,})|(?<=^|\\s)(?:${others}))(?![\\p{L}\\p{N}]))`,
      '(?<tag>[#＃][\\p{L}\\p{N}_]*\\p{L}[\\p{L}\\p{N}_]*)',
      '(?<emoji>\\p{Extended_Pictographic}(?:\\uFE0F|\\uFE0E|\\uD83C[\\uDFFB-\\uDFFF]|\\u200D\\p{Extended_Pictographic})*)',
      "(?<word>[\\p{L}\\p{M}](?:[\\p{L}\\p{M}\\p{N}]|['’](?=\\p{L}))*)",
      '(?<punct>[!?.,;:¡¿…]+)',
      '(?<bracket>[()])',
    ].join('|'),
    'giu',
  );
  return (text: string): Token[] => {
    const tokens: Token[] = [];
    // A lone ")" is a smile and "(" a frown in Russian-language chat, but only where brackets do not
    // pair up: "(see above)" stays neutral, "спасибо)" smiles.
    let unpaired = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 40) unpaired--;
      else if (c === 41) unpaired++;
    }
    for (const m of text.matchAll(pattern)) {
      const g = m.groups as Record<string, string | undefined>;
      if (g.tag !== undefined) {
        // Hashtags carry words: "#NotHappy" → "not happy", "#epic_fail" → "epic fail". All-lower-case
        // tags stay one word (no dictionary to split them by); their case says nothing about shouting.
        for (const part of g.tag.slice(1).split(/_|(?<=\p{Ll})(?=\p{Lu})/u)) {
          if (/^\p{L}/u.test(part)) tokens.push({ kind: 'word', norm: part.toLowerCase().replace(/’/g, "'"), caps: false });
        }
      } else if (g.word !== undefined) {
        const w = g.word;
        const lower = w.toLowerCase().replace(/’/g, "'");
        tokens.push({ kind: 'word', norm: lower, caps: w.length > 1 && w !== lower && w === w.toUpperCase() });
      } else if (g.emoji !== undefined) {
        tokens.push({ kind: 'emoji', norm: normaliseEmoji(g.emoji), caps: false });
      } else if (g.emoticon !== undefined) {
        const e = g.emoticon;
        // Runs of brackets are how Russian-speaking users smile: "спасибо)))", or frown: "((".
        const norm = /^\)+$/.test(e) ? '))' : /^\(+$/.test(e) ? '((' : e;
        tokens.push({ kind: 'emoticon', norm, caps: false });
      } else if (g.bracket !== undefined) {
        if (g.bracket === ')' && unpaired > 0) tokens.push({ kind: 'emoticon', norm: ')', caps: false });
        else if (g.bracket === '(' && unpaired < 0) tokens.push({ kind: 'emoticon', norm: '(', caps: false });
      } else if (g.punct !== undefined) {
        for (const ch of g.punct) tokens.push({ kind: 'punct', norm: ch === '¡' ? '!' : ch, caps: false });
      }
    }
    return tokens;
  };
}
