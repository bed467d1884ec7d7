/**
 * End-to-end harness: a real `herald serve` child (fresh SQLite data dir, Bluesky default service = the
 * local PDS) serving the built web app, driven by Debian Chromium through playwright-core. Everything
 * started here is stopped by `stop()`, also when a start half-failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot, startServe, tempHome, type ServeProcess } from '../cli/cli-harness';

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const chromiumPath = '/usr/bin/chromium';

/** Flags that keep Chromium headless, quiet and on loopback only. */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots and other artifacts (gitignored). */
export const artifactsDir = join(repoRoot, 'test-results', 'e2e');

/** True when the browser the e2e tests drive is installed. */
export function chromiumInstalled(): boolean {
  return existsSync(chromiumPath);
}

/** Builds web/dist when it is missing or older than its sources (scripts/ensure-web-build.mjs). */
export function ensureWebBuild(): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'ensure-web-build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the web app failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** A running Herald plus a browser pointed at it. */
export interface E2eApp {
  /** Base URL of the Herald server, e.g. http://127.0.0.1:41234 */
  url: string;
  serve: ServeProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as test-results/e2e/<name>.png. */
  screenshot(name: string, page?: Page): Promise<void>;
  /** Console errors (except expected 401 answers) and page errors so far; CSP violations show up here. */
  browserErrors: string[];
  /** Requests a page tried to send off this machine (aborted; a test should expect none). */
  externalRequests: string[];
  /** Another signed-out browser (a second person), with the same settings, guards and error capture. */
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

/** True for URLs on this machine. */
export function isLoopbackUrl(url: URL): boolean {
  const h = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'data:' || url.protocol === 'blob:' || h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Launches Chromium with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 60_000 });
}

/**
 * Starts `herald serve` on a free loopback port with a private data dir and `extraEnv`, then a browser
 * with a fresh context. `blueskyService` becomes HERALD_BLUESKY_DEFAULT_SERVICE.
 */
export async function startE2eApp(opts: { blueskyService: string; extraEnv?: Record<string, string> }): Promise<E2eApp> {
  ensureWebBuild();
  mkdirSync(artifactsDir, { recursive: true });
  const home = tempHome({ HERALD_PORT: '0', HERALD_BLUESKY_DEFAULT_SERVICE: opts.blueskyService, ...opts.extraEnv });
  let serve: ServeProcess | null = null;
  let browser: Browser | null = null;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await serve?.stop();
    home.cleanup();
  };
  try {
    serve = await startServe([], { env: home.env, timeoutMs: 120_000 });
    const url = serve.url?.replace('0.0.0.0', '127.0.0.1').replace('localhost', '127.0.0.1');
    if (!url) throw new Error(`herald serve did not report a listening URL:\n${serve.output().stdout}`);
    browser = await launchChromium();
    const b = browser;
    const browserErrors: string[] = [];
    const externalRequests: string[] = [];
    const newPage = async () => {
      const context = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
      context.setDefaultTimeout(20_000);
      // Nothing leaves the machine: off-machine requests are aborted and recorded. Tests that follow a
      // link to a network register their own (later, so preferred) route for that host.
      await context.route(
        (u) => !isLoopbackUrl(u),
        (route) => {
          externalRequests.push(route.request().url());
          return route.abort('blockedbyclient');
        },
      );
      const p = await context.newPage();
      p.on('console', (m) => {
        // 401s are expected (the app asks /me before sign-in, a wrong password); anything else counts.
        if (m.type() === 'error' && !/status of 401\b/.test(m.text())) browserErrors.push(m.text());
      });
      p.on('pageerror', (e) => browserErrors.push(String(e)));
      return p;
    };
    const page = await newPage();
    const context = page.context();
    const s = serve;
    return {
      url,
      serve: s,
      browser,
      context,
      page,
      browserErrors,
      externalRequests,
      newPage,
      async screenshot(name, p = page) {
        await p.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
      },
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
