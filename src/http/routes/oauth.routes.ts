/**
 * OAuth sign-in for connectors with the `oauth` capability: start (a workspace route, admins) and the
 * network's callback (no session needed: the single-use state names the workspace and the user; a
 * session, when the browser has one, must be that same user). The callback always answers with a
 * redirect to the web app's Accounts screen, carrying either the account id or a message.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { finishOAuth, OAuthCallbackError, startOAuth, startOAuthSchema } from '../../use-cases/oauth.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const OAuthStartSchema = z
  .object({
    authorizeUrl: z.string().openapi({ description: "Send the user's browser here; the network then calls back Herald" }),
    expiresAt: z.string().openapi({ description: 'The sign-in must finish before this instant' }),
  })
  .openapi('OAuthStart');

const start = createRoute({
  method: 'post',
  path: '/api/v1/workspaces/{workspaceId}/accounts/oauth/start',
  tags: ['accounts'],
  summary: 'Start connecting (or, with accountId, reconnecting) an account by OAuth sign-in',
  description:
    'Herald creates a single-use state and a PKCE pair (valid 10 minutes) and returns the network\'s authorization URL. ' +
    'The network redirects back to `/api/v1/oauth/callback/{network}`, which connects the account and redirects to `/accounts?connected=<id>` or `/accounts?oauthError=<message>`.',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(startOAuthSchema) },
  responses: { 200: jsonResponse(OAuthStartSchema, 'Where to send the browser'), ...workspaceProblems, ...problemResponses(502) },
});

const CallbackParams = z.object({ network: z.string().openapi({ param: { name: 'network', in: 'path' }, example: 'mastodon' }) }).strict();
const CallbackQuery = z
  .object({
    code: z.string().optional().openapi({ param: { name: 'code', in: 'query' } }),
    state: z.string().optional().openapi({ param: { name: 'state', in: 'query' } }),
    error: z.string().optional().openapi({ param: { name: 'error', in: 'query' }, description: 'e.g. access_denied when the user declined' }),
    error_description: z.string().optional().openapi({ param: { name: 'error_description', in: 'query' } }),
  })
  // Networks add their own parameters (VK ID sends device_id); they are passed to the connector.
  .loose();

const callback = createRoute({
  method: 'get',
  path: '/api/v1/oauth/callback/{network}',
  tags: ['accounts'],
  summary: "The network's OAuth redirect target; redirects to the web app's Accounts screen",
  request: { params: CallbackParams, query: CallbackQuery },
  responses: {
    302: {
      description: 'To `/accounts?connected=<accountId>` on success, `/accounts?oauthError=<message>` otherwise',
      headers: { location: { schema: { type: 'string' } } },
    },
  },
});

/** Registers the OAuth routes. */
export function registerOAuthRoutes(app: OpenAPIHono<AppEnv>, services: AppServices) {
  return app
    .openapi(start, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'accounts.manage');
      return c.json(await startOAuth(access.ctx, c.req.valid('json')), 200);
    })
    .openapi(callback, async (c) => {
      const { network } = c.req.valid('param');
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(c.req.query())) if (typeof v === 'string') query[k] = v;
      let location: string;
      try {
        const r = await finishOAuth(services, { network, query, sessionUserId: c.var.auth?.userId ?? null });
        location = `/accounts?connected=${encodeURIComponent(r.accountId)}`;
      } catch (e) {
        if (!(e instanceof OAuthCallbackError)) services.log.error({ err: e, reqId: c.var.requestId, network }, 'oauth callback failed');
        const message = e instanceof OAuthCallbackError ? e.message : 'Connecting the account failed on our side; try again. The request id is in the server log.';
        location = `/accounts?oauthError=${encodeURIComponent(message)}`;
      }
      // The callback URL carried a one-time code: keep it out of caches and later Referer headers.
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
      return c.redirect(location, 302);
    });
}
