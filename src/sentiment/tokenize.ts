/**
 * Splits a message into the tokens the sentiment rules look at: words (lower-cased, with their
 * original casing kept for the ALL-CAPS rule), emoji, emoticons and the punctuation that matters
 * (`!` for emphasis, clause marks that end a negation's reach). Links and @mentions are dropped: they
 * carry no sentiment and their letters would confuse language detection.
 *
 * The tokens are those of one regular expression, an alternation tried in this order at each position:
 * link or mention (skipped), emoticon, hashtag, emoji, word, run of punctuation, bracket. Running that
 * alternation (lookbehinds, a hundred emoticons) at every character was the engine's largest cost, so
 * the scanner below walks the text by character code and only runs a (sticky) piece of the pattern
 * where that piece can start; words and punctuation, nearly all tokens, are scanned by hand. Character
 * classes come from tables built with the pattern's own classes and flags (`iu`), so Unicode and
 * case-folding details (e.g. "ſ" matching "s") stay exactly as the full pattern had them.
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

/** Token kinds in a {@link TokenBuffer}. */
export const KIND_WORD = 1;
/** An emoji token in a {@link TokenBuffer}. */
export const KIND_EMOJI = 2;
/** An emoticon token in a {@link TokenBuffer}. */
export const KIND_EMOTICON = 3;
/** A punctuation token in a {@link TokenBuffer}. */
export const KIND_PUNCT = 4;

const KIND_NAMES: ReadonlyArray<Token['kind']> = ['word', 'word', 'emoji', 'emoticon', 'punct'];

/**
 * A message's tokens as parallel arrays, reused from message to message so the hot path allocates
 * no token objects.
 */
export class TokenBuffer {
  /** Number of tokens. */
  n = 0;
  /** KIND_* per token. */
  kind = new Uint8Array(64);
  /** 1 for a word written in capitals (see {@link Token.caps}). */
  caps = new Uint8Array(64);
  /** Normalised text per token (see {@link Token.norm}). */
  norm: string[] = [];
  /** {@link hashWord} of a word's norm (0 for other tokens). */
  hash = new Int32Array(64);
  /** The word's entry in the scanner's word table when it was found there, else null. */
  found: Array<InternedWord | null> = [];

  /** Appends a token. */
  push(kind: number, norm: string, caps: boolean, hash = 0, found: InternedWord | null = null): void {
    const n = this.n;
    if (n === this.kind.length) {
      const kinds = new Uint8Array(n * 2);
      kinds.set(this.kind);
      this.kind = kinds;
      const capsArr = new Uint8Array(n * 2);
      capsArr.set(this.caps);
      this.caps = capsArr;
      const hashes = new Int32Array(n * 2);
      hashes.set(this.hash);
      this.hash = hashes;
    }
    this.kind[n] = kind;
    this.caps[n] = caps ? 1 : 0;
    this.norm[n] = norm;
    this.hash[n] = hash;
    this.found[n] = found;
    this.n = n + 1;
  }
}

/**
 * False only when `word` cannot contain a letter three times in a row (what /(\p{L})\1\1/u looks for):
 * no code unit repeats three times and there is no surrogate (an astral letter is two units).
 */
export function mayRepeatLetter(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
    if (i + 2 < word.length && word.charCodeAt(i + 1) === c && word.charCodeAt(i + 2) === c) return true;
  }
  return false;
}

/** Most slots a {@link WordTable} grows to: a few MB of cached words per analyser at most. */
export const WORD_TABLE_SLOTS = 1 << 15;
/** Slots a {@link WordTable} starts with, so that short-lived analysers (one per batch) start cheap. */
const WORD_TABLE_START = 1 << 12;

/**
 * A scanner's table of recent words, one per slot by {@link hashWord} (a newer word takes an older
 * one's slot): a word found there is reused without building a new string, and its owner (the
 * analyser) keeps what it learnt about the word in the entry. Bounded memory, and no map to rehash on
 * a stream whose vocabulary never ends; it doubles (keeping its words) each time it has stored as many
 * words as it has slots, up to {@link WORD_TABLE_SLOTS}.
 */
export class WordTable<W extends InternedWord = InternedWord> {
  slots: Array<W | null> = new Array<W | null>(WORD_TABLE_START).fill(null);
  mask = WORD_TABLE_START - 1;
  private stored = 0;

  /** Counts a word stored in a slot (see {@link grow}). */
  noteStored(): void {
    this.stored++;
  }

  /** Doubles the table when it is due; called between messages, never while one is being read. */
  grow(): void {
    if (this.stored < this.slots.length || this.slots.length >= WORD_TABLE_SLOTS) return;
    const old = this.slots;
    const slots = new Array<W | null>(old.length * 2).fill(null);
    const mask = slots.length - 1;
    // Each old slot splits into two new ones, so no two kept words collide.
    for (const w of old) if (w !== null) slots[w.hash & mask] = w;
    this.slots = slots;
    this.mask = mask;
    this.stored = 0;
  }
}

/** An entry of a scanner's word table: a lower-cased word (and whatever its owner keeps with it). */
export interface InternedWord {
  readonly norm: string;
  /** {@link hashWord} of `norm`. */
  readonly hash: number;
  /**
   * The word's length when it is ASCII of at most 16 characters, packed 4 characters (7 bits each) to
   * a number in p0…p3 (see {@link packWord}); −1 otherwise. The scanner then recognises the word
   * without reading the string: a cached word costs one memory read less.
   */
  packedLength: number;
  p0: number;
  p1: number;
  p2: number;
  p3: number;
}

/** Sets the packed fields of `into` for its word `norm` (see {@link InternedWord}). */
export function packWord(norm: string, into: InternedWord): void {
  into.packedLength = -1;
  into.p0 = 0;
  into.p1 = 0;
  into.p2 = 0;
  into.p3 = 0;
  if (norm.length > 16) return;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let k = 0; k < norm.length; k++) {
    const c = norm.charCodeAt(k);
    if (c > 0x7f) return;
    if (k < 4) p0 = (p0 << 7) | c;
    else if (k < 8) p1 = (p1 << 7) | c;
    else if (k < 12) p2 = (p2 << 7) | c;
    else p3 = (p3 << 7) | c;
  }
  into.packedLength = norm.length;
  into.p0 = p0;
  into.p1 = p1;
  into.p2 = p2;
  into.p3 = p3;
}

/** Whether text[start, end) lower-cased (ASCII, at most 16 characters) is the packed word of `w`. */
function equalsPacked(text: string, start: number, end: number, w: InternedWord): boolean {
  if (w.packedLength !== end - start) return false;
  let chunk = 0;
  let p = 0;
  for (let k = start; k < end; k++) {
    let c = text.charCodeAt(k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    p = (p << 7) | c;
    if (((k - start) & 3) === 3 || k === end - 1) {
      if (p !== (chunk === 0 ? w.p0 : chunk === 1 ? w.p1 : chunk === 2 ? w.p2 : w.p3)) return false;
      chunk++;
      p = 0;
    }
  }
  return true;
}

function internedWord(norm: string, hash: number): InternedWord {
  const w = { norm, hash, packedLength: -1, p0: 0, p1: 0, p2: 0, p3: 0 };
  packWord(norm, w);
  return w;
}

/** Whether text[start, end) lower-cased (ASCII) is `word`. */
function equalsLowerAscii(text: string, start: number, end: number, word: string): boolean {
  if (word.length !== end - start) return false;
  for (let k = 0; k < word.length; k++) {
    let c = text.charCodeAt(start + k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a over a string's UTF-16 code units: what the scanner computes for a word while reading it. */
export function hashWord(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

// '-' must stay unescaped: in a /u pattern \- outside a class is a syntax error.
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// The pattern's character classes, with its flags: membership bits per BMP code unit.
const F_L = 1;
const F_LM = 2;
const F_LMN = 4;
const F_EP = 8;
const F_PUNCT = 16;
const CLASSES: ReadonlyArray<readonly [number, string]> = [
  [F_L, '\\p{L}'],
  [F_LM, '[\\p{L}\\p{M}]'],
  [F_LMN, '[\\p{L}\\p{M}\\p{N}]'],
  [F_EP, '\\p{Extended_Pictographic}'],
  [F_PUNCT, '[!?.,;:¡¿…]'],
];
const CLASS_TESTS = CLASSES.map(([bit, source]) => [bit, new RegExp(`^${source}$`, 'iu')] as const);

/** Every BMP code unit in one string, index = code unit; surrogates (tested one by one) as NUL. */
let bmpString: string | null = null;
function allBmp(): string {
  if (bmpString === null) {
    const units = new Uint16Array(0x10000);
    for (let c = 0; c < 0x10000; c++) units[c] = c >= 0xd800 && c <= 0xdfff ? 0 : c;
    bmpString = new TextDecoder('utf-16le').decode(units);
  }
  return bmpString;
}

/** Sets `bit` in `table` for every BMP code unit (a lone surrogate included) that `source` matches. */
function markBmp(table: Uint8Array, bit: number, source: string): void {
  // One native pass: every matching unit becomes U+0001 (one unit for one unit, so indexes hold), and
  // units 0 and 1 themselves are tested on their own below.
  const marked = allBmp().replace(new RegExp(source, 'giu'), '\u0001');
  for (let c = 2; c < 0x10000; c++) if (marked.charCodeAt(c) === 1) table[c] = (table[c] as number) | bit;
  const single = new RegExp(`^${source}$`, 'iu');
  for (const c of [0, 1]) table[c] = single.test(String.fromCharCode(c)) ? (table[c] as number) | bit : (table[c] as number) & ~bit;
  for (let c = 0xd800; c <= 0xdfff; c++) table[c] = single.test(String.fromCharCode(c)) ? (table[c] as number) | bit : (table[c] as number) & ~bit;
}

const BMP_FLAGS = (() => {
  const table = new Uint8Array(0x10000);
  for (const [bit, source] of CLASSES) markBmp(table, bit, source);
  return table;
})();

const astralCache = new Map<number, number>();
/** Class bits of a code point above U+FFFF (rare: tested once each, then remembered). */
function astralFlags(cp: number): number {
  let f = astralCache.get(cp);
  if (f === undefined) {
    const s = String.fromCodePoint(cp);
    f = 0;
    for (const [bit, re] of CLASS_TESTS) if (re.test(s)) f |= bit;
    if (astralCache.size < 50_000) astralCache.set(cp, f);
  }
  return f;
}

/** Class bits of the code point that starts at `i` (0 past the end). */
function flagsAt(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return astralFlags(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
  }
  return BMP_FLAGS[c] as number;
}

/** Whether a surrogate pair (one astral code point) starts at `i`. */
function isPairAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return false;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

const PUNCT_NORM = new Map<number, string>();
function punctNorm(c: number): string {
  let s = PUNCT_NORM.get(c);
  if (s === undefined) {
    s = c === 0xa1 ? '!' : String.fromCharCode(c);
    PUNCT_NORM.set(c, s);
  }
  return s;
}

const emojiNorms = new Map<string, string>();
function emojiNorm(e: string): string {
  let n = emojiNorms.get(e);
  if (n === undefined) {
    n = normaliseEmoji(e);
    if (emojiNorms.size < 10_000) emojiNorms.set(e, n);
  }
  return n;
}

const SKIP_SOURCE = '(?:https?:\\/\\/|www\\.)\\S+|[@＠][\\p{L}\\p{N}_.]+';
const TAG_SOURCE = '[#＃][\\p{L}\\p{N}_]*\\p{L}[\\p{L}\\p{N}_]*';

interface EmoticonPattern {
  source: string;
  /** Per BMP code unit: 1 where an emoticon can start (every unit when the pattern can match empty). */
  first: Uint8Array;
  firstTest: RegExp | null;
}

const emoticonPatterns = new Map<string, EmoticonPattern>();

/** The emoticon part of the pattern for an emoticon list, and where it can start (cached per list). */
function emoticonPattern(emoticons: Iterable<string>): EmoticonPattern {
  // Longest first so ":-)))" wins over ":-)". Letter-initial emoticons (like "8)" or "xD") need a space
  // or the start before them, so "item 8)" in a list still counts but "B8)" does not.
  const list = [...new Set(emoticons)].filter((e) => e.length > 1).sort((a, b) => b.length - a.length);
  // Eyes-first emoticons (":)", ";-D", "=(") may follow a word directly ("great:)"); the rest ("(:",
  // "8)", "<3") need a space or the start before them, so "(see above):" is no frown.
  const eyesFirst = list.filter((e) => /^[:;=]/.test(e)).map(escape).join('|');
  const others = list.filter((e) => !/^[:;=]/.test(e)).map(escape).join('|');
  const source = `(?:(?<=^|[\\s\\p{L}\\p{P}])(?:${eyesFirst}|\\){2,}|\\({2,})|(?<=^|\\s)(?:${others}))(?![\\p{L}\\p{N}])`;
  const cached = emoticonPatterns.get(source);
  if (cached) return cached;
  const first = new Uint8Array(0x10000);
  let firstTest: RegExp | null = null;
  if (eyesFirst === '' || others === '') {
    // An empty alternative matches the empty string wherever its lookarounds allow: try everywhere.
    first.fill(1);
  } else {
    const starts = new Set<number>([0x28, 0x29]);
    for (const e of list) starts.add(e.codePointAt(0) as number);
    const cls = `[${[...starts].map((cp) => `\\u{${cp.toString(16)}}`).join('')}]`;
    markBmp(first, 1, cls);
    firstTest = new RegExp(`^${cls}$`, 'iu');
  }
  const pattern = { source, first, firstTest };
  emoticonPatterns.set(source, pattern);
  return pattern;
}

/**
 * Builds a scanner that writes a message's tokens into a {@link TokenBuffer}; it recognises the given
 * emoticons (e.g. the AFINN emoticon list). {@link createTokenizer} is the same with token objects.
 */
export function createScanner(emoticons: Iterable<string>, wordTable?: WordTable): (text: string, out: TokenBuffer) => void {
  const emo = emoticonPattern(emoticons);
  const emoFirst = emo.first;
  const emoFirstTest = emo.firstTest;
  const emptyCanMatch = emoFirstTest === null;
  // A space starts no token unless an emoticon begins with one (or can be empty).
  const spaceStartsNothing = emoFirst[0x20] === 0;
  const skipRe = new RegExp(SKIP_SOURCE, 'iuy');
  const emoticonRe = new RegExp(emo.source, 'iuy');
  const tagRe = new RegExp(TAG_SOURCE, 'iuy');

  // Given a table (the analyser's word cache), the scanner only reads it: its owner fills the slots.
  const ownTable = wordTable === undefined;
  const words = wordTable ?? new WordTable();

  return (text: string, out: TokenBuffer): void => {
    out.n = 0;
    words.grow();
    const table = words.slots;
    const mask = words.mask;
    const len = text.length;
    // A lone ")" is a smile and "(" a frown in Russian-language chat, but only where brackets do not
    // pair up: "(see above)" stays neutral, "спасибо)" smiles. Counted at the first bracket met (most
    // messages have none).
    let unpaired = 0;
    let counted = false;
    let i = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c === 0x20 && spaceStartsNothing) {
        i++;
        continue;
      }
      let cp = c;
      let width = 1;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const f = width === 1 ? (BMP_FLAGS[c] as number) : astralFlags(cp);

      // Links and @mentions: "http(s)://" or "www." (any case), "@" or "＠".
      if (c === 0x40 || c === 0xff20 || ((c | 0x20) === 0x68 && i + 3 < len && (text.charCodeAt(i + 1) | 0x20) === 0x74 && (text.charCodeAt(i + 2) | 0x20) === 0x74 && (text.charCodeAt(i + 3) | 0x20) === 0x70) || ((c | 0x20) === 0x77 && i + 3 < len && (text.charCodeAt(i + 1) | 0x20) === 0x77 && (text.charCodeAt(i + 2) | 0x20) === 0x77 && text.charCodeAt(i + 3) === 0x2e)) {
        skipRe.lastIndex = i;
        if (skipRe.test(text)) {
          i = skipRe.lastIndex;
          continue;
        }
      }

      if (width === 1 ? emoFirst[c] === 1 : emoFirstTest === null || emoFirstTest.test(String.fromCodePoint(cp))) {
        emoticonRe.lastIndex = i;
        if (emoticonRe.test(text)) {
          const e = text.slice(i, emoticonRe.lastIndex);
          // Runs of brackets are how Russian-speaking users smile: "спасибо)))", or frown: "((".
          const norm = /^\)+$/.test(e) ? '))' : /^\(+$/.test(e) ? '((' : e;
          out.push(KIND_EMOTICON, norm, false);
          // An empty match (possible only with an emoticon list that leaves a part of the pattern empty)
          // moves on by one character, as String#matchAll does.
          i = e.length > 0 ? i + e.length : i + width;
          continue;
        }
      }

      if (c === 0x23 || c === 0xff03) {
        // Most tags are ASCII: scanned and split by hand. A tag that runs into other characters goes
        // through the pattern (and its Unicode letter classes) instead.
        let j = i + 1;
        let letters = false;
        while (j < len) {
          const d = text.charCodeAt(j);
          const lowerD = d | 0x20;
          if (lowerD >= 0x61 && lowerD <= 0x7a) letters = true;
          else if (!((d >= 0x30 && d <= 0x39) || d === 0x5f)) break;
          j++;
        }
        if (j === len || text.charCodeAt(j) < 0x80) {
          if (letters) {
            pushAsciiTag(text, i + 1, j, out);
            i = j;
            continue;
          }
          // No letter: not a tag ("#2015"); nothing else starts with "#".
          i++;
          continue;
        }
        tagRe.lastIndex = i;
        const m = tagRe.exec(text);
        if (m !== null) {
          // Hashtags carry words: "#NotHappy" → "not happy", "#epic_fail" → "epic fail". All-lower-case
          // tags stay one word (no dictionary to split them by); their case says nothing about shouting.
          for (const part of m[0].slice(1).split(/_|(?<=\p{Ll})(?=\p{Lu})/u)) {
            if (/^\p{L}/u.test(part)) {
              const norm = part.toLowerCase().replace(/’/g, "'");
              out.push(KIND_WORD, norm, false, hashWord(norm));
            }
          }
          i += m[0].length;
          continue;
        }
      }

      if ((f & F_EP) !== 0) {
        // \p{Extended_Pictographic} then variation selectors and ZWJ-joined pictographs. (The pattern's
        // \uD83C[\uDFFB-\uDFFF] never matches under /u: a skin tone is one code point, not two halves.)
        let j = i + width;
        while (j < len) {
          const d = text.charCodeAt(j);
          if (d === 0xfe0f || d === 0xfe0e) {
            j++;
          } else if (d === 0x200d && (flagsAt(text, j + 1) & F_EP) !== 0) {
            j += isPairAt(text, j + 1) ? 3 : 2;
          } else {
            break;
          }
        }
        out.push(KIND_EMOJI, emojiNorm(text.slice(i, j)), false);
        i = j;
        continue;
      }

      if ((f & F_LM) !== 0) {
        // [\p{L}\p{M}] then letters, marks, digits, or an apostrophe followed by a letter.
        const start = i;
        let ascii = c < 0x80;
        let upper = c >= 0x41 && c <= 0x5a;
        let lower = c >= 0x61 && c <= 0x7a;
        // The hash of the lower-cased word, valid while the word is ASCII.
        let h = Math.imul(FNV_OFFSET ^ (upper ? c | 0x20 : c), FNV_PRIME);
        let j = i + width;
        while (j < len) {
          const d = text.charCodeAt(j);
          if (d < 0x80) {
            if ((BMP_FLAGS[d] as number) & F_LMN) {
              if (d >= 0x41 && d <= 0x5a) {
                upper = true;
                h = Math.imul(h ^ (d | 0x20), FNV_PRIME);
              } else {
                if (d >= 0x61 && d <= 0x7a) lower = true;
                h = Math.imul(h ^ d, FNV_PRIME);
              }
              j++;
              continue;
            }
            if (d === 0x27 && (flagsAt(text, j + 1) & F_L) !== 0) {
              h = Math.imul(h ^ d, FNV_PRIME);
              j++;
              continue;
            }
            break;
          }
          if (d >= 0xd800 && d <= 0xdbff && j + 1 < len) {
            const e = text.charCodeAt(j + 1);
            if (e >= 0xdc00 && e <= 0xdfff) {
              if ((astralFlags(((d - 0xd800) << 10) + (e - 0xdc00) + 0x10000) & F_LMN) === 0) break;
              ascii = false;
              j += 2;
              continue;
            }
          }
          if (((BMP_FLAGS[d] as number) & F_LMN) !== 0 || (d === 0x2019 && (flagsAt(text, j + 1) & F_L) !== 0)) {
            ascii = false;
            j++;
            continue;
          }
          break;
        }
        if (ascii) {
          // Pure ASCII: lower-casing and the capitals test need no Unicode tables, and a word seen
          // before is reused without building a new string.
          const slot = h & mask;
          const seen = table[slot] as InternedWord | null;
          const caps = upper && !lower && j - start > 1;
          if (seen !== null && (j - start <= 16 ? equalsPacked(text, start, j, seen) : equalsLowerAscii(text, start, j, seen.norm))) {
            out.push(KIND_WORD, seen.norm, caps, h, seen);
          } else {
            const norm = upper ? text.slice(start, j).toLowerCase() : text.slice(start, j);
            if (ownTable) {
              table[slot] = internedWord(norm, h);
              words.noteStored();
            }
            out.push(KIND_WORD, norm, caps, h, null);
          }
        } else {
          const w = text.slice(start, j);
          const norm = w.toLowerCase().replace(/’/g, "'");
          const hash = hashWord(norm);
          const slot = hash & mask;
          const seen = table[slot] as InternedWord | null;
          const caps = w.length > 1 && w !== norm && w === w.toUpperCase();
          if (seen !== null && seen.norm === norm) {
            out.push(KIND_WORD, seen.norm, caps, hash, seen);
          } else {
            if (ownTable) {
              table[slot] = internedWord(norm, hash);
              words.noteStored();
            }
            out.push(KIND_WORD, norm, caps, hash, null);
          }
        }
        i = j;
        continue;
      }

      if ((f & F_PUNCT) !== 0) {
        // One run: "!:)" is "!" and ":" then a bracket, never "!" and a smiley.
        let j = i;
        while (j < len) {
          const d = text.charCodeAt(j);
          if (((BMP_FLAGS[d] as number) & F_PUNCT) === 0) break;
          out.push(KIND_PUNCT, punctNorm(d), false);
          j++;
        }
        i = j;
        continue;
      }

      if (c === 40 || c === 41) {
        if (!counted) {
          for (let k = 0; k < len; k++) {
            const d = text.charCodeAt(k);
            if (d === 40) unpaired--;
            else if (d === 41) unpaired++;
          }
          counted = true;
        }
        if (c === 41 && unpaired > 0) out.push(KIND_EMOTICON, ')', false);
        else if (c === 40 && unpaired < 0) out.push(KIND_EMOTICON, '(', false);
        i++;
        continue;
      }
      i += width;
    }
    if (emptyCanMatch) {
      // matchAll also tries the end of the text, where only an empty emoticon can match.
      emoticonRe.lastIndex = len;
      if (emoticonRe.exec(text) !== null) out.push(KIND_EMOTICON, '', false);
    }
  };
}

/**
 * The words of an ASCII hashtag body text[start, end): split at "_" and where a lower-case letter meets
 * a capital, as splitting at /_|(?<=\p{Ll})(?=\p{Lu})/u does; parts that do not start with a letter
 * are dropped.
 */
function pushAsciiTag(text: string, start: number, end: number, out: TokenBuffer): void {
  let partStart = start;
  for (let k = start; k <= end; k++) {
    const d = k < end ? text.charCodeAt(k) : 0x5f;
    const boundary = d === 0x5f || (d >= 0x41 && d <= 0x5a && k > partStart && isAsciiLower(text.charCodeAt(k - 1)));
    if (!boundary) continue;
    if (k > partStart) {
      const first = text.charCodeAt(partStart) | 0x20;
      if (first >= 0x61 && first <= 0x7a) {
        const norm = text.slice(partStart, k).toLowerCase();
        out.push(KIND_WORD, norm, false, hashWord(norm));
      }
    }
    partStart = d === 0x5f ? k + 1 : k;
  }
}

function isAsciiLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/** Builds a tokenizer that recognises the given emoticons (e.g. the AFINN emoticon list). */
export function createTokenizer(emoticons: Iterable<string>): (text: string) => Token[] {
  const scan = createScanner(emoticons);
  const buffer = new TokenBuffer();
  return (text: string): Token[] => {
    scan(text, buffer);
    const tokens: Token[] = new Array<Token>(buffer.n);
    for (let k = 0; k < buffer.n; k++) {
      tokens[k] = { kind: KIND_NAMES[buffer.kind[k] as number] as Token['kind'], norm: buffer.norm[k] as string, caps: buffer.caps[k] === 1 };
    }
    return tokens;
  };
}

