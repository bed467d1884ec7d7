/**
 * Promoted-post suspicion. Organic engagement comes mostly in a post's first day; a post that keeps
 * gaining far more after 24 h than the account's other posts do may have been boosted with paid
 * promotion (or bought engagement). This is only a suspicion: the evidence (the numbers) goes with it.
 *
 * For each post: E24 = engagement in the observation closest to 24 h after publishing (within
 * `at24hWindowMs`), E_late = engagement in the newest observation at least `minAgeMs` and at most
 * `horizonMs` after publishing; share after 24 h = (E_late − E24) / E_late. The account's norm is the
 * median and the MAD (median absolute deviation) of its judged posts' shares; a post is flagged when
 * its share is above median + max(k × MAD, minExcess). `minExcess` keeps an account whose posts all
 * behave alike (MAD 0) from flagging a post for a tiny difference. Pure: no clock, no database.
 */

/** Engagement of a post at one moment. */
export interface EngagementObservation {
  observedAt: string;
  engagement: number;
}

/** One post with its observations (any order). */
export interface SuspicionPostInput {
  postId: string;
  publishedAt: string;
  observations: EngagementObservation[];
}

/** Tunables (defaults in {@link defaultSuspicionOptions}). */
export interface SuspicionOptions {
  /** Observations whose age is in [lo, hi] ms may stand for "at 24 h" (the closest to 24 h wins). */
  at24hWindowMs: [number, number];
  /** The later observation must be at least this old (ms after publishing). */
  minAgeMs: number;
  /** …and at most this old, so old and young posts are compared over similar spans. */
  horizonMs: number;
  /** Posts with less engagement than this at the later observation are not judged (noise). */
  minEngagement: number;
  /** How many MADs above the median a share must be. */
  k: number;
  /** The smallest excess over the median that can be flagged (a share, 0–1). */
  minExcess: number;
  /** Judged posts an account needs before anything is flagged. */
  minPosts: number;
}

const hour = 3_600_000;

/** Defaults: 24 h ± 4 h, later value 3–8 days after publishing, 10 engagements, 3 MADs, 15 points, 5 posts. */
export const defaultSuspicionOptions: SuspicionOptions = {
  at24hWindowMs: [20 * hour, 28 * hour],
  minAgeMs: 72 * hour,
  horizonMs: 8 * 24 * hour,
  minEngagement: 10,
  k: 3,
  minExcess: 0.15,
  minPosts: 5,
};

/** A post's growth after its first day. */
export interface PostGrowth {
  postId: string;
  publishedAt: string;
  engagementAt24h: number;
  at24hObservedAt: string;
  engagementLater: number;
  laterObservedAt: string;
  gainedAfter24h: number;
  /** (later − at 24 h) / later, 0–1 (negative when engagement was withdrawn). */
  shareAfter24h: number;
}

/** Why a post was not judged. */
export interface NotJudged {
  postId: string;
  reason: 'no_observation_near_24h' | 'too_young' | 'too_little_engagement';
}

/** The account's norm. */
export interface SuspicionNorm {
  posts: number;
  median: number;
  mad: number;
  threshold: number;
}

/** A flagged post with its evidence. */
export interface PromotionSuspicion extends PostGrowth {
  excessOverMedian: number;
  /** The numbers in words. */
  evidence: string;
}

/** What the detector found for one account. */
export interface SuspicionReport {
  judged: PostGrowth[];
  notJudged: NotJudged[];
  /** Null when fewer than `minPosts` posts could be judged. */
  norm: SuspicionNorm | null;
  suspicions: PromotionSuspicion[];
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
const hours = (ms: number) => (ms >= 48 * hour ? `${Math.round((ms / (24 * hour)) * 10) / 10} d` : `${Math.round((ms / hour) * 10) / 10} h`);

/** A post's growth, or why it has none. */
export function postGrowth(post: SuspicionPostInput, opts: SuspicionOptions = defaultSuspicionOptions): PostGrowth | NotJudged {
  const published = Date.parse(post.publishedAt);
  const aged = post.observations
    .map((o) => ({ ...o, age: Date.parse(o.observedAt) - published }))
    .filter((o) => Number.isFinite(o.age))
    .sort((a, b) => a.age - b.age);
  const [lo, hi] = opts.at24hWindowMs;
  let at24: (typeof aged)[number] | undefined;
  for (const o of aged) {
    if (o.age < lo || o.age > hi) continue;
    if (!at24 || Math.abs(o.age - 24 * hour) < Math.abs(at24.age - 24 * hour)) at24 = o;
  }
  if (!at24) return { postId: post.postId, reason: 'no_observation_near_24h' };
  const later = aged.filter((o) => o.age >= opts.minAgeMs && o.age <= opts.horizonMs && o.age > at24.age).pop();
  if (!later) return { postId: post.postId, reason: 'too_young' };
  if (later.engagement < opts.minEngagement || later.engagement <= 0) return { postId: post.postId, reason: 'too_little_engagement' };
  const gained = later.engagement - at24.engagement;
  return {
    postId: post.postId,
    publishedAt: post.publishedAt,
    engagementAt24h: at24.engagement,
    at24hObservedAt: at24.observedAt,
    engagementLater: later.engagement,
    laterObservedAt: later.observedAt,
    gainedAfter24h: gained,
    shareAfter24h: gained / later.engagement,
  };
}

/** Judges every post of one account against the account's own norm. */
export function detectPromotedPosts(posts: SuspicionPostInput[], options: Partial<SuspicionOptions> = {}): SuspicionReport {
  const opts = { ...defaultSuspicionOptions, ...options };
  const judged: PostGrowth[] = [];
  const notJudged: NotJudged[] = [];
  for (const p of posts) {
    const g = postGrowth(p, opts);
    if ('reason' in g) notJudged.push(g);
    else judged.push(g);
  }
  if (judged.length < opts.minPosts) return { judged, notJudged, norm: null, suspicions: [] };
  const shares = judged.map((g) => g.shareAfter24h);
  const med = median(shares);
  const mad = median(shares.map((s) => Math.abs(s - med)));
  const threshold = med + Math.max(opts.k * mad, opts.minExcess);
  const norm: SuspicionNorm = { posts: judged.length, median: med, mad, threshold };
  const suspicions = judged
    .filter((g) => g.shareAfter24h > threshold)
    .sort((a, b) => b.shareAfter24h - a.shareAfter24h)
    .map((g): PromotionSuspicion => {
      const p = Date.parse(g.publishedAt);
      const evidence =
        `Engagement was ${g.engagementAt24h} at ${hours(Date.parse(g.at24hObservedAt) - p)} after publishing and ${g.engagementLater} at ${hours(Date.parse(g.laterObservedAt) - p)}: ` +
        `${g.gainedAfter24h} (${pct(g.shareAfter24h)}) came after the first 24 h. This account's posts usually gain ${pct(med)} after 24 h ` +
        `(median of ${judged.length} posts, MAD ${pct(mad)}); the threshold is ${pct(threshold)}. Suspicion only: paid promotion is one explanation, a late viral share is another.`;
      return { ...g, excessOverMedian: g.shareAfter24h - med, evidence };
    });
  return { judged, notJudged, norm, suspicions };
}
