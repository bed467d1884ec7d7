/**
 * The spike detector on synthetic series: no alert on flat (seeded) noise, an alert exactly at a
 * step, the cooldown respected, the σ floor on a zero baseline, negative-only series and how counts
 * per minute fall into windows.
 */
import { describe, expect, it } from 'vitest';
import { detectSpike, scanSeries } from '../../src/listening/spike-detector';
import { windowCounts } from '../../src/listening/listening-alerts';

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

  it('negative-only mode: a negative burst inside steady total volume alerts on negatives only', () => {
    // 24 hours of 10 positive + 1 negative an hour; the last hour 10 positive + 9 negative.
    const all = [...new Array(24).fill(11), 19];
    const negative = [...new Array(24).fill(1), 9];
    // k = 3: total 19 stays under 11 + 3·√11 ≈ 20.95; negatives 9 exceed 1 + 3·max(0, 1, 1) = 4.
    expect(detectSpike(all, { k: 3 }).spike).toBe(false);
    expect(detectSpike(negative, { k: 3 })).toMatchObject({ spike: true, windowCount: 9, baselineMean: 1, baselineStdDev: 0, threshold: 4 });
  });

  it('places per-minute counts into windows ending at a whole minute, boundaries exact', () => {
    const end = Date.parse('2026-03-10T12:00:00Z');
    const hour = 3_600_000;
    const counts = windowCounts(
      [
        { minute: '2026-03-10T11:59', n: 2 }, // last window
        { minute: '2026-03-10T11:00', n: 3 }, // first minute of the last window
        { minute: '2026-03-10T10:59', n: 5 }, // previous window
        { minute: '2026-03-10T09:00', n: 7 }, // two windows back (the oldest kept)
        { minute: '2026-03-10T08:59', n: 100 }, // older than the range
        { minute: '2026-03-10T12:00', n: 100 }, // the current, unfinished minute
      ],
      end,
      hour,
      3,
    );
    expect(counts).toEqual([7, 5, 5]);
  });
});
