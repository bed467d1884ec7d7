/**
 * The delivery stream for bench/ingest: real public posts from ../shared/data/loadtest (Mastodon posts
 * as JSON lines, tweets one per line; load tests only, never shipped) turned into inbound messages as a
 * connector's `comments.fetch` would return them, in per-account batches.
 *
 * - Every post is used once (unique network id); both files are mixed by a seeded shuffle.
 * - Authors come from a pool (Mastodon posts keep their instance in the handle); follower counts are
 *   spread log-uniformly, so `minFollowers` rules match some of them.
 * - Network times are spread over `days` days, oldest first within the stream.
 * - Kinds: comments under one of the account's published posts, replies to an earlier message of the
 *   same account (threads), mentions, and quotes of our posts.
 * - Tweets carry the network's language tag (`en`), Mastodon posts none (detected by Herald).
 * - About `duplicateRate` of each batch after an account's first is re-delivered earlier items
 *   (dedupe), the same text as before.
 *
 * Deterministic for a given seed, so runs compare.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundMessage } from '../../src/connectors/connector';

/** A small seeded PRNG (mulberry32): the stream is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One public post and where it came from. */
export interface LoadtestPost {
  text: string;
  /** Mastodon instance, or null for a tweet. */
  instance: string | null;
}

/** Reads both load-test files: every Mastodon post, then tweets up to `total` posts in all. */
export function loadLoadtestPosts(sharedDir: string, total: number): LoadtestPost[] {
  const dir = join(sharedDir, 'data/loadtest');
  const out: LoadtestPost[] = [];
  for (const line of readFileSync(join(dir, 'mastodon-fedidata-posts.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line) as { text?: string; instance?: string };
    if (typeof p.text === 'string' && p.text.trim()) out.push({ text: p.text, instance: p.instance ?? 'mastodon.invalid' });
  }
  for (const f of ['tweeteval-emoji-train_text.txt', 'tweeteval-emoji-test_text.txt']) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const text = line.trim();
      if (text) out.push({ text, instance: null });
    }
  }
  if (out.length < total) throw new Error(`only ${out.length} posts in ${dir}; asked for ${total}`);
  return out;
}

/** How the stream is shaped. */
export interface StreamShape {
  items: number;
  accounts: number;
  /** Items per `comments.fetch` answer (before re-deliveries are added). */
  batch: number;
  /** Published posts per account that comments can be under. */
  postsPerAccount: number;
  duplicateRate: number;
  days: number;
  seed: number;
  /** Instant the newest message is near (ms). */
  endMs: number;
}

/** The batches per account (in delivery order) and the network ids of our published posts. */
export interface DeliveryStream {
  /** Account index → its batches, oldest first. */
  batches: InboundMessage[][][];
  /** Account index → network ids of its published posts. */
  ourPosts: string[][];
  unique: number;
  duplicates: number;
  kinds: Record<InboundMessage['kind'], number>;
}

/** Builds the stream from the posts (shuffled and cut to `shape.items`). */
export function buildDeliveryStream(all: LoadtestPost[], shape: StreamShape, network: string): DeliveryStream {
  const rnd = seededRandom(shape.seed);
  const posts = all.slice();
  for (let i = posts.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [posts[i], posts[j]] = [posts[j]!, posts[i]!];
  }
  posts.length = shape.items;

  const ourPosts = Array.from({ length: shape.accounts }, (_, a) => Array.from({ length: shape.postsPerAccount }, (_, p) => `${network}-post-${a}-${p}`));
  const perAccount: InboundMessage[][] = Array.from({ length: shape.accounts }, () => []);
  const kinds: DeliveryStream['kinds'] = { comment: 0, reply: 0, mention: 0, quote: 0, dm: 0 };
  const authors = 20_000;
  const spanMs = shape.days * 86_400_000;
  const startMs = shape.endMs - spanMs;
  for (let i = 0; i < posts.length; i++) {
    const post = posts[i]!;
    const a = i % shape.accounts;
    const mine = perAccount[a]!;
    const k = Math.floor(rnd() * authors);
    const handle = post.instance ? `user${k}@${post.instance}` : `tw_user${k}`;
    const followers = Math.floor(Math.exp(rnd() * Math.log(200_000)));
    // Oldest first with a little jitter, never before the previous message of the account.
    const createdMs = startMs + Math.floor((i / posts.length) * spanMs) + Math.floor(rnd() * 1000);
    const r = rnd();
    let kind: InboundMessage['kind'];
    let parent: string | null = null;
    let root: string | null = null;
    const ours = ourPosts[a]![Math.floor(rnd() * shape.postsPerAccount)]!;
    if (r < 0.35 || mine.length === 0) {
      kind = 'comment';
      parent = ours;
      root = ours;
    } else if (r < 0.6) {
      // A reply to one of the last few hundred messages of the account: conversations stay recent.
      const p = mine[mine.length - 1 - Math.floor(rnd() * Math.min(mine.length, 300))]!;
      kind = 'reply';
      parent = p.externalId;
      root = p.rootExternalId;
    } else if (r < 0.92) {
      kind = 'mention';
    } else {
      kind = 'quote';
      parent = ours;
      root = ours;
    }
    kinds[kind] += 1;
    const externalId = `${network}-${i}`;
    mine.push({
      externalId,
      kind,
      parentExternalId: parent,
      rootExternalId: root,
      author: { externalId: `author-${handle}`, handle, displayName: rnd() < 0.7 ? `User ${k}` : null, followers },
      text: post.text,
      url: `https://${post.instance ?? 'twitter.invalid'}/@u${k}/${i}`,
      createdAt: new Date(createdMs).toISOString(),
      // TweetEval's tweets are English and say so, as networks do; the Mastodon dump has no language
      // field, so those messages go through language detection.
      lang: post.instance ? null : 'en',
    });
  }

  let duplicates = 0;
  const batches = perAccount.map((mine) => {
    const out: InboundMessage[][] = [];
    for (let s = 0; s < mine.length; s += shape.batch) {
      const batch = mine.slice(s, s + shape.batch);
      // Networks re-deliver around a cursor: items from the previous two batches come again.
      if (s > 0) {
        const n = Math.round(batch.length * shape.duplicateRate);
        const from = Math.max(0, s - 2 * shape.batch);
        for (let d = 0; d < n; d++) batch.push({ ...mine[from + Math.floor(rnd() * (s - from))]! });
        duplicates += n;
      }
      out.push(batch);
    }
    return out;
  });
  return { batches, ourPosts, unique: posts.length, duplicates, kinds };
}
