/**
 * Builds real AppServices (fresh migrated database, real job queue, SecretBox with a random key,
 * silent logger, loopback-only fetch) and the HTTP app on top, plus small helpers for HTTP tests:
 * sign-up/in, cookie sessions with their CSRF token, bearer tokens and a simulated client address.
 *
 *   describe.each(dialects())('thing (%s)', (dialect) => {
 *     const t = useTestApp(dialect);
 *     it('...', async () => { const owner = await t.current.setupOwner(); ... });
 *   });
 */
import { createAnalysisPool } from '../../src/inbox/inbound-analysis-pool';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { defaultNetworksConfig, type DatabaseConfig, type HeraldConfig } from '../../src/config/config';
import type { HeraldDb } from '../../src/db/database';
import type { WorkspaceRole } from '../../src/db/schema';
import type { AppServices } from '../../src/server/services';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { SecretBox } from '../../src/crypto/secret-box';
import { createLogger } from '../../src/logging/logger';
import { createJobQueue } from '../../src/jobs/create-job-queue';
import { createApp } from '../../src/http/app';
import { createUser } from '../../src/use-cases/users.use-case';
import { insertMembership } from '../../src/repositories/memberships.repository';
import { freshDb, type Dialect } from './databases';

/** True for hosts on this machine; the test fetch refuses everything else. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A fetch that throws on any non-loopback URL, so no test request can leave the machine. */
export const loopbackOnlyFetch: typeof fetch = async (input, init) => {
  const raw = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
  const url = new URL(raw);
  if (!isLoopbackHost(url.hostname)) throw new Error(`test fetch refused a non-loopback URL: ${url.origin}`);
  return fetch(input, init);
};

/** A valid HeraldConfig for tests over the given database. */
export function testConfig(database: DatabaseConfig, overrides: Partial<HeraldConfig> = {}): HeraldConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    publicUrl: 'http://127.0.0.1:3000',
    dataDir: '/tmp/herald-test-data',
    database,
    secretKey: randomBytes(32),
    logLevel: 'silent',
    workerConcurrency: 4,
    cookieSecure: false,
    trustProxyHops: 0,
    blueskyDefaultService: 'http://127.0.0.1:2583',
    publishLeaseMs: 60_000,
    schedulerIntervalMs: 2_000,
    networks: defaultNetworksConfig(),
    test: { requireAll: false },
    ...overrides,
  };
}

/** Options for createTestServices. */
export interface TestServiceOptions {
  /** Replaces config fields. */
  config?: Partial<HeraldConfig>;
  /** Replaces whole services (e.g. a ConnectorRegistry with local fakes). */
  services?: Partial<Omit<AppServices, 'config' | 'database'>>;
  /** Run queue.init() (graphile installs its schema on PostgreSQL); default true. */
  initQueue?: boolean;
}

/** AppServices plus test controls. */
export interface TestServices extends AppServices {
  database: HeraldDb;
  /** Moves `now()` forward (or back) by `ms`; the offset accumulates. */
  advanceClock(ms: number): void;
  /** Closes the queue and drops the database. */
  close(): Promise<void>;
}

/** Builds services over a fresh, migrated database of the given dialect. */
export async function createTestServices(dialect: Dialect, opts: TestServiceOptions = {}): Promise<TestServices> {
  const database = await freshDb(dialect);
  const config = testConfig(database.config, opts.config);
  const log = opts.services?.log ?? createLogger('silent');
  const queue = opts.services?.queue ?? createJobQueue(database, log);
  if (opts.initQueue ?? true) await queue.init();
  let offsetMs = 0;
  const services: TestServices = {
    config,
    log,
    database,
    queue,
    connectors: opts.services?.connectors ?? new ConnectorRegistry(),
    secrets: opts.services?.secrets ?? new SecretBox(config.secretKey),
    fetch: opts.services?.fetch ?? loopbackOnlyFetch,
    now: opts.services?.now ?? (() => new Date(Date.now() + offsetMs)),
    ...(opts.services?.analysis ? { analysis: opts.services.analysis } : config.analysisThreads ? { analysis: createAnalysisPool(config.analysisThreads) } : {}),
    advanceClock(ms: number) {
      offsetMs += ms;
    },
    async close() {
      await queue.close().catch(() => undefined);
      await services.analysis?.close();
      await database.drop();
    },
  };
  return services;
}

/** A signed-in browser session. */
export interface TestSession {
  userId: string;
  email: string;
  password: string;
  /** `herald_session=<value>` for the Cookie header. */
  cookie: string;
  csrfToken: string;
  /** Cookie and CSRF headers (plus JSON content type), ready for unsafe requests. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** The app, its services and helpers. */
export interface TestApp {
  app: ReturnType<typeof createApp>;
  services: TestServices;
  /** app.request with a simulated client address (default 127.0.0.1). */
  request(path: string, init?: RequestInit, opts?: { ip?: string }): Promise<Response>;
  /** JSON request; `auth` is a session (cookie + CSRF) or a bearer token string. */
  json(method: string, path: string, body?: unknown, auth?: TestSession | string, opts?: { ip?: string }): Promise<Response>;
  /** First-run setup via POST /api/v1/setup; returns the owner's session and first workspace id. */
  setupOwner(input?: { email?: string; password?: string; name?: string; timezone?: string }): Promise<TestSession & { workspaceId: string; organizationId: string }>;
  /** Signs in via POST /api/v1/auth/login; throws unless 200. */
  login(email: string, password: string, opts?: { ip?: string }): Promise<TestSession>;
  /** Creates a user (use case, no HTTP) with `role` in `workspaceId` and signs them in. */
  addUser(workspaceId: string, role: WorkspaceRole, opts?: { email?: string; password?: string }): Promise<TestSession>;
  /** Creates an API token via the API for `session` in `workspaceId`; returns the secret. */
  createToken(session: TestSession, workspaceId: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

let userCounter = 0;

/** Extracts `name=value` of the session cookie from a response, or null. */
export function sessionCookieFrom(res: Response): string | null {
  for (const line of res.headers.getSetCookie()) {
    const m = /^(herald_session=[^;]*)/.exec(line);
    if (m?.[1]) return m[1];
  }
  return null;
}

/** Builds services and the app over a fresh database. */
export async function createTestApp(dialect: Dialect, opts: TestServiceOptions = {}): Promise<TestApp> {
  const services = await createTestServices(dialect, opts);
  const app = createApp(services);

  const request: TestApp['request'] = (path, init, o) =>
    Promise.resolve(app.request(path, init, { incoming: { socket: { remoteAddress: o?.ip ?? '127.0.0.1' } } }));

  const json: TestApp['json'] = (method, path, body, auth, o) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`;
    else if (auth) Object.assign(headers, auth.headers());
    return request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, o);
  };

  const session = (userId: string, email: string, password: string, cookie: string, csrfToken: string): TestSession => ({
    userId,
    email,
    password,
    cookie,
    csrfToken,
    headers: (extra = {}) => ({ cookie, 'x-csrf-token': csrfToken, ...extra }),
  });

  const login: TestApp['login'] = async (email, password, o) => {
    const res = await json('POST', '/api/v1/auth/login', { email, password }, undefined, o);
    if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { user: { id: string }; csrfToken: string };
    const cookie = sessionCookieFrom(res);
    if (!cookie) throw new Error('login set no session cookie');
    return session(body.user.id, email, password, cookie, body.csrfToken);
  };

  return {
    app,
    services,
    request,
    json,
    login,
    async setupOwner(input = {}) {
      const email = input.email ?? `owner${++userCounter}@example.com`;
      const password = input.password ?? 'correct horse battery';
      const res = await json('POST', '/api/v1/setup', { email, password, name: input.name ?? 'Owner', timezone: input.timezone ?? 'UTC' });
      if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { user: { id: string }; workspace: { id: string }; organization: { id: string }; csrfToken: string };
      const cookie = sessionCookieFrom(res);
      if (!cookie) throw new Error('setup set no session cookie');
      return { ...session(body.user.id, email, password, cookie, body.csrfToken), workspaceId: body.workspace.id, organizationId: body.organization.id };
    },
    async addUser(workspaceId, role, o = {}) {
      const email = o.email ?? `user${++userCounter}-${role}@example.com`;
      const password = o.password ?? 'a long enough password';
      const created = await createUser({ db: services.database.db, services }, { email, name: `User ${userCounter}`, password });
      await insertMembership(services.database.db, { workspace_id: workspaceId, user_id: created.user.id, role, created_at: services.now().toISOString() });
      return login(email, password);
    },
    async createToken(s, workspaceId, name = 'test token') {
      const res = await json('POST', `/api/v1/workspaces/${workspaceId}/tokens`, { name }, s);
      if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    close: () => services.close(),
  };
}

/** Registers beforeAll/afterAll for one test app; read `.current` inside tests. */
export function useTestApp(dialect: Dialect, opts: TestServiceOptions = {}): { current: TestApp } {
  const holder = {} as { current: TestApp };
  beforeAll(async () => {
    holder.current = await createTestApp(dialect, opts);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}
