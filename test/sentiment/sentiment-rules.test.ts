/**
 * The English rules added for issue 5's English target: escapes decoded, "like" only as a verb,
 * hashtags split into words, degree words that only scale, and hand-written idioms. Each test fails
 * without its rule.
 */
import { describe, expect, it } from 'vitest';
import { createSentimentAnalyzer, decodeEscapes } from '../../src/sentiment/sentiment-engine';
import { createTokenizer } from '../../src/sentiment/tokenize';
import { loadDefaultModel } from '../../src/sentiment/sentiment-model';

const analyzer = createSentimentAnalyzer();
const score = (text: string) => analyzer.analyze(text, { lang: 'en' }).score;
const label = (text: string) => analyzer.analyze(text, { lang: 'en' }).label;
const tokenize = createTokenizer(loadDefaultModel().emoticons.keys());

describe('escaped network text', () => {
  it('decodes HTML entities and literal \\uXXXX sequences', () => {
    expect(decodeEscapes('Tom &amp; Jerry &gt;&gt; &lt;3 &#8217; &#x1F600; &quot;x&quot;')).toBe('Tom & Jerry >> <3 ’ 😀 "x"');
    expect(decodeEscapes('Don\\u2019t\\u002c ok')).toBe('Don’t, ok');
  });

  it('leaves unknown and out-of-range references as written', () => {
    expect(decodeEscapes('&bogus; &#99999999; &#0; R&D')).toBe('&bogus; &#99999999; &#0; R&D');
  });

  it('an escaped apostrophe still makes a negator', () => {
    expect(score('I don\\u2019t love it')).toBeLessThan(0);
    expect(score('I don&#8217;t love it')).toBeLessThan(0);
  });
});

describe('"like"', () => {
  it('counts as liking after a subject or auxiliary', () => {
    expect(label('I like it')).toBe('positive');
    expect(label('you would like it')).toBe('positive');
  });

  it('is neutral as a preposition or filler', () => {
    expect(score('it looks like a movie')).toBe(0);
    expect(score('like I said, see you at noon')).toBe(0);
  });
});

describe('hashtags', () => {
  it('splits camel-case and underscored tags into words', () => {
    expect(tokenize('#NotHappy #epic_fail #2015').map((t) => t.norm)).toEqual(['not', 'happy', 'epic', 'fail']);
    expect(label('the new update #SoDisappointed')).toBe('negative');
    expect(label('the new update #LoveIt')).toBe('positive');
  });

  it('keeps a lower-case tag as one word', () => {
    expect(tokenize('#love').map((t) => t.norm)).toEqual(['love']);
  });
});

describe('degree words', () => {
  it('a degree word before a sentiment word scales it instead of adding its own valence', () => {
    // "pretty" (+1) and "super" (+3) are positive on their own in AFINN.
    expect(score('pretty bad')).toBeLessThan(score('bad'));
    expect(label('that movie was super boring')).toBe('negative');
  });

  it('keeps its own valence where it modifies nothing', () => {
    expect(score('she is pretty')).toBeGreaterThan(0);
  });
});

describe('idioms', () => {
  it('knows hand-written English idioms', () => {
    expect(label('so fed up with this app')).toBe('negative');
    expect(label('looking forward to the show')).toBe('positive');
    expect(label('that update was a waste of time')).toBe('negative');
  });
});
