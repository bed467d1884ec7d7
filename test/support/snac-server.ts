/**
 * A real Mastodon-API server for tests: Debian's snac2 (`/usr/bin/snac`, bookworm-backports) on
 * loopback with a throwaway data folder, test users, and OAuth tokens obtained through snac's own
 * login form (`/oauth/x-snac-login`), as a browser would. Facts and gotchas: shared/notes/local-peers.md.
 *
 * - snac must listen on port 80 with host `localhost` and protocol http: a host with a port breaks its
 *   mention linking. So only one test file may start it at a time (all snac tests live in one file).
 * - 16 threads and 20 s queue timeouts: with snac's defaults, bursts starve its self-delivery.
 * - snac closes sockets silently after answering, and undici would reuse them: `snacFetch` adds
 *   `Connection: close` to every request. This is the test's concern, not the connector's: real
 *   Mastodon servers keep connections alive properly, so production code should not pay for a new
 *   connection per request.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SNAC_BIN = '/usr/bin/snac';

/** One snac user with a ready access token. */
export interface SnacUser {
  username: string;
  password: string;
  token: string;
}

export interface SnacServer {
  url: string;
  dataDir: string;
  users: Record<string, SnacUser>;
  /** Fetch that adds `Connection: close` and refuses anything but this server. */
  fetch: typeof fetch;
  /** Calls the Mastodon API as `user` and returns the parsed JSON (throws on non-2xx). */
  api<T = Record<string, unknown>>(user: string, method: string, path: string, body?: unknown): Promise<T>;
  /** Runs the OAuth login form for `user` as a browser would; returns the redirect's query. */
  authorize(user: string, params: { clientId: string; redirectUri: string; state: string }): Promise<URLSearchParams>;
  stop(): Promise<void>;
}

/** True when the snac binary is installed. */
export function snacInstalled(): boolean {
  return existsSync(SNAC_BIN);
}

/** A fetch that sends `Connection: close` on every request and only to loopback addresses. */
export function connectionCloseFetch(base: typeof fetch = fetch): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) throw new Error(`test fetch refused a non-loopback URL: ${url.origin}`);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('connection', 'close');
    return base(input, { ...init, headers });
  }) as typeof fetch;
}

/** True when something already answers on `url` (then snac could not take port 80). */
async function portTaken(url: string): Promise<boolean> {
  try {
    await fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`snac exited with ${child.exitCode}: ${log()}`);
    try {
      const r = await fetch(`${url}/api/v1/instance`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(1_000) });
      // Make sure it is our snac answering, not something else on port 80.
      if (r.ok && (await r.text()).includes('snac/')) return;
    } catch {
      // not yet listening
    }
    if (Date.now() > until) throw new Error(`snac did not answer on ${url} within 15 s: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts snac with users `usernames` (each gets a token through the OAuth login form). */
export async function startSnac(usernames: string[] = ['alice', 'bob']): Promise<SnacServer> {
  if (await portTaken('http://localhost')) throw new Error('port 80 on localhost is already in use: snac2 must listen there (is another snac test running?)');
  const dataDir = join(mkdtempSync(join(tmpdir(), 'herald-snac-')), 'data');
  // `snac init` asks: address, port, host name, URL prefix, admin e-mail.
  const init = spawnSync(SNAC_BIN, ['init', dataDir], { input: '127.0.0.1\n80\nlocalhost\n\nadmin@localhost\n', encoding: 'utf8', timeout: 10_000 });
  if (init.status !== 0) throw new Error(`snac init failed: ${init.stderr || init.stdout}`);
  const serverJson = join(dataDir, 'server.json');
  const conf = JSON.parse(readFileSync(serverJson, 'utf8')) as Record<string, unknown>;
  Object.assign(conf, { protocol: 'http', num_threads: 16, queue_timeout: 20, queue_timeout_2: 20 });
  writeFileSync(serverJson, JSON.stringify(conf, null, 4));

  const passwords: Record<string, string> = {};
  for (const u of usernames) {
    const r = spawnSync(SNAC_BIN, ['adduser', dataDir, u], { input: '\n', encoding: 'utf8', timeout: 10_000 });
    const m = /password is (\S+)/.exec(`${r.stdout}\n${r.stderr}`);
    if (r.status !== 0 || !m) throw new Error(`snac adduser ${u} failed: ${r.stderr || r.stdout}`);
    passwords[u] = m[1]!;
  }

  let output = '';
  const child = spawn(SNAC_BIN, ['httpd', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4_000)));
  const url = 'http://localhost';

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      // A jammed snac may ignore SIGTERM: SIGKILL after a grace period.
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  };

  try {
    await waitUntilUp(url, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }

  const f = connectionCloseFetch();
  const users: Record<string, SnacUser> = {};
  const server: SnacServer = {
    url,
    dataDir,
    users,
    fetch: f,
    async api<T>(user: string, method: string, path: string, body?: unknown): Promise<T> {
      const r = await f(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${users[user]!.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path} as ${user}: HTTP ${r.status} ${text.slice(0, 200)}`);
      return (text ? JSON.parse(text) : {}) as T;
    },
    async authorize(user, p) {
      const form = new URLSearchParams({ login: user, passwd: passwords[user]!, redir: p.redirectUri, cid: p.clientId, state: p.state });
      const r = await f(`${url}/oauth/x-snac-login`, { method: 'POST', body: form, redirect: 'manual' });
      const location = r.headers.get('location') ?? (await r.text()).trim();
      const q = new URL(location).searchParams;
      if (!q.get('code')) throw new Error(`snac login for ${user} gave no code (HTTP ${r.status})`);
      return q;
    },
    stop,
  };

  try {
    const redirectUri = 'http://127.0.0.1/herald-test-callback';
    const app = (await (await f(`${url}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'herald-tests', redirect_uris: redirectUri, scopes: 'read write' }),
    })).json()) as { client_id: string; client_secret: string };
    for (const u of usernames) {
      users[u] = { username: u, password: passwords[u]!, token: '' };
      const q = await server.authorize(u, { clientId: app.client_id, redirectUri, state: `s-${u}` });
      const tok = (await (await f(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code')!, client_id: app.client_id, client_secret: app.client_secret, redirect_uri: redirectUri }),
      })).json()) as { access_token?: string };
      if (!tok.access_token) throw new Error(`snac gave no access token for ${u}`);
      users[u]!.token = tok.access_token;
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return server;
}
