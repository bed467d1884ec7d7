/**
 * XLSX export of a report's tables through exceljs: one worksheet per table, header row bold, numbers
 * as numbers, text as text (exceljs writes strings as shared strings, never formulas; the same
 * formula-prefix neutralising as the CSV is applied so a copy-paste out of the sheet stays inert).
 */
import ExcelJS from 'exceljs';
import { neutraliseFormula } from './report-csv';
import type { ReportTable } from './report-model';

/** Sheet names: at most 31 characters, none of []:*?/\ , unique. */
function sheetName(title: string, used: Set<string>): string {
  const base = title.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 28) || 'Sheet';
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 27)} ${i}`;
  used.add(name.toLowerCase());
  return name;
}

/** The tables as an .xlsx workbook. */
export async function reportToXlsx(tables: ReportTable[], meta: { title: string; creator: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = meta.creator;
  wb.title = meta.title;
  const used = new Set<string>();
  for (const t of tables) {
    const ws = wb.addWorksheet(sheetName(t.title, used));
    ws.addRow(t.columns).font = { bold: true };
    for (const r of t.rows) ws.addRow(r.map((c) => (typeof c === 'string' ? neutraliseFormula(c) : c)));
    ws.columns.forEach((col, i) => {
      col.width = Math.min(60, Math.max(10, t.columns[i]?.length ?? 10, ...t.rows.slice(0, 200).map((r) => String(r[i] ?? '').length)));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
