/**
 * Test helper: renders a PDF to greyscale images with poppler's `pdftoppm` and reports, per page,
 * the share of pixels that are not white — so a test can assert the page count and that no page is
 * blank. PGM (P5) output is parsed directly: no image library needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Share of non-white pixels of each page, in page order. */
export function pdfPageInk(pdf: Buffer, dpi = 40): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'herald-pdf-'));
  try {
    writeFileSync(join(dir, 'report.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', join(dir, 'report.pdf'), join(dir, 'page')], { timeout: 60_000 });
    const pages = readdirSync(dir).filter((f) => f.endsWith('.pgm')).sort();
    return pages.map((f) => {
      const data = readFileSync(join(dir, f));
      // Header: "P5\n<w> <h>\n<max>\n" then w*h bytes.
      const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
      if (!header) throw new Error(`${f} is not a PGM file`);
      const w = Number(header[1]);
      const h = Number(header[2]);
      const pixels = data.subarray(data.length - w * h);
      let ink = 0;
      for (const p of pixels) if (p < 200) ink += 1;
      return ink / (w * h);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
