/**
 * Trains Herald's English sentiment classifier (src/sentiment/resources/en-classifier.json) from
 * permissively licensed data only:
 *
 * - VADER ground truth (C.J. Hutto and E. Gilbert, ICWSM-2014; MIT): tweets, Amazon review, movie
 *   review and NYT editorial snippets, each with the mean of about twenty raters' valence in [−4, 4];
 *   mean ≤ −0.5 is negative, ≥ 0.5 positive, otherwise neutral (the same band the test fixture of
 *   VADER tweets uses). Every tenth tweet (ids 1, 11, 21, …) is left out: that tenth is the held-out
 *   fixture test/fixtures/sentiment/vader-tweets-tenth.jsonl.
 * - UCI "Sentiment Labelled Sentences" (D. Kotzias et al., KDD 2015; CC BY 4.0): Amazon, IMDb and Yelp
 *   sentences labelled 0 (negative) / 1 (positive).
 *
 * TweetEval (research-only) is never read here: it only measures the result (bench/sentiment) and
 * picks the blend weight and label cut-offs (ENGLISH_BLEND in src/sentiment/sentiment-model.ts).
 *
 * Model: multinomial logistic regression (negative / neutral / positive) over the keys of
 * englishFeatureKeys (negation-marked unigrams, bigrams, emoji, emoticons, style marks) plus the
 * lexicon engine's score as dense inputs, trained by AdaGrad with L2 for a fixed number of epochs
 * (small steps: early stopping is the main regulariser against the review-heavy training data).
 * Deterministic: a fixed shuffle seed and fixed-order arithmetic, so the same input gives the same
 * file byte for byte (test/sentiment/english-classifier.test.ts checks the committed file's hash).
 *
 *   npx tsx scripts/train-sentiment-en.ts [path/to/shared]
 *
 * Re-run when the lexicon engine, its rules or the feature extraction change (the classifier reads the
 * lexicon score as an input), and commit the output. The app never reads ../shared.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { denseInputs, type EnglishClassifierFile } from '../src/sentiment/english-classifier';
import { createEnglishInputs } from '../src/sentiment/sentiment-engine';
import { ENGLISH_CLASSIFIER_FILE, loadLexiconModel } from '../src/sentiment/sentiment-model';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Training settings (chosen with the TweetEval tune half as the yardstick, see docs/listening/sentiment.md). */
export const TRAINING = {
  /** |mean valence| below this is neutral. */
  neutralBand: 0.5,
  /** Example weights per source: tweets count fully, review sentences half (they are not social posts). */
  weights: { tweets: 1, amazonReviewSnippets: 0.5, movieReviewSnippets: 0.5, nytEditorialSnippets: 1, uci: 0.5 },
  /** A feature key must occur in at least this many training texts. */
  minCount: 3,
  epochs: 20,
  learningRate: 0.01,
  l2: 1e-3,
  seed: 42,
  /** Features whose centred weights all stay below this are pruned from the shipped file. */
  prune: 0.01,
  /** Decimals kept in the file. */
  decimals: 3,
} as const;

interface Example {
  keys: string[];
  lex: number;
  /** Gold class: 0 negative, 1 neutral, 2 positive. */
  y: 0 | 1 | 2;
  weight: number;
}

/** Reads the permissive training sets under `sharedDir` (…/shared) into examples. */
export function loadTrainingExamples(sharedDir: string): Example[] {
  const dir = join(sharedDir, 'data/sentiment-dev/en');
  const inputs = createEnglishInputs(loadLexiconModel());
  const examples: Example[] = [];
  const add = (text: string, y: 0 | 1 | 2, weight: number) => {
    const { keys, lex } = inputs(text);
    examples.push({ keys, lex, y, weight });
  };
  for (const source of ['tweets', 'amazonReviewSnippets', 'movieReviewSnippets', 'nytEditorialSnippets'] as const) {
    const lines = readFileSync(join(dir, 'vader-icwsm2014', `${source}_GroundTruth.txt`), 'utf8').split(/\r?\n/);
    for (const line of lines) {
      const [id, mean, ...rest] = line.split('\t');
      const text = rest.join('\t').trim();
      if (!text || id === undefined || mean === undefined) continue;
      // The held-out tenth of the tweets (the committed test fixture).
      if (source === 'tweets' && Number(id) % 10 === 1) continue;
      const m = Number(mean);
      add(text, m <= -TRAINING.neutralBand ? 0 : m >= TRAINING.neutralBand ? 2 : 1, TRAINING.weights[source]);
    }
  }
  for (const source of ['amazon', 'imdb', 'yelp']) {
    const rows = JSON.parse(readFileSync(join(dir, 'uci-sentences', `${source}.json`), 'utf8')) as Array<{ text: string; class: number | null }>;
    for (const r of rows) if (r.class !== null && r.text.trim()) add(r.text, r.class === 1 ? 2 : 0, TRAINING.weights.uci);
  }
  return examples;
}

/** Trains the classifier on `examples` and returns the file contents (pruned, rounded). */
export function trainEnglishClassifier(examples: readonly Example[]): EnglishClassifierFile {
  // Vocabulary in first-seen order (deterministic), keeping keys seen in enough texts.
  const counts = new Map<string, number>();
  for (const e of examples) for (const k of e.keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [k, c] of counts) if (c >= TRAINING.minCount) vocab.set(k, vocab.size);
  const rows = examples.map((e) => ({ ids: e.keys.map((k) => vocab.get(k)).filter((i): i is number => i !== undefined), x: denseInputs(e.lex), e }));

  const W = new Float64Array(vocab.size * 3);
  const G = new Float64Array(vocab.size * 3);
  const D = new Float64Array(12);
  const DG = new Float64Array(12);
  const { learningRate: lr, l2 } = TRAINING;
  let seed: number = TRAINING.seed;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const order = rows.map((_, i) => i);
  const z = [0, 0, 0];
  const p = [0, 0, 0];
  for (let epoch = 0; epoch < TRAINING.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (const index of order) {
      const { ids, x, e } = rows[index] as (typeof rows)[number];
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += (D[c * 4 + j] as number) * (x[j] as number);
        for (const id of ids) s += W[id * 3 + c] as number;
        z[c] = s;
      }
      const m = Math.max(z[0] as number, z[1] as number, z[2] as number);
      let sum = 0;
      for (let c = 0; c < 3; c++) sum += p[c] = Math.exp((z[c] as number) - m);
      for (let c = 0; c < 3; c++) {
        const g = ((p[c] as number) / sum - (e.y === c ? 1 : 0)) * e.weight;
        for (const id of ids) {
          const k = id * 3 + c;
          const gk = g + l2 * (W[k] as number);
          G[k] = (G[k] as number) + gk * gk;
          W[k] = (W[k] as number) - (lr * gk) / Math.sqrt((G[k] as number) + 1e-8);
        }
        for (let j = 0; j < 4; j++) {
          const k = c * 4 + j;
          const gk = g * (x[j] as number);
          DG[k] = (DG[k] as number) + gk * gk;
          D[k] = (D[k] as number) - (lr * gk) / Math.sqrt((DG[k] as number) + 1e-8);
        }
      }
    }
  }

  const scale = 10 ** TRAINING.decimals;
  const round = (v: number) => {
    const r = Math.round(v * scale) / scale;
    return Object.is(r, -0) ? 0 : r;
  };
  const features: Record<string, [number, number]> = {};
  // Sorted keys: the file does not depend on the order the data happened to be read in.
  for (const key of [...vocab.keys()].sort()) {
    const id = vocab.get(key) as number;
    const neg = W[id * 3] as number;
    const neu = W[id * 3 + 1] as number;
    const pos = W[id * 3 + 2] as number;
    // Centred: adding one constant to all three class weights does not change the softmax.
    const mean = (neg + neu + pos) / 3;
    const cn = neg - mean;
    const cp = pos - mean;
    if (Math.max(Math.abs(cn), Math.abs(cp), Math.abs(neu - mean)) < TRAINING.prune) continue;
    features[key] = [round(cn), round(cp)];
  }
  const dense = [0, 1, 2].map((c) => [0, 1, 2, 3].map((j) => round(D[c * 4 + j] as number))) as EnglishClassifierFile['dense'];
  return {
    about:
      'Herald English sentiment classifier, generated by scripts/train-sentiment-en.ts from VADER ground truth (MIT, C.J. Hutto and E. Gilbert, ICWSM-2014) and UCI Sentiment Labelled Sentences (CC BY 4.0, D. Kotzias et al., KDD 2015). See NOTICE.md.',
    dense,
    features,
  };
}

/** The file's text as written to resources/ (stable key order, one feature per line for readable diffs). */
export function serializeEnglishClassifier(file: EnglishClassifierFile): string {
  const lines = Object.entries(file.features).map(([k, v]) => `    ${JSON.stringify(k)}: [${v[0]}, ${v[1]}]`);
  return `{\n  "about": ${JSON.stringify(file.about)},\n  "dense": ${JSON.stringify(file.dense)},\n  "features": {\n${lines.join(',\n')}\n  }\n}\n`;
}

/** sha256 of a file's text, hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const shared = process.argv[2] ?? join(root, '../shared');
  const started = Date.now();
  const examples = loadTrainingExamples(shared);
  const text = serializeEnglishClassifier(trainEnglishClassifier(examples));
  const out = join(root, 'src/sentiment/resources', ENGLISH_CLASSIFIER_FILE);
  writeFileSync(out, text);
  const features = text.split('\n').length - 7;
  console.log(`${examples.length} training texts → ${features} features, ${(text.length / 1024).toFixed(0)} KiB, sha256 ${sha256(text)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`wrote ${out}`);
}
