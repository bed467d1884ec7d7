/**
 * Spike alerts over listening matches, per query and per workspace (all queries, each message counted
 * once). The window slides by the minute: the last `windowMinutes` before the current whole minute,
 * compared with the `baselineWindows` windows of the same length before it (see spike-detector.ts for
 * the rule). The database returns counts per minute, so a check costs the same however busy a query is. A
 * message counts in the window it was written in, so a back-fill of old messages is no spike.
 *
 * An alert stores its figures and top messages, records a `listening.spike` event (webhooks may
 * subscribe) in the same transaction, and, when the settings ask, flags the top messages for the
 * inbox. After an alert the scope stays quiet for `cooldownMinutes`; two sweeps racing insert one
 * alert (dedupe key per scope, mode and cooldown slot).
 */
import { z } from 'zod';
import { newId } from '../domain/ids';
import {
  activeListeningQueries,
  findListeningSettings,
  insertAlertIfNew,
  insertInboxFlags,
  lastAlert,
  matchesByMessageIds,
  matchCountsPerMinute,
  matchesInRange,
  type WindowMatch,
} from '../repositories/listening.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import type { ListeningAlertRow } from './listening-tables';
import { detectSpike, type SpikeVerdict } from './spike-detector';

const alertSettingsFields = {
  enabled: z.boolean(),
  /** `all` counts every match; `negative` only negative ones. */
  mode: z.enum(['all', 'negative']),
  k: z.number().min(0.5, 'k must be at least 0.5').max(10, 'k must be at most 10'),
  windowMinutes: z.number().int().min(5, 'the window must be at least 5 minutes').max(10_080, 'the window must be at most 7 days'),
  baselineWindows: z.number().int().min(2, 'the baseline needs at least 2 windows').max(720, 'the baseline may have at most 720 windows'),
  cooldownMinutes: z.number().int().min(0).max(43_200, 'the cooldown must be at most 30 days'),
  minCount: z.number().int().min(1).max(1_000_000),
  /** Flag the alert's top messages for the inbox. */
  flagInbox: z.boolean(),
};

/** Alert settings as a client sends them (a subset is fine); the rest keeps its current (or default) value. */
export const alertSettingsInputSchema = z.object(alertSettingsFields).partial().strict();

/** Complete alert settings of a query or of a workspace. */
export const alertSettingsSchema = z
  .object(alertSettingsFields)
  .strict()
  .refine((s) => s.windowMinutes * (s.baselineWindows + 1) <= 90 * 24 * 60, { message: 'window × (baseline windows + 1) must cover at most 90 days', path: ['baselineWindows'] });

/** Complete settings. */
export type AlertSettings = z.output<typeof alertSettingsSchema>;
/** A partial update of settings. */
export type AlertSettingsInput = z.input<typeof alertSettingsInputSchema>;

/** Defaults: on, all matches, k = 2, hourly windows against the last 24 hours, 6 h cooldown, at least 3 messages, no inbox flag. */
export const defaultAlertSettings: AlertSettings = { enabled: true, mode: 'all', k: 2, windowMinutes: 60, baselineWindows: 24, cooldownMinutes: 360, minCount: 3, flagInbox: false };

/** Reads stored settings JSON; anything unreadable falls back to the defaults. */
export function parseStoredAlertSettings(json: string | null | undefined): AlertSettings {
  if (!json) return defaultAlertSettings;
  try {
    const r = alertSettingsSchema.safeParse({ ...defaultAlertSettings, ...(JSON.parse(json) as object) });
    return r.success ? r.data : defaultAlertSettings;
  } catch {
    return defaultAlertSettings;
  }
}

/** Top messages an alert names at most. */
const topCount = 5;
const textMax = 280;

/** One scope checked (for logs and tests). */
export interface SpikeCheck {
  queryId: string | null;
  mode: AlertSettings['mode'];
  verdict: SpikeVerdict;
  /** `alerted`, `cooldown`, `quiet` or `duplicate` (another sweep stored it first). */
  outcome: 'alerted' | 'cooldown' | 'quiet' | 'duplicate';
  alertId?: string;
}

/** What a workspace's spike check did. */
export interface SpikeCheckReport {
  checks: SpikeCheck[];
  alerts: ListeningAlertRow[];
}

/**
 * Counts per window, oldest first and the last window last, from per-minute counts. Windows end at
 * `endMs` (a whole minute) and are whole minutes long, so a minute never straddles two windows.
 */
export function windowCounts(perMinute: ReadonlyArray<{ minute: string; n: number }>, endMs: number, windowMs: number, windows: number): number[] {
  const counts = new Array<number>(windows).fill(0);
  for (const g of perMinute) {
    const age = endMs - Date.parse(`${g.minute}:00Z`);
    if (!(age > 0)) continue;
    const back = Math.floor((age - 1) / windowMs);
    if (back >= windows) continue;
    counts[windows - 1 - back]! += g.n;
  }
  return counts;
}

function topMessages(last: WindowMatch[], negativeOnly: boolean): string[] {
  const sorted = [...last].sort((a, b) =>
    negativeOnly
      ? a.sentiment_score - b.sentiment_score || (b.author_followers ?? -1) - (a.author_followers ?? -1)
      : (b.author_followers ?? -1) - (a.author_followers ?? -1) || b.message_created_at.localeCompare(a.message_created_at),
  );
  return sorted.slice(0, topCount).map((m) => m.message_id);
}

async function checkScope(services: AppServices, workspaceId: string, scope: { queryId: string | null; queryName: string | null }, settings: AlertSettings): Promise<{ check: SpikeCheck; alert?: ListeningAlertRow }> {
  const db = services.database.db;
  const now = services.now();
  const nowMs = now.getTime();
  // Windows end at the current whole minute: the database counts per minute, exactly.
  const endMs = Math.floor(nowMs / 60_000) * 60_000;
  const windowMs = settings.windowMinutes * 60_000;
  const windows = settings.baselineWindows + 1;
  const negativeOnly = settings.mode === 'negative';
  const scopeFilter = { queryId: scope.queryId ?? undefined, negativeOnly, to: new Date(endMs).toISOString() };
  const perMinute = await matchCountsPerMinute(db, workspaceId, { ...scopeFilter, from: new Date(endMs - windowMs * windows).toISOString() });
  const counts = windowCounts(perMinute, endMs, windowMs, windows);
  const verdict = detectSpike(counts, { k: settings.k, baselineWindows: settings.baselineWindows, minCount: settings.minCount });
  const base = { queryId: scope.queryId, mode: settings.mode, verdict };
  if (!verdict.spike) return { check: { ...base, outcome: 'quiet' } };
  const previous = await lastAlert(db, workspaceId, scope.queryId, settings.mode);
  const cooldownMs = settings.cooldownMinutes * 60_000;
  if (previous && nowMs - Date.parse(previous.created_at) < cooldownMs) return { check: { ...base, outcome: 'cooldown' } };

  const top = topMessages(await matchesInRange(db, workspaceId, { ...scopeFilter, from: new Date(endMs - windowMs).toISOString() }), negativeOnly);
  const slotMs = Math.max(cooldownMs, windowMs);
  const row: ListeningAlertRow = {
    id: newId(nowMs),
    workspace_id: workspaceId,
    query_id: scope.queryId,
    mode: settings.mode,
    window_start: new Date(endMs - windowMs).toISOString(),
    window_end: new Date(endMs).toISOString(),
    window_count: verdict.windowCount,
    baseline_mean: verdict.baselineMean,
    baseline_stddev: verdict.baselineStdDev,
    threshold: verdict.threshold,
    k: settings.k,
    baseline_windows: verdict.baselineWindows,
    top_message_ids: JSON.stringify(top),
    reason: verdict.reason,
    dedupe_key: `${scope.queryId ?? `workspace-${workspaceId}`}:${settings.mode}:${Math.floor(nowMs / slotMs)}`,
    created_at: now.toISOString(),
  };
  const details = await matchesByMessageIds(db, workspaceId, top);
  const byId = new Map(details.map((d) => [d.message_id, d]));
  const inserted = await db.transaction().execute(async (trx) => {
    if (!(await insertAlertIfNew(trx, row))) return false;
    await recordEvent(services, trx, {
      workspaceId,
      type: 'listening.spike',
      subjectId: row.id,
      actorId: null,
      payload: {
        alertId: row.id,
        queryId: scope.queryId,
        queryName: scope.queryName,
        scope: scope.queryId ? 'query' : 'workspace',
        mode: row.mode,
        windowStart: row.window_start,
        windowEnd: row.window_end,
        windowCount: row.window_count,
        baselineMean: row.baseline_mean,
        baselineStdDev: row.baseline_stddev,
        threshold: row.threshold,
        k: row.k,
        baselineWindows: row.baseline_windows,
        reason: row.reason,
        topMessages: top.flatMap((id) => {
          const d = byId.get(id);
          if (!d) return [];
          return [{ messageId: id, network: d.network, authorHandle: d.author_handle, text: d.text.length > textMax ? `${d.text.slice(0, textMax)}…` : d.text, url: d.url, sentiment: d.sentiment_label, createdAt: d.message_created_at }];
        }),
      },
    });
    if (settings.flagInbox) await insertInboxFlags(trx, workspaceId, row.id, top, () => newId(nowMs), row.created_at);
    return true;
  });
  if (!inserted) return { check: { ...base, outcome: 'duplicate' } };
  services.log.info({ workspaceId, queryId: scope.queryId, mode: row.mode, windowCount: row.window_count, threshold: row.threshold }, 'listening spike alert');
  return { check: { ...base, outcome: 'alerted', alertId: row.id }, alert: row };
}

/** Checks every active query of the workspace and the workspace as a whole for spikes now. */
export async function checkSpikes(services: AppServices, workspaceId: string): Promise<SpikeCheckReport> {
  const db = services.database.db;
  const report: SpikeCheckReport = { checks: [], alerts: [] };
  const queries = await activeListeningQueries(db, workspaceId);
  const scopes: Array<{ queryId: string | null; queryName: string | null; settings: AlertSettings }> = queries.map((q) => ({ queryId: q.id, queryName: q.name, settings: parseStoredAlertSettings(q.alert_settings) }));
  if (queries.length > 0) scopes.push({ queryId: null, queryName: null, settings: parseStoredAlertSettings(await findListeningSettings(db, workspaceId)) });
  for (const s of scopes) {
    if (!s.settings.enabled) continue;
    const { check, alert } = await checkScope(services, workspaceId, s, s.settings);
    report.checks.push(check);
    if (alert) report.alerts.push(alert);
  }
  return report;
}
