/**
 * Scheduled report e-mails against a REAL local SMTP server (npm `smtp-server`; nodemailer on
 * Herald's side) on both dialects, through the real job queue and worker: a monthly schedule mails
 * the finished month's report with the PDF attached (%PDF, non-empty) exactly once however many times
 * the sweep runs and when the job runs again; a period that ended before the schedule existed is not
 * mailed; a send in progress is not doubled by a retry, a stale one is taken over (at-least-once);
 * SMTP refusal and missing SMTP are recorded as failed deliveries.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { startScheduler } from '../../src/publishing/scheduler';
import { deliverScheduledReport, reportHandlers, reportsSweep, reportEmailTask, sendingLeaseMs } from '../../src/reports/report-schedules';
import { pdfAttachment } from '../support/mime';

interface Mail {
  to: string[];
  raw: string;
}
const mails: Mail[] = [];
let refuseNext: { code: number; message: string } | null = null;
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
        if (refuseNext) {
          const err = Object.assign(new Error(refuseNext.message), { responseCode: refuseNext.code });
          refuseNext = null;
          return callback(err);
        }
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


const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 90_000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.each(dialects())('scheduled report e-mails (%s)', (dialect) => {
  const t = useTestApp(dialect, { config: { smtp: smtpConfig } });

  it('mails each finished period once, with the PDF attached, through the real worker', { timeout: 180_000 }, async () => {
    mails.length = 0;
    const owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.current.services;
    const ws = `/api/v1/workspaces/${owner.workspaceId}`;
    const created = await t.current.json('POST', `${ws}/report-schedules`, { template: 'inbox', frequency: 'monthly', recipients: ['boss@client.test', 'me@agency.test'] }, owner);
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as { id: string };

    // The month before the schedule existed is not mailed.
    expect(await reportsSweep(services, { force: true })).toBe(0);
    // Into the next month: the month the schedule was made in is finished and due, once.
    const now = services.now();
    const nextMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 2, 12);
    services.advanceClock(nextMonthStart - now.getTime());
    const period = `month-${new Date(now.getTime()).toISOString().slice(0, 7)}`;
    expect(await reportsSweep(services, { force: true })).toBe(1);
    for (let i = 0; i < 5; i++) expect(await reportsSweep(services, { force: true })).toBe(0);
    const worker = await services.queue.startWorker(reportHandlers(services), { concurrency: 2, workerId: `reports-${dialect}`, pollIntervalMs: 50 });
    try {
      await waitFor(async () => (await services.database.db.selectFrom('report_deliveries').select('status').where('schedule_id', '=', schedule.id).executeTakeFirst())?.status === 'sent');
    } finally {
      await worker.stop();
    }
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to.sort()).toEqual(['boss@client.test', 'me@agency.test']);
    expect(mails[0]!.raw.replace(/\r\n[ \t]+/g, ' ')).toContain(`Message-ID: <report-${schedule.id}-${period}@herald>`);
    const pdf = pdfAttachment(mails[0]!.raw);
    expect(pdf?.filename).toMatch(/^inbox-report-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.pdf$/);
    expect(pdf!.bytes.length).toBeGreaterThan(1000);
    expect(pdf!.bytes.subarray(0, 5).toString()).toBe('%PDF-');

    // The job running again (at-least-once queue) finds the period sent and mails nothing.
    const payload = { scheduleId: schedule.id, workspaceId: owner.workspaceId, periodKey: period, from: 'x', to: 'y' };
    expect(await deliverScheduledReport(services, payload)).toBe('skipped');
    expect(await reportsSweep(services, { force: true })).toBe(0);
    expect(mails).toHaveLength(1);
    const listed = await t.current.json('GET', `${ws}/report-schedules`, undefined, owner);
    expect(((await listed.json()) as { items: Array<{ deliveries: Array<{ period: string; status: string }> }> }).items[0]!.deliveries).toEqual([expect.objectContaining({ period, status: 'sent' })]);
    expect(reportEmailTask).toBe('report-email');
  });

  it('does not double a send in progress, takes over a stale one, and records refusals', { timeout: 180_000 }, async () => {
    mails.length = 0;
    const services = t.current.services;
    const db = services.database.db;
    const ws = await db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
    const owner = await db.selectFrom('memberships').select('user_id').where('workspace_id', '=', ws.id).executeTakeFirstOrThrow();
    const nowIso = services.now().toISOString();
    const mk = async (id: string, recipients: string[]) => {
      await db.insertInto('report_schedules').values({ id, workspace_id: ws.id, template: 'inbox', account_ids: '[]', frequency: 'weekly', recipients: JSON.stringify(recipients), paused: 0, created_by: owner.user_id, created_at: nowIso, updated_at: nowIso }).execute();
    };
    const inProgress = '0190c7e2-1b2c-7d3e-8f40-000000000001';
    await mk(inProgress, ['a@client.test']);
    await db.insertInto('report_deliveries').values({ schedule_id: inProgress, workspace_id: ws.id, period_key: 'week-2026-03-23', status: 'sending', claimed_at: nowIso, sent_at: null, error: null, pdf_bytes: null }).execute();
    const p = { scheduleId: inProgress, workspaceId: ws.id, periodKey: 'week-2026-03-23', from: '2026-03-23', to: '2026-03-29' };
    // Another run holds a fresh claim: a retry must wait (throw), not send.
    await expect(deliverScheduledReport(services, p)).rejects.toThrow(/being sent by another run/);
    expect(mails).toHaveLength(0);
    // That run died: after the lease a retry takes over and sends (at-least-once).
    services.advanceClock(sendingLeaseMs + 1000);
    expect(await deliverScheduledReport(services, p)).toBe('sent');
    expect(mails).toHaveLength(1);

    const refused = '0190c7e2-1b2c-7d3e-8f40-000000000002';
    await mk(refused, ['nobody@client.test']);
    await db.insertInto('report_deliveries').values({ schedule_id: refused, workspace_id: ws.id, period_key: 'week-2026-03-23', status: 'queued', claimed_at: nowIso, sent_at: null, error: null, pdf_bytes: null }).execute();
    refuseNext = { code: 550, message: 'mailbox unavailable' };
    expect(await deliverScheduledReport(services, { ...p, scheduleId: refused })).toBe('failed');
    const row = await db.selectFrom('report_deliveries').selectAll().where('schedule_id', '=', refused).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', error: 'SMTP server refused: 550' });
    // A failed period is not retried by the job.
    expect(await deliverScheduledReport(services, { ...p, scheduleId: refused })).toBe('skipped');
    expect(mails).toHaveLength(1);
  });

  it('is driven by the real scheduler loop: a due weekly period is queued by the sweep and mailed by the worker', { timeout: 180_000 }, async () => {
    mails.length = 0;
    const services = t.current.services;
    const db = services.database.db;
    const ws = await db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
    const longAgo = new Date(services.now().getTime() - 60 * 86_400_000).toISOString();
    const id = '0190c7e2-1b2c-7d3e-8f40-000000000003';
    await db.insertInto('report_schedules').values({ id, workspace_id: ws.id, template: 'competitors', account_ids: '[]', frequency: 'weekly', recipients: '["weekly@client.test"]', paused: 0, created_by: null, created_at: longAgo, updated_at: longAgo }).execute();
    // Past the sweep's once-a-minute throttle left by the forced sweeps above.
    services.advanceClock(120_000);
    const scheduler = startScheduler(services, { schedulerIntervalMs: 200 });
    const worker = await services.queue.startWorker(reportHandlers(services), { concurrency: 1, workerId: `reports-loop-${dialect}`, pollIntervalMs: 50 });
    try {
      await waitFor(() => mails.some((m) => m.to.includes('weekly@client.test')));
    } finally {
      await scheduler.stop();
      await worker.stop();
    }
    const rows = await db.selectFrom('report_deliveries').selectAll().where('schedule_id', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', period_key: expect.stringMatching(/^week-\d{4}-\d{2}-\d{2}$/) });
    expect(Number(rows[0]!.pdf_bytes)).toBeGreaterThan(1000);
    expect(mails.filter((m) => m.to.includes('weekly@client.test'))).toHaveLength(1);
  });
});
