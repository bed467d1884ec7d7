/**
 * PDF printing: Chromium (headless, through playwright-core) loads the report's HTML and prints it.
 * JavaScript is off and every network request is aborted, so printing sees exactly the self-contained
 * page. One browser per print keeps the worker simple; printing is rare (downloads, scheduled mails).
 */
import { chromium } from 'playwright-core';

/** Flags for a headless Chromium in a container (the same as the e2e harness). */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Prints running at once in this process: each is a whole browser, so downloads queue behind two. */
const maxConcurrentPrints = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function withPrintSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= maxConcurrentPrints) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** Prints `html` to an A4 PDF with Chromium at `executablePath` (at most two prints at once per process). */
export function htmlToPdf(html: string, executablePath: string, timeoutMs = 60_000): Promise<Buffer> {
  return withPrintSlot(() => print(html, executablePath, timeoutMs));
}

async function print(html: string, executablePath: string, timeoutMs: number): Promise<Buffer> {
  const browser = await chromium.launch({ executablePath, args: chromiumArgs, timeout: timeoutMs });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
