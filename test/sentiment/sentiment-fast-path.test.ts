/**
 * The sentiment engine's fast paths against what they replaced: the character scanner against the
 * single regular expression the tokenizer used to run, the classifier's numbered features against the
 * key strings the training script reads, the suffix lists against the stemming regexes, and the
 * analyser's word cache against a fresh analyser. Each must give exactly the same answers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseEmoji } from '../../src/sentiment/emoji-polarity';
import { classifierIndex, englishFeatureIds, englishFeatureKeys, englishWordFeatures, FeatureScratch, type EnglishWordFeatures } from '../../src/sentiment/english-classifier';
import { createSentimentAnalyzer, decodeEscapes } from '../../src/sentiment/sentiment-engine';
import { loadDefaultModel, stemFor } from '../../src/sentiment/sentiment-model';
import { createScanner, createTokenizer, KIND_WORD, TokenBuffer, type Token } from '../../src/sentiment/tokenize';

/** The tokenizer as it was: one alternation with lookbehinds, run with matchAll (the reference). */
function referenceTokenizer(emoticons: Iterable<string>): (text: string) => Token[] {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const list = [...new Set(emoticons)].filter((e) => e.length > 1).sort((a, b) => b.length - a.length);
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
    let unpaired = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 40) unpaired--;
      else if (c === 41) unpaired++;
    }
    for (const m of text.matchAll(pattern)) {
      const g = m.groups as Record<string, string | undefined>;
      if (g.tag !== undefined) {
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

const model = loadDefaultModel();
const fixtureTexts = ['osc-heldout.jsonl', 'vader-tweets-tenth.jsonl'].flatMap((f) =>
  readFileSync(new URL(`../fixtures/sentiment/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text),
);

const TRICKY = [
  'GREAT day :) :-))) ;-D =( xD XD 8) item 8) B8) (: <3 </3 :ſ :Ｄ',
  'great:) great:-( (see above): спасибо))) грустно((( спасибо) ( ) ((',
  ')))a )))) ((( :((( :))) ;)) ;(( !:) ?:( ...:) …:-)',
  '#NotHappy #epic_fail #lovethis #2024 #_x #Ab_Cd #ÅÄÖglad ＃Tag #a1b2',
  '@user @ＡＢＣ ＠someone.x https://t.co/x www.example.com/foo http://x HTTPS://X.Y httpſ://x http:// x www. x',
  '👍🏻👍🏿❤️❤︎👨‍👩‍👧‍👦 🏳️‍🌈 😂😂 👍🏽‍ 👨🏽‍💻 \u200d😀\u200d ☺️ ☹️ ♥ ⚰️ ©️ ™',
  "I can't stand it. It's not bad, but it's not great… really?!?! ¡¡Hola!! ¿qué? rock'n'roll don’t it’s ’tis 'x' o'",
  'Det är inte så bra, men ändå kul! Tack 🙏🏻 ÅÄÖ ÅÄÖÖ GLAD',
  'Это очень плохо, но спасибо)) Ёлки ЁЁ СПАСИБО Це дуже добре, дякую',
  'ﬁne ǅemal İstanbul ΣΊΣΥΦΟΣ ß ẞ e\u0301le\u0301gant ͅ 𝐀𝐀𝐀 𝐁x 𝟏2 \uD83D x \uDC00y sooo goood LOOOOVE',
  '',
  ' \t\n',
];

/** Deterministic random strings over characters where the pattern's branches meet. */
function fuzz(count: number): string[] {
  const pieces = [
    ...'aAbBxXdDsSpPoO8ſK hHtTwW:/.;=()<>3-_\'’#＃@＠!?¡¿…,\\^*|[]{}0129\t\nÅäöёЁЖжі😀👍🏻\u200D\uFE0F❤🏳\u0345\u0301ǅİ',
    '\uD83D', '\uDC00', '𝐀', '𝟏', 'http://', 'www.', 'HTTPS://', ':-)', ':)))', '((', 'xoxo', '<333', ' ',
  ];
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let s = '';
    const len = 1 + next(16);
    for (let j = 0; j < len; j++) s += pieces[next(pieces.length)];
    out.push(s);
  }
  return out;
}

describe('scanning tokenizer', () => {
  const texts = [...TRICKY, ...fixtureTexts, ...fuzz(5000)];

  it.each([
    ['the shipped emoticons', [...model.emoticons.keys()]],
    ['a short list', [':)', ':(', '<3', 'xD']],
    ['an emoticon that starts with a space', [' x)', ':)', '8)']],
    ['no emoticons (the pattern then matches empty strings)', []],
  ])('gives the reference tokens with %s', (_, list) => {
    const scanner = createTokenizer(list);
    const reference = referenceTokenizer(list);
    for (const text of texts) expect(scanner(text), JSON.stringify(text)).toEqual(reference(text));
  });

  it('splits the tricky cases as documented', () => {
    const tokenize = createTokenizer(model.emoticons.keys());
    const show = (text: string) => tokenize(text).map((t) => `${t.kind}:${t.norm}${t.caps ? '!' : ''}`);
    // Skin tones are not part of the emoji match; the tone is skipped, so the next emoji stands alone.
    expect(show('👨🏽‍💻 LOOOOVE it')).toEqual(['emoji:👨', 'emoji:💻', 'word:loooove!', 'word:it']);
    // "!:" is one run of punctuation, so its ")" is a bracket (unpaired here: a smile); "B8)" is a word.
    expect(show('!:) great:) 8) B8)')).toEqual(['punct:!', 'punct::', 'emoticon:)', 'word:great', 'emoticon::)', 'emoticon:8)', 'word:b8!', 'emoticon:)']);
    expect(show("don’t DON'T @me www.x.se")).toEqual(["word:don't", "word:don't!"]);
  });
});

describe("the English classifier's numbered features", () => {
  it('are the known keys of englishFeatureKeys, in the same order', () => {
    const english = model.english;
    if (!english) throw new Error('the shipped model has an English classifier');
    const ix = classifierIndex(english.classifier);
    const names = [...ix.ids.keys()];
    const scan = createScanner(model.emoticons.keys());
    const tokenize = createTokenizer(model.emoticons.keys());
    const buffer = new TokenBuffer();
    const scratch = new FeatureScratch(ix.ids.size);
    const lexicon = model.lexicons.en.words;
    let compared = 0;
    for (const raw of [...TRICKY, ...fixtureTexts, 'not bad at all... ', 'I am sooo happy via @x 2day!!! …\u3000']) {
      const text = decodeEscapes(raw);
      scan(text, buffer);
      const words: Array<EnglishWordFeatures | null> = [];
      for (let k = 0; k < buffer.n; k++) words.push(buffer.kind[k] === KIND_WORD ? englishWordFeatures(ix, buffer.norm[k] as string, lexicon) : null);
      const n = englishFeatureIds(ix, buffer.kind, buffer.norm, buffer.caps, words, buffer.n, text, scratch);
      const fromIds = [...scratch.ids.subarray(0, n)].map((id) => names[id]);
      const expected = englishFeatureKeys(tokenize(text), text, lexicon).filter((k) => ix.ids.has(k));
      expect(fromIds, raw).toEqual(expected);
      compared += n;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

describe('stems', () => {
  it('strip the same suffixes as the regular expressions they replaced', () => {
    const en = (w: string) => (w.length > 4 ? w.replace(/(ingly|edly|ing|ies|ied|ed|es|ly|s|e|y)$/, '') : w);
    const sv = (w: string) => (w.length > 5 ? w.replace(/(arna|orna|erna|ande|ende|heten|het|ens|ast|are|na|en|et|ar|or|er|a|t|e)$/, '') : w);
    const words = new Set(['lovingly', 'loved', 'loving', 'lovely', 'flies', 'tried', 'sheds', 'yes', 'ingly', 'xingly', 'bandet', 'flickorna', 'glädjande', 'skönheten', 'snabbast', 'heten']);
    const tokenize = createTokenizer(model.emoticons.keys());
    for (const text of fixtureTexts) for (const t of tokenize(text)) if (t.kind === 'word') words.add(t.norm);
    for (const w of words) {
      expect(stemFor('en', w), w).toBe(en(w));
      expect(stemFor('sv', w), w).toBe(sv(w));
    }
  });
});

describe("the analyser's word cache", () => {
  it('answers as a fresh analyser does, after other words have taken the slots', () => {
    const warm = createSentimentAnalyzer();
    const texts = [...fixtureTexts, ...TRICKY];
    // Twice over, so the second pass reads words cached (or replaced) during the first.
    for (const text of texts) warm.analyze(text);
    const sample = texts.filter((_, i) => i % 7 === 0);
    for (const text of sample) {
      const fresh = createSentimentAnalyzer();
      expect(warm.analyze(text), text).toEqual(fresh.analyze(text));
      expect(warm.analyze(text, { lang: 'sv' }), text).toEqual(fresh.analyze(text, { lang: 'sv' }));
    }
  });
});
