/**
 * The one uPlot wrapper of the web app (followers over time, listening volume): loads uPlot on first
 * use (so no screen's first paint waits for it and only one chart library ships), draws a time-series
 * canvas 220 px high that follows its container's width, and tears it down when the data, series or
 * zone change or the component goes. Environments without canvas or matchMedia (jsdom) draw nothing;
 * callers always render the same numbers as a table next to it.
 */
import { useEffect, useRef, useState } from 'react';
import type uPlot from 'uplot';

/** One drawn series (the x series is implicit). */
export interface ChartSeries {
  label: string;
  stroke: string;
  fill: string;
  /** Draw a gap at null values (default uPlot behaviour: true). */
  spanGaps?: boolean;
  /** Show point markers (uPlot decides when left out). */
  points?: boolean;
}

function canDrawCanvas(): boolean {
  // uPlot reads matchMedia when it loads; environments without it (jsdom) get the table only.
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && typeof HTMLCanvasElement !== 'undefined';
}

const height = 220;
const minWidth = 280;

/** The canvas; `data` should keep its identity between renders (memoise it) or the chart is redrawn. */
export function UPlotCanvas({
  data,
  series,
  zone,
  legend,
  formatTick,
  className,
  unavailable,
}: {
  /** x in seconds since the epoch, then one column per series (null = no value). */
  data: uPlot.AlignedData;
  series: readonly ChartSeries[];
  /** IANA zone the time axis is shown in. */
  zone: string;
  legend: boolean;
  /** The y axis' tick labels. */
  formatTick: (value: number) => string;
  className: string;
  /** Said when uPlot could not be loaded. */
  unavailable: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  // The latest formatter, without redrawing for a new function identity (labels change with the
  // language, which changes the series labels and so redraws anyway).
  const tick = useRef(formatTick);
  tick.current = formatTick;
  const seriesKey = JSON.stringify(series);

  useEffect(() => {
    const el = host.current;
    if (!el || !canDrawCanvas() || data[0].length === 0) return;
    let disposed = false;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([{ default: UPlot }]) => {
        if (disposed) return;
        const drawn = (JSON.parse(seriesKey) as ChartSeries[]).map((s) => ({
          label: s.label,
          stroke: s.stroke,
          fill: s.fill,
          ...(s.spanGaps !== undefined ? { spanGaps: s.spanGaps } : {}),
          ...(s.points !== undefined ? { points: { show: s.points } } : {}),
        }));
        plot = new UPlot(
          {
            width: Math.max(minWidth, el.clientWidth),
            height,
            tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), zone),
            series: [{}, ...drawn],
            axes: [{}, { values: (_u: unknown, ticks: number[]) => ticks.map((v) => tick.current(v)) }],
            scales: { x: { time: true } },
            legend: { show: legend },
          },
          data,
          el,
        );
        observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => plot?.setSize({ width: Math.max(minWidth, el.clientWidth), height })) : null;
        observer?.observe(el);
      })
      .catch(() => !disposed && setFailed(true));
    return () => {
      disposed = true;
      observer?.disconnect();
      plot?.destroy();
      el.replaceChildren();
    };
  }, [data, seriesKey, zone, legend]);

  return (
    <>
      <div ref={host} className={className} aria-hidden="true" />
      {failed && <p className="muted">{unavailable}</p>}
    </>
  );
}
