import { describe, expect, it } from 'vitest';
import { isValidTimeZone, resolveSchedule, toLocalWallTime, zoneOffsetMs } from '../../src/domain/schedule-time';
import { ValidationError } from '../../src/domain/errors';

const now = new Date('2026-01-15T12:00:00Z');
const wall = (date: string, time: string, timezone: string, fold?: 'earlier' | 'later') => resolveSchedule({ date, time, timezone, fold }, { now });

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('schedule time', () => {
  it('resolves ordinary wall times in several zones', () => {
    expect(wall('2026-06-01', '09:00', 'Europe/Stockholm').scheduledAt).toBe('2026-06-01T07:00:00.000Z');
    expect(wall('2026-02-01', '09:00', 'Europe/Stockholm').scheduledAt).toBe('2026-02-01T08:00:00.000Z');
    expect(wall('2026-06-01', '09:00', 'America/New_York').scheduledAt).toBe('2026-06-01T13:00:00.000Z');
    expect(wall('2026-06-01', '09:00', 'Asia/Kolkata').scheduledAt).toBe('2026-06-01T03:30:00.000Z');
    expect(wall('2026-01-20', '09:00', 'Australia/Lord_Howe').scheduledAt).toBe('2026-01-19T22:00:00.000Z'); // +11 in summer
    expect(wall('2026-06-20', '09:00', 'Australia/Lord_Howe').scheduledAt).toBe('2026-06-19T22:30:00.000Z'); // +10:30 in winter
    const r = wall('2026-06-01', '09:00', 'Asia/Kolkata');
    expect(r).toEqual({ scheduledAt: '2026-06-01T03:30:00.000Z', scheduledLocal: '2026-06-01T09:00', timezone: 'Asia/Kolkata', ambiguous: false });
  });

  it('refuses a wall time inside the spring-forward gap, naming the gap', () => {
    const e = errorOf(() => wall('2026-03-29', '02:30', 'Europe/Stockholm'));
    expect(e.message).toContain('2026-03-29 02:30 does not exist in Europe/Stockholm');
    expect(e.message).toContain('from 02:00 to 03:00');
    expect(errorOf(() => wall('2026-03-08', '02:00', 'America/New_York')).message).toContain('from 02:00 to 03:00');
    // Lord Howe moves by 30 minutes only.
    expect(errorOf(() => wall('2026-10-04', '02:15', 'Australia/Lord_Howe')).message).toContain('from 02:00 to 02:30');
    expect(wall('2026-10-04', '02:30', 'Australia/Lord_Howe').scheduledAt).toBe('2026-10-03T15:30:00.000Z');
    expect(wall('2026-03-29', '03:00', 'Europe/Stockholm').scheduledAt).toBe('2026-03-29T01:00:00.000Z');
  });

  it('resolves an ambiguous fall-back time to the earlier instant unless fold is "later"', () => {
    const early = wall('2026-10-25', '02:30', 'Europe/Stockholm');
    expect(early.scheduledAt).toBe('2026-10-25T00:30:00.000Z');
    expect(early.ambiguous).toBe(true);
    expect(wall('2026-10-25', '02:30', 'Europe/Stockholm', 'later').scheduledAt).toBe('2026-10-25T01:30:00.000Z');
    expect(wall('2026-11-01', '01:30', 'America/New_York').scheduledAt).toBe('2026-11-01T05:30:00.000Z');
    expect(wall('2026-11-01', '01:30', 'America/New_York', 'later').scheduledAt).toBe('2026-11-01T06:30:00.000Z');
    expect(wall('2026-04-05', '01:45', 'Australia/Lord_Howe').scheduledAt).toBe('2026-04-04T14:45:00.000Z');
    expect(wall('2026-04-05', '01:45', 'Australia/Lord_Howe', 'later').scheduledAt).toBe('2026-04-04T15:15:00.000Z');
    expect(wall('2026-04-05', '02:00', 'Australia/Lord_Howe').ambiguous).toBe(false);
  });

  it('accepts ISO instants with an offset and refuses ones without', () => {
    const r = resolveSchedule({ at: '2026-06-01T09:00:00+02:00', timezone: 'Asia/Kolkata' }, { now });
    expect(r.scheduledAt).toBe('2026-06-01T07:00:00.000Z');
    expect(r.scheduledLocal).toBe('2026-06-01T12:30');
    expect(resolveSchedule({ at: '2026-06-01T07:00:00Z' }, { now, defaultTimezone: 'Europe/Stockholm' }).timezone).toBe('Europe/Stockholm');
    expect(errorOf(() => resolveSchedule({ at: '2026-06-01T09:00:00' }, { now })).message).toContain('offset');
  });

  it('refuses past times beyond a one-minute grace', () => {
    expect(resolveSchedule({ at: new Date(now.getTime() - 30_000).toISOString() }, { now }).scheduledAt).toBe('2026-01-15T11:59:30.000Z');
    expect(errorOf(() => resolveSchedule({ at: new Date(now.getTime() - 61_000).toISOString() }, { now })).message).toContain('in the past');
    expect(errorOf(() => wall('2025-12-31', '23:00', 'Asia/Kolkata')).message).toContain('in the past');
  });

  it('refuses unknown zones and malformed dates and times clearly', () => {
    expect(isValidTimeZone('Europe/Stockholm')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(errorOf(() => wall('2026-06-01', '09:00', 'Mars/Olympus')).message).toBe('"Mars/Olympus" is not a known time zone; use an IANA name such as Europe/Stockholm');
    expect(errorOf(() => wall('2026-02-30', '09:00', 'UTC')).message).toContain('not a calendar date');
    expect(errorOf(() => wall('2026-06-01', '24:00', 'UTC')).message).toContain('not a time of day');
    expect(errorOf(() => wall('1 June', '9am', 'UTC')).extra.errors).toHaveLength(2);
  });

  it('reports offsets and local wall times', () => {
    expect(zoneOffsetMs(Date.parse('2026-06-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * 3600_000);
    expect(toLocalWallTime(new Date('2026-10-25T01:30:00Z'), 'Europe/Stockholm')).toBe('2026-10-25T02:30');
  });
});
