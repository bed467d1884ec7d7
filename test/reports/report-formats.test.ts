/**
 * Report formats without a database: the HTML builder escapes hostile text (no element, attribute or
 * script can come from data), branding values that are not strict colours / PNG-JPEG data never reach
 * the page, CSV neutralises formula prefixes and quotes properly, and the XLSX parses back (exceljs)
 * with the same rows.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, h } from '../../src/reports/html-builder';
import { neutraliseFormula, reportToCsv, tableToCsv } from '../../src/reports/report-csv';
import { renderReportHtml } from '../../src/reports/report-html';
import type { ReportModel } from '../../src/reports/report-model';
import { reportToXlsx } from '../../src/reports/report-xlsx';

const hostile = `<script>alert(1)</script><img src=x onerror="alert(2)"> & 'quoted' </table>`;

function model(text: string): ReportModel {
  return {
    template: 'monthly',
    title: 'SMM report',
    workspaceName: `Acme <b>bold</b>`,
    period: { from: '2026-03-01', to: '2026-03-31', days: 31 },
    timeZone: 'Europe/Stockholm',
    generatedAt: '2026-04-01T06:00:00.000Z',
    sections: [
      {
        heading: `@${text}`,
        charts: [
          { kind: 'line', title: `Followers ${text}`, points: [{ label: text, value: 1 }, { label: '2026-03-02', value: null }, { label: '2026-03-03', value: 3 }] },
          { kind: 'bars', title: 'Bars', bars: [{ label: text, value: 2 }] },
          { kind: 'heatmap', title: 'Heat', cells: [{ weekday: 1, hour: 9, value: 4 }] },
        ],
        tables: [{ id: 'top-posts', title: 'Top posts', columns: ['Text', 'Likes'], rows: [[text, 5], ['=1+1', null], ['-2', -2]] }],
      },
    ],
  };
}

describe('report HTML', () => {
  it('escapes hostile post text everywhere it appears (content, chart labels, titles)', () => {
    const html = renderReportHtml(model(hostile));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toContain('</table> ');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &amp; &#39;quoted&#39;');
    // Exactly the builder's own elements: one table, one script-free page with a CSP.
    expect(html.match(/<table/g)?.length).toBe(1);
    expect(html).not.toMatch(/<script|javascript:|\son\w+="/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;"`);
    expect(html.match(/<svg/g)?.length).toBe(3);
    // Missing values are shown as a dash, never as 0.
    expect(html).toContain('<td>—</td>');
  });

  it('applies branding, but only strict colours and real image data', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    const branded = renderReportHtml(model('x'), { agencyName: 'Agency <i>', primaryColor: '#123abc', accentColor: '#00ff00', logo: { mime: 'image/png', base64: png } });
    expect(branded).toContain('border-bottom: 4px solid #123abc');
    expect(branded).toContain(`src="data:image/png;base64,${png}"`);
    expect(branded).toContain('Agency &lt;i&gt;');
    const evil = renderReportHtml(model('x'), { agencyName: null, primaryColor: 'red;} body{display:none', accentColor: '#00ff00"', logo: { mime: 'text/html', base64: 'PHNjcmlwdD4=' } });
    expect(evil).not.toContain('display:none');
    expect(evil).toContain('#1f4e79');
    expect(evil).not.toContain('data:text/html');
  });

  it('builder rejects bad tag and attribute names and escapes attribute values', () => {
    expect(() => h('img onerror=x', null)).toThrow();
    expect(() => h('a', { 'href="x" onclick': '1' })).toThrow();
    expect(h('a', { title: '"><script>' }, 'x').html).toBe('<a title="&quot;&gt;&lt;script&gt;">x</a>');
    expect(escapeHtml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });
});

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const bad of ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\r=1']) expect(neutraliseFormula(bad)).toBe(`'${bad}`);
    for (const ok of ['hello', ' =not first', '1=1', '']) expect(neutraliseFormula(ok)).toBe(ok);
    const csv = tableToCsv({ id: 't', title: 'T', columns: ['Text', 'N'], rows: [['=cmd|\' /C calc\'!A0', -5], ['he said "hi", ok', null], ['line\nbreak', 1.5], ['@user', 0]] });
    expect(csv).toBe([`Text,N`, `'=cmd|' /C calc'!A0,-5`, `"he said ""hi"", ok",`, `"line\nbreak",1.5`, `'@user,0`, ''].join('\r\n'));
  });

  it('writes every table under its title', () => {
    const csv = reportToCsv([
      { id: 'a', title: 'First', columns: ['x'], rows: [[1]] },
      { id: 'b', title: '-Second', columns: ['y'], rows: [] },
    ]);
    expect(csv).toBe('First\r\nx\r\n1\r\n\r\n\'-Second\r\ny\r\n');
  });
});

describe('XLSX export', () => {
  it('opens again with the same sheets and rows, text never a formula', async () => {
    const buf = await reportToXlsx(model(hostile).sections[0]!.tables.concat([{ id: 'k', title: 'KPIs: [x]/y', columns: ['KPI', 'Value'], rows: [['ER', 8.681818]] }]), { title: 'SMM report', creator: 'Herald' });
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Top posts', 'KPIs   x  y']);
    const top = wb.getWorksheet('Top posts')!;
    const rows = top.getSheetValues().slice(1).map((r) => (Array.isArray(r) ? r.slice(1) : r));
    expect(rows).toEqual([['Text', 'Likes'], [hostile, 5], ["'=1+1"], ["'-2", -2]]);
    for (const row of [2, 3, 4]) expect(top.getRow(row).getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(wb.worksheets[1]!.getRow(2).getCell(2).value).toBe(8.681818);
  });
});
