/**
 * The volume of a listening query over time: a canvas chart (the app's one uPlot wrapper,
 * uplot-canvas.tsx, loaded on first use), stacked by sentiment when the series
 * carries it, and the same numbers as a table for screen readers and for browsers without canvas.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format';
import { UPlotCanvas } from './uplot-canvas';

/** One bucket of the series as the API sends it. */
export interface VolumeBucket {
  start: string;
  count: number;
  sentiment?: { negative: number; neutral: number; positive: number };
}

/** Seconds since the epoch for a bucket start `YYYY-MM-DDTHH:00` or `YYYY-MM-DD` (read as UTC: the axis shows the zone's own wall time). */
export function bucketSeconds(start: string): number {
  const iso = start.length === 10 ? `${start}T00:00:00Z` : `${start}:00Z`;
  return Date.parse(iso) / 1000;
}

/** The chart's columns: x, then total (or negative/neutral/positive when split). */
export function chartColumns(buckets: readonly VolumeBucket[]): { split: boolean; data: [number[], ...number[][]] } {
  const split = buckets.length > 0 && buckets.every((b) => b.sentiment);
  const x = buckets.map((b) => bucketSeconds(b.start));
  if (!split) return { split, data: [x, buckets.map((b) => b.count)] };
  return {
    split,
    data: [x, buckets.map((b) => b.sentiment!.negative), buckets.map((b) => b.sentiment!.neutral), buckets.map((b) => b.sentiment!.positive)],
  };
}

/** The chart plus its data table. */
export function ListeningVolumeChart({ buckets, bucket, label }: { buckets: readonly VolumeBucket[]; bucket: 'hour' | 'day'; label: string }) {
  const { t, i18n } = useTranslation();
  const columns = useMemo(() => chartColumns(buckets), [buckets]);
  const series = columns.split
    ? [
        { label: t('listening.sentiment.negative'), stroke: '#c0392b', fill: 'rgba(192,57,43,0.15)' },
        { label: t('listening.sentiment.neutral'), stroke: '#7f8c8d', fill: 'rgba(127,140,141,0.12)' },
        { label: t('listening.sentiment.positive'), stroke: '#27ae60', fill: 'rgba(39,174,96,0.15)' },
      ]
    : [{ label: t('listening.volume.count'), stroke: '#2563eb', fill: 'rgba(37,99,235,0.12)' }];

  const split = buckets.length > 0 && buckets.every((b) => b.sentiment);
  return (
    <figure className="listening-chart">
      <figcaption className="field-label">{label}</figcaption>
      {/* Bucket starts are the workspace zone's wall time encoded as UTC: show them as UTC. */}
      <UPlotCanvas
        data={columns.data}
        series={series}
        zone="Etc/UTC"
        legend={columns.split}
        formatTick={(v) => formatNumber(v, i18n.language)}
        className="listening-chart-canvas"
        unavailable={t('listening.volume.chartUnavailable')}
      />
      <details className="listening-chart-table">
        <summary>{t('listening.volume.asTable')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{bucket === 'hour' ? t('listening.volume.hour') : t('listening.volume.day')}</th>
              <th scope="col">{t('listening.volume.count')}</th>
              {split && (
                <>
                  <th scope="col">{t('listening.sentiment.negative')}</th>
                  <th scope="col">{t('listening.sentiment.neutral')}</th>
                  <th scope="col">{t('listening.sentiment.positive')}</th>
                </>
              )}
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.start}>
                <th scope="row">{b.start.replace('T', ' ')}</th>
                <td>{formatNumber(b.count, i18n.language)}</td>
                {b.sentiment && split && (
                  <>
                    <td>{formatNumber(b.sentiment.negative, i18n.language)}</td>
                    <td>{formatNumber(b.sentiment.neutral, i18n.language)}</td>
                    <td>{formatNumber(b.sentiment.positive, i18n.language)}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
