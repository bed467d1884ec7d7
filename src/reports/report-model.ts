/**
 * The report model every format is produced from: sections with KPI rows, charts and tables. HTML/PDF
 * show all of it; CSV and XLSX carry the tables (the underlying numbers), so the formats never disagree.
 */

/** Report templates over accounts and a period. The campaign report is per campaign (campaign-report.ts). */
export const reportTemplates = ['monthly', 'competitors', 'inbox'] as const;
export type ReportTemplate = (typeof reportTemplates)[number];

/** A table cell: text, number, or empty (missing stays missing, never 0). */
export type Cell = string | number | null;

/** One table of the underlying data. */
export interface ReportTable {
  /** Sheet / file name: lower-case words and dashes. */
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

/** A chart, drawn as inline SVG. */
export type ReportChart =
  | { kind: 'line'; title: string; points: Array<{ label: string; value: number | null }> }
  | { kind: 'bars'; title: string; unit?: string; bars: Array<{ label: string; value: number | null }> }
  | { kind: 'heatmap'; title: string; cells: Array<{ weekday: number; hour: number; value: number | null }> };

/** One section; in HTML/PDF every section starts a new page. */
export interface ReportSection {
  heading: string;
  note?: string;
  charts: ReportChart[];
  tables: ReportTable[];
}

/** A whole report. */
export interface ReportModel {
  /** `campaign` reports are built per campaign (src/reports/campaign-report.ts), not from this list. */
  template: ReportTemplate | 'campaign';
  title: string;
  workspaceName: string;
  period: { from: string; to: string; days: number };
  timeZone: string;
  generatedAt: string;
  sections: ReportSection[];
}

/** Every table of a report (for CSV/XLSX). */
export function reportTables(model: ReportModel): ReportTable[] {
  return model.sections.flatMap((s) => s.tables);
}
