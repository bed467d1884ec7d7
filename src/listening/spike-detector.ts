/**
 * Spike detection over a volume series: the last window's count is compared with the trailing
 * baseline windows before it. An alert fires when
 *
 *   count > mean + k·σ   and   count ≥ minCount
 *
 * where mean and σ (population standard deviation) are over the baseline windows. σ is floored at √mean
 * and at `minSigma` (default 1): counts of independent messages spread at least like a Poisson count
 * (variance ≈ mean), and a short or very regular baseline would otherwise under-state the noise (a
 * baseline of exact zeros would make a single message a "spike").
 * The cooldown is the caller's: `scanSeries` shows the whole rule on a series (used by the tests and
 * to explain the settings), the listening sweep applies the same rule against the stored last alert.
 * Pure: no clock, no I/O.
 */

/** Detector settings. */
export interface SpikeOptions {
  /** How many standard deviations above the mean count as a spike (default 2). */
  k: number;
  /** Windows in the baseline (the trailing windows before the last one). */
  baselineWindows: number;
  /** The last window must hold at least this many messages (default 3). */
  minCount: number;
  /** Floor for σ (default 1). */
  minSigma: number;
}

/** Defaults: k = 2, 24 baseline windows, at least 3 messages, σ ≥ 1. */
export const defaultSpikeOptions: SpikeOptions = { k: 2, baselineWindows: 24, minCount: 3, minSigma: 1 };

/** The detector's verdict on the last window, with the figures that explain it. */
export interface SpikeVerdict {
  spike: boolean;
  windowCount: number;
  baselineMean: number;
  /** σ of the baseline as measured (before the floors). */
  baselineStdDev: number;
  /** mean + k·max(σ, √mean, minSigma). */
  threshold: number;
  /** Baseline windows actually available (fewer than asked when history is short). */
  baselineWindows: number;
  /** A sentence for people. */
  reason: string;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Judges the last element of `counts` against up to `opts.baselineWindows` elements before it.
 * Fewer than 2 baseline windows give no verdict (spike false): there is nothing to compare with.
 */
export function detectSpike(counts: readonly number[], options: Partial<SpikeOptions> = {}): SpikeVerdict {
  const opts = { ...defaultSpikeOptions, ...options };
  if (!(opts.k >= 0) || !Number.isFinite(opts.k)) throw new RangeError('k must be a finite number ≥ 0');
  const windowCount = counts.length ? counts[counts.length - 1]! : 0;
  const baseline = counts.slice(Math.max(0, counts.length - 1 - opts.baselineWindows), Math.max(0, counts.length - 1));
  if (baseline.length < 2) {
    return { spike: false, windowCount, baselineMean: 0, baselineStdDev: 0, threshold: Number.POSITIVE_INFINITY, baselineWindows: baseline.length, reason: 'not enough history for a baseline yet' };
  }
  const mean = baseline.reduce((s, x) => s + x, 0) / baseline.length;
  const variance = baseline.reduce((s, x) => s + (x - mean) * (x - mean), 0) / baseline.length;
  const sigma = Math.sqrt(variance);
  const threshold = mean + opts.k * Math.max(sigma, Math.sqrt(mean), opts.minSigma);
  const spike = windowCount > threshold && windowCount >= opts.minCount;
  const figures = `${windowCount} in the last window; baseline mean ${round(mean)}, σ ${round(sigma)} over ${baseline.length} windows; threshold mean + ${opts.k}·max(σ, √mean, ${opts.minSigma}) = ${round(threshold)}`;
  const reason = spike
    ? `spike: ${figures}`
    : windowCount > threshold
      ? `below the minimum of ${opts.minCount} messages: ${figures}`
      : `no spike: ${figures}`;
  return { spike, windowCount, baselineMean: round(mean), baselineStdDev: round(sigma), threshold: round(threshold), baselineWindows: baseline.length, reason };
}

/**
 * Runs the detector at every point of a series as a sweep would, one window per step, honouring a
 * cooldown of `cooldownWindows` windows after each alert. Returns the indexes that alerted.
 */
export function scanSeries(series: readonly number[], options: Partial<SpikeOptions> & { cooldownWindows: number }): number[] {
  const alerts: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < series.length; i++) {
    if (i - last <= options.cooldownWindows) continue;
    if (detectSpike(series.slice(0, i + 1), options).spike) {
      alerts.push(i);
      last = i;
    }
  }
  return alerts;
}
