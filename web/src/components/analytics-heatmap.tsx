/**
 * Best time to post: the API's weekday × hour cells (workspace time zone, mean per-post value of the
 * definition the API names) as a table whose shading follows the value, plus the API's best cells.
 * Nothing is derived here: an hour without posts is an empty cell, an hour whose posts have no value
 * is "—".
 */
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPercent, missingMark } from './kpi-format';
import type { BestTimes } from './kpi-types';

type Cell = BestTimes['cells'][number];

/** ISO weekday (1 = Monday) as the language names it. 2026-03-23 was a Monday. */
export function weekdayName(isoWeekday: number, locale: string, width: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 2, 22 + isoWeekday)));
}

/** An hour of the day as the language writes clock times ("13:00" / "1 PM"). */
export function hourName(hour: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 0, 1, hour)));
}

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const hours = Array.from({ length: 24 }, (_, h) => h);

/** The heatmap and the best cells. */
export function AnalyticsHeatmap({ data, definitionLabel }: { data: BestTimes; definitionLabel: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  if (data.cells.length === 0) return <p className="muted">{t('analytics.heatmap.empty')}</p>;
  const byKey = new Map(data.cells.map((c) => [`${c.weekday}|${c.hour}`, c]));
  const max = Math.max(0, ...data.cells.map((c) => c.value ?? 0));
  const describe = (c: Cell) =>
    `${weekdayName(c.weekday, lng)} ${hourName(c.hour, lng)}: ${formatPercent(c.value, lng)} · ${t('analytics.heatmap.posts', { count: c.posts })} · ${t('analytics.heatmap.counted', { counted: c.postsCounted, posts: c.posts })}`;
  const shade = (c: Cell): CSSProperties | undefined => {
    if (c.value === null || max <= 0) return undefined;
    const ratio = c.value / max;
    // Shading is set through the CSSOM (the CSP allows it), never as a style attribute string.
    return { backgroundColor: `rgba(51, 71, 214, ${(0.12 + 0.78 * ratio).toFixed(3)})`, color: ratio > 0.55 ? '#fff' : undefined };
  };
  return (
    <div className="analytics-heatmap">
      <div className="analytics-heatmap-scroll">
        <table>
          <caption>{t('analytics.heatmap.caption', { definition: definitionLabel, zone: data.timeZone })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('analytics.heatmap.weekday')}</th>
              {hours.map((h) => (
                <th scope="col" key={h} abbr={hourName(h, lng)}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weekdays.map((w) => (
              <tr key={w}>
                <th scope="row" abbr={weekdayName(w, lng)}>
                  {weekdayName(w, lng, 'short')}
                </th>
                {hours.map((h) => {
                  const c = byKey.get(`${w}|${h}`);
                  if (!c) return <td key={h} className="heat-empty" />;
                  return (
                    <td key={h} className={c.value === null ? 'heat-missing' : 'heat-value'} style={shade(c)} title={describe(c)} data-cell={`${w}-${h}`}>
                      {c.value === null ? missingMark : formatPercent(c.value, lng, 1)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted analytics-heatmap-legend">{t('analytics.heatmap.legend')}</p>
      <h3>{t('analytics.heatmap.best')}</h3>
      {data.best.length === 0 ? (
        <p className="muted">{t('analytics.heatmap.noBest')}</p>
      ) : (
        <ol className="analytics-best" aria-label={t('analytics.heatmap.best')}>
          {data.best.map((c) => (
            <li key={`${c.weekday}|${c.hour}`}>{describe(c)}</li>
          ))}
        </ol>
      )}
    </div>
  );
}
