/** Lateness and throughput figures of one run, and the text table the bench prints. */

/** What one run (Herald or bare) measured. */
export interface RunFigures {
  /** Requests that reached the endpoint. */
  arrived: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Arrivals per second from the first due time to the last arrival. */
  perSecond: number;
}

/** Nearest-rank percentile of sorted values (q in 0..1). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * Lateness = arrival − due per request (requests that never arrived are counted in `expected` only);
 * throughput = arrived / (last arrival − first due).
 */
export function figures(due: Map<string, number>, arrivals: Map<string, number>, keyOf: (id: string) => string = (id) => id): RunFigures {
  const late: number[] = [];
  let firstDue = Infinity;
  let lastArrival = -Infinity;
  for (const [id, dueAt] of due) {
    firstDue = Math.min(firstDue, dueAt);
    const at = arrivals.get(keyOf(id));
    if (at === undefined) continue;
    late.push(at - dueAt);
    lastArrival = Math.max(lastArrival, at);
  }
  late.sort((a, b) => a - b);
  const spanS = Math.max(0.001, (lastArrival - firstDue) / 1000);
  return {
    arrived: late.length,
    expected: due.size,
    p50Ms: percentile(late, 0.5),
    p99Ms: percentile(late, 0.99),
    maxMs: late.length ? late[late.length - 1]! : Number.NaN,
    perSecond: late.length ? late.length / spanS : 0,
  };
}

/** Left-aligned text table with a header rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Milliseconds for the table. */
export const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');

/**
 * Lateness p99 per tenth of the due window (in due-time order), e.g. "40 35 900 …": shows whether
 * lateness comes from a cold start, a steady backlog, or a stall at one point.
 */
export function latenessTimeline(due: Map<string, number>, arrivals: Map<string, number>, keyOf: (id: string) => string = (id) => id, parts = 10): number[] {
  const rows = [...due].sort((a, b) => a[1] - b[1]);
  const out: number[] = [];
  for (let i = 0; i < parts; i++) {
    const slice = rows.slice(Math.floor((i * rows.length) / parts), Math.floor(((i + 1) * rows.length) / parts));
    const late = slice.flatMap(([id, at]) => {
      const a = arrivals.get(keyOf(id));
      return a === undefined ? [] : [a - at];
    });
    out.push(percentile(late.sort((a, b) => a - b), 0.99));
  }
  return out;
}
