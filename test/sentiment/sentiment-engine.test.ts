import { describe, expect, it } from 'vitest';
import { createSentimentAnalyzer } from '../../src/sentiment/sentiment-engine';
import { detectLanguage } from '../../src/sentiment/language-detect';
import { createTokenizer } from '../../src/sentiment/tokenize';
import { loadDefaultModel } from '../../src/sentiment/sentiment-model';
import { stemRussian } from '../../src/sentiment/russian-stemmer';

const analyzer = createSentimentAnalyzer();
const tokenize = createTokenizer(loadDefaultModel().emoticons.keys());
const detect = (text: string) => detectLanguage(tokenize(text), {
  en: (w) => loadDefaultModel().lexicons.en.words.has(w),
  sv: (w) => loadDefaultModel().lexicons.sv.words.has(w),
});

describe('language detection', () => {
  it.each([
    ['Спасибо за быстрый ответ, всё пришло вовремя', 'ru'],
    ['ну такое', 'ru'],
    ['Thanks for the quick reply, the parcel arrived on time', 'en'],
    ['LMAO, AMAZING!', 'en'],
    ['Tack för snabbt svar, paketet kom i tid', 'sv'],
    ['Jag älskar den här låten', 'sv'],
    ['Det är inte bra alls', 'sv'],
    ['Дякую, все дуже добре, їжа смачна', 'und'],
    ['Das ist wirklich sehr schön und ich freue mich über die Nachricht', 'und'],
    ['😍😍😍', 'und'],
    ['12345 !!!', 'und'],
    ['', 'und'],
    ['https://example.com @someone', 'und'],
  ])('%s → %s', (text, lang) => {
    expect(detect(text)).toBe(lang);
  });

  it('reports the detected language with the result', () => {
    expect(analyzer.analyze('Это просто прекрасно').lang).toBe('ru');
    expect(analyzer.analyze('This is just wonderful').lang).toBe('en');
    expect(analyzer.analyze('Det här är helt underbart').lang).toBe('sv');
  });
});

describe('tokeniser', () => {
  it('keeps emoji (with skin tones folded), emoticons and drops links and mentions', () => {
    const tokens = tokenize('@bob see https://x.example/a :-) 👍🏽 great!!! спасибо)))');
    expect(tokens.map((t) => `${t.kind}:${t.norm}`)).toEqual([
      'word:see', 'emoticon::-)', 'emoji:👍', 'word:great', 'punct:!', 'punct:!', 'punct:!', 'word:спасибо', 'emoticon:))',
    ]);
  });

  it('does not read a closing bracket and colon after a word as a frown', () => {
    expect(tokenize('(see above): fine').some((t) => t.kind === 'emoticon')).toBe(false);
  });
});

describe('Russian stemmer', () => {
  it.each([
    ['ужасный', 'ужасн'],
    ['ужасная', 'ужасн'],
    ['ужасно', 'ужасн'],
    ['хорошие', 'хорош'],
    ['прекраснейший', 'прекрасн'],
    ['понравилось', 'понрав'],
    ['радость', 'радост'],
    ['вдохновение', 'вдохновен'],
    ['ёлка', 'елк'],
    ['ссср', 'ссср'],
  ])('%s → %s', (word, stem) => {
    expect(stemRussian(word)).toBe(stem);
  });
});

const label = (text: string) => analyzer.analyze(text).label;
const score = (text: string) => analyzer.analyze(text).score;

describe('scores and labels', () => {
  it('labels clear cases in each language', () => {
    expect(label('I love this, the support team was excellent')).toBe('positive');
    expect(label('This is the worst service, totally useless')).toBe('negative');
    expect(label('The meeting is at 10 in room 4')).toBe('neutral');
    expect(label('Отличный сервис, спасибо большое!')).toBe('positive');
    expect(label('Ужасное обслуживание, больше не приду')).toBe('negative');
    expect(label('Встреча в десять утра в четвёртом кабинете')).toBe('neutral');
    expect(label('Fantastiskt bra service, tack!')).toBe('positive');
    expect(label('Helt värdelös och dålig service')).toBe('negative');
  });

  it('keeps the score in [-1, 1] with three decimals', () => {
    for (const t of ['love love love love love love!!!!!!!', 'hate hate hate hate hate hate!!!!!', '', '🤬🤬🤬🤬🤬🤬🤬🤬']) {
      const s = score(t);
      expect(s).toBeGreaterThanOrEqual(-1);
      expect(s).toBeLessThanOrEqual(1);
      expect(Math.round(s * 1000) / 1000).toBe(s);
    }
  });

  it('flips polarity under negation: en', () => {
    expect(score('good')).toBeGreaterThan(0);
    expect(score('not good')).toBeLessThan(0);
    expect(score("this isn't good")).toBeLessThan(0);
    expect(score('never happy with it')).toBeLessThan(0);
    expect(score('not bad at all')).toBeGreaterThan(0);
    // A clause mark ends the negation's reach.
    expect(score('not today. Good work')).toBeGreaterThan(0);
  });

  it('flips polarity under negation: ru', () => {
    expect(score('Это хорошо')).toBeGreaterThan(0);
    expect(score('Это не хорошо')).toBeLessThan(0);
    expect(score('Ничего хорошего')).toBeLessThan(0);
    // Negative concord: "никогда не" is one negation, not two.
    expect(score('Никогда не бывает хорошо')).toBeLessThan(0);
    expect(score('совсем не плохо')).toBeGreaterThan(0);
  });

  it('flips polarity under negation: sv', () => {
    expect(score('Det är bra')).toBeGreaterThan(0);
    expect(score('Det är inte bra')).toBeLessThan(0);
    expect(score('aldrig glad')).toBeLessThan(0);
    expect(score('inte dåligt')).toBeGreaterThan(0);
  });

  it('counts emoji and emoticons in every language', () => {
    expect(label('😍😍')).toBe('positive');
    expect(label('😡')).toBe('negative');
    expect(score('meeting moved to 3pm 👍')).toBeGreaterThan(score('meeting moved to 3pm'));
    expect(score('meeting moved to 3pm :(')).toBeLessThan(0);
    expect(score('встреча перенесена на завтра :)')).toBeGreaterThan(0);
    expect(score('встреча перенесена на завтра ((')).toBeLessThan(0);
    expect(score('спасибо)))')).toBeGreaterThan(score('спасибо'));
    expect(score('mötet flyttas till imorgon 😢')).toBeLessThan(0);
    expect(score('mötet flyttas till imorgon <3')).toBeGreaterThan(0);
  });

  it('reads a lone unpaired bracket as a smile or frown, a paired one as punctuation', () => {
    expect(score('ладно, до завтра)')).toBeGreaterThan(0);
    expect(score('ладно, до завтра(')).toBeLessThan(0);
    expect(score('ладно (до завтра)')).toBe(0);
  });

  it('knows Russian swearing by its root in any form', () => {
    for (const t of ['РФС говно!!!', 'задолбали уже', 'вот же пиздец', 'долбаный интернет']) expect(label(t)).toBe('negative');
    // Roots only match at the start of a word: "требуют" contains "ебу" but is no swearword.
    expect(score('они требуют ответа')).toBeGreaterThan(-0.3);
  });

  it('reads idioms as a whole', () => {
    expect(label("can't wait for the show tomorrow")).toBe('positive');
  });

  it('intensifiers strengthen, softeners weaken', () => {
    expect(score('very good')).toBeGreaterThan(score('good'));
    expect(score('slightly good')).toBeLessThan(score('good'));
    expect(score('очень хорошо')).toBeGreaterThan(score('хорошо'));
    expect(score('väldigt bra')).toBeGreaterThan(score('bra'));
  });

  it('weights the clause after "but" more', () => {
    expect(score('The food was good but the service was terrible')).toBeLessThan(0);
    expect(score('The food was terrible but the service was good')).toBeGreaterThan(0);
    expect(score('Еда плохая, но обслуживание отличное')).toBeGreaterThan(0);
    expect(score('Maten var bra men servicen var dålig')).toBeLessThan(0);
  });

  it('exclamation marks and capitals add emphasis', () => {
    expect(score('good!!!')).toBeGreaterThan(score('good'));
    expect(score('this is GOOD')).toBeGreaterThan(score('this is good'));
  });

  it('matches Russian inflections through the stemmer', () => {
    for (const t of ['ужасный день', 'ужасная погода', 'ужасное кино', 'ужасными словами']) expect(score(t)).toBeLessThan(0);
    for (const t of ['прекрасный день', 'прекрасная погода', 'прекрасное кино']) expect(score(t)).toBeGreaterThan(0);
  });

  it('lets the caller fix the language', () => {
    const forced = analyzer.analyze('glad', { lang: 'sv' });
    expect(forced.lang).toBe('sv');
    expect(forced.score).toBeGreaterThan(0);
  });
});
