// @vitest-environment jsdom
/**
 * The one uPlot wrapper in a DOM that can "draw": jsdom has no canvas or matchMedia, so both are
 * stubbed (a 2D context that accepts every call) and real uPlot runs against them. The wrapper draws
 * once per data, follows new data, removes its canvas on unmount, says so when uPlot cannot draw, and
 * draws nothing without canvas support (the callers' tables carry the numbers then).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { UPlotCanvas } from './uplot-canvas';

/** A 2D context where every method is a no-op and measureText answers a width. */
function fakeContext(): CanvasRenderingContext2D {
  const state: Record<string | symbol, unknown> = {};
  return new Proxy(state, {
    get: (target, key) => (key in target ? target[key] : key === 'measureText' ? () => ({ width: 10 }) : () => undefined),
    set: (target, key, value) => {
      target[key] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
}

const series = [{ label: 'Followers', stroke: '#3347d6', fill: 'rgba(51,71,214,0.10)' }];
const dataA: [number[], number[]] = [[1_774_000_000, 1_774_086_400], [100, 120]];
const dataB: [number[], number[]] = [[1_774_000_000, 1_774_086_400, 1_774_172_800], [100, 120, 130]];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** uPlot draws paths with Path2D, which jsdom lacks: a recorder that accepts every call. */
class FakePath2D {
  moveTo() {}
  lineTo() {}
  rect() {}
  arc() {}
  bezierCurveTo() {}
  closePath() {}
  addPath() {}
}

function stubCanvas() {
  vi.stubGlobal('Path2D', FakePath2D);
  vi.stubGlobal('matchMedia', (q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} }));
  return vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => fakeContext()) as unknown as HTMLCanvasElement['getContext']);
}

const chart = (data: [number[], number[]]) => <UPlotCanvas data={data} series={series} zone="Europe/Stockholm" legend={false} formatTick={(v) => `${v}`} className="test-chart" unavailable="Chart unavailable" />;

describe('UPlotCanvas', () => {
  it('draws uPlot into its host, redraws for new data and cleans up on unmount', async () => {
    stubCanvas();
    const { container, rerender, unmount } = render(chart(dataA));
    const host = container.querySelector('.test-chart')!;
    await waitFor(() => expect(host.querySelector('.uplot canvas')).not.toBeNull());
    expect(host.querySelectorAll('.uplot')).toHaveLength(1);
    const first = host.querySelector('.uplot');
    rerender(chart(dataB));
    await waitFor(() => expect(host.querySelector('.uplot')).not.toBe(first));
    expect(host.querySelectorAll('.uplot')).toHaveLength(1);
    unmount();
    expect(host.childElementCount).toBe(0);
    expect(screen.queryByText('Chart unavailable')).toBeNull();
  });

  it('says the chart is unavailable when uPlot cannot draw', async () => {
    stubCanvas().mockImplementation((() => {
      throw new Error('no canvas here');
    }) as unknown as HTMLCanvasElement['getContext']);
    render(chart(dataA));
    expect(await screen.findByText('Chart unavailable')).toBeTruthy();
  });

  it('draws nothing without canvas support or without data', () => {
    const { container } = render(chart(dataA));
    expect(container.querySelector('.test-chart')!.childElementCount).toBe(0);
    stubCanvas();
    const empty = render(chart([[], []]));
    expect(empty.container.querySelector('.test-chart')!.childElementCount).toBe(0);
  });
});
