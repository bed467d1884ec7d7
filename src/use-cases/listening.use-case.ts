/**
 * Listening: saved queries per workspace (CRUD with the query checked by the parser), the stream of
 * matches per query, volume over time in the workspace's time zone, spike alerts and their settings.
 * Changing a query's text starts it over (its matches are removed and it back-fills again), because
 * matches of the old text would be mislabelled as matches of the new one.
 */
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { toLocalWallTime, zoneOffsetMs } from '../domain/schedule-time';
import { alertSettingsInputSchema, alertSettingsSchema, defaultAlertSettings, parseStoredAlertSettings, type AlertSettings } from '../listening/listening-alerts';
import { matchNewMessages } from '../listening/listening-matching';
import type { ListeningAlertRow, ListeningQueryRow } from '../listening/listening-tables';
import { formatQuery, parseQuery, QuerySyntaxError, type QueryNode } from '../listening/query-parser';
import { assertCan, type Action } from '../policies/policy';
import {
  deleteListeningQuery as deleteRow,
  deleteMatchesOfQuery,
  findListeningQuery,
  findListeningSettings,
  flaggedMessageIds,
  insertListeningQuery,
  listAlerts as listAlertRows,
  listListeningQueries as listQueryRows,
  listMatches as listMatchRows,
  matchCountsByTimePrefix,
  saveListeningSettings,
  updateListeningQuery as updateRow,
  findMatchKey,
  type MatchWithMessage,
  type StreamKey,
} from '../repositories/listening.repository';
import { findSearchMatchKey, listSearchMatchPage, type SearchMatchWithPost } from '../repositories/listening-search.repository';
import type { UseCaseContext } from '../server/services';
import { parseInput } from './posts.use-case';
import { getWorkspace, policyActor } from './workspaces.use-case';

/** Sentiment labels. */
export const sentimentLabels = ['negative', 'neutral', 'positive'] as const;

/** Body of a new query. */
export const createListeningQuerySchema = z
  .object({
    name: z.string().trim().min(1, 'Give the query a name').max(200),
    query: z.string().min(1, 'Write a query').max(2000),
    active: z.boolean().default(true),
    alerts: alertSettingsInputSchema.optional(),
  })
  .strict();

/** Body of a query change (any subset). */
export const updateListeningQuerySchema = z
  .object({
    name: z.string().trim().min(1, 'Give the query a name').max(200).optional(),
    query: z.string().min(1, 'Write a query').max(2000).optional(),
    active: z.boolean().optional(),
    alerts: alertSettingsInputSchema.optional(),
  })
  .strict();

/** Body of a query check. */
export const checkQuerySchema = z.object({ query: z.string().max(2000) }).strict();

/** A query as the API shows it. */
export interface ListeningQueryView {
  id: string;
  name: string;
  query: string;
  /** The query as Herald reads it, with every operator written out. */
  normalized: string;
  active: boolean;
  alerts: AlertSettings;
  createdAt: string;
  updatedAt: string;
}

/** A match in a query's stream: an inbox message, or a public post found by network search. */
export interface ListeningMatchView {
  id: string;
  queryId: string;
  /** `inbox`: an inbox message (`messageId`, `accountId`); `search`: a post found by network search (`postId`). */
  source: 'inbox' | 'search';
  messageId: string | null;
  postId: string | null;
  accountId: string | null;
  network: string;
  kind: string;
  author: { handle: string; displayName: string | null; followers: number | null };
  /** Plain text; render as text, never as HTML. */
  text: string;
  url: string | null;
  lang: string | null;
  sentiment: { label: string; score: number; lang: string };
  createdAt: string;
  matchedAt: string;
  deletedAt: string | null;
}

/** One bucket of a volume series. */
export interface VolumeBucketView {
  /** Local start of the bucket in the workspace zone: `YYYY-MM-DDTHH:00` (hour) or `YYYY-MM-DD` (day). */
  start: string;
  count: number;
  sentiment?: { negative: number; neutral: number; positive: number };
}

/** A volume series. */
export interface VolumeView {
  zone: string;
  bucket: 'hour' | 'day';
  from: string;
  to: string;
  total: number;
  buckets: VolumeBucketView[];
}

/** A spike alert as the API shows it. */
export interface ListeningAlertView {
  id: string;
  queryId: string | null;
  scope: 'query' | 'workspace';
  mode: string;
  windowStart: string;
  windowEnd: string;
  windowCount: number;
  baselineMean: number;
  baselineStdDev: number;
  threshold: number;
  k: number;
  baselineWindows: number;
  reason: string;
  topMessageIds: string[];
  flaggedMessageIds: string[];
  createdAt: string;
}

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

/** Parses query text; a syntax error becomes a ValidationError on `query` naming the column. */
export function checkQueryText(text: string): { ast: QueryNode; normalized: string } {
  try {
    const ast = parseQuery(text);
    return { ast, normalized: formatQuery(ast) };
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    throw new ValidationError(`The query is not valid: ${e.message}`, [{ path: 'query', code: 'query_syntax', message: e.message }]);
  }
}

function queryView(row: ListeningQueryRow): ListeningQueryView {
  let normalized = row.query;
  try {
    normalized = formatQuery(parseQuery(row.query));
  } catch {
    // Stored queries parsed when saved; show the text as is if the language changed since.
  }
  return { id: row.id, name: row.name, query: row.query, normalized, active: row.active === 1, alerts: parseStoredAlertSettings(row.alert_settings), createdAt: row.created_at, updatedAt: row.updated_at };
}

function matchView(m: MatchWithMessage): ListeningMatchView {
  return {
    id: m.id,
    queryId: m.query_id,
    source: 'inbox',
    messageId: m.message_id,
    postId: null,
    accountId: m.account_id,
    network: m.network,
    kind: m.kind,
    author: { handle: m.author_handle, displayName: m.author_name, followers: m.author_followers },
    text: m.text,
    url: m.url,
    lang: m.lang,
    sentiment: { label: m.sentiment_label, score: m.sentiment_score, lang: m.sentiment_lang },
    createdAt: m.message_created_at,
    matchedAt: m.matched_at,
    deletedAt: m.deleted_at,
  };
}

function searchMatchView(m: SearchMatchWithPost & { createdAt: string }): ListeningMatchView {
  const p = m.post;
  return {
    id: m.matchId,
    queryId: m.queryId,
    source: 'search',
    messageId: null,
    postId: p.id,
    accountId: null,
    network: p.network,
    kind: 'search',
    author: { handle: p.author_handle, displayName: p.author_name, followers: p.author_followers },
    text: p.text,
    url: p.url,
    lang: p.lang,
    sentiment: { label: m.sentimentLabel, score: m.sentimentScore, lang: m.sentimentLang },
    createdAt: m.createdAt,
    matchedAt: m.matchedAt,
    deletedAt: null,
  };
}

function mergedSettings(base: AlertSettings, patch: unknown): AlertSettings {
  return parseInput(alertSettingsSchema, { ...base, ...(patch as object) });
}

async function loadQuery(ctx: UseCaseContext, id: string): Promise<ListeningQueryRow> {
  const row = isId(id) ? await findListeningQuery(ctx.db, ctx.workspaceId, id) : undefined;
  if (!row) throw new NotFoundError('Listening query');
  return row;
}

/** Checks query text without saving it (anyone who reads listening). */
export async function checkListeningQuery(ctx: UseCaseContext, raw: z.input<typeof checkQuerySchema>): Promise<{ normalized: string; ast: QueryNode }> {
  await authorize(ctx, 'listening.read');
  const input = parseInput(checkQuerySchema, raw);
  return checkQueryText(input.query);
}

/** Messages a new query back-fills right away (more follow with the sweep). */
const immediateBackfillBatches = 5;

/** Saves a new query and back-fills its stream from recent messages. */
export async function createListeningQuery(ctx: UseCaseContext, raw: z.input<typeof createListeningQuerySchema>): Promise<ListeningQueryView> {
  await authorize(ctx, 'listening.manage');
  const input = parseInput(createListeningQuerySchema, raw);
  checkQueryText(input.query);
  const alerts = mergedSettings(defaultAlertSettings, input.alerts ?? {});
  const now = ctx.services.now().toISOString();
  const row: ListeningQueryRow = {
    id: newId(ctx.services.now().getTime()),
    workspace_id: ctx.workspaceId,
    name: input.name,
    query: input.query,
    active: input.active ? 1 : 0,
    alert_settings: JSON.stringify(alerts),
    watermark_id: null,
    created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    created_at: now,
    updated_at: now,
  };
  await insertListeningQuery(ctx.db, row);
  if (row.active) await backfill(ctx);
  return queryView(row);
}

async function backfill(ctx: UseCaseContext): Promise<void> {
  try {
    await matchNewMessages(ctx.services, ctx.workspaceId, { maxBatches: immediateBackfillBatches });
  } catch (e) {
    // The sweep back-fills later; saving the query must not fail because of it.
    ctx.services.log.warn({ err: e, workspaceId: ctx.workspaceId }, 'listening back-fill after saving a query failed');
  }
}

/** A page of the workspace's queries, oldest first. */
export async function listListeningQueries(ctx: UseCaseContext, page: { cursor?: string; limit: number }): Promise<{ items: ListeningQueryView[]; nextCursor: string | null }> {
  await authorize(ctx, 'listening.read');
  const rows = await listQueryRows(ctx.db, ctx.workspaceId, { cursor: page.cursor, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit);
  return { items: items.map(queryView), nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** One query. */
export async function getListeningQuery(ctx: UseCaseContext, id: string): Promise<ListeningQueryView> {
  await authorize(ctx, 'listening.read');
  return queryView(await loadQuery(ctx, id));
}

/** Changes a query; new text removes its matches and back-fills again. */
export async function updateListeningQuery(ctx: UseCaseContext, id: string, raw: z.input<typeof updateListeningQuerySchema>): Promise<ListeningQueryView> {
  await authorize(ctx, 'listening.manage');
  const input = parseInput(updateListeningQuerySchema, raw);
  const row = await loadQuery(ctx, id);
  if (input.query !== undefined) checkQueryText(input.query);
  const now = ctx.services.now().toISOString();
  const textChanged = input.query !== undefined && input.query !== row.query;
  const patch: Partial<ListeningQueryRow> = { updated_at: now };
  if (input.name !== undefined) patch.name = input.name;
  if (input.active !== undefined) patch.active = input.active ? 1 : 0;
  if (input.alerts !== undefined) patch.alert_settings = JSON.stringify(mergedSettings(parseStoredAlertSettings(row.alert_settings), input.alerts));
  if (textChanged) {
    patch.query = input.query;
    patch.watermark_id = null;
  }
  await ctx.db.transaction().execute(async (trx) => {
    if (textChanged) await deleteMatchesOfQuery(trx, ctx.workspaceId, row.id);
    if (!(await updateRow(trx, ctx.workspaceId, row.id, patch))) throw new NotFoundError('Listening query');
  });
  // Removing many matches can take a while: stamp the change again once it has committed, so ingests
  // that read the queries before the commit do not count as having matched the new text
  // (listening-matching.ts, queryCommitMarginMs).
  if (textChanged) await updateRow(ctx.db, ctx.workspaceId, row.id, { updated_at: ctx.services.now().toISOString() });
  const updated = await loadQuery(ctx, id);
  if (updated.active === 1 && (textChanged || (input.active === true && row.active === 0))) await backfill(ctx);
  return queryView(updated);
}

/** Deletes a query with its matches and alerts. */
export async function deleteListeningQuery(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'listening.manage');
  const row = await loadQuery(ctx, id);
  const deleted = await ctx.db.transaction().execute((trx) => deleteRow(trx, ctx.workspaceId, row.id));
  if (!deleted) throw new NotFoundError('Listening query');
}

/** Filters of the stream. */
export interface MatchListInput {
  cursor?: string;
  limit: number;
  sentiment?: (typeof sentimentLabels)[number];
}

/**
 * A page of a query's stream: inbox and search matches merged, newest written first (ties by id). The
 * cursor is the id of the previous page's last item, in either table; its written time and id are
 * the page boundary, so items never repeat or go missing between pages.
 */
export async function listListeningMatches(ctx: UseCaseContext, id: string, f: MatchListInput): Promise<{ items: ListeningMatchView[]; nextCursor: string | null }> {
  await authorize(ctx, 'listening.read');
  const row = await loadQuery(ctx, id);
  let before: StreamKey | undefined;
  if (f.cursor !== undefined) {
    before = isId(f.cursor) ? ((await findMatchKey(ctx.db, ctx.workspaceId, row.id, f.cursor)) ?? (await findSearchMatchKey(ctx.db, ctx.workspaceId, row.id, f.cursor))) : undefined;
    if (!before) throw new ValidationError('The cursor is not an item of this stream (it may have been removed when the query changed); start again without a cursor', [{ path: 'cursor', code: 'invalid_cursor', message: 'unknown cursor' }]);
  }
  const page = { before, sentiment: f.sentiment, limit: f.limit + 1 };
  const inbox = (await listMatchRows(ctx.db, ctx.workspaceId, row.id, page)).map(matchView);
  const searched = (await listSearchMatchPage(ctx.db, ctx.workspaceId, row.id, page)).map(searchMatchView);
  // Each half holds its newest limit + 1 after the boundary, so the merged first limit + 1 are exact.
  const merged = [...inbox, ...searched].sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items = merged.slice(0, f.limit);
  return { items, nextCursor: merged.length > f.limit ? items[items.length - 1]!.id : null };
}

/** Query parameters of a volume series (strings as the route validated them). */
export interface VolumeInput {
  from?: string;
  to?: string;
  bucket: 'hour' | 'day';
  bySentiment?: boolean;
}

const maxRangeDays = { hour: 31, day: 400 } as const;
const defaultRangeDays = { hour: 7, day: 30 } as const;

function instant(value: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with an offset, like 2026-03-29T00:00:00Z`, [{ path: field, code: 'invalid_instant', message: 'ISO instant with an offset expected' }]);
  return ms;
}

/**
 * Volume of one query (or of the whole workspace, each message once, when `queryId` is null) per hour
 * or day of the workspace's wall clock, oldest first, empty buckets included. At the autumn clock
 * change the repeated local hour is one bucket holding both hours.
 */
export async function listeningVolume(ctx: UseCaseContext, queryId: string | null, f: VolumeInput): Promise<VolumeView> {
  await authorize(ctx, 'listening.read');
  if (queryId !== null) await loadQuery(ctx, queryId);
  const zone = (await getWorkspace(ctx)).timezone;
  const nowMs = ctx.services.now().getTime();
  const toMs = f.to === undefined ? nowMs : instant(f.to, 'to');
  const fromMs = f.from === undefined ? toMs - defaultRangeDays[f.bucket] * 86_400_000 : instant(f.from, 'from');
  if (fromMs >= toMs) throw new ValidationError('from must be before to', [{ path: 'from', code: 'invalid_range', message: 'from must be before to' }]);
  if (toMs - fromMs > maxRangeDays[f.bucket] * 86_400_000) {
    throw new ValidationError(`A ${f.bucket}ly series covers at most ${maxRangeDays[f.bucket]} days`, [{ path: 'from', code: 'range_too_long', message: `at most ${maxRangeDays[f.bucket]} days` }]);
  }
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const keyOf = (ms: number) => {
    const local = toLocalWallTime(new Date(ms), zone);
    return f.bucket === 'hour' ? `${local.slice(0, 13)}:00` : local.slice(0, 10);
  };
  // Empty buckets first, in order: step through the range finely enough to meet every local bucket.
  const buckets = new Map<string, VolumeBucketView>();
  const stepMs = f.bucket === 'hour' ? 15 * 60_000 : 3_600_000;
  const add = (key: string) => {
    if (!buckets.has(key)) buckets.set(key, f.bySentiment ? { start: key, count: 0, sentiment: { negative: 0, neutral: 0, positive: 0 } } : { start: key, count: 0 });
  };
  for (let t = fromMs; t < toMs; t += stepMs) add(keyOf(t));
  add(keyOf(toMs - 1));
  // Whole-hour offsets let the database group by UTC hour; other zones (e.g. +05:45) by minute.
  const wholeHours = zoneOffsetMs(fromMs, zone) % 3_600_000 === 0 && zoneOffsetMs(toMs, zone) % 3_600_000 === 0;
  const groups = await matchCountsByTimePrefix(ctx.db, ctx.workspaceId, { queryId: queryId ?? undefined, from, to, prefixLength: wholeHours ? 13 : 16 });
  let total = 0;
  for (const g of groups) {
    const ms = Date.parse(wholeHours ? `${g.prefix}:00:00Z` : `${g.prefix}:00Z`);
    const b = buckets.get(keyOf(ms));
    if (!b) continue;
    b.count += g.n;
    total += g.n;
    if (b.sentiment && (g.label === 'negative' || g.label === 'neutral' || g.label === 'positive')) b.sentiment[g.label] += g.n;
  }
  return { zone, bucket: f.bucket, from, to, total, buckets: [...buckets.values()] };
}

async function alertView(ctx: UseCaseContext, a: ListeningAlertRow): Promise<ListeningAlertView> {
  return {
    id: a.id,
    queryId: a.query_id,
    scope: a.query_id ? 'query' : 'workspace',
    mode: a.mode,
    windowStart: a.window_start,
    windowEnd: a.window_end,
    windowCount: a.window_count,
    baselineMean: a.baseline_mean,
    baselineStdDev: a.baseline_stddev,
    threshold: a.threshold,
    k: a.k,
    baselineWindows: a.baseline_windows,
    reason: a.reason,
    topMessageIds: JSON.parse(a.top_message_ids) as string[],
    flaggedMessageIds: await flaggedMessageIds(ctx.db, ctx.workspaceId, a.id),
    createdAt: a.created_at,
  };
}

/** A page of spike alerts, newest first (of one query when `queryId` is given). */
export async function listListeningAlerts(ctx: UseCaseContext, f: { queryId?: string; cursor?: string; limit: number }): Promise<{ items: ListeningAlertView[]; nextCursor: string | null }> {
  await authorize(ctx, 'listening.read');
  if (f.queryId !== undefined) await loadQuery(ctx, f.queryId);
  const rows = await listAlertRows(ctx.db, ctx.workspaceId, { ...f, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const items: ListeningAlertView[] = [];
  for (const r of page) items.push(await alertView(ctx, r));
  return { items, nextCursor: rows.length > f.limit ? page[page.length - 1]!.id : null };
}

/** The workspace-wide alert settings (across all queries). */
export async function getListeningSettings(ctx: UseCaseContext): Promise<{ alerts: AlertSettings }> {
  await authorize(ctx, 'listening.read');
  return { alerts: parseStoredAlertSettings(await findListeningSettings(ctx.db, ctx.workspaceId)) };
}

/** Body of a settings change. */
export const updateListeningSettingsSchema = z.object({ alerts: alertSettingsInputSchema }).strict();

/** Changes the workspace-wide alert settings (any subset). */
export async function updateListeningSettings(ctx: UseCaseContext, raw: z.input<typeof updateListeningSettingsSchema>): Promise<{ alerts: AlertSettings }> {
  await authorize(ctx, 'listening.manage');
  const input = parseInput(updateListeningSettingsSchema, raw);
  const current = parseStoredAlertSettings(await findListeningSettings(ctx.db, ctx.workspaceId));
  const alerts = mergedSettings(current, input.alerts);
  await saveListeningSettings(ctx.db, ctx.workspaceId, JSON.stringify(alerts), ctx.services.now().toISOString(), ctx.actor.kind === 'user' ? ctx.actor.userId : null);
  return { alerts };
}
