/**
 * The spend and conversion import formats (`herald campaigns import`, POST …/campaigns/{id}/import):
 * CSV with a header row or JSON, both checked completely before anything is stored — every problem is
 * listed with its row/path. Amounts are decimal text in major units, parsed exactly into minor units
 * of the campaign's currency (see docs/analytics/campaigns.md).
 */
import { z } from 'zod';
import { isCalendarDay } from '../analytics/local-time';
import { parseMoney } from './money';

/** One entry of an import file, before line items are resolved. */
export interface ImportedEntry {
  kind: 'spend' | 'conversion';
  day: string;
  /** Spend: amount in minor units. */
  amountMinor: number | null;
  /** Conversions: how many, and their value in minor units (null: not given). */
  count: number | null;
  valueMinor: number | null;
  /** A line item's id or placement name (null: the campaign as a whole). */
  lineItem: string | null;
  note: string | null;
  /** Where the row came from, for messages: `row 3` or `spend[2]`. */
  where: string;
}

/** A problem found in the file. */
export interface ImportProblem {
  path: string;
  message: string;
}

/** Most entries one file may hold. */
export const maxImportEntries = 10_000;
const noteMax = 500;

/** Splits RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

function money(raw: string | number, currency: string, path: string, problems: ImportProblem[]): number | null {
  const r = parseMoney(String(raw), currency);
  if (typeof r === 'string') {
    problems.push({ path, message: r });
    return null;
  }
  return r;
}

function dayOf(raw: string, path: string, problems: ImportProblem[]): string {
  if (!isCalendarDay(raw.trim())) problems.push({ path, message: `expected a calendar date like 2026-03-29, got "${raw}"` });
  return raw.trim();
}

function countOf(raw: string | number, path: string, problems: ImportProblem[]): number | null {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    problems.push({ path, message: s.startsWith('-') ? 'a count cannot be negative' : `expected a whole number, got "${s}"` });
    return null;
  }
  return Number(s);
}

function currencyCheck(raw: string | undefined, currency: string, path: string, problems: ImportProblem[]): void {
  const c = raw?.trim().toUpperCase();
  if (c && c !== currency) problems.push({ path, message: `the campaign is in ${currency}, this entry is in ${c}: Herald does not convert currencies` });
}

function noteOf(raw: string | undefined | null, path: string, problems: ImportProblem[]): string | null {
  const n = raw?.trim() ?? '';
  if (n.length > noteMax) problems.push({ path, message: `a note is at most ${noteMax} characters` });
  return n || null;
}

const csvColumns = ['type', 'date', 'amount', 'count', 'value', 'currency', 'line_item', 'note'] as const;

function fromCsv(text: string, currency: string, problems: ImportProblem[]): ImportedEntry[] {
  const rows = parseCsv(text);
  if (rows.length === 0) {
    problems.push({ path: 'file', message: 'The file is empty: expected a header row type,date,amount,count,value,currency,line_item,note' });
    return [];
  }
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(csvColumns as readonly string[]).includes(h));
  if (unknown.length) problems.push({ path: 'header', message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: use ${csvColumns.join(', ')}` });
  for (const required of ['type', 'date'] as const) if (!header.includes(required)) problems.push({ path: 'header', message: `the header needs a "${required}" column` });
  if (problems.length) return [];
  const out: ImportedEntry[] = [];
  rows.slice(1).forEach((cells, i) => {
    const where = `row ${i + 2}`;
    const get = (col: (typeof csvColumns)[number]) => {
      const idx = header.indexOf(col);
      return idx < 0 ? '' : (cells[idx] ?? '').trim();
    };
    const type = get('type').toLowerCase();
    currencyCheck(get('currency'), currency, `${where}.currency`, problems);
    const day = dayOf(get('date'), `${where}.date`, problems);
    const base = { day, lineItem: get('line_item') || null, note: noteOf(get('note'), `${where}.note`, problems), where };
    if (type === 'spend') {
      if (!get('amount')) problems.push({ path: `${where}.amount`, message: 'a spend row needs an amount' });
      else out.push({ ...base, kind: 'spend', amountMinor: money(get('amount'), currency, `${where}.amount`, problems), count: null, valueMinor: null });
    } else if (type === 'conversion' || type === 'conversions') {
      if (!get('count')) problems.push({ path: `${where}.count`, message: 'a conversion row needs a count' });
      else {
        const value = get('value');
        out.push({ ...base, kind: 'conversion', amountMinor: null, count: countOf(get('count'), `${where}.count`, problems), valueMinor: value ? money(value, currency, `${where}.value`, problems) : null });
      }
    } else problems.push({ path: `${where}.type`, message: `type must be "spend" or "conversion", got "${get('type')}"` });
  });
  return out;
}

const amountField = z.union([z.string(), z.number()], { error: 'expected an amount as text, e.g. "1234.50"' });
const JsonFile = z
  .object({
    version: z.literal(1, { error: 'version must be 1' }),
    currency: z.string().optional(),
    spend: z.array(z.object({ date: z.string(), amount: amountField, lineItem: z.string().optional(), note: z.string().optional(), currency: z.string().optional() }).strict()).optional(),
    conversions: z
      .array(z.object({ date: z.string(), count: z.union([z.number(), z.string()]), value: amountField.nullable().optional(), lineItem: z.string().optional(), note: z.string().optional(), currency: z.string().optional() }).strict())
      .optional(),
  })
  .strict();

function fromJson(text: string, currency: string, problems: ImportProblem[]): ImportedEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    problems.push({ path: 'file', message: `not JSON: ${(e as Error).message}` });
    return [];
  }
  const parsed = JsonFile.safeParse(data);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ path: i.path.map(String).join('.') || 'file', message: i.message });
    return [];
  }
  const f = parsed.data;
  currencyCheck(f.currency, currency, 'currency', problems);
  const out: ImportedEntry[] = [];
  (f.spend ?? []).forEach((s, i) => {
    const where = `spend[${i}]`;
    currencyCheck(s.currency, currency, `${where}.currency`, problems);
    out.push({ kind: 'spend', day: dayOf(s.date, `${where}.date`, problems), amountMinor: money(s.amount, currency, `${where}.amount`, problems), count: null, valueMinor: null, lineItem: s.lineItem?.trim() || null, note: noteOf(s.note, `${where}.note`, problems), where });
  });
  (f.conversions ?? []).forEach((c, i) => {
    const where = `conversions[${i}]`;
    currencyCheck(c.currency, currency, `${where}.currency`, problems);
    out.push({
      kind: 'conversion',
      day: dayOf(c.date, `${where}.date`, problems),
      amountMinor: null,
      count: countOf(c.count, `${where}.count`, problems),
      valueMinor: c.value === undefined || c.value === null ? null : money(c.value, currency, `${where}.value`, problems),
      lineItem: c.lineItem?.trim() || null,
      note: noteOf(c.note, `${where}.note`, problems),
      where,
    });
  });
  return out;
}

/** Parses and checks an import file; `problems` is empty when every entry is good. */
export function parseCampaignImport(text: string, format: 'csv' | 'json', currency: string): { entries: ImportedEntry[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const entries = format === 'csv' ? fromCsv(text, currency, problems) : fromJson(text, currency, problems);
  if (entries.length === 0 && problems.length === 0) problems.push({ path: 'file', message: 'The file holds no spend or conversion entries' });
  if (entries.length > maxImportEntries) problems.push({ path: 'file', message: `A file may hold at most ${maxImportEntries} entries` });
  return { entries, problems };
}
