/**
 * The periods scheduled reports cover: the last full ISO week (Monday–Sunday) or calendar month in
 * the workspace's zone, with the key that makes each one go out once.
 */
import { describe, expect, it } from 'vitest';
import { duePeriod } from '../../src/reports/report-schedules';

describe('scheduled report periods', () => {
  it('weekly: the last full Monday–Sunday in the zone, also right after midnight local time', () => {
    // Wednesday 2026-04-01 12:00 UTC.
    expect(duePeriod('weekly', Date.parse('2026-04-01T12:00:00Z'), 'Europe/Stockholm')).toEqual({ from: '2026-03-23', to: '2026-03-29', key: 'week-2026-03-23' });
    // Sunday 22:30 UTC is already Monday 00:30 in Stockholm (summer time): the week just ended is due.
    expect(duePeriod('weekly', Date.parse('2026-04-05T22:30:00Z'), 'Europe/Stockholm')).toEqual({ from: '2026-03-30', to: '2026-04-05', key: 'week-2026-03-30' });
    expect(duePeriod('weekly', Date.parse('2026-04-05T22:30:00Z'), 'UTC')).toEqual({ from: '2026-03-23', to: '2026-03-29', key: 'week-2026-03-23' });
  });

  it('monthly: the last full calendar month, across a year end and a leap February', () => {
    expect(duePeriod('monthly', Date.parse('2027-01-01T00:30:00Z'), 'Europe/Stockholm')).toEqual({ from: '2026-12-01', to: '2026-12-31', key: 'month-2026-12' });
    expect(duePeriod('monthly', Date.parse('2027-01-01T00:30:00Z'), 'America/New_York')).toEqual({ from: '2026-11-01', to: '2026-11-30', key: 'month-2026-11' });
    expect(duePeriod('monthly', Date.parse('2028-03-15T10:00:00Z'), 'UTC')).toEqual({ from: '2028-02-01', to: '2028-02-29', key: 'month-2028-02' });
  });
});
