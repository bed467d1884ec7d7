/**
 * The HTTP application: middleware (request id and log line, credentials, body limits), RFC 9457
 * errors, every route module from ./routes/index, the OpenAPI 3.1 document at /api/openapi.json and
 * Swagger UI at /api/docs.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { AppServices } from '../server/services';
import type { AppEnv } from './env';
import { authenticate, SESSION_COOKIE } from './auth';
import { sizeLimit, utf8Json } from './middleware/body-guard';
import { requestContext } from './middleware/request-context';
import { errorHandler, notFoundHandler, validationHook } from './error-handler';
import { BEARER_SCHEME, COOKIE_SCHEME } from './openapi';
import { routeModules } from './routes/index';
import { registerStaticWeb } from './static-web';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type SchemaOf<T> = T extends OpenAPIHono<AppEnv, infer S, '/'> ? S : {};
/** The union of every registered module's route schema, for the typed client. */
type RoutesSchema = UnionToIntersection<SchemaOf<ReturnType<(typeof routeModules)[number]>>>;

/** Builds the API for a set of services (one per process; tests build one per database). */
export function createApp(services: AppServices) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(errorHandler);
  app.notFound(notFoundHandler);
  app.use('*', requestContext(services));
  app.use('/api/v1/*', authenticate());
  app.use('/api/*', sizeLimit(), utf8Json());

  app.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'Personal API token (`hrld_…`), scoped to one workspace. Create one under /api/v1/workspaces/{workspaceId}/tokens.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', COOKIE_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Browser session from POST /api/v1/auth/login. Unsafe methods also need the `x-csrf-token` header.',
  });

  for (const register of routeModules) register(app, services);

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Herald API', version: '1', description: 'Self-hosted social media management. Errors are RFC 9457 problem documents.' },
    servers: [{ url: services.config.publicUrl }],
  });
  app.get('/api/docs', swaggerUI({ url: '/api/openapi.json' }));
  registerStaticWeb(app, services);
  return app as unknown as OpenAPIHono<AppEnv, RoutesSchema, '/'>;
}

/** The app's type, for `hc<HeraldApp>(baseUrl)` from hono/client. */
export type HeraldApp = ReturnType<typeof createApp>;
