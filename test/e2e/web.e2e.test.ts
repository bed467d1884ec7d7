/**
 * End-to-end: the built web app in real Chromium against a real `herald serve` child and the local
 * Bluesky PDS. One Herald for the whole file; the flows run in order (each builds on the previous one's
 * state, as a user would). Waits are on visible UI state, or on the server's and the PDS's answers.
 *
 * Publishing needs real time to pass, so the waits overlap: the post scheduled "two minutes ahead" and
 * dragged to "one minute ahead" waits while the too-long post, the contributor → editor approval and
 * the screenshots run; only then does the file wait for both posts to be published.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { testEnv } from '../../src/config/config';
import { createTestAccount, getPostRecord, requireBlueskyPds, uniqueAccountName, type BlueskyTestAccount } from '../support/bluesky-network';
import { chromiumInstalled, chromiumPath, startE2eApp, type E2eApp } from './harness';

const pdsUrl = requireBlueskyPds();
const haveChromium = chromiumInstalled();
const requireAll = testEnv().requireAll;

/** A 1×1 blue PNG: what the composer's drop zone receives. */
const pngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const pngBytes = Buffer.from(pngBase64, 'base64');

const minute = 60_000;
const pad = (n: number) => String(n).padStart(2, '0');
/** `{date, time}` of an instant in UTC (the browser, the workspace and the server all use UTC here). */
const wall = (ms: number) => {
  const d = new Date(ms);
  return { date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` };
};

interface ApiPost {
  id: string;
  scheduledAt: string | null;
  targets: Array<{ state: string; text: string; externalUrl: string | null; externalId: string | null; error: { message: string } | null }>;
}

async function xrpc<T>(nsid: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${pdsUrl}/xrpc/${nsid}?${new URLSearchParams(params)}`);
  if (!res.ok) throw new Error(`${nsid}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('e2e prerequisites', () => {
  it.runIf(requireAll)('Chromium and the local PDS are available (HERALD_TEST_REQUIRE_ALL=1)', () => {
    expect(haveChromium, `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    expect(pdsUrl, 'the local Bluesky PDS did not start').toBeTruthy();
  });
});

describe.skipIf(!haveChromium || !pdsUrl).sequential('web app in Chromium', { timeout: 90_000 }, () => {
  let app: E2eApp;
  let bsky: BlueskyTestAccount;
  let workspaceId: string;
  const owner = { name: 'Olga Owner', email: 'owner@herald.test', password: 'correct horse battery' };
  const contributor = { name: 'Carl Contributor', email: 'carl@herald.test', password: 'contributor password 1' };
  const editor = { name: 'Edna Editor', email: 'edna@herald.test', password: 'editor password 12345' };
  const launchText = `Launch day for the local network #HeraldE2E ${Date.now().toString(36)}`;
  const approvalText = `Reviewed before it went out #HeraldReview ${Date.now().toString(36)}`;
  /** The scheduled post: created for `plannedAt` (first whole minute ≥ now + 2 min), dragged to `movedAt`. */
  let launch: { id: string; plannedAt: number; movedAt: number };
  let approvalPostId: string;

  /** The owner's API, through the page's own cookie (and the CSRF token the app was given). */
  const api = async <T,>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const me = (await (await app.page.request.get(`${app.url}/api/v1/me`)).json()) as { csrfToken: string };
    const res = await app.page.request.fetch(`${app.url}/api/v1${path}`, {
      method,
      headers: { 'x-csrf-token': me.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { data: JSON.stringify(body) }),
    });
    return { status: res.status(), body: (await res.json()) as T };
  };
  const getPost = async (id: string) => (await api<ApiPost>('GET', `/workspaces/${workspaceId}/posts/${id}`)).body;
  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true }).click();

  const signIn = async (page: Page, who: { email: string; password: string }) => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await page.getByLabel('E-mail address').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
  };

  /** The composer's checkbox of the Bluesky account ("<handle> · Bluesky"; not "Own text for <handle>"). */
  const accountBox = (page: Page) => page.getByRole('checkbox', { name: new RegExp(`^${bsky.handle.replace(/\./g, '\\.')} `) });

  /** Picks the Bluesky account and writes `text` in a fresh composer. */
  const startPost = async (page: Page, text: string) => {
    await nav(page, 'Compose');
    await page.getByRole('heading', { name: 'New post', level: 1 }).waitFor();
    await accountBox(page).check();
    await page.getByLabel('Text', { exact: true }).fill(text);
  };

  beforeAll(async () => {
    [app, bsky] = await Promise.all([startE2eApp({ blueskyService: pdsUrl! }), createTestAccount(pdsUrl!, uniqueAccountName('e2e'))]);
  }, 180_000);

  afterEach(async ({ task }) => {
    // What the browser showed when a step failed, next to the screenshots.
    if (task.result?.state === 'fail') await app?.screenshot(`failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
  });

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
    workspaceId = decodeURIComponent(/\/w\/([^/]+)\/accounts$/.exec(page.url())![1]!);

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

  it('composes with a dropped image and a hashtag and schedules it about two minutes ahead', async () => {
    const { page } = app;
    await startPost(page, launchText);
    // A real drop of a file on the drop zone (DataTransfer with a File, as a desktop drag delivers it).
    // (A string, because this project's type check has no DOM library; it runs in the page.)
    const dropped = await page.evaluateHandle(
      `(() => { const dt = new DataTransfer(); dt.items.add(new File([Uint8Array.from(atob('${pngBase64}'), (c) => c.charCodeAt(0))], 'blue-square.png', { type: 'image/png' })); return dt; })()`,
    );
    const zone = page.locator('.dropzone');
    await zone.dispatchEvent('dragover', { dataTransfer: dropped });
    await zone.dispatchEvent('drop', { dataTransfer: dropped });
    await page.getByLabel('Alt text for blue-square.png').fill('A small blue square');
    await expect.poll(() => page.locator('.network-counter').first().getAttribute('data-state')).toBe('valid');

    // The first whole minute at least two minutes away (never 00:00, so "one minute earlier" is the same day).
    let plannedAt = Math.ceil((Date.now() + 2 * minute) / minute) * minute;
    if (plannedAt % (24 * 60 * minute) === 0) plannedAt += minute;
    const when = wall(plannedAt);
    await page.getByLabel('Date', { exact: true }).fill(when.date);
    await page.getByLabel('Time', { exact: true }).fill(when.time);
    await app.screenshot('04-composer');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Saved: Scheduled (1).' });
    await saved.waitFor();
    const href = await saved.getByRole('link', { name: 'Open the post' }).getAttribute('href');
    const id = decodeURIComponent(/\/posts\/([^/]+)$/.exec(href ?? '')![1]!);
    const post = await getPost(id);
    expect(post.scheduledAt).toBe(new Date(plannedAt).toISOString());
    expect(post.targets.map((t) => t.state)).toEqual(['scheduled']);
    launch = { id, plannedAt, movedAt: plannedAt - minute };
  });

  it('shows it on the calendar (month, week) and a real drag in the day view moves it one minute earlier', async () => {
    const { page } = app;
    const day = wall(launch.plannedAt).date;
    const title = launchText.slice(0, 59);
    await page.goto(`${app.url}/w/${encodeURIComponent(workspaceId)}/calendar?date=${day}`);
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    const host = page.locator('.calendar-host');
    await host.and(page.locator('[data-loaded="true"]')).waitFor();
    await page.locator('.rbc-month-view .rbc-event.cal-status-scheduled.cal-network-bluesky').filter({ hasText: title }).waitFor();
    await app.screenshot('05-calendar-month');

    await page.locator('.rbc-toolbar').getByRole('button', { name: 'Week', exact: true }).click();
    await page.locator('.rbc-time-view .rbc-event').filter({ hasText: title }).waitFor();
    await app.screenshot('06-calendar-week');

    await page.locator('.rbc-toolbar').getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByLabel('Grid step').selectOption('1');
    await page.locator('.calendar-scale-1[data-view="day"]').waitFor();
    const event = page.locator('.rbc-time-content .rbc-event').filter({ hasText: title });
    // Centred in the grid's scroller and the window: the dragged block must stay inside the scroller's
    // view, or react-big-calendar scrolls it (and so moves the grid under the pointer).
    await event.evaluate((el) => (el as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(200);
    const box = (await event.boundingBox())!;
    const scroller = (await page.locator('.rbc-time-content').boundingBox())!;
    expect(box.y, 'the block is inside the grid’s visible part').toBeGreaterThanOrEqual(scroller.y);
    expect(box.y + box.height).toBeLessThanOrEqual(Math.min(scroller.y + scroller.height, 900));
    const slot = (await page.locator('.rbc-time-content .rbc-day-slot .rbc-time-slot').nth(1).boundingBox())!;
    // react-big-calendar treats moves of up to 5 px as a click; a row must be taller than that.
    expect(slot.height).toBeGreaterThanOrEqual(8);
    // Grab the event and move it up by three quarters of a row: the event's top snaps to the row above
    // (floor), i.e. one minute earlier. The server validates the new time.
    const x = box.x + box.width / 2;
    const y = box.y + Math.min(12, box.height / 2);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x, y - slot.height * 0.4, { steps: 2 });
    await page.mouse.move(x, y - slot.height * 0.75, { steps: 3 });
    await page.mouse.up();
    await page.getByRole('status').filter({ hasText: 'Rescheduled to' }).waitFor();
    await app.screenshot('07-calendar-day-1-minute-rows');
    const moved = await getPost(launch.id);
    expect(moved.scheduledAt).toBe(new Date(launch.movedAt).toISOString());
    expect(moved.targets.map((t) => t.state)).toEqual(['scheduled']);

    await page.locator('.rbc-toolbar').getByRole('button', { name: 'List', exact: true }).click();
    await page.locator('.rbc-agenda-view').getByText(title).waitFor();
    await app.screenshot('08-calendar-list');
  });

  it('a too-long Bluesky post shows the counter in red and cannot be scheduled (button disabled, server refuses)', async () => {
    const { page } = app;
    const tooLong = `${'Far too many words for one Bluesky post. '.repeat(8)}#toolong`;
    expect([...new Intl.Segmenter().segment(tooLong)].length).toBeGreaterThan(300);
    await startPost(page, tooLong);
    const counter = page.locator('.network-counter').first();
    await expect.poll(() => counter.getAttribute('data-state')).toBe('invalid');
    const value = counter.locator('.network-counter-value');
    expect(await value.textContent()).toMatch(/^3\d\d \/ 300 characters$/);
    const [r, g, b] = (await value.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).match(/\d+/g)!.map(Number);
    expect(r, 'the counter is red').toBeGreaterThan(150);
    expect(g! + b!).toBeLessThan(120);
    await counter.getByRole('alert').waitFor();
    const when = wall(Date.now() + 10 * minute);
    await page.getByLabel('Date', { exact: true }).fill(when.date);
    await page.getByLabel('Time', { exact: true }).fill(when.time);
    expect(await page.getByRole('button', { name: 'Schedule', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send for approval', exact: true }).isDisabled()).toBe(true);
    await app.screenshot('09-composer-too-long');

    // The server applies the same rule: nothing is stored.
    const before = (await api<{ items: unknown[] }>('GET', `/workspaces/${workspaceId}/posts?limit=200`)).body.items.length;
    const accounts = (await api<{ items: Array<{ id: string }> }>('GET', `/workspaces/${workspaceId}/accounts`)).body.items;
    const refused = await api<{ detail?: string; errors?: Array<{ message: string }> }>('POST', `/workspaces/${workspaceId}/posts`, {
      text: tooLong,
      targets: [{ accountId: accounts[0]!.id }],
      schedule: { date: when.date, time: when.time, timezone: 'UTC' },
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/300/);
    expect((await api<{ items: unknown[] }>('GET', `/workspaces/${workspaceId}/posts?limit=200`)).body.items.length).toBe(before);
  });

  it('a contributor submits, an editor approves and schedules it (while the first post waits)', async () => {
    for (const [who, role] of [
      [contributor, 'contributor'],
      [editor, 'editor'],
    ] as const) {
      const added = await api('POST', `/workspaces/${workspaceId}/members`, { email: who.email, name: who.name, password: who.password, role });
      expect(added.status).toBe(201);
    }

    const carl = await app.newPage();
    await signIn(carl, contributor);
    await startPost(carl, approvalText);
    // The contributor asks for a time; sending for approval keeps it on the post.
    const asked = wall(Date.now() + minute);
    await carl.getByLabel('Date', { exact: true }).fill(asked.date);
    await carl.getByLabel('Time', { exact: true }).fill(asked.time);
    await carl.getByRole('button', { name: 'Send for approval', exact: true }).click();
    const saved = carl.getByRole('status').filter({ hasText: 'Saved: In review (1).' });
    await saved.waitFor();
    approvalPostId = decodeURIComponent(/\/posts\/([^/]+)$/.exec((await saved.getByRole('link', { name: 'Open the post' }).getAttribute('href')) ?? '')![1]!);
    await nav(carl, 'Approvals');
    await carl.getByRole('heading', { name: 'My submissions', level: 1 }).waitFor();
    await carl.getByRole('listitem').filter({ hasText: approvalText }).locator('.badge').filter({ hasText: 'In review' }).waitFor();
    await app.screenshot('10-approvals-contributor', carl);
    await carl.context().close();

    const edna = await app.newPage();
    await signIn(edna, editor);
    await nav(edna, 'Approvals');
    await edna.getByRole('heading', { name: 'Posts waiting for review', level: 1 }).waitFor();
    const card = edna.getByRole('listitem').filter({ hasText: approvalText });
    await card.waitFor();
    await app.screenshot('11-approvals-editor', edna);
    await card.getByRole('button', { name: 'Approve' }).click();
    await edna.getByRole('status').filter({ hasText: 'The post was approved.' }).waitFor();
    expect((await getPost(approvalPostId)).targets.map((t) => t.state)).toEqual(['approved']);
    // The editor opens it and schedules it at the requested time (or at once, had that passed).
    await edna.goto(`${app.url}/w/${encodeURIComponent(workspaceId)}/posts/${encodeURIComponent(approvalPostId)}`);
    await edna.getByRole('heading', { name: 'Post', level: 1 }).waitFor();
    await edna.getByRole('button', { name: /^(Schedule for .+|Publish now)$/ }).click();
    await edna.locator('.badge').filter({ hasText: /^(Scheduled|Publishing|Published)$/ }).waitFor();
    expect(['scheduled', 'publishing', 'published']).toContain((await getPost(approvalPostId)).targets[0]!.state);
    await edna.context().close();
  });

  it('screenshots of the posts list, the approvals and the settings screens', async () => {
    const { page } = app;
    await nav(page, 'Posts');
    await page.getByRole('heading', { name: 'Posts', level: 1 }).waitFor();
    await page.getByRole('list', { name: 'Posts' }).getByText(launchText).waitFor();
    await app.screenshot('12-posts');
    await nav(page, 'Approvals');
    await page.getByRole('heading', { name: 'Posts waiting for review', level: 1 }).waitFor();
    await app.screenshot('13-approvals-owner');
    const settings = page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings', exact: true });
    if ((await settings.count()) > 0) {
      await settings.click();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await app.screenshot('14-settings');
    }
  });

  it(
    'both posts publish; the detail says Published and its link opens the post on the local network, with the image and the hashtag',
    async () => {
      const { page } = app;
      const published = async (id: string) => {
        for (;;) {
          const post = await getPost(id);
          const deadline = Date.parse(post.scheduledAt ?? '') + 90_000;
          const t = post.targets[0]!;
          if (t.state === 'published') return post;
          if (['failed', 'held', 'cancelled'].includes(t.state)) throw new Error(`post ${id} ended ${t.state}: ${t.error?.message ?? ''}`);
          if (Date.now() > deadline) throw new Error(`post ${id} is still ${t.state} 90 s after its time`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const [launched, approved] = await Promise.all([published(launch.id), published(approvalPostId)]);
      // Published at the dragged time, not the first one: the job moved with the drag.
      const publishedAt = Date.parse((await api<{ targets: Array<{ publishedAt: string }> }>('GET', `/workspaces/${workspaceId}/posts/${launch.id}`)).body.targets[0]!.publishedAt);
      expect(publishedAt).toBeGreaterThanOrEqual(launch.movedAt);
      expect(publishedAt).toBeLessThan(launch.plannedAt);
      expect(approved.targets[0]!.externalUrl).toMatch(/^https:\/\/bsky\.app\/profile\//);

      // The record on the PDS: text, the hashtag facet, the image with its alt text (and the blob itself).
      const link = launched.targets[0]!.externalUrl!;
      const m = /^https:\/\/bsky\.app\/profile\/([^/]+)\/post\/([^/]+)$/.exec(link);
      expect(m, link).toBeTruthy();
      const [, actor, rkey] = m!;
      const did = actor!.startsWith('did:') ? actor! : (await xrpc<{ did: string }>('com.atproto.identity.resolveHandle', { handle: actor! })).did;
      expect(did).toBe(bsky.did);
      const record = await getPostRecord(pdsUrl!, did, rkey!);
      expect(record, 'the post exists on the PDS').not.toBeNull();
      const value = record!.value as {
        text: string;
        facets?: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<{ $type: string; tag?: string }> }>;
        embed?: { $type: string; images?: Array<{ alt: string; image: { ref: { $link: string }; mimeType: string; size: number } }> };
      };
      expect(value.text).toBe(launchText);
      const tag = value.facets?.flatMap((f) => f.features.map((x) => ({ ...x, index: f.index }))).find((x) => x.$type === 'app.bsky.richtext.facet#tag');
      expect(tag?.tag).toBe('HeraldE2E');
      expect(Buffer.from(value.text).subarray(tag!.index.byteStart, tag!.index.byteEnd).toString()).toBe('#HeraldE2E');
      expect(value.embed?.$type).toBe('app.bsky.embed.images');
      expect(value.embed?.images).toHaveLength(1);
      const image = value.embed!.images![0]!;
      expect(image.alt).toBe('A small blue square');
      expect(image.image.mimeType).toBe('image/png');
      const blob = await fetch(`${pdsUrl}/xrpc/com.atproto.sync.getBlob?${new URLSearchParams({ did, cid: image.image.ref.$link })}`);
      expect(blob.status).toBe(200);
      expect(createHash('sha256').update(Buffer.from(await blob.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(pngBytes).digest('hex'));

      // In the app: the detail says Published and links to the post; following the link opens it. The
      // link names bsky.app, whose pages read the same PDS; here the browser's request for it is answered
      // from the local PDS (handle → DID → record), so nothing leaves the machine.
      await app.context.route(
        (u) => u.hostname === 'bsky.app',
        async (route) => {
          const u = new URL(route.request().url());
          const parts = /^\/profile\/([^/]+)\/post\/([^/]+)$/.exec(u.pathname);
          const handleOrDid = parts?.[1] ?? '';
          const resolved = handleOrDid.startsWith('did:') ? handleOrDid : (await xrpc<{ did: string }>('com.atproto.identity.resolveHandle', { handle: handleOrDid }).catch(() => ({ did: '' }))).did;
          const rec = resolved && parts ? await getPostRecord(pdsUrl!, resolved, parts[2]!) : null;
          if (!rec) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not on the local network' });
          const text = String((rec.value as { text?: string }).text ?? '');
          const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
          return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><title>${esc(rec.uri)}</title><main><p id="uri">${esc(rec.uri)}</p><p id="text">${esc(text)}</p></main>` });
        },
      );
      await page.goto(`${app.url}/w/${encodeURIComponent(workspaceId)}/posts/${encodeURIComponent(launch.id)}`);
      await page.getByRole('heading', { name: 'Post', level: 1 }).waitFor();
      await page.locator('.badge').filter({ hasText: 'Published' }).waitFor();
      await page.getByText('1 image').waitFor();
      await app.screenshot('15-post-detail-published');
      const view = page.getByRole('link', { name: 'View the published post' });
      expect(await view.getAttribute('href')).toBe(link);
      const [tab] = await Promise.all([app.context.waitForEvent('page'), view.click()]);
      await tab.waitForLoadState();
      expect(tab.url()).toBe(link);
      expect(await tab.locator('#text').textContent()).toBe(launchText);
      expect(await tab.locator('#uri').textContent()).toBe(`at://${did}/app.bsky.feed.post/${rkey}`);
      await app.screenshot('16-published-post-opened', tab);
      await tab.close();

      // The calendar now shows it as published (and no longer draggable).
      await page.goto(`${app.url}/w/${encodeURIComponent(workspaceId)}/calendar?date=${wall(launch.movedAt).date}`);
      await page.locator('.rbc-month-view .rbc-event.cal-status-published').filter({ hasText: launchText.slice(0, 59) }).first().waitFor();
    },
    200_000,
  );

  it('switching to Russian shows Russian labels and survives a reload', async () => {
    const { page } = app;
    await nav(page, 'Accounts');
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
    await app.screenshot('17-accounts-ru');
    expect(app.browserErrors).toEqual([]);
    expect(app.externalRequests).toEqual([]);
  });
});
