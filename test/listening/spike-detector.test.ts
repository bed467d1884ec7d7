/**
 * The spike detector on synthetic series: no alert on flat (seeded) noise, an alert exactly at a
 * step, the cooldown respected, the σ floor on a zero baseline, and negative-only counting.
 */
import { describe, expect, it } from 'vitest';
import { detectSpike, scanSeries } from '../../src/listening/spike-detector';
import { windowCounts } from '../../src/listening/listening-alerts';
import type { WindowMatch } from '../../src/repositories/listening.repository';

/** mulberry32: a small seeded PRNG so the noise is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` windows of level ± amplitude (uniform integers). */
function noise(seed: number, n: number, level: number, amplitude: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => level + Math.floor(r() * (2 * amplitude + 1)) - amplitude);
}

describe('spike detector', () => {
  it('does not alert on flat noise (seeded, 500 windows, k = 2)', () => {
    for (const seed of [1, 2, 3]) {
      const series = noise(seed, 500, 40, 4);
      expect(scanSeries(series, { k: 2, baselineWindows: 24, cooldownWindows: 0 }), `seed ${seed}`).toEqual([]);
    }
  });

  it('does not alert on a constant series, even at zero (σ floor)', () => {
    expect(scanSeries(new Array(100).fill(7), { cooldownWindows: 0 })).toEqual([]);
    expect(scanSeries(new Array(100).fill(0), { cooldownWindows: 0 })).toEqual([]);
    // One message after silence is not a spike: threshold 0 + 2·1 and a minimum of 3.
    expect(detectSpike([...new Array(24).fill(0), 1]).spike).toBe(false);
    expect(detectSpike([...new Array(24).fill(0), 3]).spike).toBe(true);
  });

  it('alerts exactly where a step happens, and explains why', () => {
    const series = [...noise(7, 40, 10, 2), 30, 31, 29];
    expect(scanSeries(series, { k: 2, baselineWindows: 24, cooldownWindows: 0 })[0]).toBe(40);
    const v = detectSpike(series.slice(0, 41), { k: 2, baselineWindows: 24 });
    expect(v.spike).toBe(true);
    expect(v.windowCount).toBe(30);
    expect(v.baselineWindows).toBe(24);
    expect(v.threshold).toBeCloseTo(v.baselineMean + 2 * Math.max(v.baselineStdDev, Math.sqrt(v.baselineMean), 1), 2);
    expect(v.reason).toMatch(/^spike: 30 in the last window; baseline mean [\d.]+, σ [\d.]+ over 24 windows; threshold mean \+ 2·max\(σ, √mean, 1\) = [\d.]+$/);
  });

  it('a larger k needs a larger step', () => {
    const series = [...noise(11, 30, 10, 2), 18];
    expect(detectSpike(series, { k: 2 }).spike).toBe(true);
    expect(detectSpike(series, { k: 3 }).spike).toBe(false);
  });

  it('respects the cooldown', () => {
    // Two steps three windows apart.
    const series = [...noise(5, 30, 10, 1), 30, 30, 30, 80, 80];
    expect(scanSeries(series, { k: 2, baselineWindows: 24, cooldownWindows: 6 })).toEqual([30]);
    expect(scanSeries(series, { k: 2, baselineWindows: 24, cooldownWindows: 2 })).toEqual([30, 33]);
    // A lasting plateau alerts again once the cooldown is over only if it still stands out.
    const plateau = [...noise(5, 30, 10, 1), ...new Array(40).fill(30)];
    const alerts = scanSeries(plateau, { k: 2, baselineWindows: 24, cooldownWindows: 3 });
    expect(alerts[0]).toBe(30);
    for (let i = 1; i < alerts.length; i++) expect(alerts[i]! - alerts[i - 1]!).toBeGreaterThan(3);
  });

  it('gives no verdict without at least two baseline windows', () => {
    expect(detectSpike([100]).spike).toBe(false);
    expect(detectSpike([0, 100]).spike).toBe(false);
    expect(detectSpike([0, 0, 100]).spike).toBe(true);
  });

  it('negative-only mode counts negative matches (each message once) per window', () => {
    const hour = 3_600_000;
    const now = Date.parse('2026-03-10T12:00:00Z');
    const matches: WindowMatch[] = [];
    let n = 0;
    const add = (hoursAgo: number, label: string, times: number) => {
      for (let i = 0; i < times; i++) {
        const id = `m${++n}`;
        const at = new Date(now - hoursAgo * hour - 60_000).toISOString();
        matches.push({ message_id: id, message_created_at: at, sentiment_label: label, sentiment_score: label === 'negative' ? -0.5 : 0.5, author_followers: null });
      }
    };
    // 24 hours of 10 positive + 1 negative an hour; then the last hour: 10 positive + 9 negative.
    for (let h = 1; h <= 24; h++) {
      add(h, 'positive', 10);
      add(h, 'negative', 1);
    }
    add(0, 'positive', 10);
    add(0, 'negative', 9);
    // The same message matched by two queries counts once.
    matches.push({ ...matches[matches.length - 1]! });

    const all = windowCounts(matches, now, hour, 25, false);
    const negative = windowCounts(matches, now, hour, 25, true);
    expect(all.counts).toEqual([...new Array(24).fill(11), 19]);
    expect(negative.counts).toEqual([...new Array(24).fill(1), 9]);
    expect(negative.last).toHaveLength(9);
    // k = 3: total volume 19 against a flat 11 stays under 11 + 3·√11 ≈ 20.95; negatives 9 against 1 exceed 1 + 3·1 = 4.
    expect(detectSpike(all.counts, { k: 3 }).spike).toBe(false);
    expect(detectSpike(negative.counts, { k: 3 }).spike).toBe(true);
    expect(detectSpike(negative.counts, { k: 3 }).threshold).toBe(4);
    // Messages outside the range or in the future are ignored.
    expect(windowCounts([{ ...matches[0]!, message_id: 'future', message_created_at: new Date(now + hour).toISOString() }], now, hour, 25, false).counts.reduce((a, b) => a + b)).toBe(0);
  });
});
