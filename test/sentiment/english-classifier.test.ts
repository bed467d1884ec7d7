/**
 * The English classifier (src/sentiment/english-classifier.ts, trained by
 * scripts/train-sentiment-en.ts on VADER ground truth and UCI labelled sentences only): the training is
 * reproducible from the permissive files in ../shared, the shipped file is what the script writes, and
 * the classifier moves labels the right way where the lexicon alone gets them wrong — without
 * overriding the lexicon's context rules or a workspace's corrections.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTrainingExamples, serializeEnglishClassifier, sha256, trainEnglishClassifier } from '../../scripts/train-sentiment-en';
import { applyCorrections } from '../../src/sentiment/corrections';
import { createSentimentAnalyzer } from '../../src/sentiment/sentiment-engine';
import { ENGLISH_CLASSIFIER_FILE, loadDefaultModel, loadLexiconModel } from '../../src/sentiment/sentiment-model';

const shared = fileURLToPath(new URL('../../../shared', import.meta.url));
const shippedPath = fileURLToPath(new URL(`../../src/sentiment/resources/${ENGLISH_CLASSIFIER_FILE}`, import.meta.url));
const withClassifier = createSentimentAnalyzer(loadDefaultModel());
const lexiconOnly = createSentimentAnalyzer(loadLexiconModel());

describe('training (scripts/train-sentiment-en.ts)', () => {
  it('reproduces the shipped weights file byte for byte from the permissive data', () => {
    const examples = loadTrainingExamples(shared);
    // VADER tweets without their held-out tenth, the three other VADER sets and the UCI sentences.
    expect(examples.length).toBeGreaterThan(26_000);
    const text = serializeEnglishClassifier(trainEnglishClassifier(examples));
    expect(sha256(text)).toBe(sha256(readFileSync(shippedPath, 'utf8')));
  });

  it('gives the same weights for the same input twice, and different ones for different input', () => {
    const examples = loadTrainingExamples(shared).slice(0, 3000);
    const a = sha256(serializeEnglishClassifier(trainEnglishClassifier(examples)));
    const b = sha256(serializeEnglishClassifier(trainEnglishClassifier(examples)));
    const c = sha256(serializeEnglishClassifier(trainEnglishClassifier(examples.slice(1))));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('never reads the research-only TweetEval set and leaves out the fixture tenth of the VADER tweets', () => {
    const source = readFileSync(fileURLToPath(new URL('../../scripts/train-sentiment-en.ts', import.meta.url)), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/tweeteval/i);
    expect(code).toContain("Number(id) % 10 === 1");
    // The fixture holds ids 1, 11, 21, …: its first two texts are ids 1 and 11.
    const fixture = readFileSync(fileURLToPath(new URL('../fixtures/sentiment/vader-tweets-tenth.jsonl', import.meta.url)), 'utf8').split('\n');
    expect(fixture[1]).toContain('Stupid rain. Stupid treadmill hell.');
  });

  it('ships a compact file with its attribution', () => {
    expect(statSync(shippedPath).size).toBeLessThan(2 * 1024 * 1024);
    const file = JSON.parse(readFileSync(shippedPath, 'utf8')) as { about: string; features: Record<string, [number, number]> };
    expect(file.about).toMatch(/VADER.*MIT/);
    expect(file.about).toMatch(/CC BY 4\.0/);
    expect(Object.keys(file.features).length).toBeGreaterThan(1000);
  });
});

describe('English scoring with the classifier', () => {
  it.each([
    // Complaints with no strong lexicon word: the lexicon calls them neutral.
    ['The battery died after two days and support never answered.', 'negative'],
    ['The waiter was rude and the soup was cold.', 'negative'],
    // "want" is a positive lexicon word, but asking for a refund is no praise.
    ['I want my money back.', 'neutral'],
  ] as const)('%s → %s (the lexicon alone gets it wrong)', (text, expected) => {
    expect(lexiconOnly.analyze(text).label).not.toBe(expected);
    const r = withClassifier.analyze(text);
    expect(r.label).toBe(expected);
    expect(r.lang).toBe('en');
  });

  it('moves scores in the expected direction and keeps plain facts neutral', () => {
    expect(withClassifier.analyze('The waiter was rude and the soup was cold.').score).toBeLessThan(lexiconOnly.analyze('The waiter was rude and the soup was cold.').score);
    expect(withClassifier.analyze('Highly recommend this place to everyone.').label).toBe('positive');
    for (const t of ['The hotel is located near the station.', 'Our new store opens on Monday at 9am.']) expect(withClassifier.analyze(t).label).toBe('neutral');
  });

  it('leaves Russian and Swedish to the lexicon', () => {
    for (const t of ['Еда плохая, но обслуживание отличное', 'Maten var bra men servicen var dålig', 'спасибо)))']) {
      expect(withClassifier.analyze(t)).toEqual(lexiconOnly.analyze(t));
    }
  });

  it('defers to the lexicon where a context rule decided (negation, "but", idioms)', () => {
    for (const t of ['not bad at all', 'The food was terrible but the service was good', 'looking forward to the show']) {
      expect(withClassifier.analyze(t)).toEqual(lexiconOnly.analyze(t));
    }
  });

  it('lets a workspace correction of an English word win over the classifier', () => {
    const text = 'The battery died after two days and support never answered.';
    expect(withClassifier.analyze(text).label).toBe('negative');
    // A workspace whose members use "died" for a sold-out launch ("the drop died in minutes").
    const corrected = createSentimentAnalyzer(applyCorrections(loadDefaultModel(), { terms: { en: { died: 3, answered: 2 } }, messages: {} }));
    expect(corrected.analyze(text).label).toBe('positive');
    // Messages without a corrected word still get the classifier.
    expect(corrected.analyze('The waiter was rude and the soup was cold.')).toEqual(withClassifier.analyze('The waiter was rude and the soup was cold.'));
  });
});
