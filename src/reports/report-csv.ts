/**
 * CSV export of a report's tables (RFC 4180 quoting, CRLF). Cells a spreadsheet would read as a
 * formula — starting with `=`, `+`, `-`, `@`, tab or carriage return — get a leading `'` so opening
 * the file never runs anything (OWASP "CSV injection"). Numbers are written as numbers: a negative
 * number is data, not a formula.
 */
import type { Cell, ReportTable } from './report-model';

/** A text cell made inert for spreadsheets. */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(c: Cell): string {
  if (c === null) return '';
  const s = typeof c === 'number' ? String(c) : neutraliseFormula(c);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One table as CSV (header row first). */
export function tableToCsv(table: ReportTable): string {
  return [table.columns, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Every table, each under a one-cell title row, separated by a blank line. */
export function reportToCsv(tables: ReportTable[]): string {
  return tables.map((t) => `${csvCell(t.title)}\r\n${tableToCsv(t)}`).join('\r\n');
}
