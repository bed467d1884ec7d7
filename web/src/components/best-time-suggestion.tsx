/**
 * The composer's "best time" hint: the top slot of the account's own best-time heatmap (GET
 * …/analytics/best-times over the last year, in the workspace time zone the API answers with) and a
 * button that fills the schedule with the next occurrence of that weekday and hour. Only the first
 * selected account is asked: one hint keeps the schedule section short, and the composer schedules
 * all accounts at one time anyway. No history, no value, or no access to analytics: nothing is shown
 * (the hint is optional; the composer must not show analytics errors).
 */
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Account } from '../api/types';
import { useLoad } from '../api/use-load';
import { hourName, weekdayName } from './analytics-heatmap';
import { addDays, dayInZone } from './kpi-format';

/** A wall-clock schedule as the composer's date/time/zone fields hold it. */
export interface ScheduleSlot {
  date: string;
  time: string;
  timezone: string;
}

/** How far back the hint looks: a year of the account's own posts. */
const historyDays = 365;

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar day `YYYY-MM-DD`. */
function isoWeekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return ((new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay() + 6) % 7) + 1;
}

/** The wall clock `YYYY-MM-DD HH:mm` of an instant in `zone`. */
function wallClock(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${dayInZone(ms, zone)} ${get('hour')}:${get('minute')}`;
}

/**
 * The next time after `nowMs` that `zone`'s wall clock shows `weekday` (ISO) at `hour`:00. Worked out
 * on wall-clock dates, never by adding milliseconds, so a DST change in between cannot shift the hour;
 * the composer sends date, time and zone and the server resolves the instant.
 */
export function nextOccurrence(weekday: number, hour: number, zone: string, nowMs: number): ScheduleSlot {
  const now = wallClock(nowMs, zone);
  const today = now.slice(0, 10);
  const time = `${String(hour).padStart(2, '0')}:00`;
  for (let d = 0; d <= 7; d++) {
    const day = addDays(today, d);
    if (isoWeekday(day) === weekday && `${day} ${time}` > now) return { date: day, time, timezone: zone };
  }
  // Unreachable: within eight days the weekday comes round at a later wall-clock time.
  return { date: addDays(today, 7), time, timezone: zone };
}

/** The hint for `account` (the first selected one); renders nothing without a best slot. */
export function BestTimeSuggestion({ workspaceId, account, onUse, now = Date.now }: { workspaceId: string; account: Account | undefined; onUse: (slot: ScheduleSlot) => void; now?: () => number }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const accountId = account?.id;
  const loaded = useLoad(async () => {
    if (!accountId) return null;
    // The period is workspace days; the API's default is only 30 days, too short for a weekly pattern.
    const from = addDays(dayInZone(now(), 'UTC'), -historyDays);
    try {
      return await unwrap(client.api.v1.workspaces[':workspaceId'].analytics['best-times'].$get({ param: { workspaceId }, query: { accountId, from } }));
    } catch {
      return null;
    }
  }, [client, workspaceId, accountId]);
  const best = loaded.data?.best.find((c) => c.value !== null);
  if (!account || !loaded.data || !best) return null;
  const zone = loaded.data.timeZone;
  const slot = `${weekdayName(best.weekday, i18n.language)} ${hourName(best.hour, i18n.language)}`;
  return (
    <p className="best-time-suggestion" role="note" aria-label={t('bestTime.label')}>
      <span>{t('bestTime.hint', { handle: account.handle, slot })}</span>{' '}
      <button type="button" className="button" aria-label={t('bestTime.useLabel', { slot })} onClick={() => onUse(nextOccurrence(best.weekday, best.hour, zone, now()))}>
        {t('bestTime.use')}
      </button>
    </p>
  );
}
