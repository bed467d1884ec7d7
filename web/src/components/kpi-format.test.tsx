/**
 * Dashboard formatting: "—" for missing values but a real 0 stays 0, KPI units and signs per language,
 * ▲/▼ from the API's change (absolute change when there is no percent), durations in the language's
 * units, calendar days without a zone shift, and the instants a zone's local days start at — across
 * both DST changes and a skipped midnight.
 */
import { describe, expect, it } from 'vitest';
import { addDays, changeBetween, changeView, dayInZone, formatCount, formatDay, formatExact, formatKpiValue, formatMinutes, formatPercent, missingMark, zonedDayStart } from './kpi-format';
import { followerColumns } from './analytics-follower-chart';
import { hourName, weekdayName } from './analytics-heatmap';

const plain = (s: string) => s.replace(/\s/g, ' ');

describe('missing values', () => {
  it('are "—" and never 0; a measured 0 stays 0', () => {
    for (const v of [null, undefined, Number.NaN]) {
      expect(formatPercent(v, 'en')).toBe(missingMark);
      expect(formatCount(v, 'ru')).toBe(missingMark);
      expect(formatExact(v, 'sv')).toBe(missingMark);
      expect(formatKpiValue(v, 'followers', 'en')).toBe(missingMark);
      expect(formatMinutes(v, 'en')).toBe(missingMark);
    }
    expect(formatPercent(0, 'en')).toBe('0%');
    expect(formatKpiValue(0, 'followers', 'en')).toBe('0');
    expect(formatCount(0, 'en')).toBe('0');
  });
});

describe('numbers per language', () => {
  it('formats KPI values in their unit', () => {
    expect(formatKpiValue(8.681818, 'percent', 'en')).toBe('8.68%');
    expect(plain(formatKpiValue(8.681818, 'percent', 'ru'))).toBe('8,68 %');
    expect(plain(formatKpiValue(8.681818, 'percent', 'sv'))).toBe('8,68 %');
    expect(formatKpiValue(250, 'followers', 'en')).toBe('+250');
    expect(plain(formatKpiValue(-1250, 'followers', 'ru'))).toBe('-1 250');
    expect(formatKpiValue(203.603604, 'percent_per_week', 'en')).toBe('203.6%');
    expect(plain(formatExact(8.681818, 'ru'))).toBe('8,681818');
    expect(plain(formatCount(4400, 'sv'))).toBe('4 400');
  });

  it('turns the API change into an arrow and an amount', () => {
    expect(changeView({ absolute: 4.641414, percent: 114.875 }, 'percent', 'en')).toEqual({ direction: 'up', arrow: '▲', amount: '114.9%' });
    expect(changeView({ absolute: -3, percent: -12.5 }, 'percent', 'ru')).toMatchObject({ direction: 'down', arrow: '▼' });
    expect(plain(changeView({ absolute: -3, percent: -12.5 }, 'percent', 'ru')!.amount)).toBe('12,5 %');
    expect(changeView({ absolute: 0, percent: 0 }, 'percent', 'en')).toMatchObject({ direction: 'flat', arrow: '=' });
    // Previous value 0: no percent exists, the absolute change does.
    expect(changeView({ absolute: 250, percent: null }, 'followers', 'en')).toEqual({ direction: 'up', arrow: '▲', amount: '250' });
    expect(changeView({ absolute: null, percent: null }, 'percent', 'en')).toBeNull();
    expect(changeBetween(0.5, 0.25)).toEqual({ absolute: 0.25, percent: 100 });
    expect(changeBetween(0.5, null)).toEqual({ absolute: null, percent: null });
    expect(changeBetween(3, 0)).toEqual({ absolute: 3, percent: null });
  });

  it('writes durations in the language’s units', () => {
    expect(formatMinutes(45, 'en')).toBe('45 min');
    expect(plain(formatMinutes(65, 'ru'))).toBe('1 ч 5 мин');
    expect(plain(formatMinutes(120, 'sv'))).toBe('2 tim');
  });
});

describe('days and zones', () => {
  it('formats a calendar day as that day in every zone', () => {
    expect(formatDay('2026-03-29', 'en')).toBe('March 29, 2026');
    expect(formatDay('2026-03-29', 'ru')).toBe('29 марта 2026 г.');
    expect(formatDay('2026-03-29', 'sv')).toBe('29 mars 2026');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('finds when a local day starts, across DST changes and a skipped midnight', () => {
    // Stockholm: winter time, then the first summer-time day (the clocks jump at 02:00), then summer time.
    expect(zonedDayStart('2026-03-29', 'Europe/Stockholm')).toBe('2026-03-28T23:00:00.000Z');
    expect(zonedDayStart('2026-03-30', 'Europe/Stockholm')).toBe('2026-03-29T22:00:00.000Z');
    expect(zonedDayStart('2026-10-25', 'Europe/Stockholm')).toBe('2026-10-24T22:00:00.000Z');
    expect(zonedDayStart('2026-10-26', 'Europe/Stockholm')).toBe('2026-10-25T23:00:00.000Z');
    // Chile moves its clocks at midnight: 6 September 2026 begins at 01:00 (-03).
    expect(zonedDayStart('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    expect(zonedDayStart('2026-03-29', 'UTC')).toBe('2026-03-29T00:00:00.000Z');
    expect(dayInZone(Date.parse('2026-03-29T22:30:00Z'), 'Europe/Stockholm')).toBe('2026-03-30');
    expect(() => zonedDayStart('2026-02-30', 'UTC')).toThrow(/calendar day/);
  });

  it('names weekdays and hours per language', () => {
    expect(weekdayName(1, 'en')).toBe('Monday');
    expect(weekdayName(7, 'ru')).toBe('воскресенье');
    expect(weekdayName(3, 'sv', 'short')).toBe('ons');
    expect(hourName(13, 'sv')).toBe('13:00');
    expect(plain(hourName(13, 'en'))).toBe('1:00 PM');
  });

  it('orders follower snapshots for the chart and keeps gaps as gaps', () => {
    expect(
      followerColumns([
        { observedAt: '2026-03-28T22:30:00Z', followers: 1200 },
        { observedAt: '2026-03-25T10:00:00Z', followers: null },
      ]),
    ).toEqual([[Date.parse('2026-03-25T10:00:00Z') / 1000, Date.parse('2026-03-28T22:30:00Z') / 1000], [null, 1200]]);
  });
});
