/**
 * Chromium printing on its own: pages follow the sections, nothing is fetched from the network while
 * printing (an <img> pointing at a local server is never requested), and concurrent prints all finish.
 * The printer shares one browser per process: launched on the first print, reused by the next ones,
 * closed when idle and launched again after it crashed (its process killed).
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { htmlToPdf, PdfPrinter, sharedPdfPrinter } from '../../src/reports/report-pdf';
import { pdfPageInk } from './pdf-pages';

const small = '<!doctype html><html><body><h1>Report</h1></body></html>';

/** Pids of the Chromium browser processes this test process started (direct children). */
function chromiumChildren(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, comm]) => pid && comm && /chrom/i.test(comm))
    .map(([pid]) => Number(pid));
}

describe('PDF printing with Chromium', () => {
  it('prints one page per section, requests nothing, and handles concurrent prints', { timeout: 120_000 }, async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      // Raw HTML here on purpose (not the report builder): the printer itself must not fetch.
      const html = `<!doctype html><html><head><style>section{break-before:page}section:first-of-type{break-before:auto}</style></head><body>
        <section><h1>One</h1><img src="http://127.0.0.1:${port}/logo.png"><link rel="stylesheet" href="http://127.0.0.1:${port}/x.css"></section>
        <section><h1>Two</h1></section><section><h1>Three</h1><p>${'text '.repeat(50)}</p></section></body></html>`;
      const pdfs = await Promise.all([1, 2, 3].map(() => htmlToPdf(html, '/usr/bin/chromium')));
      for (const pdf of pdfs) {
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        const ink = pdfPageInk(pdf);
        expect(ink).toHaveLength(3);
        for (const share of ink) expect(share).toBeGreaterThan(0.0005);
      }
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });

  it('shares one browser: launched on the first print, reused, closed when idle, launched again after a crash', { timeout: 120_000 }, async () => {
    const printer = new PdfPrinter({ executablePath: '/usr/bin/chromium', idleMs: 400 });
    try {
      expect(await printer.isOpen()).toBe(false);
      const before = chromiumChildren();
      for (let i = 0; i < 3; i++) expect((await printer.print(small)).subarray(0, 5).toString()).toBe('%PDF-');
      await Promise.all([printer.print(small), printer.print(small)]);
      expect(printer.launches).toBe(1);
      expect(await printer.isOpen()).toBe(true);

      // A crash: the browser process is killed; the next print launches a new one and succeeds.
      const started = chromiumChildren().filter((pid) => !before.includes(pid));
      expect(started).toHaveLength(1);
      process.kill(started[0]!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      expect((await printer.print(small)).subarray(0, 5).toString()).toBe('%PDF-');
      expect(printer.launches).toBe(2);

      // Idle: closed after the quiet spell, and a later print launches again.
      await new Promise((r) => setTimeout(r, 900));
      expect(await printer.isOpen()).toBe(false);
      expect(chromiumChildren().filter((pid) => !before.includes(pid))).toEqual([]);
      await printer.print(small);
      expect(printer.launches).toBe(3);
    } finally {
      await printer.close();
    }
    expect(await printer.isOpen()).toBe(false);
  });

  it('htmlToPdf uses the process\'s shared printer for the executable', async () => {
    expect(sharedPdfPrinter('/usr/bin/chromium')).toBe(sharedPdfPrinter('/usr/bin/chromium'));
    const launched = sharedPdfPrinter('/usr/bin/chromium').launches;
    await htmlToPdf(small, '/usr/bin/chromium');
    await htmlToPdf(small, '/usr/bin/chromium');
    expect(sharedPdfPrinter('/usr/bin/chromium').launches - launched).toBeLessThanOrEqual(1);
    await sharedPdfPrinter('/usr/bin/chromium').close();
  }, 120_000);
});
