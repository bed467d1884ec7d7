import { describe, expect, it } from 'vitest';
import { detectPromotedPosts, median, postGrowth, type SuspicionPostInput } from '../../src/competitors/promotion-suspicion';

const t0 = Date.parse('2026-03-01T12:00:00Z');
const h = 3_600_000;
const at = (hours: number) => new Date(t0 + hours * h).toISOString();

/** A post published `dayOffset` days after t0 with engagement observed at the given ages (hours). */
function post(id: string, points: Array<[number, number]>, dayOffset = 0): SuspicionPostInput {
  const base = t0 + dayOffset * 24 * h;
  return { postId: id, publishedAt: new Date(base).toISOString(), observations: points.map(([age, engagement]) => ({ observedAt: new Date(base + age * h).toISOString(), engagement })) };
}

describe('postGrowth', () => {
  it.each([
    ['24 h and 7 d observed', [[1, 10], [24.5, 80], [168, 100]], { engagementAt24h: 80, engagementLater: 100, gainedAfter24h: 20, shareAfter24h: 0.2 }],
    ['closest to 24 h wins (23 h over 27 h)', [[23, 50], [27, 60], [96, 100]], { engagementAt24h: 50, engagementLater: 100, shareAfter24h: 0.5 }],
    ['newest within the horizon is the later value', [[24, 40], [72, 50], [190, 80], [200, 999]], { engagementAt24h: 40, engagementLater: 80, shareAfter24h: 0.5 }],
    ['withdrawn engagement gives a negative share', [[24, 100], [100, 80]], { gainedAfter24h: -20, shareAfter24h: -0.25 }],
  ] as Array<[string, Array<[number, number]>, Record<string, number>]>)('%s', (_name, points, expected) => {
    const g = postGrowth(post('p', points));
    expect(g).toMatchObject(expected);
  });

  it.each([
    ['first seen at 3 days', [[72, 50], [168, 90]], 'no_observation_near_24h'],
    ['only an early observation', [[2, 30], [168, 90]], 'no_observation_near_24h'],
    ['no observation 3 days or more after publishing', [[24, 30], [48, 40]], 'too_young'],
    ['too little engagement to judge', [[24, 2], [120, 9]], 'too_little_engagement'],
  ] as Array<[string, Array<[number, number]>, string]>)('not judged: %s', (_name, points, reason) => {
    expect(postGrowth(post('p', points))).toEqual({ postId: 'p', reason });
  });
});

describe('detectPromotedPosts', () => {
  // Six organic posts gain 10–20% after the first day; "boosted" gains 75%.
  const organic = [0.1, 0.12, 0.15, 0.2, 0.1, 0.18].map((share, i) => post(`o${i}`, [[24, Math.round(100 * (1 - share))], [168, 100]], i));
  const boosted = post('boosted', [[24, 50], [168, 200]], 7);

  it('flags the post far above the account norm, with the evidence in numbers', () => {
    const r = detectPromotedPosts([...organic, boosted]);
    // Shares: 0.1, 0.12, 0.15, 0.2, 0.1, 0.18, 0.75 → median 0.15; deviations 0.05 0.03 0 0.05 0.05 0.03 0.6 → MAD 0.05.
    expect(r.norm).not.toBeNull();
    expect(r.norm!.posts).toBe(7);
    expect(r.norm!.median).toBeCloseTo(0.15, 10);
    expect(r.norm!.mad).toBeCloseTo(0.05, 10);
    expect(r.norm!.threshold).toBeCloseTo(0.3, 10); // 0.15 + max(3 × 0.05, 0.15)
    expect(r.suspicions.map((s) => s.postId)).toEqual(['boosted']);
    const s = r.suspicions[0]!;
    expect(s).toMatchObject({ engagementAt24h: 50, engagementLater: 200, gainedAfter24h: 150, shareAfter24h: 0.75 });
    expect(s.excessOverMedian).toBeCloseTo(0.6, 10);
    expect(s.evidence).toContain('Engagement was 50 at 24 h after publishing and 200 at 7 d');
    expect(s.evidence).toContain('150 (75%) came after the first 24 h');
    expect(s.evidence).toContain('usually gain 15% after 24 h (median of 7 posts, MAD 5%); the threshold is 30%');
    expect(s.evidence).toContain('Suspicion only');
  });

  it.each([
    ['a post just under the threshold', 0.29, []],
    ['a post just over the threshold', 0.31, ['edge']],
  ] as Array<[string, number, string[]]>)('%s', (_name, share, flagged) => {
    const edge = post('edge', [[24, Math.round(1000 * (1 - share))], [168, 1000]], 8);
    expect(detectPromotedPosts([...organic, edge]).suspicions.map((s) => s.postId)).toEqual(flagged);
  });

  it('needs minPosts judged posts before judging anything', () => {
    const r = detectPromotedPosts([...organic.slice(0, 3), boosted]);
    expect(r.norm).toBeNull();
    expect(r.suspicions).toEqual([]);
    expect(r.judged).toHaveLength(4);
  });

  it('an account whose posts all behave alike (MAD 0) needs the minimum excess of 15 points', () => {
    const same = [0, 1, 2, 3, 4].map((i) => post(`s${i}`, [[24, 90], [168, 100]], i));
    const slightly = post('slight', [[24, 85], [168, 100]], 5); // 0.15 vs median 0.1: +5 points
    const clearly = post('clear', [[24, 70], [168, 100]], 6); // 0.30: +20 points
    const r = detectPromotedPosts([...same, slightly, clearly]);
    expect(r.norm).toMatchObject({ median: 0.1, mad: 0 });
    expect(r.norm!.threshold).toBeCloseTo(0.25, 10);
    expect(r.suspicions.map((s) => s.postId)).toEqual(['clear']);
  });

  it('posts that cannot be judged are listed with the reason and do not shape the norm', () => {
    const late = post('late', [[80, 10], [168, 200]], 9);
    const r = detectPromotedPosts([...organic, boosted, late]);
    expect(r.notJudged).toEqual([{ postId: 'late', reason: 'no_observation_near_24h' }]);
    expect(r.norm!.posts).toBe(7);
  });

  it('options change the rule (k, minExcess, minPosts)', () => {
    const strict = detectPromotedPosts([...organic, boosted], { k: 20, minExcess: 0 });
    // threshold 0.15 + 20 × 0.05 = 1.15: nothing is that far out.
    expect(strict.suspicions).toEqual([]);
    const loose = detectPromotedPosts([...organic, boosted], { k: 0, minExcess: 0.04 });
    // threshold 0.19: 0.2 and 0.75 are above.
    expect(loose.suspicions.map((s) => s.postId)).toEqual(['boosted', 'o3']);
  });

  it('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('uses observation instants, not list order', () => {
    const shuffled = { ...boosted, observations: [...boosted.observations].reverse() };
    expect(postGrowth(shuffled)).toMatchObject({ engagementAt24h: 50, engagementLater: 200 });
    expect(at(0)).toBe('2026-03-01T12:00:00.000Z');
  });
});
