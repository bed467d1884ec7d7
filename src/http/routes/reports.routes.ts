/**
 * Reports: a report (monthly SMM, competitors, inbox/SLA) for accounts and a period as HTML, PDF,
 * CSV or XLSX; white-label branding; weekly/monthly e-mail schedules. Everyone who reads analytics
 * may download reports; admins and owners (reports.manage) set branding and schedules.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { reportTemplates } from '../../reports/report-model';
import {
  createReportSchedule,
  deleteReportSchedule,
  getBranding,
  checkReportQuery,
  getReport,
  listReportSchedules,
  reportFormats,
  scheduleTemplates,
  updateBranding,
  updateReportSchedule,
} from '../../use-cases/reports.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { reportFileResponse, sendReportFile } from '../report-response';
import { authenticated, jsonBody, jsonResponse, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const RenderQuery = z
  .object({
    template: z.string().optional().openapi({ param: { name: 'template', in: 'query' }, description: `One of ${reportTemplates.join(', ')} (required). The campaign report is per campaign: …/campaigns/{campaignId}/report.`, example: 'monthly' }),
    format: z.string().optional().openapi({ param: { name: 'format', in: 'query' }, description: `${reportFormats.join(', ')} (default html)`, example: 'pdf' }),
    accountIds: z.string().optional().openapi({ param: { name: 'accountIds', in: 'query' }, description: 'Comma-separated account ids (default: every live account, at most 20)' }),
    from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'First day `YYYY-MM-DD` in the workspace zone (default: first day of last month)', example: '2026-03-01' }),
    to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Last day, inclusive (default: last day of last month)', example: '2026-03-31' }),
    check: z
      .enum(['true'])
      .optional()
      .openapi({ param: { name: 'check', in: 'query' }, description: 'Only check the choice (204, or the same 4xx the report would answer) without building the report' }),
  })
  .strict();

const render = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/reports/render',
  tags: ['reports'],
  summary: 'A report as HTML, PDF (printed by Chromium), CSV or XLSX',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: RenderQuery },
  responses: {
    200: reportFileResponse,
    204: { description: 'With check=true: the choice is valid; nothing was built' },
    ...workspaceProblems,
  },
});

const BrandingSchema = z
  .object({ agencyName: z.string().nullable(), primaryColor: z.string(), accentColor: z.string(), logoDataUrl: z.string().nullable().openapi({ description: 'The logo as a data: URL' }) })
  .openapi('ReportBranding');
const BrandingBody = z
  .object({
    agencyName: z.string().max(120).nullable().optional(),
    primaryColor: z.string().optional().openapi({ example: '#1f4e79' }),
    accentColor: z.string().optional().openapi({ example: '#e07a1f' }),
    logoBase64: z.string().max(400_000).nullable().optional().openapi({ description: 'PNG or JPEG bytes, base64 (a data: URL prefix is accepted), at most 256 KiB; null removes the logo' }),
  })
  .strict()
  .openapi('ReportBrandingRequest');

const branding = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/report-branding',
  tags: ['reports'],
  summary: "The workspace's report branding (logo, colours, agency name)",
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(BrandingSchema, 'Branding'), ...workspaceProblems },
});
const putBranding = createRoute({
  method: 'put',
  path: '/api/v1/workspaces/{workspaceId}/report-branding',
  tags: ['reports'],
  summary: 'Set the report branding (admins and owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(BrandingBody) },
  responses: { 200: jsonResponse(BrandingSchema, 'Branding'), ...workspaceProblems },
});

const ScheduleSchema = z
  .object({
    id: z.string(),
    template: z.enum(scheduleTemplates),
    accountIds: z.array(z.string()),
    campaignId: z.string().nullable().openapi({ description: 'The campaign a `campaign` schedule mails; null for the other templates' }),
    frequency: z.enum(['weekly', 'monthly']),
    recipients: z.array(z.string()),
    paused: z.boolean(),
    createdAt: z.string(),
    deliveries: z.array(z.object({ period: z.string(), status: z.string(), sentAt: z.string().nullable(), error: z.string().nullable() })),
  })
  .openapi('ReportSchedule');
const ScheduleFields = {
  template: z.string().openapi({ description: `One of ${scheduleTemplates.join(', ')}`, example: 'monthly' }),
  accountIds: z.array(z.string()).max(20),
  campaignId: z
    .string()
    .max(64)
    .nullable()
    .openapi({ description: 'With template `campaign` (required there): a campaign of this workspace, whose report PDF is mailed each period. Not allowed with the other templates.' }),
  frequency: z.enum(['weekly', 'monthly']),
  recipients: z.array(z.string().max(254)).max(20),
  paused: z.boolean(),
};
const CreateScheduleBody = z
  .object({ ...ScheduleFields, accountIds: ScheduleFields.accountIds.optional(), campaignId: ScheduleFields.campaignId.optional(), paused: ScheduleFields.paused.optional() })
  .strict()
  .openapi('ReportScheduleCreate');
const UpdateScheduleBody = z.object(ScheduleFields).partial().strict().openapi('ReportScheduleUpdate');
const ScheduleParams = WorkspaceParamsSchema.extend({ scheduleId: z.string().openapi({ param: { name: 'scheduleId', in: 'path' } }) });

const listSchedules = createRoute({
  method: 'get',
  path: '/api/v1/workspaces/{workspaceId}/report-schedules',
  tags: ['reports'],
  summary: 'Report e-mail schedules with their latest deliveries',
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(ScheduleSchema) }), 'Schedules'), ...workspaceProblems },
});
const createSchedule = createRoute({
  method: 'post',
  path: '/api/v1/workspaces/{workspaceId}/report-schedules',
  tags: ['reports'],
  summary: 'E-mail a report with its PDF every week or month (admins and owners)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(CreateScheduleBody) },
  responses: { 201: jsonResponse(ScheduleSchema, 'Created'), ...workspaceProblems },
});
const patchSchedule = createRoute({
  method: 'patch',
  path: '/api/v1/workspaces/{workspaceId}/report-schedules/{scheduleId}',
  tags: ['reports'],
  summary: 'Change a report schedule (admins and owners)',
  security: authenticated,
  request: { params: ScheduleParams, body: jsonBody(UpdateScheduleBody) },
  responses: { 200: jsonResponse(ScheduleSchema, 'Changed'), ...workspaceProblems },
});
const removeSchedule = createRoute({
  method: 'delete',
  path: '/api/v1/workspaces/{workspaceId}/report-schedules/{scheduleId}',
  tags: ['reports'],
  summary: 'Remove a report schedule (admins and owners)',
  security: authenticated,
  request: { params: ScheduleParams },
  responses: { 204: { description: 'Removed' }, ...workspaceProblems },
});

/** Registers the report routes. */
export function registerReportRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(render, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      const q = c.req.valid('query');
      const accountIds = q.accountIds ? q.accountIds.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      if (q.check) {
        await checkReportQuery(access.ctx, { template: q.template, accountIds, from: q.from, to: q.to }, q.format);
        return c.body(null, 204);
      }
      const file = await getReport(access.ctx, { template: q.template, accountIds, from: q.from, to: q.to }, q.format);
      return sendReportFile(c, file);
    })
    .openapi(branding, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(await getBranding(access.ctx), 200);
    })
    .openapi(putBranding, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'reports.manage');
      return c.json(await updateBranding(access.ctx, c.req.valid('json')), 200);
    })
    .openapi(listSchedules, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'analytics.read');
      return c.json(await listReportSchedules(access.ctx), 200);
    })
    .openapi(createSchedule, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'reports.manage');
      return c.json(await createReportSchedule(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(patchSchedule, async (c) => {
      const { workspaceId, scheduleId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'reports.manage');
      return c.json(await updateReportSchedule(access.ctx, scheduleId, c.req.valid('json')), 200);
    })
    .openapi(removeSchedule, async (c) => {
      const { workspaceId, scheduleId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'reports.manage');
      await deleteReportSchedule(access.ctx, scheduleId);
      return c.body(null, 204);
    });
}
