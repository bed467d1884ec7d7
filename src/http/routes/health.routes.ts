/**
 * Liveness (GET /api/health) and readiness (GET /api/ready) for load balancers and orchestrators.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import type { AppEnv } from '../env';
import { jsonResponse } from '../openapi';
import { PROBLEM_CONTENT_TYPE, problemDocument } from '../problem';
import { checkReadiness } from '../readiness';

const ChecksSchema = z.object({ database: z.string(), migrations: z.string(), worker: z.string() }).openapi('ReadinessChecks');

const health = createRoute({
  method: 'get',
  path: '/api/health',
  tags: ['health'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive') },
});

const ready = createRoute({
  method: 'get',
  path: '/api/ready',
  tags: ['health'],
  summary: 'Readiness: database reachable, migrations applied, a worker alive',
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ready'), checks: ChecksSchema }), 'Ready'),
    503: {
      description: 'Not ready; `checks` says which check failed',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), checks: ChecksSchema }) } },
    },
  },
});

/** Registers /api/health and /api/ready. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const report = await checkReadiness(c.var.services);
      if (report.ready) return c.json({ status: 'ready' as const, checks: report.checks }, 200);
      const failed = Object.entries(report.checks)
        .filter(([, v]) => v !== 'ok')
        .map(([k, v]) => `${k} ${v}`)
        .join('; ');
      const doc = problemDocument(503, `Not ready: ${failed}`, { title: 'Service unavailable', instance: c.req.path, extra: { checks: report.checks } });
      return c.json(doc as typeof doc & { checks: typeof report.checks }, 503, { 'content-type': PROBLEM_CONTENT_TYPE });
    });
}
