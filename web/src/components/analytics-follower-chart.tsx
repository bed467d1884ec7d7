/**
 * Followers over time: the account's snapshots as the API stores them, drawn with uPlot (loaded on
 * first use, the same library the listening chart uses, so no second chart library ships) and the
 * same numbers as a table for screen readers and for browsers without canvas. A snapshot without a
 * follower count is a gap in the line and "—" in the table, never 0.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { formatCount } from './kpi-format';

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

function canDrawCanvas(): boolean {
  // uPlot reads matchMedia when it loads; environments without it (jsdom) get the table only.
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && typeof HTMLCanvasElement !== 'undefined';
}

/** The chart and its table. */
export function AnalyticsFollowerChart({ points, zone, label }: { points: readonly FollowerPoint[]; zone: string; label: string }) {
  const { t, i18n } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = host.current;
    if (!el || !canDrawCanvas() || points.length === 0) return;
    let disposed = false;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | null = null;
    let observer: ResizeObserver | null = null;
    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([{ default: UPlot }]) => {
        if (disposed) return;
        const width = Math.max(280, el.clientWidth);
        plot = new UPlot(
          {
            width,
            height: 220,
            tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), zone),
            series: [{}, { label: t('analytics.followers.followers'), stroke: '#3347d6', fill: 'rgba(51,71,214,0.10)', spanGaps: false, points: { show: points.length < 60 } }],
            axes: [{}, { values: (_u: unknown, ticks: number[]) => ticks.map((v) => formatCount(v, i18n.language)) }],
            scales: { x: { time: true } },
            legend: { show: false },
          },
          followerColumns(points),
          el,
        );
        observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => plot?.setSize({ width: Math.max(280, el.clientWidth), height: 220 })) : null;
        observer?.observe(el);
      })
      .catch(() => !disposed && setFailed(true));
    return () => {
      disposed = true;
      observer?.disconnect();
      plot?.destroy();
      el.replaceChildren();
    };
  }, [points, zone, t, i18n.language]);

  if (points.length === 0) return <p className="muted">{t('analytics.followers.empty')}</p>;
  return (
    <figure className="analytics-chart">
      <figcaption className="field-label">{label}</figcaption>
      <div ref={host} className="analytics-chart-canvas" aria-hidden="true" />
      {failed && <p className="muted">{t('analytics.followers.chartUnavailable')}</p>}
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
