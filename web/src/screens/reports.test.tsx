// @vitest-environment jsdom
/**
 * The Reports screen against a real in-process Herald (SQLite) holding the analytics fixture with a
 * hostile post text: the chosen template, account and period become the render query; the preview is
 * the server's HTML in a sandboxed frame (no scripts, no same-origin) with the hostile text as text;
 * the download links carry the same query per format; an admin adds an e-mail schedule (the server's
 * words on a bad address), pauses and resumes it, changes its frequency and recipients, and removes it, and saves the branding, which the next preview shows; a
 * viewer gets no forms; the campaign template offers the workspace's campaigns: the preview and
 * downloads are the chosen campaign's report, and the schedule is stored with its campaignId and
 * listed by the campaign's name (the server's words when no campaign is chosen).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { createTestApp, type TestApp, type TestSession } from '../../../test/support/test-app';
import { importMetrics } from '../../../src/use-cases/analytics-import.use-case';
import { inProcessApi } from '../test-support/in-process-api';
import { ApiProvider } from '../api/context';
import type { Workspace } from '../api/types';
import { createI18n, type Locale } from '../i18n/index';
import { ReportsScreen } from './reports';

configure({ asyncUtilTimeout: 10_000 });

const raw = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/analytics/stockholm-week.json'), 'utf8')) as { posts: Array<{ externalId: string; text: string }> };
raw.posts.find((p) => p.externalId === 'p2')!.text = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe('Reports screen (in-process Herald)', () => {
  let t: TestApp;
  let owner: TestSession & { workspaceId: string };
  let workspace: Workspace;
  let vkId: string;
  const requests: string[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { initQueue: false });
    owner = await t.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.services;
    await importMetrics({ actor: { kind: 'user', userId: owner.userId, via: 'session' }, workspaceId: owner.workspaceId, db: services.database.db, services }, JSON.stringify(raw));
    vkId = (await services.database.db.selectFrom('accounts').select('id').where('workspace_id', '=', owner.workspaceId).where('handle', '=', 'acme').executeTakeFirstOrThrow()).id;
    workspace = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}`, undefined, owner)).json()) as Workspace;
    const original = t.request;
    t.request = (path, init, opts) => {
      requests.push(path);
      return original(path, init, opts);
    };
  });
  afterEach(() => {
    cleanup();
    requests.length = 0;
  });
  afterAll(async () => t.close());

  const open = (ws: Workspace, session: Pick<TestSession, 'cookie' | 'csrfToken'>, lng: Locale = 'en') =>
    render(
      <I18nextProvider i18n={createI18n(lng)}>
        <ApiProvider api={inProcessApi(t, session)}>
          <ReportsScreen workspace={ws} />
        </ApiProvider>
      </I18nextProvider>,
    );

  it('previews the chosen report in a sandboxed frame and links the downloads with the same query', async () => {
    open(workspace, owner);
    fireEvent.click(await screen.findByRole('checkbox', { name: '@acme (vk)' }));
    fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'monthly' } });
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-23' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-03-29' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const frame = (await screen.findByTitle('Report preview')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    // The frame loads the report's own address (its CSP lets the report's styles apply).
    const src = frame.getAttribute('src') ?? '';
    expect(Object.fromEntries(new URL(src, 'http://x').searchParams)).toEqual({ template: 'monthly', format: 'html', accountIds: vkId, from: '2026-03-23', to: '2026-03-29' });
    // The screen itself only checks the choice (nothing built); the report is built once, for the frame.
    const renders = requests.map((r) => new URL(r, 'http://x')).filter((u) => u.pathname.endsWith('/reports/render'));
    expect(renders.map((u) => Object.fromEntries(u.searchParams))).toEqual([{ template: 'monthly', format: 'html', accountIds: vkId, from: '2026-03-23', to: '2026-03-29', check: 'true' }]);
    const doc = await (await t.request(src, { headers: { cookie: owner.cookie } })).text();
    expect(doc).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(doc).not.toMatch(/<script|<img src=x/);
    const pdf = screen.getByRole('link', { name: 'PDF document' }).getAttribute('href')!;
    expect(Object.fromEntries(new URL(pdf, 'http://x').searchParams)).toEqual({ template: 'monthly', format: 'pdf', accountIds: vkId, from: '2026-03-23', to: '2026-03-29' });
    expect(screen.getByRole('link', { name: 'Excel workbook (XLSX)' }).getAttribute('href')).toContain('format=xlsx');
    // The same link answers with a real file.
    const csv = await t.request(screen.getByRole('link', { name: 'CSV table' }).getAttribute('href')!, { headers: { cookie: owner.cookie } });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text.startsWith('KPIs @acme (vk)\r\n')).toBe(true);
    expect(text).toContain(',<img src=x onerror=alert(1)><script>alert(2)</script>,');
  });

  it('lets an admin schedule the report by e-mail and brand it; the server explains a bad address', async () => {
    open(workspace, owner);
    const schedules = await screen.findByRole('region', { name: 'E-mail schedules' });
    await within(schedules).findByText('No report is e-mailed yet.');
    fireEvent.change(within(schedules).getByLabelText('Recipients (one address per line)'), { target: { value: 'not an address' } });
    fireEvent.click(within(schedules).getByRole('button', { name: 'E-mail this report' }));
    expect((await within(schedules).findByRole('alert')).textContent).toBe('"not an address" is not an e-mail address');
    fireEvent.change(within(schedules).getByLabelText('Recipients (one address per line)'), { target: { value: 'boss@client.test\nme@agency.test' } });
    fireEvent.change(within(schedules).getByLabelText('Every'), { target: { value: 'weekly' } });
    fireEvent.click(within(schedules).getByRole('button', { name: 'E-mail this report' }));
    await within(schedules).findByText(/Monthly SMM report · week \(last week, Monday–Sunday\) · boss@client.test, me@agency.test/);
    const stored = await t.services.database.db.selectFrom('report_schedules').selectAll().execute();
    expect(stored).toMatchObject([{ template: 'monthly', frequency: 'weekly', recipients: '["boss@client.test","me@agency.test"]', account_ids: '[]' }]);
    const row = async () => (await t.services.database.db.selectFrom('report_schedules').select(['paused', 'frequency', 'recipients']).executeTakeFirstOrThrow());

    // Pause and resume.
    fireEvent.click(within(schedules).getByRole('button', { name: 'Pause' }));
    await within(schedules).findByText(/· paused/);
    expect(Number((await row()).paused)).toBe(1);
    fireEvent.click(within(schedules).getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(within(schedules).queryByText(/· paused/)).toBeNull());
    expect(Number((await row()).paused)).toBe(0);

    // Edit: the server's words on a bad address, nothing changed; then a good change is saved.
    fireEvent.click(within(schedules).getByRole('button', { name: 'Edit' }));
    const edit = within(schedules).getByRole('form', { name: 'Change this schedule' });
    expect((within(edit).getByLabelText('Recipients (one address per line)') as HTMLTextAreaElement).value).toBe('boss@client.test\nme@agency.test');
    fireEvent.change(within(edit).getByLabelText('Recipients (one address per line)'), { target: { value: 'boss@client.test\nnope' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save schedule' }));
    expect((await within(schedules).findByRole('alert')).textContent).toBe('"nope" is not an e-mail address');
    expect(await row()).toMatchObject({ frequency: 'weekly', recipients: '["boss@client.test","me@agency.test"]' });
    fireEvent.change(within(edit).getByLabelText('Recipients (one address per line)'), { target: { value: 'cmo@client.test' } });
    fireEvent.change(within(edit).getByLabelText('Every'), { target: { value: 'monthly' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save schedule' }));
    await within(schedules).findByText(/Monthly SMM report · month \(last month\) · cmo@client.test/);
    expect(within(schedules).queryByRole('form', { name: 'Change this schedule' })).toBeNull();
    expect(await row()).toMatchObject({ frequency: 'monthly', recipients: '["cmo@client.test"]' });

    fireEvent.click(within(schedules).getByRole('button', { name: 'Remove schedule' }));
    await within(schedules).findByText('No report is e-mailed yet.');

    const branding = screen.getByRole('region', { name: 'Branding' });
    fireEvent.change(await within(branding).findByLabelText('Agency name'), { target: { value: 'Northern Agency' } });
    fireEvent.change(within(branding).getByLabelText('Main colour'), { target: { value: '#7a1f5c' } });
    fireEvent.click(within(branding).getByRole('button', { name: 'Save branding' }));
    await within(branding).findByText('Saved.');
    const saved = await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/report-branding`, undefined, owner)).json();
    expect(saved).toMatchObject({ agencyName: 'Northern Agency', primaryColor: '#7a1f5c' });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const frame = (await screen.findByTitle('Report preview')) as HTMLIFrameElement;
    const branded = await (await t.request(frame.getAttribute('src')!, { headers: { cookie: owner.cookie } })).text();
    expect(branded).toContain('Northern Agency');
  });

  it('shows a viewer the reports but no schedule or branding forms (Swedish)', async () => {
    const viewer = await t.addUser(owner.workspaceId, 'viewer');
    open({ ...workspace, role: 'viewer' }, viewer, 'sv');
    const schedules = await screen.findByRole('region', { name: 'E-postutskick' });
    expect(within(schedules).queryByRole('button', { name: 'Skicka den här rapporten' })).toBeNull();
    expect(within(schedules).getByText('Bara administratörer och ägare ändrar utseende och utskick.')).toBeTruthy();
    const branding = screen.getByRole('region', { name: 'Utseende' });
    expect((await within(branding).findByRole('button', { name: 'Spara utseendet' })).closest('fieldset')?.disabled).toBe(true);
    expect(screen.getByRole('link', { name: 'PDF-dokument' })).toBeTruthy();
  });
  it('offers the workspace\'s campaigns for the campaign report: preview, downloads and a schedule with its campaignId, listed by name', async () => {
    const base = `/api/v1/workspaces/${owner.workspaceId}/campaigns`;
    const spring = (await (await t.json('POST', base, { name: 'Spring launch', startsOn: '2026-03-23', endsOn: '2026-03-29', currency: 'SEK' }, owner)).json()) as { id: string };
    await t.json('POST', base, { name: 'Summer', startsOn: '2026-06-01', endsOn: '2026-06-30', currency: 'SEK' }, owner);
    open(workspace, owner);
    fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'campaign' } });
    const picker = (await screen.findByLabelText('Campaign')) as HTMLSelectElement;
    // The workspace's campaigns in the API's order (newest start first).
    await waitFor(() => expect([...picker.options].map((o) => o.textContent)).toEqual(['Choose a campaign', 'Summer', 'Spring launch']));
    // The campaign report covers its own accounts and dates: no account or period fields.
    expect(screen.queryByRole('checkbox', { name: '@acme (vk)' })).toBeNull();
    expect(screen.queryByLabelText('From')).toBeNull();
    expect(screen.queryByRole('link', { name: 'PDF document' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Choose the campaign whose report you want.');

    // Without a campaign the server refuses the schedule, in its own words; nothing is stored.
    const schedules = screen.getByRole('region', { name: 'E-mail schedules' });
    fireEvent.change(within(schedules).getByLabelText('Recipients (one address per line)'), { target: { value: 'boss@client.test' } });
    fireEvent.click(within(schedules).getByRole('button', { name: 'E-mail this report' }));
    expect((await within(schedules).findByRole('alert')).textContent).toBe('The campaign template needs campaignId: the campaign whose report is mailed');
    expect(await t.services.database.db.selectFrom('report_schedules').select('id').execute()).toEqual([]);

    fireEvent.change(picker, { target: { value: spring.id } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const frame = (await screen.findByTitle('Report preview')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('src')).toBe(`${base}/${spring.id}/report?format=html`);
    const doc = await t.request(frame.getAttribute('src')!, { headers: { cookie: owner.cookie } });
    expect(doc.status).toBe(200);
    expect(await doc.text()).toContain('Spring launch');
    // Never the generic render route, which answers 422 for a campaign.
    expect(requests.filter((r) => r.includes('/reports/render'))).toEqual([]);
    expect(screen.getByRole('link', { name: 'PDF document' }).getAttribute('href')).toBe(`${base}/${spring.id}/report?format=pdf`);
    const csv = await t.request(screen.getByRole('link', { name: 'CSV table' }).getAttribute('href')!, { headers: { cookie: owner.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');

    fireEvent.change(within(schedules).getByLabelText('Every'), { target: { value: 'weekly' } });
    fireEvent.click(within(schedules).getByRole('button', { name: 'E-mail this report' }));
    await within(schedules).findByText(/Campaign report "Spring launch" · week \(last week, Monday–Sunday\) · boss@client.test/);
    expect(await t.services.database.db.selectFrom('report_schedules').select(['template', 'campaign_id', 'account_ids', 'frequency']).execute()).toEqual([
      { template: 'campaign', campaign_id: spring.id, account_ids: '[]', frequency: 'weekly' },
    ]);
    const listed = (await (await t.json('GET', `/api/v1/workspaces/${owner.workspaceId}/report-schedules`, undefined, owner)).json()) as { items: Array<{ template: string; campaignId: string | null }> };
    expect(listed.items).toMatchObject([{ template: 'campaign', campaignId: spring.id }]);

    // Russian: the list names the campaign in that language too.
    cleanup();
    open(workspace, owner, 'ru');
    const ruSchedules = await screen.findByRole('region', { name: 'Рассылка по e-mail' });
    await within(ruSchedules).findByText(/Отчёт по кампании «Spring launch»/);
  });
});
