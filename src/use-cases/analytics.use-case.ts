/**
 * Reading analytics: every KPI definition evaluated for one account and period (with the previous
 * period of the same length for comparison), interaction by content type, and the best-time-to-post
 * heatmap. Reads only the rollup tables. Periods are calendar days in the workspace's time zone.
 */
import type { WorkspaceRow } from '../db/schema';
import { NotFoundError, ValidationError } from '../domain/errors';
import { isId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { dailyRollups, findDefaultDefinition, postRollupsBefore, postRollupsBetween, rollupsInOtherZone, saveDefaultDefinition, type AccountDailyRow, type PostRollupRow } from '../repositories/analytics.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import type { UseCaseContext } from '../server/services';
import { metricColumn, postMetricNames, type KpiCounts } from '../analytics/analytics-metrics';
import { builtInDefaultDefinitionId, defaultableDefinitions, findKpiDefinition, kpiDefinitions, type KpiDefinition, type RatioKpiDefinition } from '../analytics/kpi-definitions';
import { evaluateKpi, postRatio, roundKpi, type FollowerReading, type KpiEngineInput, type KpiInputs, type KpiPost } from '../analytics/kpi-engine';
import { addDays, dayStartMs, daysInclusive, isCalendarDay, localParts } from '../analytics/local-time';
import { refreshRollups } from '../analytics/rollups';
import { policyActor } from './workspaces.use-case';
import { goalsForKpis } from './goals.use-case';
import type { GoalProgress } from '../goals/goal-progress';

/** A period request: calendar days (inclusive) in the workspace's zone. */
export interface PeriodQuery {
  accountId?: string;
  from?: string;
  to?: string;
}

/** A KPI with its comparison to the previous period. */
export interface KpiView {
  definition: KpiDefinition;
  value: number | null;
  inputs: KpiInputs;
  previous: { value: number | null; inputs: KpiInputs };
  /** value − previous, and that as % of |previous| (null when either is empty, or previous is 0). */
  change: { absolute: number | null; percent: number | null };
  /** The goal that applies to this KPI for the period (goals.use-case.ts), with progress; null when none. */
  goal: GoalProgress | null;
}

/** The default definition evaluated over the posts of one content type. */
export interface ContentTypeView {
  contentType: string;
  posts: number;
  definitionId: string;
  value: number | null;
  inputs: KpiInputs;
}

/** Every KPI of one account and period. */
export interface KpisView {
  accountId: string;
  network: string;
  handle: string;
  timeZone: string;
  period: { from: string; to: string; days: number };
  previousPeriod: { from: string; to: string; days: number };
  defaultDefinitionId: string;
  kpis: KpiView[];
  byContentType: ContentTypeView[];
}

/** One weekday × hour cell of the heatmap. */
export interface BestTimeCell {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  posts: number;
  /** Posts with a value under the definition. */
  postsCounted: number;
  /** Mean of the posts' values (null when none counted). */
  value: number | null;
}

/** The best-time-to-post heatmap. */
export interface BestTimesView {
  accountId: string;
  timeZone: string;
  period: { from: string; to: string; days: number };
  definitionId: string;
  /** Cells with at least one post, by weekday then hour. */
  cells: BestTimeCell[];
  /** Up to three cells with the highest value (ties: more posts first). */
  best: BestTimeCell[];
}

/** A definition card plus whether it is the workspace's default. */
export interface DefinitionsView {
  defaultDefinitionId: string;
  definitions: KpiDefinition[];
}

/** Longest period one request may ask for. */
const maxDays = 3_660;
/**
 * Posts read for "last N posts" definitions: ten times the largest N, so posts left out for missing
 * counts still leave N to take the median of.
 */
const recentPostsRead = 10 * Math.max(1, ...kpiDefinitions.map((d) => (d.formula === 'ratio' ? (d.lastN ?? 0) : 0)));

async function authorize(ctx: UseCaseContext): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'analytics.read');
}

async function workspaceOf(ctx: UseCaseContext): Promise<WorkspaceRow> {
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  return ws;
}

/** The workspace's default definition id (the built-in one until it picks another). */
async function defaultDefinitionId(ctx: UseCaseContext): Promise<string> {
  const id = await findDefaultDefinition(ctx.db, ctx.workspaceId);
  return id && findKpiDefinition(id) ? id : builtInDefaultDefinitionId;
}

function resolvePeriod(q: PeriodQuery, zone: string, now: Date): { from: string; to: string; days: number } {
  const problems: Array<{ path: string; code: string; message: string }> = [];
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !isCalendarDay(v)) problems.push({ path: field, code: 'invalid_date', message: `${field} must be a calendar date like 2026-03-29, got "${v}"` });
  }
  if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('; '), problems);
  // Default: the 30 days up to yesterday in the workspace's zone (today is not over yet).
  const to = q.to ?? addDays(localParts(now.getTime(), zone).day, -1);
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw new ValidationError('from must not be after to', [{ path: 'to', code: 'invalid_range', message: 'to must be on or after from' }]);
  const days = daysInclusive(from, to);
  if (days > maxDays) throw new ValidationError(`A period may cover at most ${maxDays} days`, [{ path: 'from', code: 'range_too_long', message: `at most ${maxDays} days` }]);
  return { from, to, days };
}

async function accountOf(ctx: UseCaseContext, accountId: string | undefined) {
  if (!accountId) throw new ValidationError('accountId is required', [{ path: 'accountId', code: 'required', message: 'the account to analyse' }]);
  const account = isId(accountId) ? await findAccount(ctx.db, ctx.workspaceId, accountId) : undefined;
  if (!account) throw new NotFoundError('Account');
  return account;
}

function toPost(r: PostRollupRow): KpiPost {
  const counts = { ...Object.fromEntries(postMetricNames.map((m) => [m, r[metricColumn[m]]])), views24h: r.views_24h } as KpiCounts;
  return { targetId: r.target_id, network: r.network, contentType: r.content_type, publishedAt: r.published_at, followersAtPublish: r.followers_at_publish, counts };
}

/** Followers at the end of a day: that day's row, else the newest row before it (carried forward). */
function followerSeries(before: AccountDailyRow | undefined, days: AccountDailyRow[]): (day: string) => FollowerReading | null {
  const rows = before ? [before, ...days] : days;
  return (day) => {
    // Rows are sorted by day: binary search for the last one on or before `day`.
    let lo = 0;
    let hi = rows.length - 1;
    let found: AccountDailyRow | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid]!.day <= day) {
        found = rows[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found && found.followers !== null && found.followers_observed_at ? { followers: found.followers, observedAt: found.followers_observed_at } : null;
  };
}

function change(value: number | null, previous: number | null): { absolute: number | null; percent: number | null } {
  if (value === null || previous === null) return { absolute: null, percent: null };
  return { absolute: roundKpi(value - previous), percent: previous === 0 ? null : roundKpi(((value - previous) / Math.abs(previous)) * 100) };
}

/** The engagement that happened on a day, by count name. */
function activityOf(d: AccountDailyRow): Partial<KpiCounts> {
  return Object.fromEntries(postMetricNames.map((m) => [m, d[`${metricColumn[m]}_activity`]])) as Partial<KpiCounts>;
}

/**
 * Rollups bucket days in the workspace's zone; after the zone changed, the account's rollups are
 * rebuilt once (derived data) before any number is read from them.
 */
async function ensureRollupsInZone(ctx: UseCaseContext, accountId: string, zone: string): Promise<void> {
  if (await rollupsInOtherZone(ctx.db, accountId, zone)) {
    await refreshRollups(ctx.db, { accountId, now: ctx.services.now() });
    ctx.services.log.info({ accountId, timezone: zone }, 'analytics rollups rebuilt for the workspace time zone');
  }
}

/** Loads what the engine needs for [from, to] (posts a day either side, for definitions in other zones). */
async function engineInput(ctx: UseCaseContext, accountId: string, network: string, zone: string, from: string, to: string): Promise<KpiEngineInput> {
  const start = new Date(dayStartMs(addDays(from, -2), zone)).toISOString();
  const end = new Date(dayStartMs(addDays(to, 3), zone)).toISOString();
  const posts = (await postRollupsBetween(ctx.db, ctx.workspaceId, accountId, start, end)).map(toPost);
  const recentPosts = (await postRollupsBefore(ctx.db, ctx.workspaceId, accountId, end, recentPostsRead)).map(toPost);
  const daily = await dailyRollups(ctx.db, ctx.workspaceId, accountId, addDays(from, -1), to);
  const activity = new Map(daily.days.map((d) => [d.day, activityOf(d)]));
  return { workspaceTimeZone: zone, fromDay: from, toDay: to, posts, recentPosts, followersAt: followerSeries(daily.before, daily.days), network, activityOn: (day) => activity.get(day) ?? null };
}

/** Every KPI definition for one account over [from, to], with the previous period and content types. */
export async function getKpis(ctx: UseCaseContext, q: PeriodQuery): Promise<KpisView> {
  await authorize(ctx);
  const workspace = await workspaceOf(ctx);
  const account = await accountOf(ctx, q.accountId);
  const zone = workspace.timezone;
  const period = resolvePeriod(q, zone, ctx.services.now());
  await ensureRollupsInZone(ctx, account.id, zone);
  const previousPeriod = { from: addDays(period.from, -period.days), to: addDays(period.from, -1), days: period.days };
  const current = await engineInput(ctx, account.id, account.network, zone, period.from, period.to);
  const previous = await engineInput(ctx, account.id, account.network, zone, previousPeriod.from, previousPeriod.to);
  const kpis = kpiDefinitions.map((definition): KpiView => {
    const now = evaluateKpi(definition, current);
    const before = evaluateKpi(definition, previous);
    return { definition, value: now.value, inputs: now.inputs, previous: { value: before.value, inputs: before.inputs }, change: change(now.exact, before.exact), goal: null };
  });
  const goals = await goalsForKpis(ctx, account.id, period, kpis.map((k) => ({ definitionId: k.definition.id, value: k.value })));
  for (const k of kpis) k.goal = goals.get(k.definition.id) ?? null;

  const defaultId = await defaultDefinitionId(ctx);
  const def = findKpiDefinition(defaultId)!;
  const byContentType: ContentTypeView[] = [];
  const types = [...new Set(current.posts.map((p) => p.contentType))].sort();
  for (const contentType of types) {
    const only = (list: KpiPost[]) => list.filter((p) => p.contentType === contentType);
    const r = evaluateKpi(def, { ...current, posts: only(current.posts), recentPosts: only(current.recentPosts) });
    if (r.inputs.postsInPeriod === 0) continue;
    byContentType.push({ contentType, posts: r.inputs.postsInPeriod, definitionId: def.id, value: r.value, inputs: r.inputs });
  }
  return { accountId: account.id, network: account.network, handle: account.handle, timeZone: zone, period, previousPeriod, defaultDefinitionId: defaultId, kpis, byContentType };
}

/**
 * Weekday × hour heatmap in the workspace's zone from the account's posts of the period: each cell is
 * the mean per-post value of the workspace's default definition (a per-post definition is used when
 * the default aggregates by day).
 */
export async function getBestTimes(ctx: UseCaseContext, q: PeriodQuery): Promise<BestTimesView> {
  await authorize(ctx);
  const workspace = await workspaceOf(ctx);
  const account = await accountOf(ctx, q.accountId);
  const zone = workspace.timezone;
  const period = resolvePeriod(q, zone, ctx.services.now());
  await ensureRollupsInZone(ctx, account.id, zone);
  const chosen = findKpiDefinition(await defaultDefinitionId(ctx));
  const def: RatioKpiDefinition =
    chosen && chosen.formula === 'ratio' && chosen.aggregation !== 'per_day' ? chosen : (findKpiDefinition('livedune.er.weighted') as RatioKpiDefinition);
  const input = await engineInput(ctx, account.id, account.network, zone, period.from, period.to);
  const start = dayStartMs(period.from, zone);
  const end = dayStartMs(addDays(period.to, 1), zone);
  const cells = new Map<string, BestTimeCell & { sum: number }>();
  for (const p of input.posts) {
    const t = Date.parse(p.publishedAt);
    if (t < start || t >= end) continue;
    const local = localParts(t, zone);
    const key = `${local.weekday}|${local.hour}`;
    const cell = cells.get(key) ?? { weekday: local.weekday, hour: local.hour, posts: 0, postsCounted: 0, value: null, sum: 0 };
    cell.posts += 1;
    const r = postRatio(def, p, input);
    if (typeof r !== 'string') {
      cell.postsCounted += 1;
      cell.sum += r.value;
    }
    cells.set(key, cell);
  }
  const list = [...cells.values()]
    .map(({ sum, ...c }) => ({ ...c, value: c.postsCounted ? roundKpi(sum / c.postsCounted) : null }))
    .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
  const best = list
    .filter((c) => c.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || b.postsCounted - a.postsCounted || a.weekday - b.weekday || a.hour - b.hour)
    .slice(0, 3);
  return { accountId: account.id, timeZone: zone, period, definitionId: def.id, cells: list, best };
}

/** Every definition card and the workspace's default. */
export async function listKpiDefinitions(ctx: UseCaseContext): Promise<DefinitionsView> {
  await authorize(ctx);
  return { defaultDefinitionId: await defaultDefinitionId(ctx), definitions: [...kpiDefinitions] };
}

/** Picks the workspace's default engagement definition (admins and owners). */
export async function setDefaultKpiDefinition(ctx: UseCaseContext, definitionId: string): Promise<DefinitionsView> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'workspace.update');
  if (!defaultableDefinitions().some((d) => d.id === definitionId)) {
    throw new ValidationError(`"${definitionId}" cannot be the default: pick one of ${defaultableDefinitions().map((d) => d.id).join(', ')}`, [
      { path: 'definitionId', code: 'unknown_definition', message: 'not an engagement-rate definition' },
    ]);
  }
  await saveDefaultDefinition(ctx.db, ctx.workspaceId, definitionId, ctx.services.now().toISOString(), ctx.actor.kind === 'user' ? ctx.actor.userId : null);
  return listKpiDefinitions(ctx);
}
