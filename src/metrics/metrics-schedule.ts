/**
 * When a published post's counts are observed: 1 hour, 24 hours, 7 days and 30 days after it went
 * out, then once a day up to 90 days. A post is due when the latest of those points that has passed
 * has no observation at or after it; a run that missed points (downtime) observes once, not once
 * per missed point.
 */

const hour = 3_600_000;
const day = 24 * hour;

/** The observation points, as offsets from `published_at`, ascending. */
export const observationOffsetsMs: readonly number[] = [hour, day, 7 * day, ...Array.from({ length: 61 }, (_, i) => (30 + i) * day)];

/** How long after publishing observations stop. */
export const observationHorizonMs = 90 * day;

/** The latest observation point at or before `nowMs`, or null when none has passed yet. */
export function latestPointMs(publishedAtMs: number, nowMs: number): number | null {
  let latest: number | null = null;
  for (const off of observationOffsetsMs) {
    const p = publishedAtMs + off;
    if (p > nowMs) break;
    latest = p;
  }
  return latest;
}

/** Whether the post needs an observation now, given when it was last observed (null = never). */
export function observationDue(publishedAt: string, lastObservedAt: string | null, now: Date): boolean {
  const published = Date.parse(publishedAt);
  if (Number.isNaN(published)) return false;
  const point = latestPointMs(published, now.getTime());
  if (point === null) return false;
  return lastObservedAt === null || Date.parse(lastObservedAt) < point;
}
