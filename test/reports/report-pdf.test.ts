/**
 * Chromium printing on its own: pages follow the sections, nothing is fetched from the network while
 * printing (an <img> pointing at a local server is never requested), and concurrent prints all finish.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { htmlToPdf } from '../../src/reports/report-pdf';
import { pdfPageInk } from './pdf-pages';

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
});
