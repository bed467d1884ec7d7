/**
 * Campaign report schedules over HTTP on both dialects: a schedule with template `campaign` names a
 * campaign of its workspace (stored and shown as campaignId); a missing, malformed or other
 * workspace's campaign is a 422 with nothing stored; other templates may not carry a campaignId; the
 * ad-hoc render route still answers `per_campaign`. The real job queue and worker then mail that
 * campaign's report PDF to a REAL local SMTP server (npm `smtp-server`, as report-schedules.test.ts),
 * once per period with the same Message-ID scheme; deleting a campaign removes the schedules that
 * mail it (a queued delivery then sends nothing), and a schedule whose campaign vanished otherwise
 * records a failed delivery and mails nothing.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { deliverScheduledReport, reportHandlers, reportsSweep } from '../../src/reports/report-schedules';
import { mimeHeader, pdfAttachment } from '../support/mime';

const mails: Array<{ to: string[]; raw: string }> = [];
let smtp: SMTPServer;
const smtpConfig = { url: '', from: 'reports@herald.test' };

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 20 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpConfig.url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});



const waitFor = async (cond: () => Promise<boolean>, ms = 90_000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.each(dialects())('campaign report schedules (%s)', (dialect) => {
  const t = useTestApp(dialect, { config: { smtp: smtpConfig } });

  it('stores a campaign schedule, refuses bad and foreign campaigns, and mails the campaign PDF once per period', { timeout: 180_000 }, async () => {
    mails.length = 0;
    const owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.current.services;
    const db = services.database.db;
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const campaign = (await (await t.current.json('POST', `${ws}/campaigns`, { name: 'Spring launch', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR', budgetMinor: 100_000 }, owner)).json()) as { id: string };
    expect(campaign.id).toBeTruthy();

    // Another workspace's campaign.
    const other = await createUser({ db, services }, { email: 'owner-b@example.com', name: 'B', password: 'b password is long', owner: true });
    const bOwner = await t.current.login('owner-b@example.com', 'b password is long');
    const bCampaign = (await (await t.current.json('POST', `/api/v1/workspaces/${other.workspace?.id ?? ''}/campaigns`, { name: 'B secret', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, bOwner)).json()) as { id: string };
    expect(bCampaign.id).toBeTruthy();

    const count = async () => Number((await db.selectFrom('report_schedules').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const base = { template: 'campaign', frequency: 'monthly', recipients: ['boss@client.test'] };
    const refusals: Array<[unknown, string]> = [
      [base, 'required'],
      [{ ...base, campaignId: null }, 'required'],
      [{ ...base, campaignId: 'not-an-id' }, 'unknown_campaign'],
      [{ ...base, campaignId: '0190c7e2-1b2c-7d3e-8f40-0000000000ff' }, 'unknown_campaign'],
      [{ ...base, campaignId: bCampaign.id }, 'unknown_campaign'],
      [{ ...base, template: 'monthly', campaignId: campaign.id }, 'campaign_not_allowed'],
      [{ ...base, campaignId: campaign.id, accountIds: ['0190c7e2-1b2c-7d3e-8f40-0000000000fe'] }, 'campaign_accounts'],
    ];
    for (const [body, code] of refusals) {
      const res = await t.current.json('POST', `${ws}/report-schedules`, body, owner);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const text = await res.text();
      expect(text).toContain(code);
      expect(text).not.toContain('B secret');
    }
    expect(await count()).toBe(0);

    // The ad-hoc render route still points at the per-campaign report.
    const render = await t.current.json('GET', `${ws}/reports/render?template=campaign&format=pdf`, undefined, owner);
    expect(render.status).toBe(422);
    expect(await render.text()).toContain('per_campaign');

    const created = await t.current.json('POST', `${ws}/report-schedules`, { ...base, campaignId: campaign.id }, owner);
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as { id: string; template: string; campaignId: string | null };
    expect(schedule).toMatchObject({ template: 'campaign', campaignId: campaign.id });
    const listed = (await (await t.current.json('GET', `${ws}/report-schedules`, undefined, owner)).json()) as { items: Array<{ id: string; campaignId: string | null }> };
    expect(listed.items).toEqual([expect.objectContaining({ id: schedule.id, campaignId: campaign.id })]);

    // Changing to another workspace's campaign is refused and leaves the row as it was.
    const moved = await t.current.json('PATCH', `${ws}/report-schedules/${schedule.id}`, { campaignId: bCampaign.id }, owner);
    expect(moved.status).toBe(422);
    expect((await db.selectFrom('report_schedules').select('campaign_id').where('id', '=', schedule.id).executeTakeFirstOrThrow()).campaign_id).toBe(campaign.id);
    // A monthly schedule carrying a campaign is refused on change too.
    expect((await t.current.json('PATCH', `${ws}/report-schedules/${schedule.id}`, { template: 'monthly', campaignId: campaign.id }, owner)).status).toBe(422);

    // Into the next month: the month the schedule was made in is due, once.
    const now = services.now();
    services.advanceClock(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 2, 12) - now.getTime());
    const period = `month-${now.toISOString().slice(0, 7)}`;
    expect(await reportsSweep(services, { force: true })).toBe(1);
    expect(await reportsSweep(services, { force: true })).toBe(0);
    const worker = await services.queue.startWorker(reportHandlers(services), { concurrency: 1, workerId: `campaign-reports-${dialect}`, pollIntervalMs: 50 });
    try {
      await waitFor(async () => ['sent', 'failed'].includes((await db.selectFrom('report_deliveries').select('status').where('schedule_id', '=', schedule.id).executeTakeFirst())?.status ?? ''));
    } finally {
      await worker.stop();
    }
    expect(await db.selectFrom('report_deliveries').select(['status', 'error']).where('schedule_id', '=', schedule.id).executeTakeFirstOrThrow()).toEqual({ status: 'sent', error: null });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(['boss@client.test']);
    expect(mimeHeader(mails[0]!.raw, 'Message-ID')).toBe(`<report-${schedule.id}-${period}@herald>`);
    expect(mimeHeader(mails[0]!.raw, 'Subject')).toContain('Campaign report "Spring launch"');
    const pdf = pdfAttachment(mails[0]!.raw);
    expect(pdf?.filename).toBe('campaign-report-2026-03-01-2026-03-31.pdf');
    expect(pdf!.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf!.bytes.length).toBeGreaterThan(1000);
    expect(await reportsSweep(services, { force: true })).toBe(0);
    expect(mails).toHaveLength(1);

    // Deleting a campaign removes the schedules that mail it, with their deliveries, in the same
    // transaction; a delivery job still queued for one then finds nothing to send.
    const doomed = (await (await t.current.json('POST', `${ws}/campaigns`, { name: 'Doomed', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, owner)).json()) as { id: string };
    const orphan = (await (await t.current.json('POST', `${ws}/report-schedules`, { ...base, campaignId: doomed.id }, owner)).json()) as { id: string };
    const nowIso = services.now().toISOString();
    await db.insertInto('report_deliveries').values({ schedule_id: orphan.id, workspace_id: owner.workspaceId, period_key: 'week-2026-03-23', status: 'queued', claimed_at: nowIso, sent_at: null, error: null, pdf_bytes: null }).execute();
    expect((await t.current.json('DELETE', `${ws}/campaigns/${doomed.id}`, undefined, owner)).status).toBe(204);
    const left = (await (await t.current.json('GET', `${ws}/report-schedules`, undefined, owner)).json()) as { items: Array<{ id: string }> };
    expect(left.items.map((x) => x.id)).toEqual([schedule.id]);
    expect(await db.selectFrom('report_deliveries').select('period_key').where('schedule_id', '=', orphan.id).execute()).toEqual([]);
    const deleted = await db.selectFrom('events').select('payload').where('type', '=', 'campaign.deleted').where('subject_id', '=', doomed.id).execute();
    expect(deleted.map((e) => JSON.parse(String(e.payload)) as unknown)).toEqual([{ campaignId: doomed.id, name: 'Doomed', reportSchedulesRemoved: 1, goalsRemoved: 0 }]);
    expect(await deliverScheduledReport(services, { scheduleId: orphan.id, workspaceId: owner.workspaceId, periodKey: 'week-2026-03-23', from: '2026-03-23', to: '2026-03-29' })).toBe('skipped');
    expect(mails).toHaveLength(1);

    // A campaign gone underneath a schedule some other way (a schedule saved while the campaign was
    // being deleted) records the period failed instead of mailing.
    const racing = (await (await t.current.json('POST', `${ws}/campaigns`, { name: 'Racing', startsOn: '2026-03-01', endsOn: '2026-03-31', currency: 'EUR' }, owner)).json()) as { id: string };
    const stray = (await (await t.current.json('POST', `${ws}/report-schedules`, { ...base, campaignId: racing.id }, owner)).json()) as { id: string };
    await db.deleteFrom('campaigns').where('id', '=', racing.id).execute();
    await db.insertInto('report_deliveries').values({ schedule_id: stray.id, workspace_id: owner.workspaceId, period_key: 'week-2026-03-23', status: 'queued', claimed_at: nowIso, sent_at: null, error: null, pdf_bytes: null }).execute();
    expect(await deliverScheduledReport(services, { scheduleId: stray.id, workspaceId: owner.workspaceId, periodKey: 'week-2026-03-23', from: '2026-03-23', to: '2026-03-29' })).toBe('failed');
    expect(await db.selectFrom('report_deliveries').select(['status', 'error']).where('schedule_id', '=', stray.id).executeTakeFirstOrThrow()).toEqual({ status: 'failed', error: 'Campaign was not found' });
    expect(mails).toHaveLength(1);
    expect((await t.current.json('DELETE', `${ws}/report-schedules/${stray.id}`, undefined, owner)).status).toBe(204);

    // Moving the schedule to another template drops its campaign.
    const changed = await t.current.json('PATCH', `${ws}/report-schedules/${schedule.id}`, { template: 'inbox' }, owner);
    expect(changed.status).toBe(200);
    expect((await changed.json()) as { template: string; campaignId: string | null }).toMatchObject({ template: 'inbox', campaignId: null });
  });
});
