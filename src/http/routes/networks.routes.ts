/**
 * Networks Herald can publish to (from the connector registry) and the shared validation contract.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { validateInputSchema, validateVariant } from '../../use-cases/posts.use-case';
import type { AppEnv } from '../env';
import { requireUser } from '../auth';
import { authenticated, jsonBody, jsonResponse, problemResponses } from '../openapi';

const NetworkSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    lengthUnit: z.string(),
    credentialFields: z.array(
      z.object({
        name: z.string(),
        label: z.string(),
        type: z.enum(['text', 'password', 'url']),
        required: z.boolean(),
        placeholder: z.string().optional(),
        help: z.string().optional(),
      }),
    ),
    limits: z.object({ maxConcurrentPerAccount: z.number(), publishRate: z.object({ count: z.number(), windowMs: z.number() }) }),
    capabilities: z.object({ findPublished: z.boolean(), delete: z.boolean() }),
  })
  .openapi('Network');

const ValidationResultSchema = z
  .object({
    network: z.string(),
    length: z.number(),
    max: z.number(),
    unit: z.string(),
    valid: z.boolean(),
    errors: z.array(z.object({ code: z.string(), message: z.string(), field: z.enum(['text', 'media', 'link', 'langs']).optional(), index: z.number().optional() })),
  })
  .openapi('ValidationResult');

const list = createRoute({
  method: 'get',
  path: '/api/v1/networks',
  tags: ['networks'],
  summary: 'Networks with their credential fields, limits and length unit',
  security: authenticated,
  responses: { 200: jsonResponse(z.object({ items: z.array(NetworkSchema) }), 'Every network'), ...problemResponses(401) },
});

const validate = createRoute({
  method: 'post',
  path: '/api/v1/validate',
  tags: ['networks'],
  summary: 'Validate a post for one network (same contract as `herald validate --json`)',
  security: authenticated,
  request: { body: jsonBody(validateInputSchema) },
  responses: { 200: jsonResponse(ValidationResultSchema, 'The validation result (valid or not)'), ...problemResponses(401, 403, 404, 422) },
});

/** Registers /api/v1/networks and /api/v1/validate. */
export function registerNetworkRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  return app
    .openapi(list, (c) => {
      requireUser(c);
      const items = services.connectors.list().map((k) => ({
        id: k.id,
        displayName: k.displayName,
        lengthUnit: k.lengthUnit,
        credentialFields: k.credentialFields,
        limits: k.limits,
        capabilities: { findPublished: typeof k.findPublished === 'function', delete: typeof k.delete === 'function' },
      }));
      return c.json({ items }, 200);
    })
    .openapi(validate, (c) => {
      requireUser(c);
      return c.json(validateVariant(c.var.services, c.req.valid('json')), 200);
    });
}
