/**
 * A small network on 127.0.0.1 with everything the optional capabilities need, plus
 * `engagementConnector(baseUrl)`, a Connector speaking to it over real HTTP. It is a test network of
 * Herald's own (no real network's API is imitated), so the generic machinery is tested without
 * connector details: OAuth 2 with PKCE and per-server app registration, comments with a cursor, replies
 * and counts. Any request it does not expect is answered 400 and listed in `unexpected`, which tests
 * assert empty.
 *
 *   POST /apps                                   → {client_id, client_secret}         (app registration)
 *   GET  /oauth/authorize?client_id&redirect_uri&state&code_challenge&code_challenge_method=S256
 *                                                → 302 redirect_uri?code&state (or ?error=access_denied&state)
 *   POST /oauth/token {grant_type, code, code_verifier, redirect_uri, client_id, client_secret}
 *                                                → {access_token, expires_in}
 *   POST /session {handle, password}             → {token}                             (non-OAuth login)
 *   GET  /me                          + Bearer   → {id, handle, name}
 *   GET  /comments?after=N&posts=a,b  + Bearer   → {items, cursor}   (changes after sequence N)
 *   POST /comments {parentId, rootId, text, key} + Bearer → {id, url}
 *   GET  /stats/account               + Bearer   → {followers, following?}
 *   GET  /stats/posts?ids=a,b         + Bearer   → {a: {likes, reposts, views?}, …}
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ConnectorError, type Connector, type InboundMessage } from '../../src/connectors/connector';

/** A comment as the peer holds it. */
export interface PeerComment {
  id: string;
  accountId: string;
  /** Who wrote it. */
  authorId: string;
  authorHandle: string;
  parentId: string | null;
  rootId: string | null;
  text: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  /** Bumped on every change; the cursor is the highest sequence seen. */
  seq: number;
}

/** A fault the next request to a path prefix meets. */
export type PeerFault = { status: 401 | 429 | 500; retryAfterSeconds?: number };

export interface EngagementPeer {
  url: string;
  /** Every request as `METHOD /path?query`. */
  requests: string[];
  /** Requests the peer did not expect (tests assert this stays empty). */
  unexpected: string[];
  comments: PeerComment[];
  /** Registers an account that can sign in (password or OAuth); returns its id. */
  addAccount(handle: string, password?: string): string;
  /** The next OAuth authorization signs in as this handle, or is declined by the user. */
  authorizeAs(handle: string | { deny: true }): void;
  /** Someone comments on (or replies under) an account's post. */
  comment(input: { accountHandle: string; authorHandle: string; parentId: string | null; rootId: string | null; text: string }): PeerComment;
  edit(id: string, text: string): void;
  remove(id: string): void;
  /** Serve every change again on the next fetch (a network re-delivering). */
  redeliverAll(): void;
  setAccountStats(handle: string, stats: Record<string, number>): void;
  setPostStats(postId: string, stats: Record<string, number>): void;
  /** Revokes every token of the account (the next call gets 401). */
  revoke(handle: string): void;
  /** The next request whose path starts with `prefix` meets `fault`. */
  failNext(prefix: string, fault: PeerFault): void;
  /** Ids asked for in `GET /stats/posts`, per call. */
  statsAsked: string[][];
  /** The post ids each `GET /comments` was given (the connector's `posts`). */
  postsGiven: string[][];
  /** Delay before answering `GET /comments`. */
  setCommentsDelay(ms: number): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        if (!text) return resolve({});
        if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return resolve(Object.fromEntries(new URLSearchParams(text)));
        resolve(JSON.parse(text) as Record<string, string>);
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Starts the peer on 127.0.0.1 with a random port. */
export async function startEngagementPeer(): Promise<EngagementPeer> {
  const accounts = new Map<string, { id: string; password: string | null }>();
  const tokens = new Map<string, string>(); // token → handle
  const apps = new Map<string, { secret: string; redirectUri: string | null }>();
  const codes = new Map<string, { handle: string; challenge: string; redirectUri: string; clientId: string }>();
  const accountStats = new Map<string, Record<string, number>>();
  const postStats = new Map<string, Record<string, number>>();
  const faults: Array<{ prefix: string; fault: PeerFault }> = [];
  const comments: PeerComment[] = [];
  const requests: string[] = [];
  const unexpected: string[] = [];
  const statsAsked: string[][] = [];
  let authorize: string | { deny: true } | null = null;
  let seq = 0;
  let redeliver = false;
  let commentsDelayMs = 0;
  const postsGiven: string[][] = [];
  let base = '';

  const handleOf = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m ? tokens.get(m[1]!) ?? null : null;
  };
  const publicComment = (c: PeerComment) => ({
    id: c.id,
    author: { id: c.authorId, handle: c.authorHandle },
    parentId: c.parentId,
    rootId: c.rootId,
    text: c.deleted ? '' : c.text,
    createdAt: c.createdAt,
    editedAt: c.editedAt,
    deleted: c.deleted,
    url: `${base}/c/${c.id}`,
  });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const line = `${req.method} ${url.pathname}${url.search}`;
      requests.push(line);
      const bad = (why: string) => {
        unexpected.push(`${line} (${why})`);
        send(res, 400, { error: 'unexpected', message: why });
      };
      const faultAt = faults.findIndex((f) => url.pathname.startsWith(f.prefix));
      if (faultAt >= 0) {
        const { fault } = faults.splice(faultAt, 1)[0]!;
        const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
        return send(res, fault.status, { error: 'fault', message: `injected HTTP ${fault.status}` }, headers);
      }

      if (req.method === 'POST' && url.pathname === '/apps') {
        const body = await readBody(req);
        const id = `client-${randomUUID()}`;
        apps.set(id, { secret: `secret-${randomUUID()}`, redirectUri: body.redirect_uri ?? null });
        return send(res, 200, { client_id: id, client_secret: apps.get(id)!.secret });
      }
      if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
        const q = Object.fromEntries(url.searchParams);
        const app = apps.get(q.client_id ?? '');
        if (!app || q.response_type !== 'code' || q.code_challenge_method !== 'S256' || !q.code_challenge || !q.state || !q.redirect_uri) return bad('incomplete authorization request');
        if (app.redirectUri !== q.redirect_uri) return bad('redirect_uri not registered');
        const who = authorize;
        authorize = null;
        const back = new URL(q.redirect_uri);
        back.searchParams.set('state', q.state);
        if (who === null) return bad('no user is signing in');
        if (typeof who !== 'string') {
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('error_description', 'The user declined');
        } else {
          const code = randomUUID();
          codes.set(code, { handle: who, challenge: q.code_challenge, redirectUri: q.redirect_uri, clientId: q.client_id! });
          back.searchParams.set('code', code);
        }
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        const body = await readBody(req);
        const grant = codes.get(body.code ?? '');
        const app = apps.get(body.client_id ?? '');
        if (body.grant_type !== 'authorization_code' || !grant || !app || app.secret !== body.client_secret) return send(res, 400, { error: 'invalid_grant', error_description: 'unknown code or client' });
        codes.delete(body.code!);
        const challenge = createHash('sha256').update(body.code_verifier ?? '').digest('base64url');
        if (challenge !== grant.challenge) return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        if (body.redirect_uri !== grant.redirectUri || body.client_id !== grant.clientId) return send(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
        const token = randomUUID();
        tokens.set(token, grant.handle);
        return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 30 * 86_400 });
      }
      if (req.method === 'POST' && url.pathname === '/session') {
        const body = await readBody(req);
        const a = accounts.get(body.handle ?? '');
        if (!a || a.password === null || a.password !== body.password) return send(res, 401, { error: 'auth', message: 'Invalid handle or password' });
        const token = randomUUID();
        tokens.set(token, body.handle!);
        return send(res, 200, { token });
      }

      const handle = handleOf(req);
      if (!handle) return send(res, 401, { error: 'auth', message: 'Token revoked or missing' });
      const account = accounts.get(handle)!;
      if (req.method === 'GET' && url.pathname === '/me') return send(res, 200, { id: account.id, handle, name: `Name of ${handle}` });
      if (req.method === 'GET' && url.pathname === '/comments') {
        if (commentsDelayMs) await new Promise((r) => setTimeout(r, commentsDelayMs));
        const after = Number(url.searchParams.get('after') ?? '0');
        postsGiven.push((url.searchParams.get('posts') ?? '').split(',').filter(Boolean));
        const mine = comments.filter((c) => c.accountId === account.id && (redeliver || c.seq > after)).sort((a, b) => a.seq - b.seq);
        redeliver = false;
        return send(res, 200, { items: mine.map(publicComment), cursor: String(mine.reduce((m, c) => Math.max(m, c.seq), after)) });
      }
      if (req.method === 'POST' && url.pathname === '/comments') {
        const body = await readBody(req);
        if (!body.parentId || !body.text || !body.key) return bad('reply without parentId, text or key');
        const existing = comments.find((c) => c.authorId === account.id && c.id === `reply-${body.key}`);
        if (existing) return send(res, 200, { id: existing.id, url: `${base}/c/${existing.id}` });
        const c: PeerComment = {
          id: `reply-${body.key}`,
          accountId: account.id,
          authorId: account.id,
          authorHandle: handle,
          parentId: body.parentId,
          rootId: body.rootId ?? null,
          text: body.text,
          createdAt: new Date().toISOString(),
          editedAt: null,
          deleted: false,
          seq: ++seq,
        };
        comments.push(c);
        return send(res, 200, { id: c.id, url: `${base}/c/${c.id}` });
      }
      if (req.method === 'GET' && url.pathname === '/stats/account') return send(res, 200, accountStats.get(handle) ?? {});
      if (req.method === 'GET' && url.pathname === '/stats/posts') {
        const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
        statsAsked.push(ids);
        const out: Record<string, Record<string, number>> = {};
        for (const id of ids) {
          const s = postStats.get(id);
          if (s) out[id] = s;
        }
        return send(res, 200, out);
      }
      return bad('no such route');
    })().catch((e: unknown) => send(res, 500, { error: 'internal', message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const byId = (id: string) => {
    const c = comments.find((x) => x.id === id);
    if (!c) throw new Error(`no comment ${id}`);
    return c;
  };
  return {
    url: base,
    requests,
    unexpected,
    comments,
    statsAsked,
    postsGiven,
    addAccount(handle, password) {
      const id = `acct:${handle}`;
      accounts.set(handle, { id, password: password ?? null });
      return id;
    },
    authorizeAs(who) {
      authorize = who;
    },
    comment(input) {
      const account = accounts.get(input.accountHandle);
      if (!account) throw new Error(`no account ${input.accountHandle}`);
      const c: PeerComment = {
        id: `c-${randomUUID()}`,
        accountId: account.id,
        authorId: `acct:${input.authorHandle}`,
        authorHandle: input.authorHandle,
        parentId: input.parentId,
        rootId: input.rootId,
        text: input.text,
        createdAt: new Date().toISOString(),
        editedAt: null,
        deleted: false,
        seq: ++seq,
      };
      comments.push(c);
      return c;
    },
    edit(id, text) {
      const c = byId(id);
      c.text = text;
      c.editedAt = new Date().toISOString();
      c.seq = ++seq;
    },
    remove(id) {
      const c = byId(id);
      c.deleted = true;
      c.seq = ++seq;
    },
    redeliverAll() {
      redeliver = true;
    },
    setAccountStats(handle, stats) {
      accountStats.set(handle, stats);
    },
    setPostStats(postId, stats) {
      postStats.set(postId, stats);
    },
    revoke(handle) {
      for (const [t, h] of tokens) if (h === handle) tokens.delete(t);
    },
    failNext(prefix, fault) {
      faults.push({ prefix, fault });
    },
    setCommentsDelay(ms) {
      commentsDelayMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type PeerCredentials = { handle?: string; password?: string; accessToken?: string; expiresIn?: number; group?: string };
type PeerSession = { token: string };

/** Options of the test connector. */
export interface EngagementConnectorOptions {
  id?: string;
  /** Declare `oauth` (default true); `available` false gives the reason below. */
  oauth?: boolean | { unavailable: string };
  needsServiceUrl?: boolean;
  /** Declare a required `group` start field (`g<digits>`), kept through the sign-in into the credentials. */
  startField?: boolean;
  comments?: boolean;
  metrics?: boolean;
}

async function call(ctx: { fetch: typeof fetch; signal?: AbortSignal }, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await ctx.fetch(url, { ...init, signal: ctx.signal, redirect: 'manual' });
  } catch (e) {
    throw new ConnectorError('retryable', `peer unreachable (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

async function failure(res: Response): Promise<ConnectorError> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; error_description?: string };
  const message = body.message ?? body.error_description ?? `HTTP ${res.status}`;
  if (res.status === 401) return new ConnectorError('auth_expired', message, { networkCode: '401' });
  if (res.status === 429) return new ConnectorError('rate_limited', message, { retryAfterMs: Number(res.headers.get('retry-after') ?? '1') * 1000 });
  if (res.status === 400) return new ConnectorError('invalid_content', message);
  return new ConnectorError('retryable', message, { networkCode: String(res.status) });
}

/** A Connector for the peer at `baseUrl` with OAuth, comments and metrics (each can be left out). */
export function engagementConnector(baseUrl: string, opts: EngagementConnectorOptions = {}): Connector<PeerCredentials, PeerSession> {
  const server = (serviceUrl: string | null) => serviceUrl ?? baseUrl;
  const json = (body: unknown, token?: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const authed = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });
  const connector: Connector<PeerCredentials, PeerSession> = {
    id: opts.id ?? 'peer',
    displayName: 'Peer',
    lengthUnit: 'characters',
    supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
    credentialFields: [
      { name: 'handle', label: 'Handle', type: 'text', required: false },
      { name: 'password', label: 'Password', type: 'password', required: false },
    ],
    credentialsSchema: z.object({ handle: z.string().optional(), password: z.string().optional(), accessToken: z.string().optional(), expiresIn: z.number().optional(), group: z.string().optional() }),
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 100, windowMs: 60_000 } },
    async connect(credentials, ctx) {
      let token = credentials.accessToken;
      if (!token) {
        const res = await call(ctx, `${baseUrl}/session`, json({ handle: credentials.handle, password: credentials.password }));
        if (!res.ok) throw await failure(res);
        token = ((await res.json()) as { token: string }).token;
      }
      const me = await call(ctx, `${baseUrl}/me`, authed(token));
      if (!me.ok) throw await failure(me);
      const body = (await me.json()) as { id: string; handle: string; name: string };
      return {
        externalId: body.id,
        handle: body.handle,
        displayName: credentials.group ? `${body.name} (${credentials.group})` : body.name,
        serviceUrl: baseUrl,
        session: { token },
        expiresAt: credentials.expiresIn ? new Date(Date.now() + credentials.expiresIn * 1000).toISOString() : null,
      };
    },
    validate(variant) {
      const length = [...variant.text].length;
      const errors = length > 200 ? [{ code: 'too_long', message: `The text is ${length} characters; the limit is 200`, field: 'text' as const }] : [];
      return { network: connector.id, length, max: 200, unit: 'characters', valid: errors.length === 0, errors };
    },
    async publish() {
      throw new ConnectorError('invalid_content', 'the engagement peer does not publish');
    },
  };
  if (opts.oauth ?? true) {
    const unavailable = typeof opts.oauth === 'object' ? opts.oauth.unavailable : null;
    connector.oauth = {
      available: () => (unavailable ? { ok: false, reason: unavailable } : { ok: true }),
      needsServiceUrl: opts.needsServiceUrl ?? false,
      ...(opts.startField ? { startFields: [{ name: 'group', label: 'Group', type: 'text' as const, required: true }] } : {}),
      async begin({ serviceUrl, redirectUri, state, codeChallenge, fields }, ctx) {
        if (opts.startField && !/^g\d+$/.test(fields?.group ?? '')) throw new ConnectorError('invalid_content', 'Enter the group as g followed by digits');
        const srv = server(serviceUrl);
        let app = await ctx.apps.get(srv);
        if (!app) {
          const res = await call(ctx, `${srv}/apps`, json({ redirect_uri: redirectUri }));
          if (!res.ok) throw await failure(res);
          const body = (await res.json()) as { client_id: string; client_secret: string };
          app = { clientId: body.client_id, clientSecret: body.client_secret };
          await ctx.apps.put(srv, app);
        }
        const u = new URL(`${srv}/oauth/authorize`);
        for (const [k, v] of Object.entries({ response_type: 'code', client_id: app.clientId!, redirect_uri: redirectUri, state, code_challenge: codeChallenge, code_challenge_method: 'S256' })) u.searchParams.set(k, v);
        return { authorizeUrl: u.toString(), keep: { clientId: app.clientId!, ...(fields?.group ? { group: fields.group } : {}) } };
      },
      async finish({ serviceUrl, redirectUri, code, codeVerifier, keep }, ctx) {
        const srv = server(serviceUrl);
        const app = await ctx.apps.get(srv);
        if (!app || app.clientId !== keep.clientId) throw new ConnectorError('invalid_content', 'the app registration changed during the sign-in');
        const res = await call(ctx, `${srv}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri, client_id: app.clientId!, client_secret: app.clientSecret! }).toString(),
        });
        if (!res.ok) throw await failure(res);
        const body = (await res.json()) as { access_token: string; expires_in: number };
        return { accessToken: body.access_token, expiresIn: body.expires_in, ...(keep.group ? { group: keep.group } : {}) };
      },
    };
  }
  if (opts.comments ?? true) {
    connector.comments = {
      async fetch({ auth, cursor, posts }, ctx) {
        const q = new URLSearchParams({ after: cursor ?? '0', posts: posts.map((p) => p.externalId).join(',') });
        const res = await call(ctx, `${baseUrl}/comments?${q.toString()}`, authed(auth.session?.token ?? ''));
        if (!res.ok) throw await failure(res);
        type PeerItem = { id: string; author: { id: string; handle: string }; parentId: string | null; rootId: string | null; text: string; createdAt: string; editedAt: string | null; deleted: boolean; url: string };
        const body = (await res.json()) as { items: PeerItem[]; cursor: string };
        const items = body.items.map(
          (c): InboundMessage => ({
            externalId: c.id,
            kind: c.parentId === null ? 'mention' : c.parentId !== c.rootId ? 'reply' : 'comment',
            parentExternalId: c.parentId,
            rootExternalId: c.rootId,
            author: { externalId: c.author.id, handle: c.author.handle, displayName: null },
            text: c.text,
            url: c.url,
            createdAt: c.createdAt,
            editedAt: c.editedAt,
            deleted: c.deleted,
          }),
        );
        return { items, cursor: body.cursor };
      },
      async reply({ auth, parentExternalId, rootExternalId, text, idempotencyKey }, ctx) {
        const res = await call(ctx, `${baseUrl}/comments`, json({ parentId: parentExternalId, rootId: rootExternalId, text, key: idempotencyKey }, auth.session?.token));
        if (!res.ok) throw await failure(res);
        const body = (await res.json()) as { id: string; url: string };
        return { externalId: body.id, url: body.url };
      },
    };
  }
  if (opts.metrics ?? true) {
    connector.metrics = {
      async account({ auth }, ctx) {
        const res = await call(ctx, `${baseUrl}/stats/account`, authed(auth.session?.token ?? ''));
        if (!res.ok) throw await failure(res);
        const body = (await res.json()) as { followers?: number; following?: number };
        return { followers: body.followers ?? null, following: body.following };
      },
      async posts({ auth, externalIds }, ctx) {
        const res = await call(ctx, `${baseUrl}/stats/posts?ids=${externalIds.map(encodeURIComponent).join(',')}`, authed(auth.session?.token ?? ''));
        if (!res.ok) throw await failure(res);
        const body = (await res.json()) as Record<string, { likes?: number; reposts?: number; views?: number }>;
        const out: Record<string, { likes?: number | null; shares?: number | null; views?: number | null }> = {};
        for (const [id, s] of Object.entries(body)) out[id] = { likes: s.likes, shares: s.reposts, views: s.views };
        return out;
      },
    };
  }
  return connector;
}
