/**
 * Followers over time: the account's snapshots as the API stores them, drawn by the app's one uPlot
 * wrapper (uplot-canvas.tsx, shared with the listening chart) and the
 * same numbers as a table for screen readers and for browsers without canvas. A snapshot without a
 * follower count is a gap in the line and "—" in the table, never 0.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { formatCount } from './kpi-format';
import { UPlotCanvas } from './uplot-canvas';

/** One follower snapshot. */
export interface FollowerPoint {
  observedAt: string;
  followers: number | null;
}

/** uPlot's columns: seconds since the epoch, followers (null = gap). */
export function followerColumns(points: readonly FollowerPoint[]): [number[], (number | null)[]] {
  const sorted = [...points].sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  return [sorted.map((p) => Date.parse(p.observedAt) / 1000), sorted.map((p) => p.followers)];
}

/** The chart and its table. */
export function AnalyticsFollowerChart({ points, zone, label }: { points: readonly FollowerPoint[]; zone: string; label: string }) {
  const { t, i18n } = useTranslation();
  const data = useMemo(() => followerColumns(points), [points]);

  if (points.length === 0) return <p className="muted">{t('analytics.followers.empty')}</p>;
  return (
    <figure className="analytics-chart">
      <figcaption className="field-label">{label}</figcaption>
      <UPlotCanvas
        data={data}
        series={[{ label: t('analytics.followers.followers'), stroke: '#3347d6', fill: 'rgba(51,71,214,0.10)', spanGaps: false, points: points.length < 60 }]}
        zone={zone}
        legend={false}
        formatTick={(v) => formatCount(v, i18n.language)}
        className="analytics-chart-canvas"
        unavailable={t('analytics.followers.chartUnavailable')}
      />
      <details className="analytics-chart-table">
        <summary>{t('analytics.followers.asTable')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('analytics.followers.observedAt')}</th>
              <th scope="col">{t('analytics.followers.followers')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.observedAt}>
                <th scope="row">
                  <time dateTime={p.observedAt}>{formatDateTime(p.observedAt, i18n.language, zone)}</time>
                </th>
                <td>{formatCount(p.followers, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
