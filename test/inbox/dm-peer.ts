/**
 * A small test network of Herald's own on 127.0.0.1 (no real network's API is imitated) with what the
 * inbox's direct messages and moderation need, plus `dmPeerConnector(baseUrl)`, a Connector speaking
 * to it over real HTTP that declares `directMessages` (with its own `fetch`) and `moderation`
 * (hide/unhide only under the account's own posts, delete on comments/replies/DMs, restore on
 * comments, deleteReply). Any request it does not expect is answered 400 and listed in `unexpected`.
 *
 *   POST   /session {handle}                 → {token}
 *   GET    /me                + Bearer       → {id, handle, name}
 *   GET    /comments?after=N  + Bearer       → {items, cursor}
 *   POST   /comments {parentId, text}        → {id, url}
 *   GET    /dms?after=N       + Bearer       → {items, cursor}
 *   POST   /dms {to, replyTo, text, key}     → {id}   (deduplicated by key)
 *   POST   /comments/:id/hide | /unhide | /restore, DELETE /comments/:id, DELETE /replies/:id → 204
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ConnectorError, type Connector, type InboundMessage } from '../../src/connectors/connector';

/** Something written to an account on the peer (a comment or a DM). */
export interface DmPeerItem {
  id: string;
  accountId: string;
  kind: 'comment' | 'dm';
  authorId: string;
  authorHandle: string;
  parentId: string | null;
  rootId: string | null;
  text: string;
  createdAt: string;
  seq: number;
  hidden: boolean;
  deleted: boolean;
}

/** The peer and its controls. */
export interface DmPeer {
  url: string;
  requests: string[];
  unexpected: string[];
  /** Bodies of POST /dms, in order. */
  sentDms: Array<{ to: string; replyTo: string; text: string; key: string }>;
  items: Map<string, DmPeerItem>;
  /** Ids of our replies deleted on the peer. */
  deletedReplies: string[];
  addAccount(handle: string): string;
  comment(accountHandle: string, authorHandle: string, parentId: string | null, rootId: string | null, text: string): DmPeerItem;
  dm(accountHandle: string, authorHandle: string, text: string): DmPeerItem;
  /** The next moderation request fails with this HTTP status. */
  failNextModeration(status: 500 | 400): void;
  /** The next GET /dms fails with this HTTP status (401 = the token is refused). */
  failNextDmRead(status: 500 | 401): void;
  close(): Promise<void>;
}

/** Starts the peer. */
export async function startDmPeer(): Promise<DmPeer> {
  const accounts = new Map<string, string>(); // handle → id
  const tokens = new Map<string, string>(); // token → account id
  const items = new Map<string, DmPeerItem>();
  const sentByKey = new Map<string, string>();
  const requests: string[] = [];
  const unexpected: string[] = [];
  const sentDms: DmPeer['sentDms'] = [];
  const deletedReplies: string[] = [];
  let seq = 0;
  let nextId = 1;
  let moderationFault: number | null = null;
  let dmReadFault: number | null = null;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
  };
  const itemJson = (i: DmPeerItem) => ({ id: i.id, kind: i.kind, authorId: i.authorId, authorHandle: i.authorHandle, parentId: i.parentId, rootId: i.rootId, text: i.text, createdAt: i.createdAt, deleted: i.deleted });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const line = `${req.method} ${url.pathname}${url.search}`;
      requests.push(line);
      const bad = () => {
        unexpected.push(line);
        send(res, 400, { message: `unexpected ${line}` });
      };
      if (req.method === 'POST' && url.pathname === '/session') {
        const b = await readBody(req);
        const id = accounts.get(String(b.handle));
        if (!id) return send(res, 401, { message: 'unknown handle' });
        const token = `t-${id}-${nextId++}`;
        tokens.set(token, id);
        return send(res, 200, { token });
      }
      const account = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!account) return send(res, 401, { message: 'bad token' });
      const handle = [...accounts].find(([, id]) => id === account)![0];
      if (req.method === 'GET' && url.pathname === '/me') return send(res, 200, { id: account, handle, name: handle.toUpperCase() });
      const list = (kind: 'comment' | 'dm') => {
        const after = Number(url.searchParams.get('after') ?? '0');
        const out = [...items.values()].filter((i) => i.accountId === account && i.kind === kind && i.seq > after);
        return send(res, 200, { items: out.map(itemJson), cursor: String(Math.max(after, ...out.map((i) => i.seq))) });
      };
      if (req.method === 'GET' && url.pathname === '/comments') return list('comment');
      if (req.method === 'GET' && url.pathname === '/dms') {
        if (dmReadFault !== null) {
          const status = dmReadFault;
          dmReadFault = null;
          return send(res, status, { message: status === 401 ? 'token revoked' : 'dm service down' });
        }
        return list('dm');
      }
      if (req.method === 'POST' && url.pathname === '/comments') {
        await readBody(req);
        const id = `r${nextId++}`;
        return send(res, 200, { id, url: `https://dmpeer.invalid/c/${id}` });
      }
      if (req.method === 'POST' && url.pathname === '/dms') {
        const b = (await readBody(req)) as { to: string; replyTo: string; text: string; key: string };
        sentDms.push(b);
        const prior = sentByKey.get(b.key);
        if (prior) return send(res, 200, { id: prior });
        const id = `d${nextId++}`;
        sentByKey.set(b.key, id);
        return send(res, 200, { id });
      }
      const mod = /^\/comments\/([^/]+)(?:\/(hide|unhide|restore))?$/.exec(url.pathname);
      const rep = /^\/replies\/([^/]+)$/.exec(url.pathname);
      if ((mod && (req.method === 'POST' ? mod[2] : req.method === 'DELETE' && !mod[2])) || (rep && req.method === 'DELETE')) {
        if (moderationFault !== null) {
          const status = moderationFault;
          moderationFault = null;
          return send(res, status, { message: status === 400 ? 'not allowed here' : 'peer is down' });
        }
        if (rep) {
          deletedReplies.push(rep[1]!);
          return send(res, 204);
        }
        const item = items.get(decodeURIComponent(mod![1]!));
        if (!item || item.accountId !== account) return send(res, 400, { message: 'no such item' });
        if (mod![2] === 'hide') item.hidden = true;
        else if (mod![2] === 'unhide') item.hidden = false;
        else if (mod![2] === 'restore') item.deleted = false;
        else item.deleted = true;
        return send(res, 204);
      }
      bad();
    })().catch((e: unknown) => {
      unexpected.push(`peer failed: ${String(e)}`);
      send(res, 500, { message: 'peer failed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const add = (kind: 'comment' | 'dm', accountHandle: string, authorHandle: string, parentId: string | null, rootId: string | null, text: string): DmPeerItem => {
    const accountId = accounts.get(accountHandle);
    if (!accountId) throw new Error(`no account ${accountHandle}`);
    const item: DmPeerItem = { id: `${kind === 'dm' ? 'm' : 'c'}${nextId++}`, accountId, kind, authorId: `u-${authorHandle}`, authorHandle, parentId, rootId, text, createdAt: new Date(Date.now() - 60_000 + nextId).toISOString(), seq: ++seq, hidden: false, deleted: false };
    items.set(item.id, item);
    return item;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unexpected,
    sentDms,
    items,
    deletedReplies,
    addAccount(handle) {
      const id = `a-${handle}`;
      accounts.set(handle, id);
      return id;
    },
    comment: (accountHandle, authorHandle, parentId, rootId, text) => add('comment', accountHandle, authorHandle, parentId, rootId, text),
    dm: (accountHandle, authorHandle, text) => add('dm', accountHandle, authorHandle, null, null, text),
    failNextModeration(status) {
      moderationFault = status;
    },
    failNextDmRead(status) {
      dmReadFault = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Cred = { handle: string };
type Session = { token: string };

async function call(ctx: { fetch: typeof fetch; signal?: AbortSignal }, url: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await ctx.fetch(url, { ...init, signal: ctx.signal });
  } catch (e) {
    throw new ConnectorError('retryable', `peer unreachable (${e instanceof Error ? e.message : String(e)})`);
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (res.status === 401) throw new ConnectorError('auth_expired', body.message ?? 'HTTP 401');
  if (res.status === 400) throw new ConnectorError('invalid_content', body.message ?? 'HTTP 400');
  throw new ConnectorError('retryable', body.message ?? `HTTP ${res.status}`);
}

/** A Connector for the peer with comments, direct messages and moderation. */
export function dmPeerConnector(baseUrl: string): Connector<Cred, Session> {
  const authed = (s: Session | null, init: RequestInit = {}): RequestInit => ({ ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${s?.token ?? ''}` } });
  type Row = { id: string; kind: 'comment' | 'dm'; authorId: string; authorHandle: string; parentId: string | null; rootId: string | null; text: string; createdAt: string; deleted: boolean };
  const toInbound = (r: Row): InboundMessage => ({
    externalId: r.id,
    kind: r.kind === 'dm' ? 'dm' : r.parentId && r.parentId !== r.rootId ? 'reply' : 'comment',
    parentExternalId: r.parentId,
    rootExternalId: r.rootId,
    author: { externalId: r.authorId, handle: r.authorHandle, displayName: null },
    text: r.text,
    url: null,
    createdAt: r.createdAt,
    ...(r.deleted ? { deleted: true } : {}),
  });
  const page = async (ctx: { fetch: typeof fetch; signal?: AbortSignal }, s: Session | null, path: string, cursor: string | null) => {
    const res = await call(ctx, `${baseUrl}${path}?after=${cursor ?? '0'}`, authed(s));
    const body = (await res.json()) as { items: Row[]; cursor: string };
    return { items: body.items.map(toInbound), cursor: body.cursor };
  };
  const moderate = (path: string, method: 'POST' | 'DELETE') => async (input: { auth: { session: Session | null }; message: { externalId: string } }, ctx: { fetch: typeof fetch; signal?: AbortSignal }) => {
    await call(ctx, `${baseUrl}/comments/${encodeURIComponent(input.message.externalId)}${path}`, authed(input.auth.session, { method }));
  };
  return {
    id: 'dmpeer',
    displayName: 'DM Peer',
    lengthUnit: 'characters',
    supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
    credentialFields: [{ name: 'handle', label: 'Handle', type: 'text', required: true }],
    credentialsSchema: z.object({ handle: z.string() }),
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 100, windowMs: 60_000 } },
    async connect(credentials, ctx) {
      const res = await call(ctx, `${baseUrl}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ handle: credentials.handle }) });
      const { token } = (await res.json()) as { token: string };
      const me = (await (await call(ctx, `${baseUrl}/me`, authed({ token }))).json()) as { id: string; handle: string; name: string };
      return { externalId: me.id, handle: me.handle, displayName: me.name, serviceUrl: baseUrl, session: { token } };
    },
    validate(variant) {
      const length = [...variant.text].length;
      const errors = length > 100 ? [{ code: 'too_long', message: `The text is ${length} characters; the limit is 100`, field: 'text' as const }] : [];
      return { network: 'dmpeer', length, max: 100, unit: 'characters', valid: errors.length === 0, errors };
    },
    async publish() {
      throw new ConnectorError('invalid_content', 'the DM peer does not publish');
    },
    comments: {
      fetch: (input, ctx) => page(ctx, input.auth.session, '/comments', input.cursor),
      async reply(input, ctx) {
        const res = await call(ctx, `${baseUrl}/comments`, authed(input.auth.session, { method: 'POST', body: JSON.stringify({ parentId: input.parentExternalId, text: input.text }) }));
        const { id, url } = (await res.json()) as { id: string; url: string };
        return { externalId: id, url };
      },
    },
    directMessages: {
      fetch: (input, ctx) => page(ctx, input.auth.session, '/dms', input.cursor),
      async send(input, ctx) {
        const res = await call(ctx, `${baseUrl}/dms`, authed(input.auth.session, { method: 'POST', body: JSON.stringify({ to: input.correspondent.externalId, replyTo: input.messageExternalId, text: input.text, key: input.idempotencyKey }) }));
        const { id } = (await res.json()) as { id: string };
        return { externalId: id, url: null };
      },
    },
    moderation: {
      hide: { kinds: ['comment', 'reply'], ownPostsOnly: true, run: moderate('/hide', 'POST') },
      unhide: { kinds: ['comment', 'reply'], ownPostsOnly: true, run: moderate('/unhide', 'POST') },
      delete: { kinds: ['comment', 'reply', 'dm'], run: moderate('', 'DELETE') },
      restore: { kinds: ['comment'], run: moderate('/restore', 'POST') },
      async deleteReply(input, ctx) {
        await call(ctx, `${baseUrl}/replies/${encodeURIComponent(input.externalId)}`, authed(input.auth.session, { method: 'DELETE' }));
      },
    },
  };
}
