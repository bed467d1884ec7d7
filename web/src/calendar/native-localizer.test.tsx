import { describe, expect, it } from 'vitest';
import { DateLocalizer } from 'react-big-calendar';
import { dayStart, inEventRange, nativeFormats, nativeLocalizer, sortEvents } from './native-localizer';

type Span = { start: Date; end: Date; allDay?: boolean };
/** react-big-calendar's own implementations (what a localizer gets when it overrides nothing). */
const reference = new DateLocalizer({ formats: {}, firstOfWeek: () => 1, format: () => '' }) as unknown as {
  sortEvents(a: { evtA: Span; evtB: Span }): number;
  inEventRange(a: { event: Span; range: { start: Date; end: Date } }): boolean;
};

// A small deterministic generator: the same cases on every run.
let seed = 42;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const randomSpan = (): Span => {
  const start = new Date(2026, 2, 20 + rnd(20), rnd(24), rnd(60));
  return { start, end: new Date(start.getTime() + [0, 5, 30, 90, 60 * 26][rnd(5)]! * 60_000), allDay: rnd(10) === 0 };
};

describe('native localizer', () => {
  it('sorts and range-checks events exactly like react-big-calendar (also across the March DST change)', () => {
    const events = Array.from({ length: 300 }, randomSpan);
    for (let i = 0; i < 2000; i++) {
      const a = events[rnd(events.length)]!;
      const b = events[rnd(events.length)]!;
      expect(Math.sign(sortEvents({ evtA: a, evtB: b }))).toBe(Math.sign(reference.sortEvents({ evtA: a, evtB: b })));
      const r = randomSpan();
      const range = { start: new Date(r.start.getFullYear(), r.start.getMonth(), r.start.getDate()), end: new Date(r.end.getFullYear(), r.end.getMonth(), r.end.getDate() + rnd(7)) };
      expect(inEventRange({ event: a, range })).toBe(reference.inEventRange({ event: a, range }));
    }
    // Edge: an event ending exactly at the range start, and a zero-length event at midnight.
    const midnight = new Date(2026, 5, 1);
    const range = { start: midnight, end: new Date(2026, 5, 7) };
    for (const e of [
      { start: new Date(2026, 4, 31, 23, 0), end: midnight },
      { start: midnight, end: midnight },
      { start: new Date(2026, 5, 7, 23, 59), end: new Date(2026, 5, 8, 0, 29) },
    ]) expect(inEventRange({ event: e, range })).toBe(reference.inEventRange({ event: e, range }));
    expect(dayStart(new Date(2026, 5, 1, 13, 45))).toBe(midnight.getTime());
  });

  it('labels in the UI language and starts weeks on Monday', () => {
    const loc = nativeLocalizer(1);
    const d = new Date(2026, 5, 3, 14, 5);
    expect(loc.startOfWeek('en')).toBe(1);
    expect(loc.startOf(d, 'week', loc.startOfWeek('en')).getDate()).toBe(1);
    expect(loc.format(d, nativeFormats.timeGutterFormat as string, 'en-GB')).toBe('14:05');
    expect(loc.format(d, nativeFormats.timeGutterFormat as string, 'en-US')).toMatch(/^2:05\sPM$/);
    expect(loc.format(d, nativeFormats.monthHeaderFormat as string, 'ru')).toMatch(/июнь 2026/);
    expect(loc.format(d, nativeFormats.monthHeaderFormat as string, 'sv')).toBe('juni 2026');
    const week = { start: new Date(2026, 5, 1), end: new Date(2026, 5, 7) };
    expect((nativeFormats.dayRangeHeaderFormat as (r: typeof week, c: string) => string)(week, 'en-GB')).toBe('1 June – 7');
    expect((nativeFormats.dayRangeHeaderFormat as (r: typeof week, c: string) => string)({ start: new Date(2026, 5, 29), end: new Date(2026, 6, 5) }, 'en-GB')).toBe('29 June – 5 July');
    expect((nativeFormats.eventTimeRangeFormat as (r: typeof week, c: string) => string)({ start: d, end: new Date(2026, 5, 3, 14, 35) }, 'sv')).toBe('14:05 – 14:35');
  });
});
