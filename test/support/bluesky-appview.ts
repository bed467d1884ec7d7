/**
 * Suites that need their own local Bluesky network with an AppView (public data, engagement, listening
 * search, analytics against real peers) share this set-up instead of each repeating it: whether they
 * run, the network's start and stop around the suite, signed-in actors, plain XRPC calls (what another
 * Bluesky app would send) and polling until the AppView has indexed something.
 */
import { afterAll, beforeAll } from 'vitest';
import { requireAll } from './databases';
import { startBlueskyNetwork, testPeersInstalled, uniqueAccountName, type BlueskyTestAccount, type BlueskyTestNetwork } from './bluesky-network';

/** True when the AppView suites can run here (test-peers installed), or must (HERALD_TEST_REQUIRE_ALL). */
export const appviewSuitesEnabled = testPeersInstalled() || requireAll;

/** A signed-in test account. */
export interface Actor extends BlueskyTestAccount {
  token: string;
}

/** A record's address as com.atproto.repo.createRecord answers it. */
export interface StrongRef {
  uri: string;
  cid: string;
}

/** Calls `fn` every 200 ms until it returns something truthy; throws with the last answer after `timeoutMs`. */
export async function eventually<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One XRPC call: GET with `params` (arrays repeat the key), POST with a JSON `body` or raw PNG `bytes`. */
export async function xrpc<T = Record<string, unknown>>(base: string, nsid: string, init: { token?: string; body?: unknown; bytes?: Uint8Array; params?: Record<string, string | string[]> } = {}): Promise<T> {
  const url = new URL(`/xrpc/${nsid}`, base);
  for (const [k, v] of Object.entries(init.params ?? {})) for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  const headers: Record<string, string> = init.token ? { authorization: `Bearer ${init.token}` } : {};
  let body: string | Uint8Array | undefined;
  if (init.bytes) {
    headers['content-type'] = 'image/png';
    body = init.bytes;
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, body });
  const out = (await res.json().catch(() => ({}))) as T;
  if (!res.ok) throw new Error(`${nsid} failed: HTTP ${res.status} ${JSON.stringify(out)}`);
  return out;
}

/** What a suite gets: the running network and helpers bound to it. */
export interface AppviewNetwork {
  /** The network (available from the suite's own beforeAll on). */
  readonly net: BlueskyTestNetwork;
  /** Signs an account in with its main password. */
  signIn(account: BlueskyTestAccount): Promise<Actor>;
  /** Creates fresh accounts (`<prefix><random>.test`) and signs them in, in order. */
  actors(...prefixes: string[]): Promise<Actor[]>;
  /** Writes a record of `collection` to the actor's repo (with `$type` and `createdAt`). */
  createRecord(who: Actor, collection: string, record: Record<string, unknown>): Promise<StrongRef>;
}

/**
 * Starts a network with an AppView before the suite's own hooks and stops it after the suite. Call it
 * inside the `describe`, before the suite's `beforeAll`.
 */
export function useAppviewNetwork(opts: { startTimeoutMs?: number } = {}): AppviewNetwork {
  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  let net: BlueskyTestNetwork | null = null;
  beforeAll(async () => {
    net = await startBlueskyNetwork({ appview: true, startTimeoutMs });
  }, startTimeoutMs + 30_000);
  afterAll(async () => {
    await net?.stop();
  });
  const running = (): BlueskyTestNetwork => {
    if (!net) throw new Error('the AppView network is not running (useAppviewNetwork must be called before the suite’s beforeAll)');
    return net;
  };
  const signIn = async (a: BlueskyTestAccount): Promise<Actor> => ({ ...a, token: (await xrpc<{ accessJwt: string }>(running().pdsUrl, 'com.atproto.server.createSession', { body: { identifier: a.handle, password: a.password } })).accessJwt });
  return {
    get net() {
      return running();
    },
    signIn,
    actors: async (...prefixes) => Promise.all((await Promise.all(prefixes.map((p) => running().createAccount(uniqueAccountName(p))))).map(signIn)),
    createRecord: async (who, collection, record) => {
      const r = await xrpc<StrongRef>(running().pdsUrl, 'com.atproto.repo.createRecord', { token: who.token, body: { repo: who.did, collection, record: { $type: collection, createdAt: new Date().toISOString(), ...record } } });
      // Only the strong ref: records that point at this one carry exactly uri and cid.
      return { uri: r.uri, cid: r.cid };
    },
  };
}
