import { describe, expect, it } from 'vitest';
import { applyCorrections, learnCorrections, NO_CORRECTIONS, type WorkspaceCorrections } from '../../src/sentiment/corrections';
import { createSentimentAnalyzer } from '../../src/sentiment/sentiment-engine';
import { loadDefaultModel } from '../../src/sentiment/sentiment-model';

const base = loadDefaultModel();
const plain = createSentimentAnalyzer(base);

describe('applyCorrections', () => {
  it('overlays term weights for one workspace without touching the shipped model', () => {
    const text = 'The new update is sick';
    expect(plain.analyze(text).score).toBeLessThan(0);
    const corrected = createSentimentAnalyzer(applyCorrections(base, { terms: { en: { sick: 3 } }, messages: {} }));
    expect(corrected.analyze(text).label).toBe('positive');
    expect(corrected.analyze('this is not sick').score).toBeLessThan(0);
    // The shipped model and other analysers are unchanged.
    expect(plain.analyze(text).score).toBeLessThan(0);
    expect(createSentimentAnalyzer().analyze(text).score).toBeLessThan(0);
  });

  it('reaches inflected Russian forms through the stem', () => {
    const corrected = createSentimentAnalyzer(applyCorrections(base, { terms: { ru: { огненный: 4 } }, messages: {} }));
    expect(plain.analyze('огненная распродажа').label).not.toBe('positive');
    expect(corrected.analyze('огненная распродажа').label).toBe('positive');
    expect(corrected.analyze('огненные скидки').label).toBe('positive');
  });

  it('gives a relabelled message its label, whatever its spacing or case, with a score that agrees', () => {
    const corrections: WorkspaceCorrections = { terms: {}, messages: {} };
    const learned = learnCorrections(base, [{ text: 'Well, that went great.', label: 'negative' }]);
    Object.assign(corrections, learned);
    const a = createSentimentAnalyzer(applyCorrections(base, corrections));
    expect(plain.analyze('Well, that went great.').label).toBe('positive');
    const r = a.analyze('  well,   that went GREAT. ');
    expect(r.label).toBe('negative');
    expect(r.score).toBeLessThanOrEqual(base.thresholds.en.negative);
  });

  it('with no corrections gives the same results as the shipped model', () => {
    const same = createSentimentAnalyzer(applyCorrections(base, NO_CORRECTIONS));
    for (const t of ['good', 'плохо', 'inte bra', '😍', 'meeting at 3']) expect(same.analyze(t)).toEqual(plain.analyze(t));
  });
});

describe('learnCorrections', () => {
  it('moves a known word with the wrong sign after one relabel', () => {
    const learned = learnCorrections(base, [{ text: 'This drop is sick', label: 'positive' }]);
    expect(learned.terms.en?.sick).toBeGreaterThan(0);
    const a = createSentimentAnalyzer(applyCorrections(base, learned));
    expect(a.analyze('the new colours are sick').label).toBe('positive');
  });

  it('learns an unknown brand term only when two relabels agree', () => {
    const once = learnCorrections(base, [{ text: 'Курьер опять опоздал, зафлудили весь чат', label: 'negative' }]);
    expect(once.terms.ru?.зафлудили).toBeUndefined();
    const twice = learnCorrections(base, [
      { text: 'Курьер опять опоздал, зафлудили весь чат', label: 'negative' },
      { text: 'Зафлудили личку рассылкой', label: 'negative' },
    ]);
    expect(twice.terms.ru?.зафлудили).toBeLessThan(0);
    const a = createSentimentAnalyzer(applyCorrections(base, twice));
    expect(plain.analyze('Снова зафлудили ленту').label).toBe('neutral');
    expect(a.analyze('Снова зафлудили ленту').label).toBe('negative');
  });

  it('does not learn a negated word on the wrong side', () => {
    const learned = learnCorrections(base, [{ text: 'not good, not good at all', label: 'negative' }]);
    expect(learned.terms.en?.good ?? base.lexicons.en.words.get('good')).toBeGreaterThan(0);
  });

  it('relabelling to neutral softens the message words', () => {
    const learned = learnCorrections(base, [{ text: 'Kill the lights at 9', label: 'neutral' }]);
    const before = Math.abs(base.lexicons.en.words.get('kill') ?? 0);
    expect(Math.abs(learned.terms.en?.kill ?? before)).toBeLessThan(before);
  });

  it('is JSON-serialisable (a repository can store it as it is)', () => {
    const learned = learnCorrections(base, [{ text: 'sick!', label: 'positive' }]);
    expect(JSON.parse(JSON.stringify(learned))).toEqual(learned);
  });
});
