/**
 * Reading engagement from the Bluesky AppView (through the account's PDS): replies, mentions and
 * quotes from app.bsky.notification.listNotifications, profile counts from app.bsky.actor.getProfile,
 * per-post counts from app.bsky.feed.getPosts, and the strong references a reply needs.
 *
 * Inbound cursor: JSON `{"v":1,"t":<newest notification indexedAt seen>,"seen":[…],"recent":[…]}`. The
 * AppView pages notifications newest first by `indexedAt` (its sort key, which for a post is the
 * earlier of createdAt and the moment the AppView indexed it). A later sync pages back until it passes
 * `t` minus `cursorOverlapMs` (15 minutes), so a post indexed late or with a slightly early createdAt
 * is still caught; `seen` holds the URIs already delivered inside that window (as 12-character
 * SHA-256 prefixes, so the cursor stays small), so they are not
 * delivered again (re-delivery would be harmless: Herald deduplicates by the at:// URI). A post
 * back-dated by more than the overlap is not seen. A bare ISO instant is accepted as a cursor too. A
 * first sync (no cursor) back-fills up to `inboundBackfillLimit` (500) items, newest first; when it
 * stopped at that limit the cursor also keeps `edge` (the oldest instant it read), below which the
 * following syncs do not look, so the limit holds. A later sync reads at most `maxPages` pages, so a
 * burst of more than ~5,000 notifications between two syncs loses its oldest part.
 *
 * Deletions: the AppView drops the notifications of a deleted post, so the listing cannot say that
 * something went away. Instead the cursor also keeps `recent` — items written in the 3 days before they
 * were delivered, for 3 days after delivery (at most 300, as [uri, kind, deliveredAtMs, checkedAtMs]) —
 * and each sync checks up to 50 of them
 * that were not checked for `deletionRecheckMs` (10 minutes) with app.bsky.feed.getPosts. One the
 * AppView no longer returns is confirmed with com.atproto.repo.getRecord (RecordNotFound) and then
 * reported with `deleted: true`. A post that is merely hidden from the account (its author blocked it
 * or was taken down) is still found by getRecord and is not reported. Older items are not checked.
 */
import { createHash } from 'node:crypto';
import { ConnectorError, type AccountMetrics, type InboundMessage, type PostMetrics } from '../connector';
import { parseRecordUri } from './atproto-syntax';
import { XrpcResponseError, isAuthError, toConnectorError, type BlueskyClient, type BlueskySession } from './bluesky-client';

const POST_COLLECTION = 'app.bsky.feed.post';

/** Notification reasons that are inbox items. */
export const inboundReasons = ['reply', 'mention', 'quote'] as const;

/** How far back before the cursor a later sync looks again. */
export const cursorOverlapMs = 15 * 60_000;
/** Items a first sync back-fills at most (the default of the connector's `inboundBackfillLimit`). */
export const backfillLimit = 500;
/** URIs the cursor remembers at most (the newest are kept; a dropped one may be delivered again). */
export const maxSeen = 1000;
/** How long a delivered item is watched for deletion, how many are kept, and checked per sync. */
export const recentWindowMs = 3 * 24 * 3_600_000;
export const maxRecent = 300;
export const checksPerSync = 50;
/** Pages a later sync reads at most. */
export const maxPages = 50;
/** URIs per app.bsky.feed.getPosts call, and actors per getProfiles call (the lexicons' maximum). */
export const getPostsBatch = 25;
/** Authors whose follower counts one sync looks up at most; the rest keep an unknown count. */
export const maxAuthorLookups = 100;

/** The public web address of a post (bsky.app resolves handles and DIDs alike). */
export function postUrl(handleOrDid: string, rkey: string): string {
  return `https://bsky.app/profile/${handleOrDid}/post/${rkey}`;
}

/**
 * Maps a failure of an AppView read. A PDS without an AppView answers 404 for app.bsky.* methods: that
 * says nothing about the account, so it is retryable rather than "disconnected".
 */
export function toReadError(e: unknown, action: string): ConnectorError {
  if (e instanceof XrpcResponseError && e.status === 404 && (e.code === null || e.code === 'MethodNotImplemented' || e.code === 'XRPCNotSupported')) {
    return new ConnectorError('retryable', `The Bluesky server does not forward ${action} to an AppView (HTTP 404); the account's PDS needs an AppView configured`, { networkCode: e.code ?? undefined });
  }
  return toConnectorError(e, action, false);
}

/** An authenticated GET through the PDS to the AppView. */
export function appviewGet<T>(client: BlueskyClient, session: BlueskySession, nsid: string, params: Record<string, string | string[]>): Promise<T> {
  return client.call<T>({ method: 'GET', nsid, params, token: session.accessJwt, proxy: client.opts.appviewProxy, write: false });
}

// ---------------------------------------------------------------------------------------------------
// Notifications → inbound messages

interface StrongRef {
  uri: string;
  cid: string;
}

interface PostRecordShape {
  text?: unknown;
  createdAt?: unknown;
  langs?: unknown;
  reply?: { root?: Partial<StrongRef>; parent?: Partial<StrongRef> };
  embed?: { $type?: unknown; record?: unknown; media?: unknown };
}

interface NotificationShape {
  uri?: unknown;
  cid?: unknown;
  reason?: unknown;
  reasonSubject?: unknown;
  indexedAt?: unknown;
  record?: unknown;
  author?: { did?: unknown; handle?: unknown; displayName?: unknown };
}

interface NotificationsPage {
  notifications?: NotificationShape[];
  cursor?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function isoOf(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function refUri(r: unknown): string | null {
  return r && typeof r === 'object' ? str((r as { uri?: unknown }).uri) : null;
}

/** The post a quote embeds (app.bsky.embed.record, or the record half of recordWithMedia). */
function quotedUri(record: PostRecordShape): string | null {
  const embed = record.embed;
  if (!embed || typeof embed !== 'object') return null;
  const inner = embed.$type === 'app.bsky.embed.recordWithMedia' ? (embed.record as { record?: unknown } | undefined)?.record : embed.record;
  return refUri(inner);
}

/**
 * One notification as an inbound message, or null when it is not one (other reasons, malformed).
 * A mention inside a reply to the account's own thread is filed as a reply: the AppView notifies each
 * account once per post, naming the mention first, but for the inbox it answers the account's post.
 */
export function toInboundMessage(n: NotificationShape, accountDid: string): InboundMessage | null {
  const reason = str(n.reason);
  const uri = str(n.uri);
  if (!reason || !uri || !(inboundReasons as readonly string[]).includes(reason)) return null;
  const at = parseRecordUri(uri);
  if (!at || at.collection !== POST_COLLECTION) return null;
  const record = (n.record && typeof n.record === 'object' ? n.record : {}) as PostRecordShape;
  const did = str(n.author?.did) ?? at.repo;
  const rawHandle = str(n.author?.handle);
  const handle = rawHandle && rawHandle !== 'handle.invalid' ? rawHandle : did;
  const parentUri = refUri(record.reply?.parent);
  const rootUri = refUri(record.reply?.root);
  const ours = (u: string | null) => u !== null && parseRecordUri(u)?.repo === accountDid;

  let kind: InboundMessage['kind'];
  let parentExternalId: string | null = parentUri;
  let rootExternalId: string | null = rootUri;
  if (reason === 'quote') {
    kind = 'quote';
    const quoted = str(n.reasonSubject) ?? quotedUri(record);
    parentExternalId = quoted;
    rootExternalId = quoted;
  } else if (reason === 'reply' || (parentUri && (ours(parentUri) || ours(rootUri)))) {
    kind = 'reply';
  } else {
    kind = 'mention';
  }
  const langs = Array.isArray(record.langs) ? record.langs.filter((l): l is string => typeof l === 'string' && l !== '') : [];
  const displayName = str(n.author?.displayName);
  return {
    externalId: uri,
    kind,
    parentExternalId,
    rootExternalId,
    author: { externalId: did, handle, displayName: displayName && displayName.trim() ? displayName : null },
    text: typeof record.text === 'string' ? record.text : '',
    url: postUrl(handle, at.rkey),
    createdAt: isoOf(record.createdAt) ?? isoOf(n.indexedAt) ?? new Date().toISOString(),
    lang: langs[0] ?? null,
  };
}

/**
 * Fills in each author's follower count (app.bsky.actor.getProfiles, 25 per call) for rules such as
 * "authors with more than N followers". Best effort: a failed lookup (other than a refused token, which
 * goes back to be renewed) leaves the counts unknown rather than failing the sync.
 */
async function addFollowerCounts(client: BlueskyClient, session: BlueskySession, items: InboundMessage[]): Promise<void> {
  const dids = [...new Set(items.map((i) => i.author.externalId))].slice(0, maxAuthorLookups);
  const followers = new Map<string, number | null>();
  for (let i = 0; i < dids.length; i += getPostsBatch) {
    try {
      const a = await appviewGet<{ profiles?: Array<{ did?: unknown; followersCount?: unknown }> }>(client, session, 'app.bsky.actor.getProfiles', { actors: dids.slice(i, i + getPostsBatch) });
      for (const p of a.profiles ?? []) {
        const did = str(p.did);
        if (did) followers.set(did, count(p.followersCount));
      }
    } catch (e) {
      if (isAuthError(e)) throw e;
      break;
    }
  }
  for (const item of items) if (followers.has(item.author.externalId)) item.author.followers = followers.get(item.author.externalId) ?? null;
}

/** The newest of two ISO instants (null-tolerant). */
function newer(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** The instant a page cursor stands for, when the AppView's cursor starts with one (it does today). */
function cursorInstant(c: string): number | null {
  const ms = Date.parse(c.split('::')[0] ?? '');
  return Number.isNaN(ms) ? null : ms;
}

/** The inbound cursor's parts; an unreadable cursor counts as none (a back-fill, deduplicated by Herald). */
/** A delivered item watched for deletion: [uri, kind, deliveredAtMs, checkedAtMs]. */
type RecentEntry = [string, InboundMessage['kind'], number, number];

function isRecentEntry(x: unknown): x is RecentEntry {
  return (
    Array.isArray(x) &&
    x.length === 4 &&
    typeof x[0] === 'string' &&
    typeof x[1] === 'string' &&
    (['comment', 'reply', 'mention', 'quote', 'dm'] as string[]).includes(x[1]) &&
    Number.isFinite(x[2]) &&
    Number.isFinite(x[3])
  );
}

/** A URI as the cursor's `seen` list keeps it: 72 bits of its SHA-256, base64url. */
export function seenKey(uri: string): string {
  return createHash('sha256').update(uri, 'utf8').digest('base64url').slice(0, 12);
}

/** The inbound cursor's parts. */
export interface InboundCursor {
  t: string | null;
  seen: Set<string>;
  edge: string | null;
  recent: RecentEntry[];
}

/** Reads a cursor; an unreadable one counts as none (a back-fill, deduplicated by Herald). */
export function parseInboundCursor(cursor: string | null): InboundCursor {
  const none: InboundCursor = { t: null, seen: new Set(), edge: null, recent: [] };
  if (!cursor) return none;
  if (cursor.trimStart().startsWith('{')) {
    try {
      const j = JSON.parse(cursor) as { t?: unknown; seen?: unknown; edge?: unknown; recent?: unknown };
      const seen = Array.isArray(j.seen) ? j.seen.filter((u): u is string => typeof u === 'string') : [];
      const t = isoOf(j.t);
      const recent = Array.isArray(j.recent) ? j.recent.filter(isRecentEntry) : [];
      return { t, seen: new Set(seen), edge: t ? isoOf(j.edge) : null, recent };
    } catch {
      return none;
    }
  }
  return { ...none, t: isoOf(cursor) };
}

/**
 * Checks watched items for deletion (see the module comment); returns the deletions to report and
 * the entries to keep watching (checked ones stamped `now`).
 */
async function checkDeletions(client: BlueskyClient, session: BlueskySession, recent: RecentEntry[], now: number): Promise<{ deleted: InboundMessage[]; keep: RecentEntry[] }> {
  const due = recent
    .filter((e) => e[3] <= now - client.opts.deletionRecheckMs)
    .sort((a, b) => a[3] - b[3])
    .slice(0, checksPerSync);
  if (!due.length) return { deleted: [], keep: recent };
  const present = new Set<string>();
  try {
    for (let i = 0; i < due.length; i += getPostsBatch) {
      const a = await appviewGet<{ posts?: Array<{ uri?: unknown }> }>(client, session, 'app.bsky.feed.getPosts', { uris: due.slice(i, i + getPostsBatch).map((e) => e[0]) });
      for (const p of a.posts ?? []) {
        const uri = str(p.uri);
        if (uri) present.add(uri);
      }
    }
  } catch (e) {
    // Best effort: a failed check must not hold up new messages (a refused token is renewed first).
    if (isAuthError(e)) throw e;
    return { deleted: [], keep: recent };
  }
  const gone = new Set<string>();
  for (const e of due) {
    if (present.has(e[0])) continue;
    const at = parseRecordUri(e[0]);
    if (!at) continue;
    try {
      await client.call({ method: 'GET', nsid: 'com.atproto.repo.getRecord', params: { repo: at.repo, collection: at.collection, rkey: at.rkey }, write: false });
    } catch (err) {
      if (err instanceof XrpcResponseError && err.code === 'RecordNotFound') gone.add(e[0]);
      // Anything else (a server hiccup, an unknown repository) proves nothing: look again next time.
    }
  }
  const checked = new Set(due.map((e) => e[0]));
  const deleted: InboundMessage[] = [];
  const keep: RecentEntry[] = [];
  for (const e of recent) {
    if (gone.has(e[0])) {
      const did = parseRecordUri(e[0])?.repo ?? '';
      deleted.push({ externalId: e[0], kind: e[1], parentExternalId: null, rootExternalId: null, author: { externalId: did, handle: did, displayName: null }, text: '', url: null, createdAt: new Date(e[2]).toISOString(), deleted: true });
    } else {
      keep.push(checked.has(e[0]) ? [e[0], e[1], e[2], now] : e);
    }
  }
  return { deleted, keep };
}

/** Reads replies, mentions and quotes since `cursor` (see the module comment for the cursor rules). */
export async function fetchInbound(
  client: BlueskyClient,
  session: BlueskySession,
  cursor: string | null,
): Promise<{ items: InboundMessage[]; cursor: string | null }> {
  const { t: since, seen, edge, recent } = parseInboundCursor(cursor);
  const now = Date.now();
  // A capped back-fill's lower edge stays a floor while it is inside the overlap window.
  const floorMs = since ? Math.max(Date.parse(since) - cursorOverlapMs, edge ? Date.parse(edge) : -Infinity) : null;
  const limit = client.opts.inboundBackfillLimit;
  let capped = false;
  const byUri = new Map<string, InboundMessage>();
  /** Every notification scanned, for the next cursor's `seen`. */
  const scanned: Array<{ uri: string; at: number }> = [];
  let newest = since;
  let page: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const params: Record<string, string | string[]> = { limit: String(client.opts.notificationsPageSize), reasons: [...inboundReasons] };
    if (page) params.cursor = page;
    const a = await appviewGet<NotificationsPage>(client, session, 'app.bsky.notification.listNotifications', params);
    const list = Array.isArray(a.notifications) ? a.notifications : [];
    let passedFloor = false;
    for (const n of list) {
      const indexedAt = isoOf(n.indexedAt);
      if (floorMs !== null && indexedAt && Date.parse(indexedAt) < floorMs) {
        passedFloor = true;
        continue;
      }
      newest = newer(newest, indexedAt);
      const uri = str(n.uri);
      if (uri && indexedAt) scanned.push({ uri, at: Date.parse(indexedAt) });
      if (uri && seen.has(seenKey(uri))) continue;
      const m = toInboundMessage(n, session.did);
      // One post can notify twice (e.g. a reply that also quotes); the first view is kept.
      if (m && !byUri.has(m.externalId)) byUri.set(m.externalId, m);
    }
    const next = str(a.cursor);
    if (passedFloor || !next || next === page) break;
    if (floorMs !== null) {
      const at = cursorInstant(next);
      if (at !== null && at < floorMs) break;
    }
    if (since === null && byUri.size >= limit) {
      capped = true;
      break;
    }
    page = next;
  }
  let items = [...byUri.values()];
  if (since === null && items.length > limit) {
    items = items.slice(0, limit);
    capped = true;
  }
  await addFollowerCounts(client, session, items);
  const watched = await checkDeletions(client, session, recent.filter((e) => e[2] > now - recentWindowMs), now);
  // Only messages written in the watch window are watched (an old one from a back-fill is not).
  const fresh: RecentEntry[] = items.filter((i) => Date.parse(i.createdAt) > now - recentWindowMs).map((i) => [i.externalId, i.kind, now, now]);
  const nextRecent = [...fresh, ...watched.keep.filter((e) => !byUri.has(e[0]))].slice(0, maxRecent);
  items = [...items, ...watched.deleted];
  if (!newest) return { items, cursor: null };
  // Remember what lies inside the next sync's overlap window, newest first. Items a capped back-fill
  // left out count as handled too: the back-fill's limit holds for the next sync as well.
  const windowStart = Date.parse(newest) - cursorOverlapMs;
  const keep = [...new Set(scanned.filter((x) => x.at >= windowStart).sort((a, b) => b.at - a.at).map((x) => seenKey(x.uri)))].slice(0, maxSeen);
  let edgeOut: string | null = null;
  if (capped && scanned.length) edgeOut = new Date(Math.min(...scanned.map((x) => x.at))).toISOString();
  else if (edge && Date.parse(edge) > windowStart) edgeOut = edge;
  return { items, cursor: JSON.stringify({ v: 1, t: newest, seen: keep, ...(edgeOut ? { edge: edgeOut } : {}), recent: nextRecent }) };
}

// ---------------------------------------------------------------------------------------------------
// Metrics

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : null);

/** Followers, follows and posts of the account, from its AppView profile. */
export async function accountMetrics(client: BlueskyClient, session: BlueskySession, did: string): Promise<AccountMetrics> {
  const p = await appviewGet<{ followersCount?: unknown; followsCount?: unknown; postsCount?: unknown }>(client, session, 'app.bsky.actor.getProfile', { actor: did });
  return { followers: count(p.followersCount), following: count(p.followsCount), posts: count(p.postsCount) };
}

/**
 * Like, repost, reply and quote counts per post URI (25 per call). Bluesky has no views or reach: those
 * stay null. URIs that are not Bluesky posts, and posts the AppView no longer returns (deleted, taken
 * down), are left out.
 */
export async function postMetrics(client: BlueskyClient, session: BlueskySession, externalIds: string[]): Promise<Record<string, PostMetrics>> {
  const uris = [...new Set(externalIds.filter((u) => parseRecordUri(u)?.collection === POST_COLLECTION))];
  const out: Record<string, PostMetrics> = {};
  for (let i = 0; i < uris.length; i += getPostsBatch) {
    const batch = uris.slice(i, i + getPostsBatch);
    const a = await appviewGet<{ posts?: Array<{ uri?: unknown; likeCount?: unknown; repostCount?: unknown; replyCount?: unknown; quoteCount?: unknown }> }>(
      client,
      session,
      'app.bsky.feed.getPosts',
      { uris: batch },
    );
    const asked = new Set(batch);
    for (const p of a.posts ?? []) {
      const uri = str(p.uri);
      if (!uri || !asked.has(uri)) continue;
      out[uri] = { likes: count(p.likeCount), shares: count(p.repostCount), comments: count(p.replyCount), quotes: count(p.quoteCount), views: null, reach: null };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reply references

/**
 * The `reply` field for a post answering `parentUri`: the parent's strong reference and its thread's
 * root (the parent itself when it starts the thread). Null when the post no longer exists.
 */
export async function replyRefs(client: BlueskyClient, session: BlueskySession, parentUri: string): Promise<{ root: StrongRef; parent: StrongRef } | null> {
  const a = await appviewGet<{ posts?: Array<{ uri?: unknown; cid?: unknown; record?: unknown }> }>(client, session, 'app.bsky.feed.getPosts', { uris: [parentUri] });
  let found = (a.posts ?? []).find((p) => str(p.uri) === parentUri);
  if (!found) {
    // Not (yet) indexed by the AppView: the record itself, from the repository (the PDS answers for its
    // own accounts and forwards the rest).
    const at = parseRecordUri(parentUri)!;
    try {
      const r = await client.call<{ uri?: unknown; cid?: unknown; value?: unknown }>({
        method: 'GET',
        nsid: 'com.atproto.repo.getRecord',
        params: { repo: at.repo, collection: at.collection, rkey: at.rkey },
        write: false,
      });
      found = { uri: r.uri ?? parentUri, cid: r.cid, record: r.value };
    } catch (e) {
      if (e instanceof XrpcResponseError && (e.code === 'RecordNotFound' || e.status === 404 || e.status === 400)) return null;
      throw e;
    }
  }
  const cid = str(found.cid);
  if (!cid) return null;
  const parent = { uri: parentUri, cid };
  const record = (found.record && typeof found.record === 'object' ? found.record : {}) as PostRecordShape;
  const root = record.reply?.root;
  const rootUri = str(root?.uri);
  const rootCid = str(root?.cid);
  return { parent, root: rootUri && rootCid ? { uri: rootUri, cid: rootCid } : parent };
}
