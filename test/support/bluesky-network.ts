/**
 * A real local AT Protocol network for tests: spawns `node test-peers/network.mjs` (PLC + PDS, or the
 * full network with an AppView) and talks to it over plain XRPC. Most suites share the one PDS the
 * global setup starts (`requireBlueskyPds()`); `startBlueskyNetwork()` is for suites that need their own.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import './provided-context';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The script that runs the network, and the folder holding its own dependencies. */
export const networkScript = join(repoRoot, 'test-peers', 'network.mjs');
export const testPeersModules = join(repoRoot, 'test-peers', 'node_modules', '@atproto', 'dev-env');

/** A test account: `password` is the main password, `appPassword` what Herald should be given. */
export interface BlueskyTestAccount {
  did: string;
  handle: string;
  password: string;
  appPassword: string;
}

/** A running local network. */
export interface BlueskyTestNetwork {
  pdsUrl: string;
  plcUrl: string;
  appviewUrl: string | null;
  /** Creates `${name}.test` (name: 3–18 letters, digits or dashes, unique on this PDS). */
  createAccount(name: string): Promise<BlueskyTestAccount>;
  stop(): Promise<void>;
}

/** True when test-peers/node_modules holds @atproto/dev-env (npm ci was run in test-peers). */
export function testPeersInstalled(): boolean {
  return existsSync(testPeersModules) && existsSync(networkScript);
}

/**
 * Starts a network. Resolves once the script printed its JSON line; rejects (with the script's
 * stderr) when it exits first or takes longer than `startTimeoutMs`.
 */
export async function startBlueskyNetwork(opts: { appview?: boolean; port?: number; startTimeoutMs?: number } = {}): Promise<BlueskyTestNetwork> {
  if (!testPeersInstalled()) throw new Error(`@atproto/dev-env is not installed: run "npm ci" in ${join(repoRoot, 'test-peers')}`);
  const args = [networkScript];
  if (opts.appview) args.push('--appview');
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  // stdin stays a pipe: when this process dies the script sees it close and shuts down.
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let tmpDir: string | null = null;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-20_000);
    const m = /network\.mjs: temp dir (\S+)/.exec(stderr);
    if (m) tmpDir = m[1]!;
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const urls = await new Promise<{ plcUrl: string; pdsUrl: string; appviewUrl: string | null }>((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`the Bluesky test network did not start within ${opts.startTimeoutMs ?? 60_000} ms:\n${stderr.slice(-4000)}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const j = JSON.parse(line) as { plcUrl?: string; pdsUrl?: string; appviewUrl?: string | null };
          if (j.pdsUrl && j.plcUrl) {
            clearTimeout(timer);
            res({ plcUrl: j.plcUrl, pdsUrl: j.pdsUrl, appviewUrl: j.appviewUrl ?? null });
            return;
          }
        } catch {
          // not our line
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`the Bluesky test network exited (code ${code}) before it was ready:\n${stderr.slice(-4000)}`));
    });
  });

  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      // The script removes its temp dir itself; this covers a forced kill.
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    })());

  return {
    ...urls,
    createAccount: (name) => createTestAccount(urls.pdsUrl, name),
    stop,
  };
}

async function xrpcJson<T>(pdsUrl: string, nsid: string, init: { body?: unknown; token?: string; params?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const url = new URL(`/xrpc/${nsid}`, pdsUrl);
  for (const [k, v] of Object.entries(init.params ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Creates `${name}.test` on a PDS and an app password for it. */
export async function createTestAccount(pdsUrl: string, name: string): Promise<BlueskyTestAccount> {
  if (!/^[a-z0-9][a-z0-9-]{1,16}[a-z0-9]$/.test(name)) throw new Error(`test account name "${name}" must be 3–18 lower-case letters, digits or dashes`);
  const handle = `${name}.test`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const acc = await xrpcJson<{ did?: string; accessJwt?: string; message?: string }>(pdsUrl, 'com.atproto.server.createAccount', {
    body: { handle, email: `${name}@herald.test`, password },
  });
  if (acc.status !== 200 || !acc.body.did || !acc.body.accessJwt) throw new Error(`createAccount ${handle} failed: HTTP ${acc.status} ${JSON.stringify(acc.body)}`);
  const ap = await xrpcJson<{ password?: string }>(pdsUrl, 'com.atproto.server.createAppPassword', { body: { name: 'herald' }, token: acc.body.accessJwt });
  if (ap.status !== 200 || !ap.body.password) throw new Error(`createAppPassword for ${handle} failed: HTTP ${ap.status} ${JSON.stringify(ap.body)}`);
  return { did: acc.body.did, handle, password, appPassword: ap.body.password };
}

/** A short unique account name (for the shared PDS), e.g. `pub-k3x9q2`. */
export function uniqueAccountName(prefix: string): string {
  return `${prefix.slice(0, 10)}-${randomBytes(4).toString('hex').slice(0, 7)}`;
}

/** A record as com.atproto.repo.getRecord / listRecords return it. */
export interface RepoRecord<V = Record<string, unknown>> {
  uri: string;
  cid: string;
  value: V;
}

/** Every app.bsky.feed.post record of `did` (listRecords, all pages). */
export async function listPosts(pdsUrl: string, did: string): Promise<RepoRecord[]> {
  const out: RepoRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const params: Record<string, string> = { repo: did, collection: 'app.bsky.feed.post', limit: '100' };
    if (cursor) params.cursor = cursor;
    const r = await xrpcJson<{ records?: RepoRecord[]; cursor?: string }>(pdsUrl, 'com.atproto.repo.listRecords', { params });
    if (r.status !== 200) throw new Error(`listRecords failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    const page = r.body.records ?? [];
    out.push(...page);
    if (!r.body.cursor || page.length === 0) return out;
    cursor = r.body.cursor;
  }
}

/** One post record, or null when there is none under that key. */
export async function getPostRecord(pdsUrl: string, did: string, rkey: string): Promise<RepoRecord | null> {
  const r = await xrpcJson<RepoRecord & { error?: string }>(pdsUrl, 'com.atproto.repo.getRecord', { params: { repo: did, collection: 'app.bsky.feed.post', rkey } });
  if (r.status === 200) return r.body;
  if (r.body.error === 'RecordNotFound') return null;
  throw new Error(`getRecord failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/**
 * The PDS URL the global setup started for this run, or null when it could not start (suites then
 * `describe.skipIf(!url)`; with HERALD_TEST_REQUIRE_ALL=1 the setup fails the run instead).
 */
export function requireBlueskyPds(): string | null {
  return inject('blueskyPdsUrl') ?? null;
}
