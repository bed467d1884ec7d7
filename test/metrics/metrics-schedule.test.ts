/**
 * The observation schedule: 1 h, 24 h, 7 d, 30 d after publishing, then daily to 90 d; due only when
 * the latest passed point has no observation at or after it.
 */
import { describe, expect, it } from 'vitest';
import { latestPointMs, observationDue, observationOffsetsMs } from '../../src/metrics/metrics-schedule';

const h = 3_600_000;
const d = 24 * h;
const published = '2026-01-01T00:00:00.000Z';
const p = Date.parse(published);
const at = (ms: number) => new Date(p + ms);
const iso = (ms: number) => at(ms).toISOString();

describe('metrics observation schedule', () => {
  it('has the documented points', () => {
    expect(observationOffsetsMs.slice(0, 5)).toEqual([h, d, 7 * d, 30 * d, 31 * d]);
    expect(observationOffsetsMs[observationOffsetsMs.length - 1]).toBe(90 * d);
    expect(observationOffsetsMs).toHaveLength(64);
  });

  it.each([
    ['before the first hour', 59 * 60_000, null, false],
    ['at 1 h, never observed', h, null, true],
    ['at 2 h, observed at 1 h', 2 * h, iso(h), false],
    ['at 2 h, observed at 59 min (before the point)', 2 * h, iso(59 * 60_000), true],
    ['at 23 h, observed at 1 h', 23 * h, iso(h), false],
    ['at 24 h, observed at 1 h', d, iso(h), true],
    ['at 6 d, observed at 24 h', 6 * d, iso(d), false],
    ['at 7 d + 5 min, observed at 24 h', 7 * d + 5 * 60_000, iso(d), true],
    ['at 29 d, observed at 7 d', 29 * d, iso(7 * d), false],
    ['at 30 d, observed at 7 d', 30 * d, iso(7 * d), true],
    ['at 31 d, observed at 30 d', 31 * d, iso(30 * d), true],
    ['at 31.5 d, observed at 31 d', 31.5 * d, iso(31 * d), false],
    ['at 90 d, observed at 89 d', 90 * d, iso(89 * d), true],
    ['at 120 d, observed at 90 d', 120 * d, iso(90 * d), false],
    ['after a long outage (at 20 d, last at 1 h): one observation, not one per missed point', 20 * d, iso(h), true],
  ] as const)('%s → %s', (_name, nowOffset, last, due) => {
    expect(observationDue(published, last, at(nowOffset))).toBe(due);
  });

  it('names the latest passed point', () => {
    expect(latestPointMs(p, p + 10 * d)).toBe(p + 7 * d);
    expect(latestPointMs(p, p + 30 * 60_000)).toBeNull();
  });
});
