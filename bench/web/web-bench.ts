/**
 * Web figures (issue 3), printed, with a baseline measured in the same run where that means something:
 *   1. initial JS of the app shell (gzip): the scripts index.html loads, against 300 KB (the calendar's
 *      lazily loaded chunk is printed beside it);
 *   2. calendar month view with 1,000 scheduled posts in Chromium: navigation → the calendar's
 *      `herald:calendar-rendered` performance mark (set once the month grid with the posts has been
 *      painted), against 500 ms; baseline: the same view of an empty month. Measured twice: as a page
 *      load (first with an empty browser cache, then the median of reloads) and as an in-app navigation
 *      (History API, as a click in the menu does);
 *   3. GET of a month of posts at a fixed 200 requests/s for 10 s against a real `herald serve` on
 *      SQLite, per 200-post page: the full post list the calendar used before (GET /posts, baseline) and
 *      the calendar's feed (GET /calendar, target p99 ≤ 50 ms); plus the whole month in one GET /calendar
 *      answer (what the calendar asks now), one request at a time.
 *
 *   npx tsx bench/web/web-bench.ts [--rate 200] [--seconds 10] [--posts 1000] [--runs 5] [--skip-api] [--profile]
 *
 * The load is a fixed-rate open loop (a request starts every 1/rate s whether or not the previous one
 * answered) and latency is measured from the planned start, so a stalled server is not hidden
 * (no coordinated omission). Exit code 1 when a measured figure misses its target.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServe, tempHome, repoRoot, type ServeProcess } from '../../test/cli/cli-harness';
import { startBlueskyNetwork, type BlueskyTestNetwork } from '../../test/support/bluesky-network';
import { chromiumInstalled, ensureWebBuild, launchChromium } from '../../test/e2e/harness';

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : def;
};
const rate = arg('rate', 200);
const seconds = arg('seconds', 10);
const postCount = arg('posts', 1000);
const runs = arg('runs', 5);
/** `--profile`: also print where Chromium spent its time in one in-app navigation to the busy month. */
const profile = argv.includes('--profile');
/** `--skip-api`: only the bundle and the browser figures (quicker while working on the calendar). */
const skipApi = argv.includes('--skip-api');

let missed = false;
const report = (label: string, value: string, ok: boolean | null) => {
  if (ok === false) missed = true;
  console.log(`${ok === null ? '    ' : ok ? 'ok  ' : 'MISS'}  ${label.padEnd(44)} ${value}`);
};

// ---------------------------------------------------------------------------------------------------
// 1. Initial JS

function initialJs(): { files: Array<{ file: string; raw: number; gzip: number }>; gzip: number } {
  ensureWebBuild();
  const dist = join(repoRoot, 'web', 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  // Entry scripts plus the chunks Vite tells the browser to preload: what loads before first paint.
  const srcs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) srcs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) srcs.add(m[1]!);
  const files = [...srcs].map((src) => {
    const buf = readFileSync(join(dist, src.replace(/^\//, '')));
    return { file: src, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

/** The calendar's own chunk, loaded when the calendar is first opened. */
function lazyChunks(initial: Set<string>): Array<{ file: string; gzip: number }> {
  const dir = join(repoRoot, 'web', 'dist', 'assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js') && !initial.has(`/assets/${f}`))
    .map((f) => ({ file: `/assets/${f}`, gzip: gzipSync(readFileSync(join(dir, f)), { level: 9 }).length }));
}

// ---------------------------------------------------------------------------------------------------
// Herald with 1,000 scheduled posts

interface Seeded {
  serve: ServeProcess;
  url: string;
  cookie: string;
  csrf: string;
  workspaceId: string;
  from: string;
  to: string;
  /** `YYYY-MM-01` of the seeded month and of the (empty) month after it. */
  month: string;
  emptyMonth: string;
  stop(): Promise<void>;
}

async function json<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A fresh `herald serve` (SQLite), an owner, one Bluesky account, `count` posts scheduled next month. */
async function seed(network: BlueskyTestNetwork, count: number): Promise<Seeded> {
  const home = tempHome({ HERALD_PORT: '0', HERALD_LOG_LEVEL: 'info', HERALD_BLUESKY_DEFAULT_SERVICE: network.pdsUrl });
  const serve = await startServe([], { env: home.env, timeoutMs: 120_000 });
  const url = serve.url!.replace('0.0.0.0', '127.0.0.1').replace('localhost', '127.0.0.1');
  // The harness keeps the whole stdout and re-splits it on every chunk (to find its start-up lines):
  // fine for tests, quadratic under a load of request log lines, and it runs in this (the client's)
  // event loop. Once started, drain the logs instead.
  serve.child.stdout?.removeAllListeners('data');
  serve.child.stdout?.resume();
  const setup = await fetch(`${url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email: 'bench@herald.test', password: 'bench password 123', timezone: 'UTC' }),
  });
  const created = await json<{ csrfToken: string; workspace?: { id: string } }>(setup, 'setup');
  const cookie = (setup.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': created.csrfToken };
  let workspaceId = created.workspace?.id;
  if (!workspaceId) {
    const ws = await json<{ items: Array<{ id: string }> }>(await fetch(`${url}/api/v1/workspaces`, { headers }), 'workspaces');
    workspaceId = ws.items[0]!.id;
  }
  const acc = await network.createAccount(`bench-${Date.now().toString(36).slice(-6)}`);
  const account = await json<{ id: string }>(
    await fetch(`${url}/api/v1/workspaces/${workspaceId}/accounts`, { method: 'POST', headers, body: JSON.stringify({ network: 'bluesky', credentials: { identifier: acc.handle, appPassword: acc.appPassword } }) }),
    'connect account',
  );
  // Next calendar month (UTC), spread over its days and hours: far enough ahead that nothing publishes.
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
  const span = end.getTime() - start.getTime();
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const at = new Date(start.getTime() + Math.floor(((i + 0.5) * span) / count));
        await json(
          await fetch(`${url}/api/v1/workspaces/${workspaceId}/posts`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ text: `Bench post ${i} #herald`, targets: [{ accountId: account.id }], schedule: { at: at.toISOString() } }),
          }),
          `create post ${i}`,
        );
      }
    }),
  );
  console.log(`      seeded ${count} scheduled posts through POST /posts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {
    serve,
    url,
    cookie,
    csrf: created.csrfToken,
    workspaceId,
    from: start.toISOString(),
    to: end.toISOString(),
    month: start.toISOString().slice(0, 10),
    emptyMonth: end.toISOString().slice(0, 10),
    async stop() {
      await serve.stop();
      home.cleanup();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// 3. Fixed-rate GET of a month

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface LoadResult {
  p50: number;
  p99: number;
  max: number;
  sent: number;
  failed: number;
  failures: string;
  items: number;
  /** Size of one answer. */
  bytes: number;
  /** Median of 50 requests sent one after the other (no queueing). */
  serialP50: number;
}

async function monthLoad(s: Seeded, monthUrl: string): Promise<LoadResult> {
  const headers = { cookie: s.cookie };
  // What one request returns.
  const firstRes = await fetch(monthUrl, { headers });
  const firstText = await firstRes.text();
  if (!firstRes.ok) throw new Error(`GET ${monthUrl}: HTTP ${firstRes.status} ${firstText}`);
  const first = JSON.parse(firstText) as { items: unknown[] };
  // Warm-up, one at a time: also the latency without any queueing.
  const serial: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await (await fetch(monthUrl, { headers })).arrayBuffer();
    serial.push(performance.now() - t);
  }
  serial.sort((a, b) => a - b);
  const statuses = new Map<string, number>();
  const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const planned = t0 + i * interval;
    const wait = planned - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      fetch(monthUrl, { headers })
        .then(async (res) => {
          await res.arrayBuffer();
          if (!res.ok) {
            failed++;
            count(`HTTP ${res.status}`);
          } else latencies.push(performance.now() - planned);
        })
        .catch((e: unknown) => {
          failed++;
          count(e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e));
        }),
    );
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    sent: total,
    failed,
    failures: [...statuses].map(([k, n]) => `${n}× ${k}`).join(', '),
    items: first.items.length,
    bytes: Buffer.byteLength(firstText),
    serialP50: percentile(serial, 50),
  };
}

// ---------------------------------------------------------------------------------------------------
// 2. Calendar month view in Chromium

interface RenderTimes {
  /** Page load with an empty browser cache. */
  cold: number;
  /** Median of `runs` reloads (assets cached, as for a returning user). */
  reload: number;
  /** Median of `runs` in-app navigations (History API, as the menu does). */
  inApp: number;
  events: number;
  /** "+N more" links the crowded days show. */
  showMore: number;
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const mark = 'herald:calendar-rendered';

/** The page's globals this bench uses (this project's type check has no DOM library; these run in Chromium). */
interface PageGlobals {
  performance: { now(): number; clearMarks(name: string): void; getEntriesByName(name: string): Array<{ startTime: number; detail?: { events?: number } }> };
  PerformanceObserver: new (cb: (list: { getEntries(): Array<{ name: string; startTime: number; detail?: { events?: number } }> }) => void) => { observe(o: { type: string }): void; disconnect(): void };
  history: { pushState(state: unknown, title: string, url: string): void };
  dispatchEvent(e: unknown): void;
  PopStateEvent: new (type: string) => unknown;
}

function readMark(name: string): { t: number; events: number } | null {
  const m = (globalThis as unknown as PageGlobals).performance.getEntriesByName(name).at(-1);
  return m ? { t: m.startTime, events: m.detail?.events ?? -1 } : null;
}

function inAppNavigation([name, path]: [string, string]): Promise<{ t: number; events: number }> {
  const w = globalThis as unknown as PageGlobals;
  return new Promise((resolve) => {
    w.performance.clearMarks(name);
    const t0 = w.performance.now();
    const obs = new w.PerformanceObserver((list) => {
      const m = list.getEntries().find((e) => e.name === name);
      if (!m) return;
      obs.disconnect();
      resolve({ t: m.startTime - t0, events: m.detail?.events ?? -1 });
    });
    obs.observe({ type: 'mark' });
    w.history.pushState(null, '', path);
    w.dispatchEvent(new w.PopStateEvent('popstate'));
  });
}

function goTo(path: string): void {
  const w = globalThis as unknown as PageGlobals;
  w.history.pushState(null, '', path);
  w.dispatchEvent(new w.PopStateEvent('popstate'));
}

/** Samples Chromium's CPU during one in-app navigation and prints the functions with the most self time. */
async function profileNavigation(page: import('playwright-core').Page, path: string, back: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const r = await page.evaluate(inAppNavigation, [mark, path] as [string, string]);
  const { profile: prof } = await cdp.send('Profiler.stop');
  await page.evaluate(goTo, back);
  const self = new Map<string, number>();
  const dt = (prof.endTime - prof.startTime) / 1000 / Math.max(1, prof.samples?.length ?? 1);
  const hits = new Map<number, number>();
  for (const id of prof.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  for (const n of prof.nodes) {
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (hits.get(n.id) ?? 0) * dt);
  }
  console.log(`      profile of one in-app navigation (${r.t.toFixed(0)} ms), self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`        ${v.toFixed(1).padStart(7)} ms  ${k}`);
}

async function calendarRender(s: Seeded): Promise<{ seeded: RenderTimes; empty: RenderTimes }> {
  const browser = await launchChromium();
  try {
    const measure = async (month: string): Promise<RenderTimes> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
      await context.route((u) => !/^(127\.0\.0\.1|localhost)$/.test(u.hostname), (r) => r.abort());
      await context.addCookies(
        s.cookie.split('; ').map((c) => {
          const i = c.indexOf('=');
          return { name: c.slice(0, i), value: c.slice(i + 1), url: s.url };
        }),
      );
      const page = await context.newPage();
      const path = `/w/${encodeURIComponent(s.workspaceId)}/calendar?date=${month}`;
      const load = async () => {
        await page.goto(`${s.url}${path}`);
        await page.waitForFunction((name) => (globalThis as unknown as PageGlobals).performance.getEntriesByName(name).length > 0, mark, { timeout: 60_000 });
        return (await page.evaluate(readMark, mark))!;
      };
      const cold = await load();
      const showMore = await page.locator('.rbc-show-more').count();
      const reloads: number[] = [];
      for (let i = 0; i < runs; i++) reloads.push((await load()).t);
      if (month === s.month) {
        // Where a reload's time goes: when each request and the calendar's chunk started and ended.
        const entries = await page.evaluate(() =>
          (globalThis as unknown as { performance: { getEntriesByType(t: string): Array<{ name: string; startTime: number; responseEnd: number }> } }).performance
            .getEntriesByType('resource')
            .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })),
        );
        const last = await page.evaluate(readMark, mark);
        const shown = entries
          .filter((e) => /\/api\/v1\/|\/assets\/.*\.js$/.test(e.name))
          .map((e) => `${new URL(e.name).pathname.replace(/^\/api\/v1\/workspaces\/[^/]+/, '…').replace(/^\/api\/v1/, '').replace(/-[\w-]{8}\.js$/, '.js')} ${e.start.toFixed(0)}–${e.end.toFixed(0)}`);
        console.log(`      a reload, ms after navigation: ${shown.join(', ')}; painted ${last?.t.toFixed(0)}`);
      }
      // In-app: from the Posts screen to the calendar and back, `runs` times.
      const posts = `/w/${encodeURIComponent(s.workspaceId)}/posts`;
      await page.goto(`${s.url}${posts}`);
      await page.getByRole('heading', { name: 'Posts', level: 1 }).waitFor();
      const inApp: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const r = await page.evaluate(inAppNavigation, [mark, path] as [string, string]);
        // The first one also loads the calendar's chunk; it is left out of the median like a warm-up.
        if (i > 0) inApp.push(r.t);
        await page.evaluate(goTo, posts);
        await page.getByRole('heading', { name: 'Posts', level: 1 }).waitFor();
      }
      if (profile && month === s.month) await profileNavigation(page, path, posts);
      await context.close();
      return { cold: cold.t, reload: median(reloads), inApp: median(inApp), events: cold.events, showMore };
    };
    const empty = await measure(s.emptyMonth);
    const seeded = await measure(s.month);
    return { seeded, empty };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  console.log('== web bench');
  const js = initialJs();
  for (const f of js.files) console.log(`      ${f.file}: ${(f.raw / 1024).toFixed(1)} KB raw, ${(f.gzip / 1024).toFixed(1)} KB gzip`);
  for (const f of lazyChunks(new Set(js.files.map((x) => x.file)))) console.log(`      ${f.file}: ${(f.gzip / 1024).toFixed(1)} KB gzip, loaded on demand`);
  report('initial JS of the app shell (gzip)', `${(js.gzip / 1024).toFixed(1)} KB (target ≤ 300 KB)`, js.gzip <= 300 * 1024);

  if (!existsSync(join(repoRoot, 'test-peers', 'node_modules'))) {
    report('calendar month view, 1,000 posts', 'not measured: test-peers are not installed (npm ci --prefix test-peers)', null);
    report('GET month of posts at 200 req/s', 'not measured: test-peers are not installed (npm ci --prefix test-peers)', null);
    return;
  }
  const network = await startBlueskyNetwork();
  let seeded: Seeded | null = null;
  try {
    seeded = await seed(network, postCount);

    if (chromiumInstalled()) {
      const { seeded: r, empty: e } = await calendarRender(seeded);
      console.log(`      month view drew ${r.events} posts (${r.showMore} days show "+N more"); the empty month ${e.events}`);
      console.log(`      empty month (baseline): page load ${e.cold.toFixed(0)} ms cold, ${e.reload.toFixed(0)} ms reload; in-app ${e.inApp.toFixed(0)} ms`);
      const ok = r.events === postCount;
      report(`calendar month, ${postCount} posts: page load, cold cache`, `${r.cold.toFixed(0)} ms (${(r.cold / e.cold).toFixed(2)}× empty month)`, null);
      report(`calendar month, ${postCount} posts: page load, reload`, `${r.reload.toFixed(0)} ms (${(r.reload / e.reload).toFixed(2)}× empty; target ≤ 500 ms)`, ok && r.reload <= 500);
      report(`calendar month, ${postCount} posts: in-app navigation`, `${r.inApp.toFixed(0)} ms (${(r.inApp / e.inApp).toFixed(2)}× empty; target ≤ 500 ms)`, ok && r.inApp <= 500);
    } else {
      report('calendar month view, 1,000 posts', 'not measured: /usr/bin/chromium is missing (apt-get install chromium)', null);
    }

    if (skipApi) return;
    const q = `from=${encodeURIComponent(seeded.from)}&to=${encodeURIComponent(seeded.to)}`;
    const wsUrl = `${seeded.url}/api/v1/workspaces/${seeded.workspaceId}`;
    // Per 200-post page: the request shape measured before (the calendar paged GET /posts by 200), so
    // before and after compare like for like; the target applies to the calendar's feed.
    const beforeUrl = `${wsUrl}/posts?${q}&limit=200`;
    const afterUrl = `${wsUrl}/calendar?${q}&limit=200`;
    const monthUrl = `${wsUrl}/calendar?${q}&limit=1000`;
    const headers = { cookie: seeded.cookie };
    const timed = async (url: string) => {
      const t0 = performance.now();
      const res = await fetch(url, { headers });
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${body}`);
      return { ms: performance.now() - t0, bytes: Buffer.byteLength(body), items: (JSON.parse(body) as { items: unknown[] }).items.length };
    };
    // One request at a time, the variants interleaved round by round, so a busy machine slows both alike.
    const serial = { before: [] as number[], after: [] as number[], month: [] as number[], beforeMonth: [] as number[] };
    let sizes = { before: 0, after: 0, month: 0, monthItems: 0 };
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 10; i++) {
        const b = await timed(beforeUrl);
        const a = await timed(afterUrl);
        const m = await timed(monthUrl);
        // The whole month through the old path: five pages one after the other, as the calendar did.
        let cursor: string | null = null;
        let pages = 0;
        const t0 = performance.now();
        do {
          const res = await fetch(`${beforeUrl}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
          cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
          pages++;
        } while (cursor && pages < 50);
        if (round > 1) {
          serial.before.push(b.ms);
          serial.after.push(a.ms);
          serial.month.push(m.ms);
          serial.beforeMonth.push(performance.now() - t0);
        }
        sizes = { before: b.bytes, after: a.bytes, month: m.bytes, monthItems: m.items };
      }
    }
    const sb = median(serial.before);
    const sa = median(serial.after);
    console.log(`      one at a time, interleaved (median of ${serial.before.length} each):`);
    console.log(`        before: GET /posts, 200-post page (full posts, ${(sizes.before / 1024).toFixed(1)} KB)      ${sb.toFixed(1)} ms`);
    console.log(`        after:  GET /calendar, 200-post page (${(sizes.after / 1024).toFixed(1)} KB)             ${sa.toFixed(1)} ms  (${(sa / sb).toFixed(2)}× before)`);
    console.log(`        a whole month before: ${Math.ceil(postCount / 200)} pages of GET /posts                 ${median(serial.beforeMonth).toFixed(1)} ms`);
    console.log(
      `        a whole month now: one GET /calendar (${sizes.monthItems} posts, ${(sizes.month / 1024).toFixed(1)} KB)  ${median(serial.month).toFixed(1)} ms  (${(median(serial.month) / median(serial.beforeMonth)).toFixed(2)}× before)`,
    );

    // Fixed rate: the target run first (an overloaded baseline would leave queued sockets behind), then
    // the baseline after a pause.
    const loads: Array<{ label: string; url: string; target: boolean }> = [
      { label: 'after: GET /calendar, 200-post page', url: afterUrl, target: true },
      { label: 'before: GET /posts, 200-post page', url: beforeUrl, target: false },
    ];
    const results: LoadResult[] = [];
    for (const l of loads) {
      if (results.length) await new Promise((r) => setTimeout(r, 5000));
      const r = await monthLoad(seeded, l.url);
      results.push(r);
      console.log(`      ${l.label}: ${r.sent} requests at ${rate}/s over ${seconds} s, ${r.failed} failed${r.failed ? ` (${r.failures})` : ''}, p50 ${r.p50.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`);
      report(`${l.label.split(':')[0]}: month page p99 (${rate} req/s, SQLite)`, `${r.p99.toFixed(1)} ms${l.target ? ' (target ≤ 50 ms)' : ''}`, l.target ? r.p99 <= 50 && r.failed === 0 : null);
    }
    const [after, before] = results as [LoadResult, LoadResult];
    console.log(`      after/before at ${rate} req/s: p50 ${(after.p50 / before.p50).toFixed(2)}×, p99 ${(after.p99 / before.p99).toFixed(2)}×`);
  } finally {
    await seeded?.stop();
    await network.stop();
  }
}

main()
  .then(() => process.exit(missed ? 1 : 0))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
