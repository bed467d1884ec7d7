/**
 * End-to-end: the built web app in real Chromium against a real `herald serve` child and the local
 * Bluesky PDS. One Herald for the whole file; the flows run in order (each builds on the previous one's
 * state, as a user would). Waits are on visible UI state only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../src/config/config';
import { createTestAccount, requireBlueskyPds, uniqueAccountName, type BlueskyTestAccount } from '../support/bluesky-network';
import { chromiumInstalled, chromiumPath, startE2eApp, type E2eApp } from './harness';

const pdsUrl = requireBlueskyPds();
const haveChromium = chromiumInstalled();
const requireAll = testEnv().requireAll;

describe('e2e prerequisites', () => {
  it.runIf(requireAll)('Chromium and the local PDS are available (HERALD_TEST_REQUIRE_ALL=1)', () => {
    expect(haveChromium, `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    expect(pdsUrl, 'the local Bluesky PDS did not start').toBeTruthy();
  });
});

describe.skipIf(!haveChromium || !pdsUrl).sequential('web app in Chromium', { timeout: 90_000 }, () => {
  let app: E2eApp;
  let bsky: BlueskyTestAccount;
  const owner = { name: 'Olga Owner', email: 'owner@herald.test', password: 'correct horse battery' };

  beforeAll(async () => {
    [app, bsky] = await Promise.all([startE2eApp({ blueskyService: pdsUrl! }), createTestAccount(pdsUrl!, uniqueAccountName('e2e'))]);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
  }, 60_000);

  it('first-run setup, sign out, sign in, connect a Bluesky account through the form', async () => {
    const { page } = app;
    await page.goto(app.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Welcome to Herald' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await app.screenshot('01-setup');
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('E-mail address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/w\/[^/]+\/accounts$/);

    // Sign out and back in: the sign-in form, not setup, is offered now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await app.screenshot('02-sign-in');
    await page.getByLabel('E-mail address').fill(owner.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'E-mail address or password is wrong.' }).waitFor();
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByText('No accounts yet. Connect one to start scheduling posts.').waitFor();

    // Connect with the app password; the service URL stays empty, so Herald's default (the local PDS) is used.
    const connect = page.getByRole('region', { name: 'Connect an account' });
    await connect.getByLabel('Handle or e-mail').fill(bsky.handle);
    await connect.getByLabel('App password').fill(bsky.appPassword);
    await connect.getByRole('button', { name: 'Connect' }).click();
    const list = page.getByRole('list', { name: 'Connected accounts' });
    const item = list.getByRole('listitem').filter({ hasText: bsky.handle });
    await item.waitFor({ timeout: 30_000 });
    // The status badge (status ok), not the "Connected <date>" line.
    await item.locator('.badge-ok').filter({ hasText: 'Connected' }).waitFor();
    expect(await item.locator('.badge').count()).toBe(1);
    await app.screenshot('03-accounts-connected');
  });

  it('switching to Russian shows Russian labels and survives a reload', async () => {
    const { page } = app;
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await page.getByRole('heading', { name: 'Аккаунты', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Выйти' }).waitFor();
    await page.getByRole('navigation', { name: 'Основная навигация' }).waitFor();
    // The choice is saved to the profile: a reload (fresh i18n state) still opens in Russian.
    await expect.poll(async () => {
      const r = await page.request.get(`${app.url}/api/v1/me`);
      return ((await r.json()) as { locale?: string }).locale;
    }).toBe('ru');
    await page.reload();
    await page.getByRole('heading', { name: 'Аккаунты', level: 1 }).waitFor();
    await page.getByText('Подключить аккаунт').first().waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await page.getByRole('combobox', { name: 'Язык' }).inputValue()).toBe('ru');
    await app.screenshot('04-accounts-ru');
    expect(app.browserErrors).toEqual([]);
  });
});
