/**
 * A small social network on 127.0.0.1 for the publishing engine's tests and the lateness benchmark,
 * plus `loopbackConnector(baseUrl)`, a Connector speaking to it over real HTTP.
 *
 * The server stores every accepted create request as a post (it does NOT de-duplicate by the client's
 * idempotency key unless `dedupe` is set), so a test can count exactly how many posts exist per key
 * and catch any double send. It records the highest number of concurrent create requests per account
 * and can inject faults: 429 with Retry-After, 500, 401, 400 with a message, and hang-after-receive
 * (the post is stored, the answer never comes — a timeout after sending).
 *
 *   POST   /session         {handle, password}              → {accountId, handle, token}
 *   POST   /posts           {text, idempotencyKey, …} + Bearer → {id, url}
 *   GET    /posts?key=K     + Bearer                          → {id, url} | 404
 *   DELETE /posts/:id       + Bearer                          → 204
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError, type Connector, type ConnectorLimits, type ValidationIssue } from '../../src/connectors/connector';

/** A fault the next create request(s) will meet. */
export type LoopbackFault =
  | { kind: 'status'; status: 500 | 502 | 503 | 401 | 403 }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'invalid'; message: string }
  /** Store the post, then never answer (the client times out: outcome unknown). */
  | { kind: 'hang_after_receive' };

/** A post the server holds. */
export interface LoopbackPost {
  id: string;
  accountId: string;
  key: string;
  text: string;
  mediaCount: number;
  createdAt: string;
  deleted: boolean;
}

/** Options of the server. */
export interface LoopbackNetworkOptions {
  /** Delay before answering a create request. */
  latencyMs?: number;
  /** Answer a repeated idempotency key with the existing post instead of storing another. */
  dedupe?: boolean;
}

/** The running server and its controls. */
export interface LoopbackNetwork {
  url: string;
  /** Every accepted create request, in order (deleted ones flagged). */
  posts: LoopbackPost[];
  /** Create requests received (including faulted ones), per idempotency key. */
  createRequests: Map<string, number>;
  /** Highest number of create requests in flight at once, per account. */
  maxConcurrent: Map<string, number>;
  /** Timestamps (ms) at which create requests arrived, per account. */
  arrivals: Map<string, number[]>;
  /** Registers an account; returns its id. */
  addAccount(handle: string, password: string): string;
  /** Changes an account's password and revokes its tokens (publishing then gets 401). */
  rotatePassword(handle: string, password: string): void;
  /** The next `count` create requests meet `fault`. */
  failNext(fault: LoopbackFault, count?: number): void;
  setLatency(ms: number): void;
  /** Live posts with this idempotency key. */
  postsWithKey(key: string): LoopbackPost[];
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the network on 127.0.0.1 with a random port. */
export async function startLoopbackNetwork(opts: LoopbackNetworkOptions = {}): Promise<LoopbackNetwork> {
  let latencyMs = opts.latencyMs ?? 0;
  const accounts = new Map<string, { id: string; password: string }>();
  const tokens = new Map<string, string>(); // token → handle
  const faults: LoopbackFault[] = [];
  const posts: LoopbackPost[] = [];
  const createRequests = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const arrivals = new Map<string, number[]>();
  const hanging = new Set<ServerResponse>();
  let base = '';

  const accountOf = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const handle = m ? tokens.get(m[1]!) : undefined;
    return handle ? { handle, ...accounts.get(handle)! } : null;
  };
  const view = (p: LoopbackPost) => ({ id: p.id, url: `${base}/p/${p.id}` });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/session') {
        const body = await readJson(req);
        const a = accounts.get(String(body.handle));
        if (!a || a.password !== body.password) return send(res, 401, { error: 'AuthenticationRequired', message: 'Invalid handle or password' });
        const token = randomUUID();
        tokens.set(token, String(body.handle));
        return send(res, 200, { accountId: a.id, handle: body.handle, token });
      }
      const account = accountOf(req);
      if (!account) return send(res, 401, { error: 'ExpiredToken', message: 'Token has been revoked' });

      if (req.method === 'POST' && url.pathname === '/posts') {
        const body = await readJson(req);
        const key = String(body.idempotencyKey ?? '');
        createRequests.set(key, (createRequests.get(key) ?? 0) + 1);
        const now = (inFlight.get(account.id) ?? 0) + 1;
        inFlight.set(account.id, now);
        maxConcurrent.set(account.id, Math.max(maxConcurrent.get(account.id) ?? 0, now));
        arrivals.set(account.id, [...(arrivals.get(account.id) ?? []), Date.now()]);
        try {
          if (latencyMs) await sleep(latencyMs);
          const fault = faults.shift();
          if (fault?.kind === 'status') return send(res, fault.status, { error: 'Failure', message: `injected HTTP ${fault.status}` });
          if (fault?.kind === 'rate_limited') return send(res, 429, { error: 'RateLimitExceeded', message: 'Slow down' }, { 'retry-after': String(fault.retryAfterSeconds) });
          if (fault?.kind === 'invalid') return send(res, 400, { error: 'InvalidRequest', message: fault.message });
          const existing = opts.dedupe ? posts.find((p) => p.key === key && p.accountId === account.id && !p.deleted) : undefined;
          const post = existing ?? {
            id: randomUUID(),
            accountId: account.id,
            key,
            text: String(body.text ?? ''),
            mediaCount: Number(body.mediaCount ?? 0),
            createdAt: new Date().toISOString(),
            deleted: false,
          };
          if (!existing) posts.push(post);
          if (fault?.kind === 'hang_after_receive') {
            hanging.add(res);
            return;
          }
          return send(res, 200, view(post));
        } finally {
          inFlight.set(account.id, (inFlight.get(account.id) ?? 1) - 1);
        }
      }
      if (req.method === 'GET' && url.pathname === '/posts') {
        const key = url.searchParams.get('key') ?? '';
        const p = posts.find((x) => x.key === key && x.accountId === account.id && !x.deleted);
        return p ? send(res, 200, view(p)) : send(res, 404, { error: 'NotFound', message: 'No such post' });
      }
      const del = /^\/posts\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && del) {
        const p = posts.find((x) => x.id === del[1] && x.accountId === account.id);
        if (!p) return send(res, 404, { error: 'NotFound', message: 'No such post' });
        p.deleted = true;
        return send(res, 204);
      }
      return send(res, 404, { error: 'NotFound', message: 'No such route' });
    })().catch((e: unknown) => send(res, 500, { error: 'Internal', message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    posts,
    createRequests,
    maxConcurrent,
    arrivals,
    addAccount(handle, password) {
      const id = `loop:${handle}`;
      accounts.set(handle, { id, password });
      return id;
    },
    rotatePassword(handle, password) {
      const a = accounts.get(handle);
      if (!a) throw new Error(`no account ${handle}`);
      a.password = password;
      for (const [t, h] of tokens) if (h === handle) tokens.delete(t);
    },
    failNext(fault, count = 1) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    postsWithKey(key) {
      return posts.filter((p) => p.key === key && !p.deleted);
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Options of the loopback connector. */
export interface LoopbackConnectorOptions {
  id?: string;
  limits?: Partial<ConnectorLimits>;
  /** Offer findPublished (default true); without it unknown outcomes stay for a person. */
  findPublished?: boolean;
  maxLength?: number;
}

type LoopbackCredentials = { handle: string; password: string };
type LoopbackSession = { token: string };

async function call(ctx: { fetch: typeof fetch; signal?: AbortSignal }, url: string, init: RequestInit, sent: boolean): Promise<Response> {
  try {
    return await ctx.fetch(url, { ...init, signal: ctx.signal });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    const refused = code === 'ECONNREFUSED';
    throw new ConnectorError('retryable', `loopback network unreachable (${code ?? (e instanceof Error ? e.name : 'error')})`, { outcomeUnknown: sent && !refused, cause: e });
  }
}

async function failureFrom(res: Response): Promise<ConnectorError> {
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  const message = body.message ?? `HTTP ${res.status}`;
  if (res.status === 401 || res.status === 403) return new ConnectorError('auth_expired', message, { networkCode: String(res.status) });
  if (res.status === 429) {
    const s = Number(res.headers.get('retry-after') ?? '1');
    return new ConnectorError('rate_limited', message, { retryAfterMs: Number.isFinite(s) ? s * 1000 : 1000 });
  }
  if (res.status === 400) return new ConnectorError('invalid_content', message);
  return new ConnectorError('retryable', message, { networkCode: String(res.status) });
}

/** A Connector for the loopback network at `baseUrl`. */
export function loopbackConnector(baseUrl: string, opts: LoopbackConnectorOptions = {}): Connector<LoopbackCredentials, LoopbackSession> {
  const maxLength = opts.maxLength ?? 300;
  const connector: Connector<LoopbackCredentials, LoopbackSession> = {
    id: opts.id ?? 'loopback',
    displayName: 'Loopback',
    lengthUnit: 'characters',
    supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },
    credentialFields: [
      { name: 'handle', label: 'Handle', type: 'text', required: true },
      { name: 'password', label: 'Password', type: 'password', required: true },
    ],
    credentialsSchema: z.object({ handle: z.string().min(1), password: z.string().min(1) }),
    limits: {
      maxConcurrentPerAccount: opts.limits?.maxConcurrentPerAccount ?? 2,
      publishRate: opts.limits?.publishRate ?? { count: 1000, windowMs: 60_000 },
    },
    async connect(credentials, ctx) {
      const res = await call(ctx, `${baseUrl}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) }, false);
      if (!res.ok) throw await failureFrom(res);
      const body = (await res.json()) as { accountId: string; handle: string; token: string };
      return { externalId: body.accountId, handle: body.handle, displayName: null, serviceUrl: baseUrl, session: { token: body.token } };
    },
    validate(variant) {
      const errors: ValidationIssue[] = [];
      const length = [...variant.text].length;
      if (length === 0 && !(variant.media?.length)) errors.push({ code: 'empty', message: 'Write some text or add an image', field: 'text' });
      if (length > maxLength) errors.push({ code: 'too_long', message: `The text is ${length} characters; the limit is ${maxLength}`, field: 'text' });
      for (const [i, m] of (variant.media ?? []).entries()) {
        if (!['image/png', 'image/jpeg'].includes(m.mimeType)) errors.push({ code: 'media_type', message: `Image ${i + 1} must be PNG or JPEG`, field: 'media', index: i });
        if (m.sizeBytes > 1_000_000) errors.push({ code: 'media_size', message: `Image ${i + 1} is larger than 1 MB`, field: 'media', index: i });
      }
      if ((variant.media?.length ?? 0) > 4) errors.push({ code: 'media_count', message: 'At most 4 images', field: 'media' });
      return { network: connector.id, length, max: maxLength, unit: 'characters', valid: errors.length === 0, errors };
    },
    async publish({ auth, variant, idempotencyKey, createdAt }, ctx) {
      // A session expired while Herald slept: log in again with the stored credentials first.
      let session = auth.session;
      if (!session) {
        const c = await connector.connect(auth.credentials, ctx);
        session = c.session;
        await ctx.saveSession(session);
      }
      const res = await call(
        ctx,
        `${baseUrl}/posts`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          body: JSON.stringify({ text: variant.text, idempotencyKey, createdAt, mediaCount: variant.media?.length ?? 0 }),
        },
        true,
      );
      if (!res.ok) throw await failureFrom(res);
      const body = (await res.json()) as { id: string; url: string };
      return { externalId: body.id, url: body.url };
    },
    async delete({ auth, externalId }, ctx) {
      const res = await call(ctx, `${baseUrl}/posts/${encodeURIComponent(externalId)}`, { method: 'DELETE', headers: { authorization: `Bearer ${auth.session?.token ?? ''}` } }, true);
      if (!res.ok && res.status !== 404) throw await failureFrom(res);
    },
  };
  if (opts.findPublished ?? true) {
    connector.findPublished = async ({ auth, idempotencyKey }, ctx) => {
      const res = await call(ctx, `${baseUrl}/posts?key=${encodeURIComponent(idempotencyKey)}`, { headers: { authorization: `Bearer ${auth.session?.token ?? ''}` } }, false);
      if (res.status === 404) return null;
      if (!res.ok) throw await failureFrom(res);
      const body = (await res.json()) as { id: string; url: string };
      return { externalId: body.id, url: body.url };
    };
  }
  return connector;
}
