/**
 * End-to-end: the Analytics and Reports screens of the built web app in real Chromium against a real
 * `herald serve` child with a fresh SQLite database.
 *
 * The hand-computed fixture (test/fixtures/analytics/stockholm-week.json, arithmetic in its README) goes
 * in through the real `herald import metrics` process against the serve's own data folder; the owner
 * signs in through the form. Analytics: the dashboard for acme-vk over 2026-03-23 … 2026-03-29 shows
 * LiveDune ER pooled 8.68% (382 / 4400 × 100) and its "how is this calculated" reveals those inputs;
 * the best-time heatmap has the fixture's weekday × hour cells. Reports: the monthly template for that
 * account and week previews in the sandboxed frame, the PDF link downloads a PDF that pdftoppm renders
 * to 3 non-blank pages (KPIs, top posts, content types), and an e-mail schedule made in the form is
 * listed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../src/config/config';
import { runCli } from '../cli/cli-harness';
import { pdfPageInk } from '../reports/pdf-pages';
import { chromiumInstalled, chromiumPath, startE2eApp, type E2eApp } from './harness';

const haveChromium = chromiumInstalled();
const havePdftoppm = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' }).error === undefined;
const requireAll = testEnv().requireAll;
/** Chromium's console message when the app's CSP refuses an inline style (the preview's <style>). */
const previewStyleBlocked = /Content Security Policy directive 'style-src/;
const fixture = fileURLToPath(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url));

describe('analytics/reports e2e prerequisites', () => {
  it.runIf(requireAll)('Chromium and pdftoppm are available (HERALD_TEST_REQUIRE_ALL=1)', () => {
    expect(haveChromium, `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    expect(havePdftoppm, 'pdftoppm is missing: apt-get install -y poppler-utils').toBe(true);
  });
});

describe.skipIf(!haveChromium || !havePdftoppm).sequential('analytics and reports in Chromium', { timeout: 90_000 }, () => {
  let app: E2eApp;
  let dir: string;
  let cliEnv: Record<string, string>;
  const owner = { name: 'Agnes Analyst', email: 'analyst@herald.test', password: 'analytics owner password' };
  const period = { from: '2026-03-23', to: '2026-03-29' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-analytics-e2e-'));
    // The serve and the CLI share one data folder: same SQLite file, same secret key.
    cliEnv = { HERALD_DATA_DIR: join(dir, 'data'), HERALD_HOST: '127.0.0.1', HERALD_LOG_LEVEL: 'info' };
    app = await startE2eApp({ blueskyService: 'http://127.0.0.1:9', extraEnv: { HERALD_DATA_DIR: cliEnv.HERALD_DATA_DIR! } });

    // First-run setup outside the browser, so the browser starts signed out.
    const setup = await fetch(`${app.url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...owner, workspaceName: 'Acme', timezone: 'Europe/Stockholm' }),
    });
    expect(setup.status, await setup.text()).toBe(201);

    const imported = await runCli(['import', 'metrics', fixture, '--workspace', 'Acme', '--json'], { env: cliEnv });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ accounts: { created: 2 }, posts: { created: 9 }, observations: { created: 11 } });
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await app?.screenshot(`analytics-failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const nav = (name: string) => app.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true }).click();

  it('owner signs in; the dashboard shows the fixture KPI, how it is calculated, and the heatmap', async () => {
    const { page } = app;
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await page.getByLabel('E-mail address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();

    await nav('Analytics');
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    const filters = page.getByRole('form', { name: 'Dashboard filters' });
    await page.locator('.analytics-period').waitFor();
    await filters.getByLabel('Account').selectOption({ label: 'Acme on VK (acme) · vk' });
    // The date fields take the server's default period whenever a dashboard loads (also after the
    // account change above), so the period is typed again until the address carries it.
    const shown = () => {
      const q = new URL(page.url()).searchParams;
      return q.get('from') === period.from && q.get('to') === period.to;
    };
    for (let attempt = 0; !shown(); attempt++) {
      if (attempt === 4) throw new Error(`the period did not apply: ${page.url()}`);
      await filters.getByLabel('From', { exact: true }).fill(period.from);
      await filters.getByLabel('To', { exact: true }).fill(period.to);
      await filters.getByRole('button', { name: 'Show' }).click();
      for (let i = 0; i < 20 && !shown(); i++) await page.waitForTimeout(100);
    }

    // The workspace default (LiveDune ER pooled) in the Engagement card: 382 / 4400 × 100 = 8.681818.
    const card = page.locator('article.kpi-card[data-kpi="livedune.er.pooled"]');
    const poll = { timeout: 20_000, interval: 100 };
    await expect.poll(() => card.locator('.kpi-value').textContent(), poll).toBe('8.68%');
    expect(await card.locator('.kpi-comparison').textContent()).toContain('previous: 4.04%');
    // The follower growth card: end of the 29th 1250 − end of the 22nd 1000 (Stockholm days).
    await expect.poll(() => page.locator('article.kpi-card[data-kpi="followers.growth.absolute"] .kpi-value').textContent(), poll).toBe('+250');

    // The heatmap: the week's five posts in five weekday × hour cells (Stockholm time).
    const heatmap = page.locator('.analytics-heatmap');
    await heatmap.locator('table').waitFor();
    expect(await heatmap.locator('td[data-cell]').count()).toBe(5);
    expect(await heatmap.locator('td[data-cell="3-13"]').textContent()).toBe('13.6%');
    expect(await heatmap.locator('td[data-cell="7-11"]').textContent()).toBe('10%');
    expect(await heatmap.locator('td[data-cell="1-0"]').textContent()).toBe('5%');
    // p4 (Friday 09) has no comment count: a cell with no value, never 0.
    expect(await heatmap.locator('td[data-cell="5-9"]').textContent()).toBe('—');
    // The app speaks "en" (US clock times); ICU may put a narrow no-break space before "PM".
    const best = await heatmap.getByRole('list', { name: 'Best times' }).getByRole('listitem').allTextContents();
    expect(best.map((b) => b.slice(0, b.indexOf(': ')).replace(/\s+/g, ' '))).toEqual(['Wednesday 1:00 PM', 'Sunday 11:00 AM', 'Wednesday 5:00 PM']);
    await app.screenshot('analytics-dashboard');

    // "How is this calculated": hidden until opened, then the definition and the API's inputs.
    const how = card.locator('details.kpi-how');
    const facts = how.locator('dl.kpi-facts').nth(1);
    expect(await facts.isVisible()).toBe(false);
    await how.locator('summary').click();
    await facts.waitFor();
    const text = (await how.textContent()) ?? '';
    expect(text).toContain('livedune.er.pooled');
    expect(text).toContain('382 / 4400 × 100');
    const row = async (term: string) => facts.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]').textContent();
    expect(await row('Numerator')).toBe('382');
    expect(await row('Denominator')).toBe('4,400');
    await card.scrollIntoViewIfNeeded();
    await app.screenshot('analytics-how-calculated');
    expect(app.browserErrors).toEqual([]);
    expect(app.externalRequests).toEqual([]);
  });

  it('reports: monthly template previews, the PDF downloads with 3 non-blank pages, a schedule is listed', async () => {
    const { page } = app;
    await nav('Reports');
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const builder = page.getByRole('form', { name: 'Report' });
    await builder.getByLabel('Template').selectOption({ label: 'Monthly SMM report' });
    await builder.getByRole('checkbox', { name: '@acme (vk)' }).check();
    await builder.getByLabel('From', { exact: true }).fill(period.from);
    await builder.getByLabel('To', { exact: true }).fill(period.to);
    await builder.getByRole('button', { name: 'Preview' }).click();

    // The preview: the report's own HTML in the sandboxed frame, three sections, the fixture's figure.
    const frameEl = page.locator('iframe[title="Report preview"]');
    await frameEl.waitFor();
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    const frame = page.frameLocator('iframe[title="Report preview"]');
    await frame.locator('h1').waitFor();
    expect(await frame.locator('h1').textContent()).toBe('SMM report');
    expect(await frame.locator('header .meta').textContent()).toContain(`Acme · ${period.from} – ${period.to} (Europe/Stockholm)`);
    expect(await frame.locator('section').count()).toBe(3);
    const kpiRow = frame.locator('tr', { hasText: 'livedune.er.pooled' }).first();
    expect(await kpiRow.textContent()).toContain('8.681818');
    await app.screenshot('reports-preview');

    // Download through the link, as a person would; the browser's session carries the request.
    const link = builder.getByRole('link', { name: 'PDF document' });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toContain('format=pdf');
    expect(href).toContain(`from=${period.from}`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), link.click()]);
    expect(download.suggestedFilename()).toBe(`monthly-report-${period.from}-${period.to}.pdf`);
    const pdf = readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // One account → the report's three sections (KPIs, top posts, content types), one page each.
    const ink = pdfPageInk(pdf);
    expect(ink).toHaveLength(3);
    for (const share of ink) expect(share).toBeGreaterThan(0.005);

    // An e-mail schedule for this report, made in the form, is listed.
    const schedules = page.getByRole('region', { name: 'E-mail schedules' });
    await schedules.getByText('No report is e-mailed yet.').waitFor();
    await schedules.getByLabel('Every').selectOption('weekly');
    await schedules.getByLabel('Recipients (one address per line)').fill('boss@example.test\nteam@example.test');
    await schedules.getByRole('button', { name: 'E-mail this report' }).click();
    const item = schedules.getByRole('listitem').filter({ hasText: 'boss@example.test' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Monthly SMM report · week (last week, Monday–Sunday) · boss@example.test, team@example.test');
    expect(await schedules.getByRole('listitem').count()).toBe(1);
    await app.screenshot('reports-schedule');
    // The preview's blocked <style> is its own test below; anything else is a failure here.
    expect(app.browserErrors.filter((e) => !previewStyleBlocked.test(e))).toEqual([]);
    expect(app.externalRequests).toEqual([]);
  });

  it('the report preview keeps its own styles (not blocked by the app\'s Content Security Policy)', () => {
    // A srcdoc frame inherits the embedding page's CSP (style-src 'self'), so the report's inline
    // <style> — colours, fonts, page breaks — is dropped and the preview no longer looks like the PDF.
    expect(app.browserErrors.filter((e) => previewStyleBlocked.test(e)), "the preview's <style> was blocked: serve the preview with the report's own CSP (e.g. a sandboxed frame src= the render URL with format=html) instead of srcdoc").toEqual([]);
  });
});
