/**
 * Reports over HTTP on both dialects, from the hand-computed analytics fixture with a hostile post
 * text: HTML (escaped, CSP, branding), CSV (formula injection neutralised), XLSX (parsed back with the
 * KPI figures), PDF printed by the real Chromium and rendered to images with pdftoppm (expected pages,
 * none blank); competitor and inbox templates; template=campaign pointed to the per-campaign report; policies (viewers
 * read, admins brand and schedule); logo checks; schedule CRUD and validation; OpenAPI.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { pdfPageInk } from './pdf-pages';
import { newId } from '../../src/domain/ids';

const hostile = '=HYPERLINK("http://evil.example","x") <script>alert(1)</script><img src=x onerror=alert(2)>';
const fixture = JSON.parse(readFileSync(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url), 'utf8')) as { posts: Array<{ externalId: string; text: string }> };
fixture.posts.find((p) => p.externalId === 'p2')!.text = hostile;
const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe.each(dialects())('reports API (%s)', (dialect) => {
  const t = useTestApp(dialect);

  it('renders the monthly report in every format, branded, with hostile text inert', { timeout: 120_000 }, async () => {
    const owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.current.services;
    const ctx = { actor: { kind: 'user' as const, userId: owner.userId, via: 'session' as const }, workspaceId: owner.workspaceId, db: services.database.db, services };
    await importMetrics(ctx, JSON.stringify(fixture));
    const vk = await services.database.db.selectFrom('accounts').select('id').where('workspace_id', '=', owner.workspaceId).where('handle', '=', 'acme').executeTakeFirstOrThrow();
    const viewer = await t.current.addUser(owner.workspaceId, 'viewer');
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const url = (format: string, template = 'monthly') => `${ws}/reports/render?template=${template}&format=${format}&accountIds=${vk.id}&from=2026-03-23&to=2026-03-29`;

    // Branding: admins only; the logo is checked by its bytes and size; colours are strict.
    expect((await t.current.json('PUT', `${ws}/report-branding`, { agencyName: 'Spy' }, viewer)).status).toBe(403);
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1').toString('base64');
    const badType = await t.current.json('PUT', `${ws}/report-branding`, { logoBase64: gif }, owner);
    expect(badType.status).toBe(422);
    expect(await badType.json()).toMatchObject({ errors: [{ path: 'logoBase64', code: 'unsupported_type' }] });
    const big = Buffer.concat([Buffer.from(onePixelPng, 'base64'), Buffer.alloc(270_000)]).toString('base64');
    expect((await t.current.json('PUT', `${ws}/report-branding`, { logoBase64: big }, owner)).status).toBe(422);
    const badColour = await t.current.json('PUT', `${ws}/report-branding`, { primaryColor: 'red;}' }, owner);
    expect(badColour.status).toBe(422);
    expect(await badColour.json()).toMatchObject({ errors: [{ path: 'primaryColor' }] });
    const branded = await t.current.json('PUT', `${ws}/report-branding`, { agencyName: 'Northern <Agency>', primaryColor: '#7A1F5C', logoBase64: `data:image/png;base64,${onePixelPng}` }, owner);
    expect(branded.status).toBe(200);
    expect(await branded.json()).toMatchObject({ agencyName: 'Northern <Agency>', primaryColor: '#7a1f5c', accentColor: '#e07a1f', logoDataUrl: `data:image/png;base64,${onePixelPng}` });

    // HTML: viewers may read; the page is self-contained, branded, and the hostile text is only text.
    const html = await t.current.json('GET', url('html'), undefined, viewer);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page).not.toMatch(/<script|<img src=x/);
    expect(page).toContain('Northern &lt;Agency&gt;');
    expect(page).toContain('#7a1f5c');
    expect(page).toContain(`data:image/png;base64,${onePixelPng}`);
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect(page.match(/<section>/g)?.length).toBe(3);

    // CSV: formula neutralised; the KPI row carries the fixture's hand-computed value.
    const csv = await t.current.json('GET', url('csv'), undefined, viewer);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="monthly-report-2026-03-23-2026-03-29.csv"');
    const csvText = await csv.text();
    expect(csvText).toContain(`"'=HYPERLINK(""http://evil.example"",""x"") <script>alert(1)</script><img src=x onerror=alert(2)>"`);
    expect(csvText).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csvText).toMatch(/,livedune\.er\.pooled,8\.681818,%,/);

    // XLSX: parses back with the tables as sheets and the same figures.
    const xlsx = await t.current.json('GET', url('xlsx'), undefined, viewer);
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['KPIs @acme (vk)', 'Top posts @acme (vk)', 'Content types @acme (vk)', 'Best times @acme (vk)']);
    const kpiRows = wb.worksheets[0]!.getSheetValues().slice(2).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(kpiRows.find((r) => r[1] === 'livedune.er.pooled')?.[2]).toBe(8.681818);
    expect(kpiRows.find((r) => r[1] === 'tgstat.err')?.[2]).toBe(203.603604);
    const posts = wb.worksheets[1]!.getSheetValues().slice(2).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(posts.map((r) => r[2])).toContain(`'${hostile}`);
    const types = wb.worksheets[2]!.getSheetValues().slice(2).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(types.find((r) => r[0] === 'video')).toEqual(['video', 1, 'livedune.er.pooled', expect.any(Number)]);

    // PDF: printed by Chromium; one page per section (KPIs, top posts, content types), none blank.
    const started = Date.now();
    const pdf = await t.current.json('GET', url('pdf'), undefined, viewer);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const ink = pdfPageInk(bytes);
    expect(ink.length).toBe(3);
    for (const share of ink) expect(share).toBeGreaterThan(0.005);
    services.log.info({ ms: Date.now() - started }, 'monthly PDF');

    // The other templates, and what is refused.
    const competitors = await t.current.json('GET', url('html', 'competitors'), undefined, viewer);
    expect(competitors.status).toBe(200);
    expect(await competitors.text()).toContain('No competitors are watched in this workspace yet.');
    const emptyInbox = await t.current.json('GET', `${ws}/reports/render?template=inbox&format=csv&accountIds=${vk.id}&from=2026-02-01&to=2026-02-28`, undefined, viewer);
    expect(emptyInbox.status).toBe(200);
    expect(await emptyInbox.text()).toMatch(/All accounts,0,0,,/);

    // With data: a watched competitor with a post, and two inbox messages (one answered in 30 min).
    const db = services.database.db;
    const competitorId = newId();
    await db.insertInto('competitors').values({ id: competitorId, workspace_id: owner.workspaceId, network: 'vk', external_id: '-999', handle: 'rival', display_name: null, service_url: null, profile_url: null, followers: 5000, created_by: null, created_at: '2026-03-01T00:00:00.000Z', collected_at: '2026-03-30T00:00:00.000Z', last_error: null }).execute();
    await db.insertInto('competitor_snapshots').values([
      { id: newId(), competitor_id: competitorId, workspace_id: owner.workspaceId, observed_at: '2026-03-22T12:00:00.000Z', followers: 4900 },
      { id: newId(), competitor_id: competitorId, workspace_id: owner.workspaceId, observed_at: '2026-03-29T12:00:00.000Z', followers: 5000 },
    ]).execute();
    await db.insertInto('competitor_posts').values({ id: newId(), competitor_id: competitorId, workspace_id: owner.workspaceId, external_id: 'r1', url: null, published_at: '2026-03-25T09:00:00.000Z', text: '@rival -1 deal', content_type: 'photo', hashtags: '[]', likes: 40, shares: 5, comments: 3, quotes: null, views: null, first_seen_at: '2026-03-25T10:00:00.000Z', last_seen_at: '2026-03-29T10:00:00.000Z' }).execute();
    const compCsv = await (await t.current.json('GET', url('csv', 'competitors'), undefined, viewer)).text();
    expect(compCsv).toMatch(/\r\ncompetitor,rival,vk,5000,100,2\.040816,1,/);
    expect(compCsv).toContain(`Competitor @rival (vk),2026-03-25 09:00,photo,'@rival -1 deal,48,`);
    const base = { account_id: vk.id, workspace_id: owner.workspaceId, network: 'vk', kind: 'comment' as const, parent_external_id: null, root_external_id: null, target_id: null, author_external_id: 'fan', author_handle: 'fan', author_name: null, author_followers: null, text: 'hi', url: null, lang: null, edited_at: null, deleted_at: null };
    await db.insertInto('inbox_messages').values([
      { ...base, id: newId(), external_id: 'c1', network_created_at: '2026-03-24T10:00:00.000Z', received_at: '2026-03-24T10:00:00.000Z' },
      { ...base, id: newId(), external_id: 'c2', network_created_at: '2026-03-25T10:00:00.000Z', received_at: '2026-03-25T10:00:00.000Z' },
    ]).execute();
    await db.updateTable('inbox_messages').set({ first_response_at: '2026-03-24T10:30:00.000Z' }).where('external_id', '=', 'c1').execute();
    const inbox = await t.current.json('GET', url('csv', 'inbox'), undefined, viewer);
    expect(inbox.status).toBe(200);
    const inboxCsv = await inbox.text();
    expect(inboxCsv).toMatch(/\r\nAll accounts,2,1,50,/);
    // A label starting with @ is neutralised like any formula prefix.
    expect(inboxCsv).toMatch(/\r\n'@acme \(vk\),2,1,50,/);
    const campaign = await t.current.json('GET', url('html', 'campaign'), undefined, viewer);
    expect(campaign.status).toBe(422);
    expect(await campaign.json()).toMatchObject({ errors: [{ path: 'template', code: 'per_campaign' }] });
    expect((await t.current.json('GET', `${ws}/reports/render?format=html`, undefined, viewer)).status).toBe(422);
    expect((await t.current.json('GET', url('docx'), undefined, viewer)).status).toBe(422);
    expect((await t.current.json('GET', `${ws}/reports/render?template=monthly&from=2026-02-30`, undefined, viewer)).status).toBe(422);
    expect((await t.current.json('GET', `${ws}/reports/render?template=monthly&accountIds=0190c7e2-1b2c-7d3e-8f40-1234567890ab`, undefined, viewer)).status).toBe(404);

    // check=true (the web preview's first question) answers as the report would, without building it.
    const checked = await t.current.json('GET', `${url('html')}&check=true`, undefined, viewer);
    expect(checked.status).toBe(204);
    expect(await checked.text()).toBe('');
    const badDay = await t.current.json('GET', `${ws}/reports/render?template=monthly&from=2026-02-30&check=true`, undefined, viewer);
    expect(badDay.status).toBe(422);
    expect(await badDay.json()).toMatchObject({ errors: [{ path: 'from', code: 'invalid_date' }] });
    expect((await t.current.json('GET', `${url('docx')}&check=true`, undefined, viewer)).status).toBe(422);
    expect((await t.current.json('GET', `${ws}/reports/render?template=monthly&accountIds=0190c7e2-1b2c-7d3e-8f40-1234567890ab&check=true`, undefined, viewer)).status).toBe(404);
    expect((await t.current.json('GET', `${url('html')}&check=yes`, undefined, viewer)).status).toBe(422);
  });

});

describe.each(dialects())('report schedules API (%s)', (dialect) => {
  const t = useTestApp(dialect);

  it('manages schedules: admins only, clear refusals, listed with deliveries', async () => {
    const owner = await t.current.setupOwner({ email: 'sched-owner@example.com' });
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const editor = await t.current.addUser(owner.workspaceId, 'editor', { email: 'sched-editor@example.com' });
    const body = { template: 'monthly', frequency: 'monthly', recipients: ['boss@example.com', 'client@example.org'] };
    expect((await t.current.json('POST', `${ws}/report-schedules`, body, editor)).status).toBe(403);
    const badMail = await t.current.json('POST', `${ws}/report-schedules`, { ...body, recipients: ['not an address'] }, owner);
    expect(badMail.status).toBe(422);
    expect(await badMail.json()).toMatchObject({ errors: [{ path: 'recipients', code: 'invalid_email' }] });
    expect((await t.current.json('POST', `${ws}/report-schedules`, { ...body, recipients: [] }, owner)).status).toBe(422);
    expect((await t.current.json('POST', `${ws}/report-schedules`, { ...body, template: 'campaign' }, owner)).status).toBe(422);
    expect((await t.current.json('POST', `${ws}/report-schedules`, { ...body, frequency: 'daily' }, owner)).status).toBe(422);
    const created = await t.current.json('POST', `${ws}/report-schedules`, body, owner);
    expect(created.status).toBe(201);
    const s = (await created.json()) as { id: string; paused: boolean; deliveries: unknown[] };
    expect(s).toMatchObject({ template: 'monthly', frequency: 'monthly', accountIds: [], recipients: body.recipients, paused: false, deliveries: [] });
    const patched = await t.current.json('PATCH', `${ws}/report-schedules/${s.id}`, { paused: true, frequency: 'weekly' }, owner);
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ paused: true, frequency: 'weekly' });
    const list = await t.current.json('GET', `${ws}/report-schedules`, undefined, editor);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([s.id]);
    expect((await t.current.json('DELETE', `${ws}/report-schedules/${s.id}`, undefined, editor)).status).toBe(403);
    expect((await t.current.json('DELETE', `${ws}/report-schedules/${s.id}`, undefined, owner)).status).toBe(204);
    expect((await t.current.json('DELETE', `${ws}/report-schedules/${s.id}`, undefined, owner)).status).toBe(404);

    const doc = (await (await t.current.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/workspaces/{workspaceId}/reports/render'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/workspaces/{workspaceId}/report-schedules/{scheduleId}'] ?? {}).sort()).toEqual(['delete', 'patch']);
    expect(Object.keys(doc.paths['/api/v1/workspaces/{workspaceId}/report-branding'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});
