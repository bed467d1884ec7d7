/**
 * Scheduled reports: the scheduler's sweep queues one `report-email` job per schedule and finished
 * period (the last full ISO week or calendar month in the workspace's zone, once that period ended
 * after the schedule was made); the worker builds the report, prints the PDF and mails it.
 *
 * Once per period: the sweep inserts the (schedule, period) delivery row and enqueues the job in one
 * transaction, and only when the row did not exist, so however often the sweep runs (and on however
 * many processes) a period is queued once. The handler claims the row (`queued` → `sending`), sends,
 * then marks it `sent`; a retry of a job whose row is `sent` does nothing.
 *
 * At-least-once, not exactly-once: SMTP has no idempotency key, so "mail accepted" and "row marked
 * sent" cannot commit together. If the worker dies between the server accepting the mail and the
 * `sent` mark, the row stays `sending`; the job is retried, waits until the claim is older than
 * `sendingLeaseMs` (so a slow but live send is never doubled) and sends again. We chose a possible
 * duplicate over a silently lost report; every copy carries the same Message-ID
 * (`<report-{schedule}-{period}@herald>`) so mail clients can recognise the duplicate. A refusal
 * (SMTP 5xx, SMTP not configured, the report cannot be built) is recorded as `failed` and not retried.
 *
 * A `campaign` schedule mails its campaign's report (src/reports/campaign-report.ts: the campaign's
 * figures as of the send, over the campaign's own dates) each period, printed by the same PDF printer;
 * if the campaign was deleted since, the delivery is recorded as failed.
 */
import type { JobHandler } from '../jobs/job-queue';
import { DomainError, NotFoundError } from '../domain/errors';
import { sendMail, SmtpRefusedError } from '../mail/mailer';
import { activeSchedules, claimDelivery, findDelivery, findSchedule, finishDelivery, insertDeliveryIfAbsent } from '../repositories/reports.repository';
import type { AppServices, UseCaseContext } from '../server/services';
import { dayStartMs, addDays } from '../analytics/local-time';
import { buildReport, previousMonth, previousWeek, renderReport } from '../use-cases/reports.use-case';
import { buildCampaignReport } from '../use-cases/campaigns.use-case';
import type { ReportModel } from './report-model';

/** The job's task name. */
export const reportEmailTask = 'report-email';
/** How long a `sending` claim protects a send in progress before a retry may take it over. */
export const sendingLeaseMs = 10 * 60_000;
/** Least time between two sweeps of one process. */
const sweepEveryMs = 60_000;
const lastSweep = new WeakMap<AppServices, number>();

/** A schedule's latest finished period and its key (`week-2026-03-23`, `month-2026-03`). */
export function duePeriod(frequency: 'weekly' | 'monthly', nowMs: number, zone: string): { from: string; to: string; key: string } {
  const p = frequency === 'weekly' ? previousWeek(nowMs, zone) : previousMonth(nowMs, zone);
  return { ...p, key: frequency === 'weekly' ? `week-${p.from}` : `month-${p.from.slice(0, 7)}` };
}

/** Queues the e-mails of finished periods; returns how many were queued. `force` skips the throttle. */
export async function reportsSweep(services: AppServices, opts: { force?: boolean; batch?: number } = {}): Promise<number> {
  const nowMs = services.now().getTime();
  if (!opts.force && nowMs - (lastSweep.get(services) ?? 0) < sweepEveryMs) return 0;
  lastSweep.set(services, nowMs);
  const db = services.database.db;
  const nowIso = new Date(nowMs).toISOString();
  let queued = 0;
  let after = '';
  for (;;) {
    const page = await activeSchedules(db, after, opts.batch ?? 200);
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    for (const s of page) {
      const p = duePeriod(s.frequency, nowMs, s.timezone);
      // Only periods that ended after the schedule was made: a new schedule does not mail old periods.
      if (dayStartMs(addDays(p.to, 1), s.timezone) <= Date.parse(s.created_at)) continue;
      if (await findDelivery(db, s.id, p.key)) continue;
      await db.transaction().execute(async (trx) => {
        const added = await insertDeliveryIfAbsent(trx, { schedule_id: s.id, workspace_id: s.workspace_id, period_key: p.key, status: 'queued', claimed_at: nowIso, sent_at: null, error: null, pdf_bytes: null });
        if (!added) return;
        await services.queue.enqueue(reportEmailTask, { scheduleId: s.id, workspaceId: s.workspace_id, periodKey: p.key, from: p.from, to: p.to }, { key: `${reportEmailTask}:${s.id}:${p.key}`, maxAttempts: 25 }, trx);
        queued += 1;
      });
    }
  }
  return queued;
}

/** The campaign report model of a `campaign` schedule (as GET …/campaigns/{id}/report builds it). */
async function campaignScheduleModel(ctx: UseCaseContext, campaignId: string | null): Promise<{ model: ReportModel; campaignName: string }> {
  if (campaignId === null) throw new NotFoundError('Campaign');
  return buildCampaignReport(ctx, campaignId);
}

/** The job body: build, print, mail, mark. Returns what happened (for tests and logs). */
export async function deliverScheduledReport(services: AppServices, p: { scheduleId: string; workspaceId: string; periodKey: string; from: string; to: string }): Promise<'sent' | 'failed' | 'skipped'> {
  const db = services.database.db;
  const now = services.now();
  const claimed = await claimDelivery(db, p.scheduleId, p.periodKey, now.toISOString(), new Date(now.getTime() - sendingLeaseMs).toISOString());
  if (!claimed) {
    const row = await findDelivery(db, p.scheduleId, p.periodKey);
    // Another run is sending (or died sending): try again later; the lease decides when to take over.
    if (row?.status === 'sending') throw new Error('report e-mail is being sent by another run; retrying later');
    return 'skipped';
  }
  const fail = async (reason: string) => {
    await finishDelivery(db, p.scheduleId, p.periodKey, { status: 'failed', sent_at: null, error: reason.slice(0, 500), pdf_bytes: null });
    services.log.warn({ scheduleId: p.scheduleId, period: p.periodKey, reason }, 'scheduled report not delivered');
    return 'failed' as const;
  };
  const schedule = await findSchedule(db, p.workspaceId, p.scheduleId);
  if (!schedule) return 'skipped';
  const smtp = services.config.smtp;
  if (!smtp) return fail('HERALD_SMTP_URL is not set');
  const ctx: UseCaseContext = { actor: { kind: 'system', name: 'report-schedule' }, workspaceId: p.workspaceId, db, services };
  try {
    const accountIds = JSON.parse(schedule.account_ids) as string[];
    const built =
      schedule.template === 'campaign' ? await campaignScheduleModel(ctx, schedule.campaign_id) : { model: await buildReport(ctx, { template: schedule.template, accountIds, from: p.from, to: p.to }), campaignName: null };
    const model = built.model;
    const pdf = await renderReport(ctx, model, 'pdf');
    const recipients = JSON.parse(schedule.recipients) as string[];
    const title = built.campaignName === null ? model.title : `${model.title} "${built.campaignName}"`;
    await sendMail(smtp, {
      to: recipients,
      subject: `${title}: ${model.workspaceName}, ${p.from} – ${p.to}`.replace(/[\r\n]+/g, ' ').slice(0, 200),
      text: `${title} for ${model.workspaceName}, ${p.from} – ${p.to} (${model.timeZone}), is attached as a PDF.\n\nOpen Herald for the live figures: ${services.config.publicUrl}/w/${p.workspaceId}/reports`,
      attachments: [{ filename: pdf.filename, content: pdf.body, contentType: pdf.contentType }],
      messageId: `<report-${p.scheduleId}-${p.periodKey}@herald>`,
    });
    await finishDelivery(db, p.scheduleId, p.periodKey, { status: 'sent', sent_at: services.now().toISOString(), error: null, pdf_bytes: pdf.body.length });
    return 'sent';
  } catch (e) {
    if (e instanceof SmtpRefusedError || (e instanceof DomainError && e.status < 500)) return fail(e.message);
    // Temporary: give the period back so the queue's retry can claim it at once.
    await finishDelivery(db, p.scheduleId, p.periodKey, { status: 'queued', sent_at: null, error: (e as Error).message.slice(0, 500), pdf_bytes: null });
    throw e;
  }
}

/** The worker's report handlers. */
export function reportHandlers(services: AppServices): Record<string, JobHandler> {
  return {
    [reportEmailTask]: async (payload) => {
      const { scheduleId, workspaceId, periodKey, from, to } = payload;
      if (typeof scheduleId !== 'string' || typeof workspaceId !== 'string' || typeof periodKey !== 'string' || typeof from !== 'string' || typeof to !== 'string') return;
      await deliverScheduledReport(services, { scheduleId, workspaceId, periodKey, from, to });
    },
  };
}
