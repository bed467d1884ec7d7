/**
 * bench/sentiment: Herald's sentiment engine against the npm packages `sentiment` (AFINN-165),
 * `vader-sentiment` and `@nlpjs/sentiment`, on the same texts in the same run: macro-F1 and accuracy
 * per language on the dev sets in ../shared/data/sentiment-dev, plus texts per second (one core).
 *
 * Honesty about tuning: the dev sets are evaluation-only and Herald was developed looking at their
 * EVEN-numbered rows ("tune" half). The ODD-numbered rows ("held-out" half) are the figures that count;
 * the full set is printed too. The shipped-licence held-out slices (test/fixtures/sentiment) are
 * printed for reference.
 *
 * Targets (issue 5): Herald's macro-F1 ≥ 1.15 × the best baseline per language (on the held-out half),
 * and ≥ 10,000 texts/s on one core. Exit code 1 when a target is missed.
 *
 *   npm run bench -- sentiment [--shared ../shared] [--errors 0]
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createSentimentAnalyzer, type SentimentLabel } from '../src/sentiment/sentiment-engine';
import { loadDevSets, loadHeldOut, type DevSet, type LabelledText } from './support/sentiment-data';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: argv } = parseArgs({
  options: {
    shared: { type: 'string', default: join(root, '../shared') },
    errors: { type: 'string', default: '0' },
  },
});

type Classify = (text: string, lang: DevSet['lang']) => SentimentLabel | Promise<SentimentLabel>;

const require = createRequire(import.meta.url);

interface Method {
  name: string;
  classify: Classify;
}

async function baselines(): Promise<Method[]> {
  const Sentiment = require('sentiment') as new () => { analyze(text: string): { score: number } };
  const afinn = new Sentiment();
  const vader = require('vader-sentiment') as { SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } } };
  const { Container } = require('@nlpjs/core') as { Container: new () => { use(x: unknown): void } };
  const { SentimentAnalyzer } = require('@nlpjs/sentiment') as {
    SentimentAnalyzer: new (settings: { container: unknown }) => { process(input: { locale: string; text: string }): Promise<{ sentiment: { score: number } }> };
  };
  const container = new Container();
  container.use((require('@nlpjs/lang-en') as { LangEn: unknown }).LangEn);
  container.use((require('@nlpjs/lang-ru') as { LangRu: unknown }).LangRu);
  container.use((require('@nlpjs/lang-sv') as { LangSv: unknown }).LangSv);
  const nlpjs = new SentimentAnalyzer({ container });
  const bySign = (x: number, eps = 0): SentimentLabel => (x > eps ? 'positive' : x < -eps ? 'negative' : 'neutral');
  return [
    { name: 'sentiment (AFINN)', classify: (t) => bySign(afinn.analyze(t).score) },
    // VADER's documented cut-offs: compound ≥ 0.05 positive, ≤ −0.05 negative.
    { name: 'vader-sentiment', classify: (t) => bySign(vader.SentimentIntensityAnalyzer.polarity_scores(t).compound, 0.0499) },
    { name: '@nlpjs/sentiment', classify: async (t, lang) => bySign((await nlpjs.process({ locale: lang, text: t })).sentiment.score) },
  ];
}

const CLASSES: SentimentLabel[] = ['negative', 'neutral', 'positive'];

function metrics(gold: SentimentLabel[], pred: SentimentLabel[]): { macroF1: number; accuracy: number } {
  let correct = 0;
  const f1s = CLASSES.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = pred[i];
      if (p === c && g === c) tp++;
      else if (p === c) fp++;
      else if (g === c) fn++;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  gold.forEach((g, i) => (correct += g === pred[i] ? 1 : 0));
  return { macroF1: f1s.reduce((a, b) => a + b, 0) / CLASSES.length, accuracy: correct / gold.length };
}

async function run(method: Method, items: LabelledText[], lang: DevSet['lang']): Promise<{ pred: SentimentLabel[]; seconds: number; cpuSeconds: number }> {
  const pred: SentimentLabel[] = new Array(items.length);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < items.length; i++) pred[i] = await method.classify((items[i] as LabelledText).text, lang);
  const used = process.cpuUsage(cpu);
  return { pred, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(5);

async function main(): Promise<number> {
  const herald = createSentimentAnalyzer();
  const methods: Method[] = [{ name: 'Herald', classify: (t) => herald.analyze(t).label }, ...(await baselines())];
  const sets = [
    ...loadDevSets(argv.shared ?? ''),
    loadHeldOut(join(root, 'test/fixtures/sentiment/osc-heldout.jsonl'), 'ru OpenSentimentCorpus held-out tenth (shipped licence)', 'ru'),
  ];
  const showErrors = Number(argv.errors);
  let ok = true;
  const speed = new Map<string, { texts: number; seconds: number; cpuSeconds: number }>();

  for (const set of sets) {
    const halves = { tune: set.items.filter((_, i) => i % 2 === 0), 'held-out': set.items.filter((_, i) => i % 2 === 1) };
    const counts = CLASSES.map((c) => `${c} ${set.items.filter((x) => x.label === c).length}`).join(', ');
    console.log(`\n${set.name}: ${set.items.length} texts (${counts})`);
    const detected = set.items.filter((x) => herald.analyze(x.text).lang === set.lang).length;
    console.log(`  Herald detects '${set.lang}' for ${pct(detected / set.items.length)} %`);
    console.log(`  ${'method'.padEnd(20)} ${'macro-F1 full / tune / held-out'.padEnd(34)} accuracy full / tune / held-out`);
    const best: Record<string, number> = { full: 0, tune: 0, 'held-out': 0 };
    const heraldF1: Record<string, number> = {};
    for (const method of methods) {
      const { pred, seconds, cpuSeconds } = await run(method, set.items, set.lang);
      const s = speed.get(method.name) ?? { texts: 0, seconds: 0, cpuSeconds: 0 };
      speed.set(method.name, { texts: s.texts + set.items.length, seconds: s.seconds + seconds, cpuSeconds: s.cpuSeconds + cpuSeconds });
      const gold = set.items.map((x) => x.label);
      const full = metrics(gold, pred);
      const tune = metrics(halves.tune.map((x) => x.label), pred.filter((_, i) => i % 2 === 0));
      const held = metrics(halves['held-out'].map((x) => x.label), pred.filter((_, i) => i % 2 === 1));
      console.log(
        `  ${method.name.padEnd(20)} ${pct(full.macroF1)} / ${pct(tune.macroF1)} / ${pct(held.macroF1)}${''.padEnd(14)} ${pct(full.accuracy)} / ${pct(tune.accuracy)} / ${pct(held.accuracy)}`,
      );
      if (method.name === 'Herald') {
        Object.assign(heraldF1, { full: full.macroF1, tune: tune.macroF1, 'held-out': held.macroF1 });
        if (showErrors > 0) {
          let shown = 0;
          set.items.forEach((x, i) => {
            if (i % 2 === 0 && shown < showErrors && pred[i] !== x.label) {
              shown++;
              const r = herald.analyze(x.text);
              console.log(`    gold ${x.label} got ${r.label} ${r.score} [${r.lang}] ${x.text.slice(0, 140).replace(/\n/g, ' ')}`);
            }
          });
        }
      } else {
        for (const k of Object.keys(best)) best[k] = Math.max(best[k] ?? 0, k === 'full' ? full.macroF1 : k === 'tune' ? tune.macroF1 : held.macroF1);
      }
    }
    const ratio = (heraldF1['held-out'] ?? 0) / (best['held-out'] || 1);
    const met = ratio >= 1.15;
    if (!set.shippable && !met) ok = false;
    console.log(`  Herald / best baseline (held-out half): ${ratio.toFixed(2)}× (target ≥ 1.15×) ${met ? 'met' : 'MISSED'}${set.shippable ? ' (reference only)' : ''}`);
  }

  // Per CPU-second as well as per wall second: on a shared machine the wall clock also counts other
  // processes' turns; texts per CPU-second is what one core of our own delivers (the target's unit).
  console.log(`\nthroughput (all texts above, single-threaded, in-process; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores):`);
  const fmt = (x: number) => Math.round(x).toLocaleString('en').padStart(9);
  for (const [name, s] of speed) console.log(`  ${name.padEnd(20)} ${fmt(s.texts / s.seconds)} texts/s wall  ${fmt(s.texts / s.cpuSeconds)} texts per CPU-second`);
  const heraldSpeed = speed.get('Herald');
  const perSecond = heraldSpeed ? heraldSpeed.texts / heraldSpeed.cpuSeconds : 0;
  const fast = perSecond >= 10_000;
  if (!fast) ok = false;
  console.log(`  Herald target ≥ 10,000 texts/s/core: ${fast ? 'met' : 'MISSED'}`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
