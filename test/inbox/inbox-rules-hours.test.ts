/**
 * Pure parts of the inbox workflow: business-time arithmetic (weekends, lunch breaks, DST days in
 * both directions, midnight ranges, zones far from UTC), rule conditions (whole-word keywords and
 * phrases in any script, every condition must hold, unknown counts never match), thread keys and
 * saved-reply templates (values inserted once, never expanded again).
 */
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessCalendar, businessHoursSchema, businessMsBetween, defaultBusinessHours } from '../../src/inbox/business-hours';
import { normaliseTag, ruleActionsSchema, ruleConditionsSchema, ruleMatches, words } from '../../src/inbox/inbox-rules';
import { threadKeyOf } from '../../src/inbox/inbox-workflow';
import { renderTemplate, unknownVariables } from '../../src/inbox/reply-template';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));

describe('business hours', () => {
  const sthlm = businessCalendar({ zone: null, ranges: weekdays('09:00', '17:00') }, 'Europe/Stockholm');

  it('adds business minutes across the night, the weekend and the spring-forward Sunday', () => {
    // Friday 27 March 2026 16:30 CET (+1) + 60 min → Monday 30 March 09:30 CEST (+2).
    expect(iso(addBusinessMinutes(sthlm, at('2026-03-27T15:30:00Z'), 60))).toBe('2026-03-30T07:30:00.000Z');
    // Before opening: the clock starts at 09:00.
    expect(iso(addBusinessMinutes(sthlm, at('2026-03-24T05:00:00Z'), 30))).toBe('2026-03-24T08:30:00.000Z');
    // Saturday: Monday morning.
    expect(iso(addBusinessMinutes(sthlm, at('2026-03-28T12:00:00Z'), 1))).toBe('2026-03-30T07:01:00.000Z');
    // Exactly at closing: the next day.
    expect(iso(addBusinessMinutes(sthlm, at('2026-03-24T16:00:00Z'), 15))).toBe('2026-03-25T08:15:00.000Z');
    // Two full days of work.
    expect(iso(addBusinessMinutes(sthlm, at('2026-03-23T08:00:00Z'), 16 * 60))).toBe('2026-03-24T16:00:00.000Z');
    // Autumn: Friday 23 October 2026 16:00 CEST + 2 h → Monday 26 October 10:00 CET (+1).
    expect(iso(addBusinessMinutes(sthlm, at('2026-10-23T14:00:00Z'), 120))).toBe('2026-10-26T09:00:00.000Z');
  });

  it('measures business time between two instants', () => {
    expect(businessMsBetween(sthlm, at('2026-03-27T15:30:00Z'), at('2026-03-30T07:20:00Z')) / 60_000).toBe(50);
    expect(businessMsBetween(sthlm, at('2026-03-28T10:00:00Z'), at('2026-03-29T20:00:00Z'))).toBe(0);
    expect(businessMsBetween(sthlm, at('2026-03-30T07:20:00Z'), at('2026-03-27T15:30:00Z'))).toBe(0);
    // A whole week is 40 hours.
    expect(businessMsBetween(sthlm, at('2026-03-23T00:00:00Z'), at('2026-03-30T00:00:00Z')) / 3_600_000).toBe(40);
  });

  it('handles split days, weekend shifts, 24:00 and an always-open calendar', () => {
    const split = businessCalendar({ zone: 'America/New_York', ranges: [...weekdays('09:00', '12:00'), ...weekdays('13:00', '17:00'), { weekday: 6, start: '10:00', end: '24:00' }] }, 'UTC');
    // Monday 11:30 New York (EDT, −4) + 60 min: 30 before lunch, 30 after → 13:30 = 17:30Z.
    expect(iso(addBusinessMinutes(split, at('2026-06-01T15:30:00Z'), 60))).toBe('2026-06-01T17:30:00.000Z');
    // Saturday open until midnight: 23:00 + 90 min = 60 on Saturday, 30 on Monday → 09:30 EDT.
    expect(iso(addBusinessMinutes(split, at('2026-06-07T03:00:00Z'), 90))).toBe('2026-06-08T13:30:00.000Z');
    const always = businessCalendar({ zone: null, ranges: [] }, 'UTC');
    expect(iso(addBusinessMinutes(always, at('2026-01-01T00:00:00Z'), 90))).toBe('2026-01-01T01:30:00.000Z');
    expect(businessMsBetween(always, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(86_400_000);
    // Overlapping ranges count once.
    const overlap = businessCalendar({ zone: 'UTC', ranges: [{ weekday: 4, start: '09:00', end: '12:00' }, { weekday: 4, start: '11:00', end: '13:00' }] }, 'UTC');
    expect(businessMsBetween(overlap, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')) / 3_600_000).toBe(4);
  });

  it('validates hours with clear messages', () => {
    expect(businessHoursSchema.parse(defaultBusinessHours).ranges).toHaveLength(5);
    const bad = businessHoursSchema.safeParse({ zone: null, ranges: [{ weekday: 8, start: '9:00', end: '17:00' }, { weekday: 1, start: '12:00', end: '11:00' }] });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message).join(' | ');
    expect(messages).toMatch(/24-hour time like 09:00/);
    expect(messages).toMatch(/must end after it starts/);
  });
});

describe('rules', () => {
  const subject = { text: 'Хочу ВЕРНУТЬ деньги! Where is my money back?', network: 'vk', kind: 'comment', lang: 'ru-RU', sentiment: 'negative', authorFollowers: 12_000 };

  it('match whole words and phrases case-insensitively in any script, all conditions together', () => {
    expect(words('Don’t stop—it’s 100% GREAT!')).toEqual(['don’t', 'stop', 'it’s', '100', 'great']);
    expect(ruleMatches({ keywords: ['вернуть деньги'] }, subject)).toBe(true);
    expect(ruleMatches({ keywords: ['money back'] }, subject)).toBe(true);
    expect(ruleMatches({ keywords: ['back money'] }, subject)).toBe(false);
    expect(ruleMatches({ keywords: ['mone'] }, subject)).toBe(false);
    expect(ruleMatches({ keywords: ['refund', 'деньги'] }, subject)).toBe(true);
    expect(ruleMatches({ keywords: ['деньги'], sentiment: ['negative'], networks: ['vk'], languages: ['ru'], kinds: ['comment'], minFollowers: 10_000 }, subject)).toBe(true);
    expect(ruleMatches({ keywords: ['деньги'], sentiment: ['positive'] }, subject)).toBe(false);
    expect(ruleMatches({ networks: ['bluesky'] }, subject)).toBe(false);
    expect(ruleMatches({ languages: ['en'] }, subject)).toBe(false);
    expect(ruleMatches({ kinds: ['dm'] }, subject)).toBe(false);
    expect(ruleMatches({ minFollowers: 12_001 }, subject)).toBe(false);
    // Unknown follower counts or language never satisfy a condition on them.
    expect(ruleMatches({ minFollowers: 0 }, { ...subject, authorFollowers: null })).toBe(false);
    expect(ruleMatches({ languages: ['ru'] }, { ...subject, lang: null })).toBe(false);
  });

  it('need at least one condition and one action, with valid channels', () => {
    expect(ruleConditionsSchema.safeParse({}).error?.issues[0]?.message).toBe('Give at least one condition');
    expect(ruleActionsSchema.safeParse({}).error?.issues[0]?.message).toBe('Give at least one action');
    expect(ruleActionsSchema.safeParse({ notify: [{ channel: 'sms', to: '+46' }] }).success).toBe(false);
    expect(ruleActionsSchema.safeParse({ notify: [{ channel: 'telegram', chatId: '@brand_alerts' }] }).success).toBe(true);
    expect(ruleConditionsSchema.safeParse({ keywords: ['  '] }).success).toBe(false);
    expect(normaliseTag('  VIP ')).toBe('vip');
    expect(normaliseTag('a,b')).toBeNull();
    expect(normaliseTag('x'.repeat(51))).toBeNull();
  });
});

describe('thread keys', () => {
  const ours = new Set(['post-1']);
  const isOurs = (id: string) => ours.has(id);
  it('a comment on our post or a message without parent starts a conversation; replies join it', () => {
    const known = new Map([['c1', 'c1'], ['our-reply', 'c1']]);
    expect(threadKeyOf({ external_id: 'c1', parent_external_id: 'post-1', root_external_id: 'post-1' }, known, isOurs)).toBe('c1');
    expect(threadKeyOf({ external_id: 'm1', parent_external_id: null, root_external_id: null }, known, isOurs)).toBe('m1');
    expect(threadKeyOf({ external_id: 'r1', parent_external_id: 'c1', root_external_id: 'post-1' }, known, isOurs)).toBe('c1');
    expect(threadKeyOf({ external_id: 'r2', parent_external_id: 'our-reply', root_external_id: 'post-1' }, known, isOurs)).toBe('c1');
    // Someone else's thread: the network's root.
    expect(threadKeyOf({ external_id: 'q', parent_external_id: 'x', root_external_id: 'their-post' }, known, isOurs)).toBe('their-post');
    expect(threadKeyOf({ external_id: 'q', parent_external_id: 'x', root_external_id: null }, known, isOurs)).toBe('x');
  });
});

describe('saved reply templates', () => {
  it('insert each value once, verbatim but without control characters, and list unknown variables', () => {
    const values = { 'author.name': 'Eve {{account.handle}}', 'author.handle': 'eve\u0007', 'account.handle': 'brand' };
    expect(renderTemplate('Hi {{author.name}} (@{{ AUTHOR.HANDLE }}), {{account.handle}} here. {{network}}', values)).toBe('Hi Eve {{account.handle}} (@eve), brand here. ');
    expect(renderTemplate('Line 1\nLine 2 {{author.handle}}', { 'author.handle': 'a\nb' })).toBe('Line 1\nLine 2 a\nb');
    expect(unknownVariables('{{author.name}} {{author.email}} {{ secret }}')).toEqual(['author.email', 'secret']);
    expect(unknownVariables('{ {not a variable} } {{author.handle}}')).toEqual([]);
  });
});
