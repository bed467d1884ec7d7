/**
 * Networks Herald can publish to (from the connector registry, as each connector declares itself) and
 * the shared validation contract. The web app's account form and composer are built from
 * GET /api/v1/networks alone, so nothing in the UI names a network.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AnyConnector } from '../../connectors/connector';
import { NotFoundError } from '../../domain/errors';
import type { AppServices } from '../../server/services';
import { workspaceOfAccount } from '../../use-cases/accounts.use-case';
import { validateForAccount, validateInputSchema, validateVariant } from '../../use-cases/posts.use-case';
import type { AppEnv } from '../env';
import { requireUser } from '../auth';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses } from '../openapi';

const CredentialFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['text', 'password', 'url']),
  required: z.boolean(),
  placeholder: z.string().optional(),
  help: z.string().optional(),
});

const NetworkSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    lengthUnit: z.string().openapi({ description: 'Unit the validator measures length in, e.g. graphemes or UTF-16 code units' }),
    credentialFields: z.array(CredentialFieldSchema),
    optionFields: z
      .array(
        z.object({
          name: z.string(),
          label: z.string(),
          type: z.enum(['text', 'boolean', 'select']),
          choices: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
          default: z.union([z.string(), z.boolean()]).optional(),
          help: z.string().optional(),
        }),
      )
      .openapi({ description: 'Network-specific post options (send them in a variant\'s `options` by `name`); empty when none' }),
    supports: z
      .object({ maxMedia: z.number(), mediaTypes: z.array(z.string()), polls: z.boolean(), threads: z.boolean() })
      .openapi({ description: 'What a post on this network may carry' }),
    oauth: z
      .object({
        available: z.boolean().openapi({ description: 'False when the operator has not configured the app credentials the sign-in needs' }),
        reason: z.string().optional().openapi({ description: 'Why sign-in is unavailable (which setting is missing)' }),
        needsServiceUrl: z.boolean().openapi({ description: 'The user names a server before signing in (e.g. a Mastodon instance)' }),
        startFields: z.array(CredentialFieldSchema).openapi({ description: 'Fields the user fills in before signing in (e.g. the community to post to); empty when none' }),
      })
      .nullable()
      .openapi({ description: 'Connecting by signing in on the network; null when the network connects with credential fields only' }),
    limits: z.object({
      maxConcurrentPerAccount: z.number(),
      publishRate: z.object({ count: z.number(), windowMs: z.number() }),
      groupRate: z.object({ count: z.number(), windowMs: z.number() }).optional(),
    }),
    capabilities: z
      .object({
        comments: z.boolean(),
        metrics: z.boolean(),
        delete: z.boolean(),
        findPublished: z.boolean(),
        directMessages: z.boolean(),
        moderation: z.object({ hide: z.boolean(), unhide: z.boolean(), delete: z.boolean(), restore: z.boolean(), deleteReply: z.boolean() }),
      })
      .openapi({ description: 'Optional capabilities: reading and answering comments, reading counts, deleting published posts, checking whether a post went out, direct messages, and hiding/deleting messages and our replies on the network from the inbox' }),
  })
  .openapi('Network');

const ValidationResultSchema = z
  .object({
    network: z.string(),
    length: z.number(),
    max: z.number(),
    unit: z.string(),
    valid: z.boolean(),
    errors: z.array(
      z.object({
        code: z.string(),
        message: z.string(),
        field: z.enum(['text', 'media', 'link', 'langs', 'poll', 'thread', 'options']).optional(),
        index: z.number().optional(),
      }),
    ),
  })
  .openapi('ValidationResult');

const list = createRoute({
  method: 'get',
  path: '/api/v1/networks',
  tags: ['networks'],
  summary: 'Networks with their credential fields, post options, what they support, sign-in and capabilities',
  security: authenticated,
  responses: { 200: jsonResponse(z.object({ items: z.array(NetworkSchema) }), 'Every network'), ...problemResponses(401) },
});

const validate = createRoute({
  method: 'post',
  path: '/api/v1/validate',
  tags: ['networks'],
  summary: 'Validate a post for one network, optionally for one account (same contract as `herald validate --json`)',
  security: authenticated,
  request: { body: jsonBody(validateInputSchema) },
  responses: { 200: jsonResponse(ValidationResultSchema, 'The validation result (valid or not)'), ...problemResponses(401, 403, 404, 422) },
});

/** A connector as GET /api/v1/networks shows it. */
export function presentNetwork(k: AnyConnector) {
  let oauth: { available: boolean; reason?: string; needsServiceUrl: boolean; startFields: AnyConnector['credentialFields'] } | null = null;
  if (k.oauth) {
    const a = k.oauth.available();
    const common = { needsServiceUrl: k.oauth.needsServiceUrl, startFields: k.oauth.startFields ?? [] };
    oauth = a.ok ? { available: true, ...common } : { available: false, reason: a.reason, ...common };
  }
  return {
    id: k.id,
    displayName: k.displayName,
    lengthUnit: k.lengthUnit,
    credentialFields: k.credentialFields,
    optionFields: k.optionFields ?? [],
    supports: k.supports,
    oauth,
    limits: k.limits,
    capabilities: {
      comments: k.comments !== undefined,
      metrics: k.metrics !== undefined,
      delete: typeof k.delete === 'function',
      findPublished: typeof k.findPublished === 'function',
      directMessages: k.directMessages !== undefined,
      moderation: {
        hide: k.moderation?.hide !== undefined,
        unhide: k.moderation?.unhide !== undefined,
        delete: k.moderation?.delete !== undefined,
        restore: k.moderation?.restore !== undefined,
        deleteReply: typeof k.moderation?.deleteReply === 'function',
      },
    },
  };
}

/** Registers /api/v1/networks and /api/v1/validate. */
export function registerNetworkRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  return app
    .openapi(list, (c) => {
      requireUser(c);
      return c.json({ items: services.connectors.list().map(presentNetwork) }, 200);
    })
    .openapi(validate, async (c) => {
      requireUser(c);
      const body = c.req.valid('json');
      if (body.accountId === undefined) return c.json(validateVariant(c.var.services, body), 200);
      // The account decides the workspace; someone who cannot see it gets the same 404 as for no account.
      const workspaceId = await workspaceOfAccount(c.var.services, body.accountId);
      if (!workspaceId) throw new NotFoundError('Account');
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read').catch((e: unknown) => {
        throw e instanceof NotFoundError ? new NotFoundError('Account') : e;
      });
      return c.json(await validateForAccount(access.ctx, body), 200);
    });
}
