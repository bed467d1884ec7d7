/**
 * Inline SVG charts for reports, drawn from numbers only (labels go through the escaping builder), so
 * a report needs no script and no external request: a line chart (followers by day), horizontal bars
 * (values by category) and a weekday × hour heatmap.
 */
import { escapeHtml, raw, type SafeHtml } from './html-builder';

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();
const text = (x: number, y: number, s: string, extra = '') => `<text x="${fmt(x)}" y="${fmt(y)}"${extra}>${escapeHtml(s)}</text>`;

/** Line chart of a daily series; days without a value break the line. */
export function lineChart(points: Array<{ label: string; value: number | null }>, opts: { color: string; width?: number; height?: number; title: string }): SafeHtml {
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const pad = { l: 56, r: 12, t: 12, b: 28 };
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (values.length === 0) return raw(`<p class="empty">${escapeHtml(`${opts.title}: no data in this period`)}</p>`);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const x = (i: number) => pad.l + (points.length === 1 ? 0 : (i / (points.length - 1)) * (width - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - min) / (max - min)) * (height - pad.t - pad.b);
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${fmt(x(i))},${fmt(y(p.value))}`;
  });
  if (current) segments.push(current);
  const first = points[0]!.label;
  const last = points[points.length - 1]!.label;
  return raw(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" class="chart"><title>${escapeHtml(opts.title)}</title>` +
      `<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#999"/>` +
      text(pad.l - 6, y(max) + 4, fmt(max), ' text-anchor="end" font-size="11"') +
      text(pad.l - 6, y(min) + 4, fmt(min), ' text-anchor="end" font-size="11"') +
      text(pad.l, height - 8, first, ' font-size="11"') +
      text(width - pad.r, height - 8, last, ' text-anchor="end" font-size="11"') +
      segments.map((d) => `<path d="${d}" fill="none" stroke="${opts.color}" stroke-width="2"/>`).join('') +
      `</svg>`,
  );
}

/** Horizontal bars; a null value is drawn as "—" with no bar. */
export function barChart(bars: Array<{ label: string; value: number | null }>, opts: { color: string; width?: number; title: string; unit?: string }): SafeHtml {
  if (bars.length === 0) return raw(`<p class="empty">${escapeHtml(`${opts.title}: no data in this period`)}</p>`);
  const width = opts.width ?? 640;
  const row = 22;
  const labelW = 170;
  const height = bars.length * row + 8;
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0)) || 1;
  const body = bars
    .map((b, i) => {
      const yy = 4 + i * row;
      const w = b.value === null ? 0 : Math.max(0, (b.value / max) * (width - labelW - 80));
      return (
        text(labelW - 6, yy + 15, b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label, ' text-anchor="end" font-size="12"') +
        `<rect x="${labelW}" y="${yy + 3}" width="${fmt(w)}" height="${row - 8}" fill="${opts.color}"/>` +
        text(labelW + w + 6, yy + 15, b.value === null ? '—' : `${fmt(b.value)}${opts.unit ?? ''}`, ' font-size="12"')
      );
    })
    .join('');
  return raw(`<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" class="chart"><title>${escapeHtml(opts.title)}</title>${body}</svg>`);
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Weekday × hour heatmap; darker = higher value; empty cells are light grey. */
export function heatmap(cells: Array<{ weekday: number; hour: number; value: number | null }>, opts: { color: string; title: string }): SafeHtml {
  const cw = 24;
  const ch = 20;
  const left = 40;
  const top = 18;
  const width = left + 24 * cw + 4;
  const height = top + 7 * ch + 4;
  const max = Math.max(0, ...cells.map((c) => c.value ?? 0)) || 1;
  const byKey = new Map(cells.map((c) => [`${c.weekday}|${c.hour}`, c.value]));
  let body = '';
  for (let hour = 0; hour < 24; hour += 3) body += text(left + hour * cw + 2, 12, String(hour).padStart(2, '0'), ' font-size="10"');
  for (let d = 1; d <= 7; d++) {
    body += text(2, top + (d - 1) * ch + 14, weekdays[d - 1]!, ' font-size="11"');
    for (let hour = 0; hour < 24; hour++) {
      const v = byKey.get(`${d}|${hour}`);
      const opacity = v === undefined || v === null ? 0 : 0.15 + 0.85 * (v / max);
      body += `<rect x="${left + hour * cw}" y="${top + (d - 1) * ch}" width="${cw - 2}" height="${ch - 2}" fill="${v === undefined || v === null ? '#eee' : opts.color}" fill-opacity="${v === undefined || v === null ? 1 : fmt(opacity)}"/>`;
    }
  }
  return raw(`<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" class="chart"><title>${escapeHtml(opts.title)}</title>${body}</svg>`);
}
