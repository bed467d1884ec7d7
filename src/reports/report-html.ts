/**
 * A report as one self-contained HTML page: inline CSS and SVG, the logo as a data: URL, and a
 * Content-Security-Policy that forbids scripts and every external request. The same page is what
 * Chromium prints to PDF (each section on its own page).
 */
import { fragment, h, raw, type Child, type SafeHtml } from './html-builder';
import type { Cell, ReportChart, ReportModel } from './report-model';
import { barChart, heatmap, lineChart } from './svg-charts';

/** White-label settings applied to a report. */
export interface ReportBranding {
  agencyName: string | null;
  /** `#rrggbb` (validated where stored). */
  primaryColor: string;
  accentColor: string;
  logo: { mime: string; base64: string } | null;
}

/** Herald's own look, used until a workspace sets its branding. */
export const defaultBranding: ReportBranding = { agencyName: null, primaryColor: '#1f4e79', accentColor: '#e07a1f', logo: null };

const colour = /^#[0-9a-f]{6}$/i;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

function cell(c: Cell): Child {
  return c === null ? '—' : typeof c === 'number' ? c.toLocaleString('en-GB', { maximumFractionDigits: 6 }) : c;
}

function chart(c: ReportChart, b: ReportBranding): SafeHtml {
  if (c.kind === 'line') return lineChart(c.points, { color: b.primaryColor, title: c.title });
  if (c.kind === 'bars') return barChart(c.bars, { color: b.accentColor, title: c.title, unit: c.unit });
  return heatmap(c.cells, { color: b.primaryColor, title: c.title });
}

/** Renders the report page. */
export function renderReportHtml(model: ReportModel, branding: ReportBranding = defaultBranding): string {
  // Colours reach CSS unescaped, so only strict #rrggbb values are used; anything else falls back.
  const b: ReportBranding = {
    ...branding,
    primaryColor: colour.test(branding.primaryColor) ? branding.primaryColor : defaultBranding.primaryColor,
    accentColor: colour.test(branding.accentColor) ? branding.accentColor : defaultBranding.accentColor,
    logo: branding.logo && /^image\/(png|jpeg)$/.test(branding.logo.mime) && base64.test(branding.logo.base64) ? branding.logo : null,
  };
  const css = `
    @page { size: A4; margin: 14mm; }
    body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0; font-size: 12px; }
    header.brand { display: flex; align-items: center; gap: 12px; border-bottom: 4px solid ${b.primaryColor}; padding-bottom: 8px; margin-bottom: 12px; }
    header.brand img { max-height: 48px; max-width: 160px; }
    header.brand .agency { color: ${b.primaryColor}; font-weight: bold; font-size: 16px; }
    h1 { font-size: 20px; margin: 0; }
    h2 { color: ${b.primaryColor}; font-size: 16px; border-bottom: 2px solid ${b.accentColor}; padding-bottom: 2px; }
    section { break-before: page; }
    section:first-of-type { break-before: auto; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; }
    th { background: ${b.primaryColor}; color: #fff; text-align: left; padding: 3px 5px; font-size: 11px; }
    td { border-bottom: 1px solid #ddd; padding: 3px 5px; font-size: 11px; vertical-align: top; overflow-wrap: anywhere; }
    td.num { text-align: right; white-space: nowrap; }
    .meta, .note, .empty { color: #666; }
    svg.chart { max-height: 240px; }
  `;
  const header = h(
    'header',
    { class: 'brand' },
    b.logo ? h('img', { src: `data:${b.logo.mime};base64,${b.logo.base64}`, alt: b.agencyName ?? 'logo' }) : null,
    h('div', null, b.agencyName ? h('div', { class: 'agency' }, b.agencyName) : null, h('h1', null, model.title), h('div', { class: 'meta' }, `${model.workspaceName} · ${model.period.from} – ${model.period.to} (${model.timeZone}) · generated ${model.generatedAt.slice(0, 16).replace('T', ' ')} UTC`)),
  );
  const sections = model.sections.map((s) =>
    h(
      'section',
      null,
      h('h2', null, s.heading),
      s.note ? h('p', { class: 'note' }, s.note) : null,
      s.charts.map((c) => h('figure', null, chart(c, b), h('figcaption', { class: 'meta' }, c.title))),
      s.tables.map((t) =>
        h(
          'table',
          { 'data-table': t.id },
          h('caption', { class: 'meta' }, t.title),
          h('thead', null, h('tr', null, t.columns.map((c) => h('th', null, c)))),
          h('tbody', null, t.rows.length ? t.rows.map((r) => h('tr', null, r.map((c) => h('td', typeof c === 'number' ? { class: 'num' } : null, cell(c))))) : h('tr', null, h('td', { colspan: t.columns.length, class: 'empty' }, 'No data in this period'))),
        ),
      ),
    ),
  );
  const page = fragment(
    raw('<!doctype html>'),
    h(
      'html',
      { lang: 'en' },
      h(
        'head',
        null,
        h('meta', { charset: 'utf-8' }),
        h('meta', { 'http-equiv': 'Content-Security-Policy', content: "default-src 'none'; img-src data:; style-src 'unsafe-inline'" }),
        h('title', null, `${model.title} · ${model.period.from} – ${model.period.to}`),
        h('style', null, raw(css)),
      ),
      h('body', null, header, sections),
    ),
  );
  return page.html;
}
