/**
 * PDF printing: Chromium (headless, through playwright-core) loads the report's HTML and prints it.
 * JavaScript is off and every network request is aborted, so printing sees exactly the self-contained
 * page.
 *
 * One Chromium per process, shared by every print: launching costs most of a print (≈ 1 s of the
 * ≈ 1.5–2 s a monthly report took with a browser per PDF), so the browser is launched on the first
 * print, reused, closed after a quiet spell (`idleMs`) and on shutdown, and launched again when it has
 * crashed or been closed. Each print gets its own browser context and page (JavaScript off, offline,
 * requests aborted), closed when the print ends, so prints never share state.
 */
import { chromium, type Browser } from 'playwright-core';

/** Flags for a headless Chromium in a container (the same as the e2e harness). */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Settings of a printer. */
export interface PdfPrinterOptions {
  executablePath: string;
  /** Close the browser after this long without prints (default 60 s). */
  idleMs?: number;
  /** Prints at once (default 2: pages of one browser, on small machines). */
  maxConcurrent?: number;
}

/** A Chromium shared by prints: launched lazily, reused, closed when idle or on `close()`, relaunched after a crash. */
export class PdfPrinter {
  private browser: Promise<Browser> | null = null;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private launchCount = 0;

  constructor(private readonly options: PdfPrinterOptions) {}

  /** Browsers launched so far (for tests and the benchmark). */
  get launches(): number {
    return this.launchCount;
  }

  /** Prints `html` to an A4 PDF. */
  async print(html: string, timeoutMs = 60_000): Promise<Buffer> {
    await this.takeSlot();
    try {
      return await this.printWithRetry(html, timeoutMs);
    } finally {
      this.giveSlot();
    }
  }

  /** Closes the browser (shutdown); a later print launches a new one. */
  async close(): Promise<void> {
    this.clearIdle();
    const b = this.browser;
    this.browser = null;
    if (b) await b.then((x) => x.close()).catch(() => undefined);
  }

  /** True while a launched browser is connected. */
  async isOpen(): Promise<boolean> {
    const b = this.browser ? await this.browser.catch(() => null) : null;
    return !!b?.isConnected();
  }

  private async takeSlot(): Promise<void> {
    this.clearIdle();
    if (this.running >= (this.options.maxConcurrent ?? 2)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
  }

  private giveSlot(): void {
    this.running -= 1;
    const next = this.waiting.shift();
    if (next) return next();
    if (this.running === 0) {
      this.idleTimer = setTimeout(() => void this.close(), this.options.idleMs ?? 60_000);
      // An idle browser must not keep a CLI or test process alive.
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** The shared browser, launched when there is none or the last one is gone. */
  private async current(timeoutMs: number): Promise<Browser> {
    while (this.browser) {
      const pending = this.browser;
      const b = await pending.catch(() => null);
      if (b?.isConnected()) return b;
      // Gone. Unless another print has started a new launch meanwhile (then use that), launch here.
      if (this.browser === pending) this.browser = null;
    }
    const launching = chromium.launch({ executablePath: this.options.executablePath, args: chromiumArgs, timeout: timeoutMs });
    this.browser = launching;
    this.launchCount += 1;
    launching.then(
      (b) => b.on('disconnected', () => {
        if (this.browser === launching) this.browser = null;
      }),
      () => {
        if (this.browser === launching) this.browser = null;
      },
    );
    return launching;
  }

  private async printWithRetry(html: string, timeoutMs: number): Promise<Buffer> {
    const browser = await this.current(timeoutMs);
    try {
      return await this.printOn(browser, html, timeoutMs);
    } catch (e) {
      // The browser crashed or was closed while printing: once more on a fresh one.
      if (browser.isConnected()) throw e;
      return this.printOn(await this.current(timeoutMs), html, timeoutMs);
    }
  }

  private async printOn(browser: Browser, html: string, timeoutMs: number): Promise<Buffer> {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      const page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close().catch(() => undefined);
    }
  }
}

/** The process's printers, one per Chromium executable. */
const shared = new Map<string, PdfPrinter>();

/** The process's shared printer for `executablePath`. */
export function sharedPdfPrinter(executablePath: string): PdfPrinter {
  let p = shared.get(executablePath);
  if (!p) {
    p = new PdfPrinter({ executablePath });
    shared.set(executablePath, p);
  }
  return p;
}

/** Closes every shared printer's browser (process shutdown). */
export async function closeSharedPdfPrinters(): Promise<void> {
  await Promise.all([...shared.values()].map((p) => p.close()));
}

/** Prints `html` to an A4 PDF with the process's shared Chromium at `executablePath` (at most two prints at once). */
export function htmlToPdf(html: string, executablePath: string, timeoutMs = 60_000): Promise<Buffer> {
  return sharedPdfPrinter(executablePath).print(html, timeoutMs);
}
