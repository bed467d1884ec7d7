/**
 * Loads the sentiment dev sets from ../shared/data/sentiment-dev for bench/sentiment. Evaluation only:
 * nothing here is shipped or trained on (TweetEval, RuSentiment and swe-sentiment are research-use
 * sets; see shared/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentimentLabel } from '../../src/sentiment/sentiment-engine';

/** One labelled text. */
export interface LabelledText {
  text: string;
  label: SentimentLabel;
}

/** A named dev set. */
export interface DevSet {
  name: string;
  lang: 'en' | 'ru' | 'sv';
  /** Whether its licence lets Herald ship data derived from it (then it may also be tuned on). */
  shippable: boolean;
  items: LabelledText[];
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const LABELS: Record<string, SentimentLabel> = {
  negative: 'negative', neutral: 'neutral', positive: 'positive', neg: 'negative', neu: 'neutral', pos: 'positive',
};

/** Loads the dev sets found under `sharedDir` (…/shared). */
export function loadDevSets(sharedDir: string): DevSet[] {
  const dir = join(sharedDir, 'data/sentiment-dev');
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  const sets: DevSet[] = [];

  const tweeteval = read('en/tweeteval-val.tsv')
    .split('\n')
    .slice(1)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { label: LABELS[line.slice(0, tab)], text: line.slice(tab + 1).replace(/^"|"$/g, '').replace(/""/g, '"') };
    })
    .filter((x): x is LabelledText => x.label !== undefined && x.text.length > 0);
  sets.push({ name: 'en TweetEval val', lang: 'en', shippable: false, items: tweeteval });

  const rusentiment = parseCsv(read('ru/rusentiment/rusentiment_preselected_posts.csv'))
    .slice(1)
    .map(([label, text]) => ({ label: LABELS[label ?? ''], text: text ?? '' }))
    .filter((x): x is LabelledText => x.label !== undefined && x.text.trim().length > 0);
  sets.push({ name: 'ru RuSentiment', lang: 'ru', shippable: false, items: rusentiment });

  const swe = parseCsv(read('sv/swe-sentiment-dev.csv'))
    .slice(1)
    .map(([text, label]) => ({ label: LABELS[label ?? ''], text: text ?? '' }))
    .filter((x): x is LabelledText => x.label !== undefined && x.text.trim().length > 0);
  sets.push({ name: 'sv swe-sentiment', lang: 'sv', shippable: false, items: swe });
  return sets;
}

/** Loads the shipped-licence held-out slice committed under test/fixtures/sentiment. */
export function loadHeldOut(file: string, name: string, lang: DevSet['lang']): DevSet {
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LabelledText);
  return { name, lang, shippable: true, items };
}
