/**
 * Report generation time (issue 6): the monthly SMM report for one month of an account's data
 * (posts, daily follower snapshots, per-post observations loaded through the real metrics import),
 * timed per stage — building the model from the analytics use cases, rendering the HTML, printing
 * the PDF with Chromium — and the CSV and XLSX exports, on SQLite and PostgreSQL. Prints medians of
 * `--runs` runs. The process shares one Chromium across prints (src/reports/report-pdf.ts): the first
 * print of a mode launches it (cold, shown apart), the others reuse it; the browser is closed between
 * modes so each starts cold. Informational: no target is set by the issue, so the exit code is 0
 * unless it fails.
 *
 *   npm run bench -- reports [--accounts 3] [--posts-per-day 4] [--runs 5] [--modes sqlite,postgres] [--compare]
 *
 * `--compare` also prints each run's HTML the way Herald did before the shared browser (a browser
 * launched and closed per PDF), interleaved with the shared-browser prints, for a before/after figure
 * on the same machine load.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/logging/logger';
import { closeServices, createServices } from '../src/server/create-services';
import type { AppServices, UseCaseContext } from '../src/server/services';
import { importMetrics } from '../src/use-cases/analytics-import.use-case';
import { buildReport, renderReport } from '../src/use-cases/reports.use-case';
import { createUser } from '../src/use-cases/users.use-case';
import { closeSharedPdfPrinters, PdfPrinter, sharedPdfPrinter } from '../src/reports/report-pdf';
import { freshBenchDatabase, type BenchDialect } from './support/bench-database';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
};
const accounts = Number(arg('accounts', '3'));
const postsPerDay = Number(arg('posts-per-day', '4'));
const runs = Math.max(1, Number(arg('runs', '5')));
const modes = arg('modes', 'sqlite,postgres').split(',') as BenchDialect[];
const compare = argv.includes('--compare');
const types = ['text', 'photo', 'video', 'carousel', 'link', 'poll'] as const;

/** March 2026 (and February, for the previous period) of deterministic data. */
function metricsFile(): string {
  const file = { version: 1, accounts: [] as unknown[], posts: [] as unknown[], followerSnapshots: [] as unknown[], observations: [] as unknown[] };
  for (let a = 0; a < accounts; a++) {
    const ref = `acc${a}`;
    file.accounts.push({ ref, network: 'vk', handle: `brand${a}`, externalId: `-${1000 + a}` });
    for (let d = 0; d < 59; d++) {
      const day = new Date(Date.UTC(2026, 1, 1 + d));
      file.followerSnapshots.push({ account: ref, observedAt: new Date(day.getTime() + 23 * 3600_000).toISOString(), followers: 10_000 + a * 1000 + d * 17, following: null, posts: null });
      for (let p = 0; p < postsPerDay; p++) {
        const id = `p${a}-${d}-${p}`;
        const published = new Date(day.getTime() + (8 + p * 3) * 3600_000);
        file.posts.push({ account: ref, externalId: id, publishedAt: published.toISOString(), contentType: types[(d + p) % types.length], text: `Post ${id} <b>#spring</b> with some words about the brand`, url: `https://vk.com/wall-${1000 + a}_${d * 10 + p}` });
        for (const [hours, f] of [[1, 0.2], [24, 0.7], [168, 1]] as const) {
          const seed = (a * 31 + d * 7 + p * 13) % 50;
          file.observations.push({ account: ref, post: id, observedAt: new Date(published.getTime() + hours * 3600_000).toISOString(), views: Math.round((2000 + seed * 40) * f), reach: Math.round((1500 + seed * 30) * f), likes: Math.round((50 + seed) * f), comments: Math.round((5 + (seed % 9)) * f), shares: Math.round((3 + (seed % 5)) * f) });
        }
      }
    }
  }
  return JSON.stringify(file);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runMode(dialect: BenchDialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-reports-bench-'));
  const database = await freshBenchDatabase(dialect, dir);
  let services: AppServices | null = null;
  try {
    const config = loadConfig({ HERALD_DATABASE_URL: database.url, HERALD_SECRET_KEY: randomBytes(32).toString('hex'), HERALD_DATA_DIR: dir, HERALD_LOG_LEVEL: 'warn' });
    services = await createServices(config, { migrate: true, log: createLogger('warn') });
    const db = services.database.db;
    const owner = await createUser({ db, services }, { email: 'bench@example.test', name: 'Bench Owner', password: 'bench-password-1234', owner: true, timezone: 'Europe/Stockholm' });
    const ctx: UseCaseContext = { actor: { kind: 'user', userId: owner.user.id, via: 'session' }, workspaceId: owner.workspace!.id, db, services };
    await importMetrics(ctx, metricsFile());
    const q = { template: 'monthly', from: '2026-03-01', to: '2026-03-31' };
    const times = { model: [] as number[], html: [] as number[], pdf: [] as number[], csv: [] as number[], xlsx: [] as number[], total: [] as number[], perPrintBrowser: [] as number[] };
    let pdfBytes = 0;
    await closeSharedPdfPrinters();
    const launchesBefore = sharedPdfPrinter(config.chromiumPath ?? '/usr/bin/chromium').launches;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const model = await buildReport(ctx, q);
      const t1 = performance.now();
      const html = (await renderReport(ctx, model, 'html')).body.toString('utf8');
      const t2 = performance.now();
      const pdf = await renderReport(ctx, model, 'pdf');
      const t3 = performance.now();
      pdfBytes = pdf.body.length;
      await renderReport(ctx, model, 'csv');
      const t4 = performance.now();
      await renderReport(ctx, model, 'xlsx');
      const t5 = performance.now();
      times.model.push(t1 - t0);
      times.html.push(t2 - t1);
      times.pdf.push(t3 - t2);
      times.csv.push(t4 - t3);
      times.xlsx.push(t5 - t4);
      times.total.push(t3 - t0);
      if (compare) {
        // The old way on the same model and HTML: a browser launched for this one PDF, closed after it.
        const own = new PdfPrinter({ executablePath: config.chromiumPath ?? '/usr/bin/chromium' });
        const c0 = performance.now();
        await own.print(html);
        await own.close();
        times.perPrintBrowser.push(performance.now() - c0 + (t2 - t0));
      }
    }
    const f = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
    const launches = sharedPdfPrinter(config.chromiumPath ?? '/usr/bin/chromium').launches - launchesBefore;
    const warm = times.pdf.length > 1 ? times.pdf.slice(1) : times.pdf;
    const warmTotal = times.total.length > 1 ? times.total.slice(1) : times.total;
    console.log(`${dialect}: monthly report, ${accounts} accounts × ${postsPerDay} posts/day (March 2026), median of ${runs}`);
    console.log(`  model ${f(times.model)} · html ${f(times.html)} · pdf (Chromium) ${f(times.pdf)} · csv ${f(times.csv)} · xlsx ${f(times.xlsx)}`);
    console.log(`  pdf: first print (launches the shared browser) ${times.pdf[0]!.toFixed(0)} ms, later prints median ${f(warm)}; browsers launched: ${launches} for ${runs} prints`);
    console.log(`  monthly PDF end to end (model + html + print): ${f(times.total)} (later prints: ${f(warmTotal)}); ${(pdfBytes / 1024).toFixed(0)} KiB, ${accounts * 3} sections`);
    if (compare) console.log(`  before (a browser launched and closed per PDF), same runs: monthly PDF end to end ${f(times.perPrintBrowser)}`);
  } finally {
    if (services) await closeServices(services);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of modes) await runMode(mode);
