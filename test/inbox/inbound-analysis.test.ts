/**
 * Ingest's analysis (src/inbox/inbound-analysis.ts) gives the same verdicts on a worker thread as on
 * the calling thread, and as the sentiment engine and query matcher give one message at a time; the
 * pool reports failures and refuses work once closed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createItemAnalyzer, inlineAnalysis, storable, type AnalysisRequest } from '../../src/inbox/inbound-analysis';
import { createAnalysisPool } from '../../src/inbox/inbound-analysis-pool';
import { queryMatches } from '../../src/listening/query-matcher';
import { createSentimentAnalyzer } from '../../src/sentiment/sentiment-engine';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/sentiment/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);

const texts = [
  ...fixture('osc-heldout.jsonl').slice(0, 150),
  ...fixture('vader-tweets-tenth.jsonl').slice(0, 150),
  'Herald är en fantastisk tjänst, älskar den! 😍',
  'The app is broken again, not working since Monday',
  '<script>alert(1)</script> terrible <a href="javascript:alert(2)">x</a>',
  storable('NUL\u0000inside, still awful'),
  '',
];
const queries = ['love OR great', '"not working" OR broken', 'lang:sv tjänst', 'network:peer kind:mention', 'from:fan1', 'сервис OR ужасный'];

function request(relabels: AnalysisRequest['relabels'] = []): AnalysisRequest {
  return {
    relabelsKey: relabels.length ? `ws:${relabels.length}` : '',
    relabels,
    queries,
    items: texts.map((text, i) => ({ text, lang: i % 7 === 0 ? 'en-GB' : null, network: 'peer', authorHandle: i % 5 === 0 ? 'fan1' : `fan${i}`, kind: i % 3 === 0 ? 'mention' : 'comment' })),
  };
}

describe('inbound analysis', () => {
  const pool = createAnalysisPool(2);
  afterAll(() => pool.close());

  it('scores and matches each item as the engine and the matcher do one by one', async () => {
    const req = request();
    const result = await inlineAnalysis.run(req);
    const engine = createSentimentAnalyzer();
    expect(result).toHaveLength(texts.length);
    result.forEach((r, i) => {
      const item = req.items[i]!;
      const s = engine.analyze(item.text, item.lang ? { lang: 'en' } : {});
      expect({ label: r.label, score: r.score, lang: r.lang }).toEqual({ label: s.label, score: s.score, lang: s.lang });
      const expected = queries.flatMap((q, qi) => (queryMatches(q, { text: item.text, lang: item.lang, network: item.network, authorHandle: item.authorHandle, kind: item.kind }) ? [qi] : []));
      expect(r.hits).toEqual(expected);
    });
    // The corpus exercises every label and several queries (the comparison above is not vacuous).
    expect(new Set(result.map((r) => r.label))).toEqual(new Set(['negative', 'neutral', 'positive']));
    expect(new Set(result.flatMap((r) => r.hits)).size).toBeGreaterThanOrEqual(4);
  });

  it('gives the same results on worker threads, with relabels applied and an unparsable query matching nothing', async () => {
    const relabelled = request([
      { text: texts[0]!, label: 'positive' },
      { text: texts[1]!, label: 'negative' },
    ]);
    relabelled.queries = [...queries, '(broken'];
    const local = createItemAnalyzer()(relabelled);
    const [threaded, again, plain] = await Promise.all([pool.run(relabelled), pool.run(relabelled), pool.run(request())]);
    expect(threaded).toEqual(local);
    expect(again).toEqual(local);
    expect(plain).toEqual(await inlineAnalysis.run(request()));
    expect(threaded[0]!.label).toBe('positive');
    expect(threaded[1]!.label).toBe('negative');
    expect(threaded.some((r) => r.hits.includes(queries.length))).toBe(false);
  });

  it('rejects a request the thread cannot analyse with the reason, then goes on working', async () => {
    const broken = { ...request(), items: [null] } as unknown as AnalysisRequest;
    await expect(pool.run(broken)).rejects.toThrow(/^inbound analysis failed: /);
    expect(await pool.run(request())).toHaveLength(texts.length);
  });

  it('refuses work once closed', async () => {
    const closing = createAnalysisPool(1);
    expect(await closing.run(request())).toHaveLength(texts.length);
    await closing.close();
    await expect(closing.run(request())).rejects.toThrow('the analysis pool is closed');
  });
});
