/**
 * Bluesky's `stream` capability: the repository firehose, `com.atproto.sync.subscribeRepos`, from the
 * account's PDS or from a relay (`relayUrl`, e.g. wss://bsky.network), over a WebSocket (`ws`).
 *
 * - One socket per upstream: every account on one PDS (or all accounts, with a relay) shares it.
 * - Each frame is two DAG-CBOR values (header `{op, t}`, then the body); a `#commit` carries its
 *   records as a CAR file. Only `app.bsky.feed.post` creates and updates are decoded, and a post
 *   becomes a message for an account when it replies to the account's post or thread (reply parent
 *   or root in the account's repository), mentions its DID in a facet, or quotes one of its posts —
 *   the same items, with the same at:// URIs, kinds and threads, that the notifications poll reports.
 * - Deleted posts are reported as `deleted` URIs; Herald marks the ones it holds.
 * - The cursor is the frame's `seq`; the subscription resumes with `?cursor=seq` (a PDS keeps a few
 *   days of events, a relay about 36 hours). A cursor the upstream calls from the future
 *   (`FutureCursor`, e.g. a reset PDS) is refused as `invalid_content`, and Herald opens from now.
 * - A PDS's firehose carries only the repositories that PDS hosts: in PDS mode only authors on the
 *   account's own PDS are seen live (a self-hosted or community PDS); a relay or Jetstream sees the
 *   whole network. Polling covers everyone either way.
 * - The firehose names authors by DID only: handles come from `#identity` events, else from
 *   `com.atproto.repo.describeRepo` on the PDS (PDS mode) or the author's DID document (PLC directory,
 *   did:web) behind a relay or Jetstream, cached; when nothing knows, the DID stands in (as it does for
 *   an invalid handle in the notifications poll).
 * - A ping every `pingIntervalMs`; no pong or frame by the next ping ends the socket as retryable.
 * - Jetstream instead (`jetstreamUrl`): the same posts as JSON events (`wantedCollections` =
 *   app.bsky.feed.post), one socket for every account; the cursor is the event's `time_us`, and a
 *   reconnect rewinds 5 s before it (Jetstream's advice; re-deliveries are deduplicated).
 */
import WebSocket from 'ws';
import { ConnectorError, type AccountAuth, type InboundMessage, type StreamBatch, type StreamCapability, type StreamContext } from '../connector';
import { parseRecordUri } from './atproto-syntax';
import { normaliseServiceUrl, type BlueskyCredentials, type BlueskySession } from './bluesky-client';
import { postUrl } from './bluesky-engagement';
import { Cid, decodeCbor, decodeFirst, readCarBlocks, type CborValue } from './bluesky-stream-cbor';

const POST_COLLECTION = 'app.bsky.feed.post';
const MENTION_FEATURE = 'app.bsky.richtext.facet#mention';

/** Tunables of the firehose subscription. */
export interface BlueskyStreamOptions {
  /** A relay serving every account (ws(s):// or http(s)://); absent = each account's own PDS. */
  relayUrl?: string | null;
  /**
   * A Jetstream endpoint (JSON events, e.g. wss://jetstream2.us-east.bsky.network/subscribe); when set
   * it serves every account instead of the CBOR firehose.
   */
  jetstreamUrl?: string | null;
  /** Ping interval; a socket silent for two intervals is closed (default 30 s). */
  pingIntervalMs?: number;
  /** Frames held before the socket is paused while Herald stores earlier ones (default 2,000). */
  maxQueuedFrames?: number;
  /** Largest frame accepted (default 5 MiB; a PDS commit is at most 2 MiB). */
  maxFrameBytes?: number;
  /** Timeout of one handle look-up (default 5 s). */
  lookupTimeoutMs?: number;
  /**
   * PLC directory for authors' handles behind a relay or Jetstream (default https://plc.directory;
   * null = none). Not asked in PDS mode, where the PDS answers for its own accounts.
   */
  plcUrl?: string | null;
}

/** The http(s) base of an upstream given as ws(s)://, http(s):// or a bare host. */
function httpBase(upstream: string): string {
  const u = normaliseServiceUrl(upstream);
  if (/^wss:\/\//i.test(u)) return `https://${u.slice(6)}`;
  if (/^ws:\/\//i.test(u)) return `http://${u.slice(5)}`;
  return /^https?:\/\//i.test(u) ? u : `https://${u}`;
}

/** The subscribeRepos WebSocket address of an upstream, with the cursor to resume from. */
export function subscribeReposUrl(upstream: string, cursor: string | null): string {
  const base = httpBase(upstream).replace(/^http/i, 'ws');
  const url = new URL('/xrpc/com.atproto.sync.subscribeRepos', base + '/');
  if (cursor !== null && /^\d+$/.test(cursor)) url.searchParams.set('cursor', cursor);
  return url.toString();
}

/** How far back a Jetstream subscription resumes before its cursor (re-delivered events are deduplicated). */
export const jetstreamRewindMicros = 5_000_000;

/**
 * The Jetstream address: only post events (`wantedCollections`), resumed a few seconds before the
 * cursor (a `time_us`), as Jetstream's documentation advises for gapless reconnects.
 */
export function jetstreamSubscribeUrl(endpoint: string, cursor: string | null): string {
  const url = new URL(endpoint.replace(/^https:/i, 'wss:').replace(/^http:/i, 'ws:'));
  url.searchParams.set('wantedCollections', POST_COLLECTION);
  if (cursor !== null && /^\d+$/.test(cursor)) url.searchParams.set('cursor', String(Math.max(0, Number(cursor) - jetstreamRewindMicros)));
  return url.toString();
}

type CborMap = { [key: string]: CborValue };
const isMap = (v: CborValue | undefined): v is CborMap => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Cid);
const str = (v: CborValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const uriOf = (ref: CborValue | undefined): string | null => (isMap(ref) ? str(ref.uri) : null);

/** The post a quote embeds (app.bsky.embed.record, or the record half of recordWithMedia). */
function quotedUri(record: CborMap): string | null {
  const embed = record.embed;
  if (!isMap(embed)) return null;
  if (embed.$type === 'app.bsky.embed.recordWithMedia') return isMap(embed.record) ? uriOf(embed.record.record) : null;
  if (embed.$type === 'app.bsky.embed.record') return uriOf(embed.record);
  return null;
}

/** DIDs the post's facets mention. */
function mentionedDids(record: CborMap): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(record.facets)) return out;
  for (const facet of record.facets) {
    if (!isMap(facet) || !Array.isArray(facet.features)) continue;
    for (const f of facet.features) if (isMap(f) && f.$type === MENTION_FEATURE && typeof f.did === 'string') out.add(f.did);
  }
  return out;
}

function isoOr(v: CborValue | undefined, fallback: string): string {
  const s = str(v);
  const ms = s ? Date.parse(s) : NaN;
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/**
 * A post record as the inbound message of the account `accountDid`, or null when it neither replies
 * to, mentions nor quotes that account. Kinds and threads follow the notifications poll: a quote of
 * the account's post is a quote (its parent and root the quoted post); a reply in the account's
 * thread is a reply even when it also mentions the account; anything else that names it is a mention.
 */
export function postToInbound(input: { uri: string; record: CborMap; authorDid: string; authorHandle: string | null; accountDid: string; seenAt: string }): InboundMessage | null {
  const { uri, record, authorDid, accountDid } = input;
  if (authorDid === accountDid) return null;
  const at = parseRecordUri(uri);
  if (!at || at.collection !== POST_COLLECTION) return null;
  const reply = isMap(record.reply) ? record.reply : null;
  const parentUri = uriOf(reply?.parent);
  const rootUri = uriOf(reply?.root);
  const ours = (u: string | null) => u !== null && parseRecordUri(u)?.repo === accountDid;
  const quoted = quotedUri(record);

  let kind: InboundMessage['kind'];
  let parentExternalId = parentUri;
  let rootExternalId = rootUri;
  if (ours(parentUri) || ours(rootUri)) {
    kind = 'reply';
  } else if (ours(quoted)) {
    kind = 'quote';
    parentExternalId = quoted;
    rootExternalId = quoted;
  } else if (mentionedDids(record).has(accountDid)) {
    kind = 'mention';
  } else {
    return null;
  }
  const handle = input.authorHandle && input.authorHandle !== 'handle.invalid' ? input.authorHandle : authorDid;
  const langs = Array.isArray(record.langs) ? record.langs.filter((l): l is string => typeof l === 'string' && l !== '') : [];
  return {
    externalId: uri,
    kind,
    parentExternalId,
    rootExternalId,
    author: { externalId: authorDid, handle, displayName: null },
    text: typeof record.text === 'string' ? record.text : '',
    url: postUrl(handle, at.rkey),
    createdAt: isoOr(record.createdAt, input.seenAt),
    lang: langs[0] ?? null,
  };
}

/** One decoded frame: its type, body and sequence number (null for frames without one). */
export function decodeFrame(frame: Uint8Array): { op: number; type: string | null; body: CborMap; seq: number | null } {
  const head = decodeFirst(frame);
  const header = head.value;
  if (!isMap(header) || typeof header.op !== 'number') throw new ConnectorError('retryable', 'The Bluesky firehose sent a frame without a header');
  const body = decodeCbor(frame.subarray(head.length));
  if (!isMap(body)) throw new ConnectorError('retryable', 'The Bluesky firehose sent a frame without a body');
  return { op: header.op, type: str(header.t), body, seq: typeof body.seq === 'number' ? body.seq : null };
}

/** Handles by DID, bounded (the oldest entry goes first). */
class HandleCache {
  private readonly map = new Map<string, { handle: string | null; at: number }>();
  constructor(private readonly max = 5000, private readonly ttlMs = 3_600_000) {}
  get(did: string, now: number): { handle: string | null } | undefined {
    const e = this.map.get(did);
    if (!e || now - e.at > this.ttlMs) return undefined;
    return e;
  }
  forget(did: string): void {
    this.map.delete(did);
  }
  set(did: string, handle: string | null, now: number): void {
    this.map.delete(did);
    this.map.set(did, { handle, at: now });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** Builds the capability (the Bluesky connector gets one in the default registry). */
export function createBlueskyStream(options: BlueskyStreamOptions = {}): StreamCapability<BlueskyCredentials, BlueskySession> {
  const relay = options.relayUrl?.trim() ? normaliseServiceUrl(options.relayUrl.trim()) : null;
  const jetstream = options.jetstreamUrl?.trim() ? normaliseServiceUrl(options.jetstreamUrl.trim()) : null;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const maxQueued = options.maxQueuedFrames ?? 2000;
  const maxFrameBytes = options.maxFrameBytes ?? 5 * 1024 * 1024;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 5000;
  const plc = options.plcUrl === null ? null : normaliseServiceUrl(options.plcUrl?.trim() || 'https://plc.directory');
  const handles = new HandleCache();

  /** A JSON GET for a handle look-up (best effort: null on every failure). */
  async function getJson(url: URL, ctx: StreamContext): Promise<Record<string, unknown> | null> {
    try {
      const res = await ctx.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(lookupTimeoutMs)]) });
      if (!res.ok) {
        await res.body?.cancel();
        return null;
      }
      const j: unknown = await res.json();
      return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** The handle a DID document claims (`alsoKnownAs: ["at://handle"]`), from the PLC directory or did:web. */
  async function handleFromDidDocument(did: string, ctx: StreamContext): Promise<string | null> {
    let url: URL | null = null;
    if (did.startsWith('did:plc:') && plc) url = new URL(`/${encodeURIComponent(did)}`, plc + '/');
    else if (did.startsWith('did:web:')) url = URL.canParse(`https://${decodeURIComponent(did.slice(8))}`) ? new URL('/.well-known/did.json', `https://${decodeURIComponent(did.slice(8))}`) : null;
    if (!url) return null;
    const doc = await getJson(url, ctx);
    const aka = Array.isArray(doc?.alsoKnownAs) ? doc.alsoKnownAs : [];
    const first = aka.find((a): a is string => typeof a === 'string' && a.startsWith('at://'));
    return first ? first.slice(5) : null;
  }

  /**
   * The author's handle: from the cache (`#identity` events fill it too), else from the PDS itself
   * (`describeRepo`: a PDS firehose only carries its own accounts), else — behind a relay or Jetstream,
   * which do not serve it — from the author's DID document. Null when nothing answers: the DID stands in.
   */
  async function handleOf(did: string, upstream: string, ctx: StreamContext): Promise<string | null> {
    const now = Date.now();
    const cached = handles.get(did, now);
    if (cached) return cached.handle;
    let handle: string | null = null;
    if (upstream !== relay && upstream !== jetstream) {
      const url = new URL('/xrpc/com.atproto.repo.describeRepo', httpBase(upstream) + '/');
      url.searchParams.set('repo', did);
      const j = await getJson(url, ctx);
      if (j && typeof j.handle === 'string' && j.handleIsCorrect !== false) handle = j.handle;
    } else {
      handle = await handleFromDidDocument(did, ctx);
    }
    handles.set(did, handle, now);
    return handle;
  }

  /** Herald account ids by the DID they are connected as. */
  function accountsByDid(accounts: ReadonlyArray<AccountAuth<BlueskyCredentials, BlueskySession>>): Map<string, string[]> {
    const byDid = new Map<string, string[]>();
    for (const a of accounts) byDid.set(a.externalId, [...(byDid.get(a.externalId) ?? []), a.accountId]);
    return byDid;
  }

  /** The messages one post record makes for the accounts it answers, mentions or quotes. */
  async function matchPost(uri: string, record: CborMap, repo: string, upstream: string, byDid: Map<string, string[]>, seenAt: string, ctx: StreamContext, items: StreamBatch['items']): Promise<void> {
    let handle: string | null | undefined;
    for (const [did, accountIds] of byDid) {
      const first = postToInbound({ uri, record, authorDid: repo, authorHandle: null, accountDid: did, seenAt });
      if (!first) continue;
      handle ??= await handleOf(repo, upstream, ctx);
      const message = handle ? postToInbound({ uri, record, authorDid: repo, authorHandle: handle, accountDid: did, seenAt })! : first;
      for (const accountId of accountIds) items.push({ accountId, message });
    }
  }

  /** The messages and deletions one `#commit` holds for the accounts served. */
  async function commitBatch(body: CborMap, upstream: string, accounts: ReadonlyArray<AccountAuth<BlueskyCredentials, BlueskySession>>, ctx: StreamContext): Promise<Pick<StreamBatch, 'items' | 'deleted'>> {
    const repo = str(body.repo);
    const ops = Array.isArray(body.ops) ? body.ops : [];
    const items: StreamBatch['items'] = [];
    const deleted: string[] = [];
    if (!repo || !ops.length) return { items, deleted };
    const posts: Array<{ uri: string; cid: Cid }> = [];
    for (const op of ops) {
      if (!isMap(op)) continue;
      const path = str(op.path);
      if (!path || !path.startsWith(`${POST_COLLECTION}/`)) continue;
      const uri = `at://${repo}/${path}`;
      if (op.action === 'delete') deleted.push(uri);
      else if ((op.action === 'create' || op.action === 'update') && op.cid instanceof Cid) posts.push({ uri, cid: op.cid });
    }
    if (!posts.length || !accounts.length || !(body.blocks instanceof Uint8Array)) return { items, deleted };
    const byDid = accountsByDid(accounts);
    const blocks = readCarBlocks(body.blocks);
    const seenAt = isoOr(body.time, new Date().toISOString());
    // A post that answers, mentions or quotes an account holds the account's DID in its bytes (in the
    // reply/quote URI or the facet): a byte search skips decoding the relay's other posts.
    const needles = [...byDid.keys()].map((did) => Buffer.from(did, 'utf8'));
    for (const p of posts) {
      const bytes = blocks.get(p.cid.key);
      if (!bytes) continue;
      const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (!needles.some((n) => haystack.includes(n))) continue;
      let record: CborValue;
      try {
        record = decodeCbor(bytes);
      } catch {
        continue; // one unreadable record must not cost the others
      }
      if (isMap(record)) await matchPost(p.uri, record, repo, upstream, byDid, seenAt, ctx, items);
    }
    return { items, deleted };
  }

  /** One subscribeRepos frame as a batch (null = nothing, not even a cursor). */
  async function firehoseFrame(frame: Buffer, input: OpenInput, ctx: StreamContext): Promise<StreamBatch | null> {
    let decoded: ReturnType<typeof decodeFrame>;
    try {
      decoded = decodeFrame(frame);
    } catch {
      return null; // a frame outside the subset: skip it (polling is the safety net)
    }
    if (decoded.op === -1) {
      const name = str(decoded.body.error) ?? 'error';
      const message = str(decoded.body.message) ?? '';
      if (name === 'FutureCursor') throw new ConnectorError('invalid_content', `The Bluesky firehose refused the stored cursor ${input.cursor ?? ''} (${name}${message ? `: ${message}` : ''})`, { networkCode: name });
      throw new ConnectorError('retryable', `The Bluesky firehose reported ${name}${message ? `: ${message}` : ''}`, { networkCode: name });
    }
    const cursor = decoded.seq !== null ? String(decoded.seq) : null;
    if (decoded.type === '#identity') {
      // A new handle, or none given: then the next message looks it up again.
      const did = str(decoded.body.did);
      const handle = str(decoded.body.handle);
      if (did && handle) handles.set(did, handle, Date.now());
      else if (did) handles.forget(did);
    }
    if (decoded.type !== '#commit') return cursor ? { items: [], cursor } : null;
    let batch: Pick<StreamBatch, 'items' | 'deleted'>;
    try {
      batch = await commitBatch(decoded.body, input.upstream, input.accounts(), ctx);
    } catch (e) {
      if (e instanceof ConnectorError || ctx.signal.aborted) throw e;
      batch = { items: [], deleted: [] }; // an unreadable CAR: skip the commit, keep the stream
    }
    return { items: batch.items, ...(batch.deleted?.length ? { deleted: batch.deleted } : {}), cursor };
  }

  /**
   * One Jetstream event (JSON, github.com/bluesky-social/jetstream) as a batch. Events that cannot
   * concern the accounts (no DID of theirs in the text, not a deletion or identity) are not parsed:
   * only their `time_us` is read, for the cursor.
   */
  async function jetstreamFrame(frame: Buffer, input: OpenInput, ctx: StreamContext): Promise<StreamBatch | null> {
    const text = frame.toString('utf8');
    const accounts = input.accounts();
    const relevant = text.includes('"delete"') || text.includes('"identity"') || accounts.some((a) => text.includes(a.externalId));
    if (!relevant) {
      const m = /"time_us"\s*:\s*(\d+)/.exec(text);
      return m ? { items: [], cursor: m[1]! } : null;
    }
    let event: { did?: unknown; time_us?: unknown; kind?: unknown; commit?: { operation?: unknown; collection?: unknown; rkey?: unknown; record?: unknown }; identity?: { did?: unknown; handle?: unknown } };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      return null;
    }
    const cursor = typeof event.time_us === 'number' && Number.isSafeInteger(event.time_us) ? String(event.time_us) : null;
    const empty = cursor ? { items: [], cursor } : null;
    if (event.kind === 'identity') {
      const did = typeof event.identity?.did === 'string' ? event.identity.did : null;
      const handle = typeof event.identity?.handle === 'string' && event.identity.handle ? event.identity.handle : null;
      if (did && handle) handles.set(did, handle, Date.now());
      else if (did) handles.forget(did);
      return empty;
    }
    const commit = event.commit;
    const repo = typeof event.did === 'string' ? event.did : null;
    if (event.kind !== 'commit' || !commit || !repo || commit.collection !== POST_COLLECTION || typeof commit.rkey !== 'string') return empty;
    const uri = `at://${repo}/${POST_COLLECTION}/${commit.rkey}`;
    if (commit.operation === 'delete') return { items: [], deleted: [uri], cursor };
    if ((commit.operation !== 'create' && commit.operation !== 'update') || !commit.record || typeof commit.record !== 'object') return empty;
    const items: StreamBatch['items'] = [];
    const seenAt = typeof event.time_us === 'number' ? new Date(Math.floor(event.time_us / 1000)).toISOString() : new Date().toISOString();
    // JSON records hold the same fields as the CBOR ones (links as {"$link": …}, unused here).
    await matchPost(uri, commit.record as CborMap, repo, input.upstream, accountsByDid(accounts), seenAt, ctx, items);
    return { items, cursor };
  }

  type OpenInput = Parameters<StreamCapability<BlueskyCredentials, BlueskySession>['open']>[0];

  /**
   * The frames of one WebSocket connection, as the consumer asks for them: the socket is paused while
   * `maxQueued` frames wait; a ping every `pingIntervalMs` and a socket silent until the next one is
   * closed as retryable; ends (returns) when `ctx.signal` aborts, throws when the connection fails.
   */
  async function* socketFrames(url: string, where: string, what: string, ctx: StreamContext): AsyncGenerator<Buffer> {
    const ws = new WebSocket(url, { maxPayload: maxFrameBytes, handshakeTimeout: 15_000, headers: { 'user-agent': `Herald (${what} subscriber)` } });
    const frames: Buffer[] = [];
    let failure: Error | null = null;
    let closed = false;
    let paused = false;
    let alive = true;
    let wake: (() => void) | null = null;
    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    ws.on('open', () => ctx.opened());
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      alive = true;
      frames.push(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data);
      if (frames.length >= maxQueued && !paused) {
        paused = true;
        ws.pause();
      }
      poke();
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('error', (e: Error) => {
      failure ??= new ConnectorError('retryable', `The Bluesky ${what} at ${where} failed: ${e.message}`, { cause: e });
      poke();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      closed = true;
      failure ??= new ConnectorError('retryable', `The Bluesky ${what} at ${where} closed the connection (code ${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`);
      poke();
    });
    const onAbort = () => {
      ws.terminate();
      poke();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const pinger = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!alive) {
        failure ??= new ConnectorError('retryable', `The Bluesky ${what} at ${where} stopped answering pings`);
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, pingIntervalMs);
    pinger.unref();
    try {
      for (;;) {
        if (ctx.signal.aborted) return;
        const frame = frames.shift();
        if (!frame) {
          if (failure) throw failure;
          if (closed) return;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        if (paused && frames.length <= maxQueued / 2) {
          paused = false;
          ws.resume();
        }
        yield frame;
      }
    } finally {
      clearInterval(pinger);
      ctx.signal.removeEventListener('abort', onAbort);
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    }
  }

  return {
    resumable: true,

    upstream(auth, ctx) {
      return jetstream ?? relay ?? httpBase(auth.serviceUrl ?? auth.credentials.serviceUrl ?? ctx.defaultServiceUrl);
    },

    // A relay or Jetstream carries every repository; a PDS only those it hosts (replies from accounts
    // on other PDSes, i.e. most of them on Bluesky's own hosting, reach Herald by polling).
    complete(upstream) {
      return upstream === jetstream || upstream === relay;
    },

    async *open(input, ctx) {
      const jet = jetstream !== null && input.upstream === jetstream;
      const url = jet ? jetstreamSubscribeUrl(input.upstream, input.cursor) : subscribeReposUrl(input.upstream, input.cursor);
      const where = jet ? new URL(url).host : httpBase(input.upstream);
      for await (const frame of socketFrames(url, where, jet ? 'Jetstream' : 'firehose', ctx)) {
        let batch: StreamBatch | null;
        try {
          batch = jet ? await jetstreamFrame(frame, input, ctx) : await firehoseFrame(frame, input, ctx);
        } catch (e) {
          if (ctx.signal.aborted) return;
          throw e;
        }
        if (batch) yield batch;
      }
    },
  };
}
