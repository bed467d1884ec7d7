/**
 * Competitors: public accounts a workspace benchmarks against. Adding one looks the account up through
 * the `publicData` capability of a network the workspace has an account on; the collection job
 * (src/competitors/competitor-collection.ts) keeps follower snapshots and post counts over time. The
 * analysis compares a competitor with the workspace's own accounts under the workspace's engagement
 * definition (or one the caller names), with promoted-post suspicions.
 */
import { ConnectorError } from '../connectors/connector';
import { emptyCounts, metricColumn, postMetricNames, type KpiCounts } from '../analytics/analytics-metrics';
import { builtInDefaultDefinitionId, findKpiDefinition, type KpiDefinition } from '../analytics/kpi-definitions';
import type { FollowerReading } from '../analytics/kpi-engine';
import { addDays, dayStartMs, daysInclusive, isCalendarDay, localParts } from '../analytics/local-time';
import { hashtagsIn } from '../analytics/import-format';
import { activityFromObservations, benchmark, engagementOf, followerSeriesFromSnapshots, followersAtPublish, type BenchmarkInput, type BenchmarkPost, type BenchmarkSummary } from '../competitors/competitor-analysis';
import { detectPromotedPosts, type SuspicionNorm, type PromotionSuspicion } from '../competitors/promotion-suspicion';
import type { AccountRow } from '../db/schema';
import { DomainError, NotFoundError, ValidationError, ConflictError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { findAccount, listAccounts } from '../repositories/accounts.repository';
import { dailyRollups, findDefaultDefinition, postRollupsBefore, postRollupsBetween, type AccountDailyRow, type PostRollupRow } from '../repositories/analytics.repository';
import {
  competitorObservationsOf,
  competitorPostsBetween,
  competitorSnapshots,
  deleteCompetitor,
  findCompetitor,
  findCompetitorByExternalId,
  insertCompetitor,
  listCompetitors,
  ownHashtags,
  ownTargetTexts,
  workspaceNetworks,
  type CompetitorPostRow,
  type CompetitorRow,
} from '../repositories/competitors.repository';
import { findWorkspace } from '../repositories/workspaces.repository';
import type { UseCaseContext } from '../server/services';
import { policyActor } from './workspaces.use-case';

/** A competitor as the API shows it. */
export interface CompetitorView {
  id: string;
  network: string;
  externalId: string;
  handle: string;
  displayName: string | null;
  profileUrl: string | null;
  followers: number | null;
  createdAt: string;
  collectedAt: string | null;
  lastError: string | null;
}

/** The analysis of one competitor. */
export interface CompetitorAnalysis {
  competitor: CompetitorView;
  timeZone: string;
  definition: { id: string; label: string };
  summary: BenchmarkSummary;
  /** Posts whose ER denominator is the first snapshot because they predate it. */
  followersApproximated: { posts: number; firstSnapshotAt: string | null };
  promotion: { norm: SuspicionNorm | null; judgedPosts: number; notJudgedPosts: number; suspicions: Array<PromotionSuspicion & { url: string | null; text: string }> };
}

/** Side by side: the workspace's own accounts and its competitors. */
export interface CompetitorComparison {
  timeZone: string;
  definition: { id: string; label: string };
  period: { from: string; to: string; days: number };
  rows: Array<{ kind: 'own' | 'competitor'; id: string; network: string; handle: string; summary: BenchmarkSummary }>;
}

/** A period query (calendar days in the workspace zone) and an optional definition. */
export interface CompetitorPeriodQuery {
  from?: string;
  to?: string;
  definitionId?: string;
}

const maxDays = 366;
const maxCompetitors = 50;

function present(c: CompetitorRow): CompetitorView {
  return {
    id: c.id,
    network: c.network,
    externalId: c.external_id,
    handle: c.handle,
    displayName: c.display_name,
    profileUrl: c.profile_url,
    followers: c.followers === null ? null : Number(c.followers),
    createdAt: c.created_at,
    collectedAt: c.collected_at,
    lastError: c.last_error,
  };
}

async function authorize(ctx: UseCaseContext, action: 'competitors.read' | 'competitors.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

async function competitorOf(ctx: UseCaseContext, id: string): Promise<CompetitorRow> {
  const c = isId(id) ? await findCompetitor(ctx.db, ctx.workspaceId, id) : undefined;
  if (!c) throw new NotFoundError('Competitor');
  return c;
}

/** The workspace's competitors. */
export async function listWorkspaceCompetitors(ctx: UseCaseContext): Promise<CompetitorView[]> {
  await authorize(ctx, 'competitors.read');
  return (await listCompetitors(ctx.db, ctx.workspaceId)).map(present);
}

/** Adds a public account by network and handle (or profile link). */
export async function addCompetitor(ctx: UseCaseContext, input: { network: string; handle: string }): Promise<CompetitorView> {
  await authorize(ctx, 'competitors.manage');
  const handle = input.handle.trim();
  if (!handle) throw new ValidationError('Enter the competitor\'s handle or profile link', [{ path: 'handle', code: 'required', message: 'a handle or profile link' }]);
  const readable = ctx.services.connectors.list().filter((c) => c.publicData);
  const connector = ctx.services.connectors.has(input.network) ? ctx.services.connectors.get(input.network) : null;
  if (!connector?.publicData) {
    throw new ValidationError(`Herald cannot read public accounts on "${input.network}"; networks with public data: ${readable.map((c) => c.id).join(', ') || 'none'}`, [
      { path: 'network', code: 'no_public_data', message: `public data is available on ${readable.map((c) => c.id).join(', ') || 'no network'}` },
    ]);
  }
  if (!(await workspaceNetworks(ctx.db, ctx.workspaceId)).includes(connector.id)) {
    throw new ValidationError(`Connect a ${connector.displayName} account to this workspace before adding ${connector.displayName} competitors`, [
      { path: 'network', code: 'network_not_connected', message: `no ${connector.displayName} account in this workspace` },
    ]);
  }
  if ((await listCompetitors(ctx.db, ctx.workspaceId)).length >= maxCompetitors) {
    throw new ValidationError(`A workspace may follow at most ${maxCompetitors} competitors`, [{ path: 'handle', code: 'too_many', message: `at most ${maxCompetitors}` }]);
  }
  let found;
  try {
    found = await connector.publicData.lookup({ query: handle }, { fetch: ctx.services.fetch, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    if (e instanceof ConnectorError && (e.kind === 'invalid_content' || e.kind === 'disconnected')) {
      throw new ValidationError(e.message, [{ path: 'handle', code: 'not_found', message: e.message }]);
    }
    if (e instanceof ConnectorError) throw new DomainError(502, 'Network unavailable', `${connector.displayName} could not be reached to look up ${handle}: ${e.message}. Try again.`);
    throw e;
  }
  const ownAccount = (await listAccounts(ctx.db, ctx.workspaceId)).find((a) => a.network === connector.id && a.external_id === found.externalId && a.removed_at === null);
  if (ownAccount) throw new ConflictError(`${found.handle} is one of this workspace's own accounts; it is compared with competitors already`);
  if (await findCompetitorByExternalId(ctx.db, ctx.workspaceId, connector.id, found.externalId)) throw new ConflictError(`${found.handle} is already a competitor in this workspace`);
  const now = ctx.services.now();
  const row: CompetitorRow = {
    id: newId(now.getTime()),
    workspace_id: ctx.workspaceId,
    network: connector.id,
    external_id: found.externalId,
    handle: found.handle,
    display_name: found.displayName,
    service_url: found.serviceUrl,
    profile_url: found.url,
    followers: found.followers,
    created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    created_at: now.toISOString(),
    collected_at: null,
    last_error: null,
  };
  await insertCompetitor(ctx.db, row);
  return present(row);
}

/** Removes a competitor and its collected data. */
export async function removeCompetitor(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'competitors.manage');
  const c = await competitorOf(ctx, id);
  await deleteCompetitor(ctx.db, ctx.workspaceId, c.id);
}

function resolvePeriod(q: CompetitorPeriodQuery, zone: string, now: Date): { from: string; to: string; days: number } {
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !isCalendarDay(v)) throw new ValidationError(`${field} must be a calendar date like 2026-03-29, got "${v}"`, [{ path: field, code: 'invalid_date', message: 'YYYY-MM-DD' }]);
  }
  // Default: the 30 days up to today (competitor data is collected hourly, so today is shown too).
  const to = q.to ?? localParts(now.getTime(), zone).day;
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw new ValidationError('from must not be after to', [{ path: 'to', code: 'invalid_range', message: 'to must be on or after from' }]);
  const days = daysInclusive(from, to);
  if (days > maxDays) throw new ValidationError(`A period may cover at most ${maxDays} days`, [{ path: 'from', code: 'range_too_long', message: `at most ${maxDays} days` }]);
  return { from, to, days };
}

async function definitionFor(ctx: UseCaseContext, id: string | undefined): Promise<KpiDefinition> {
  if (id !== undefined) {
    const d = findKpiDefinition(id);
    if (!d || d.formula !== 'ratio') throw new ValidationError(`"${id}" is not an engagement-rate definition`, [{ path: 'definitionId', code: 'unknown_definition', message: 'see GET …/analytics/definitions' }]);
    return d;
  }
  const chosen = await findDefaultDefinition(ctx.db, ctx.workspaceId);
  return (chosen ? findKpiDefinition(chosen) : undefined) ?? findKpiDefinition(builtInDefaultDefinitionId)!;
}

function countsOf(r: Pick<CompetitorPostRow, 'likes' | 'shares' | 'comments' | 'quotes' | 'views'>): KpiCounts {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return { ...emptyCounts(), likes: n(r.likes), shares: n(r.shares), comments: n(r.comments), quotes: n(r.quotes), views: n(r.views) };
}

function parseTags(raw: string): string[] {
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** Everything the figures and the suspicion need for a competitor. */
async function competitorInput(ctx: UseCaseContext, c: CompetitorRow, zone: string, from: string, to: string) {
  const endIso = new Date(dayStartMs(addDays(to, 3), zone)).toISOString();
  // Posts from 90 days before the period: "last N posts" definitions and the account's suspicion norm.
  const startIso = new Date(dayStartMs(addDays(from, -90), zone)).toISOString();
  const rows = await competitorPostsBetween(ctx.db, c.id, startIso, endIso);
  const snaps = (await competitorSnapshots(ctx.db, c.id, endIso)).map((s) => ({ observedAt: s.observed_at, followers: Number(s.followers) }));
  const observations = await competitorObservationsOf(ctx.db, rows.map((r) => r.id));
  let approximated = 0;
  const periodStart = dayStartMs(addDays(from, -2), zone);
  const posts: BenchmarkPost[] = rows.map((r) => {
    const f = followersAtPublish(snaps, r.published_at, true);
    if (f.approximated && Date.parse(r.published_at) >= dayStartMs(from, zone) && Date.parse(r.published_at) < dayStartMs(addDays(to, 1), zone) && r.content_type !== 'repost') approximated += 1;
    return { id: r.id, url: r.url, text: r.text, publishedAt: r.published_at, contentType: r.content_type, hashtags: parseTags(r.hashtags), counts: countsOf(r), followersAtPublish: f.followers };
  });
  const strict = followerSeriesFromSnapshots(snaps, zone);
  const first = snaps[0];
  // Ratio definitions divide by followers on days before the first snapshot too (flagged as approximated).
  const followersAt = (day: string): FollowerReading | null => strict(day) ?? (first ? { followers: first.followers, observedAt: first.observedAt } : null);
  const activityOn = activityFromObservations(
    rows.filter((r) => r.content_type !== 'repost').map((r) => ({ id: r.id, publishedAt: r.published_at })),
    observations.map((o) => ({ postId: o.post_id, observedAt: o.observed_at, counts: countsOf(o) })),
    zone,
  );
  const input: BenchmarkInput = {
    network: c.network,
    zone,
    from,
    to,
    posts: posts.filter((p) => Date.parse(p.publishedAt) >= periodStart),
    recentPosts: [...posts].filter((p) => Date.parse(p.publishedAt) < dayStartMs(addDays(to, 1), zone)).reverse(),
    followersAt,
    activityOn,
  };
  return { input, strict, rows, observations, approximated, firstSnapshotAt: first?.observedAt ?? null };
}

function summaryFor(input: BenchmarkInput, strict: (day: string) => FollowerReading | null, def: KpiDefinition): BenchmarkSummary {
  const s = benchmark(input, def);
  // Follower figures never use the carried-back approximation.
  const byDay = s.followers.byDay.map((d) => ({ day: d.day, followers: strict(d.day)?.followers ?? null }));
  const start = strict(addDays(input.from, -1));
  const end = strict(input.to);
  const change = start && end ? end.followers - start.followers : null;
  return { ...s, followers: { start, end, change, changePercent: change !== null && start && start.followers > 0 ? Math.round((change / start.followers) * 100 * 1e6) / 1e6 : null, byDay } };
}

/** Followers, frequency, ER, top posts, mixes, posting hours and promoted-post suspicions of one competitor. */
export async function analyseCompetitor(ctx: UseCaseContext, id: string, q: CompetitorPeriodQuery): Promise<CompetitorAnalysis> {
  await authorize(ctx, 'competitors.read');
  const c = await competitorOf(ctx, id);
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  const zone = ws.timezone;
  const period = resolvePeriod(q, zone, ctx.services.now());
  const def = await definitionFor(ctx, q.definitionId);
  const data = await competitorInput(ctx, c, zone, period.from, period.to);
  const summary = summaryFor(data.input, data.strict, def);

  const byPost = new Map<string, Array<{ observedAt: string; engagement: number }>>();
  for (const o of data.observations) {
    const e = engagementOf(countsOf(o));
    if (e === null) continue;
    const list = byPost.get(o.post_id) ?? [];
    list.push({ observedAt: o.observed_at, engagement: e });
    byPost.set(o.post_id, list);
  }
  const own = data.rows.filter((r) => r.content_type !== 'repost');
  const report = detectPromotedPosts(own.map((r) => ({ postId: r.id, publishedAt: r.published_at, observations: byPost.get(r.id) ?? [] })));
  const start = dayStartMs(period.from, zone);
  const end = dayStartMs(addDays(period.to, 1), zone);
  const rowById = new Map(own.map((r) => [r.id, r]));
  const suspicions = report.suspicions
    .filter((s) => Date.parse(s.publishedAt) >= start && Date.parse(s.publishedAt) < end)
    .map((s) => ({ ...s, url: rowById.get(s.postId)?.url ?? null, text: rowById.get(s.postId)?.text ?? '' }));
  return {
    competitor: present(c),
    timeZone: zone,
    definition: { id: def.id, label: def.label },
    summary,
    followersApproximated: { posts: data.approximated, firstSnapshotAt: data.firstSnapshotAt },
    promotion: { norm: report.norm, judgedPosts: report.judged.length, notJudgedPosts: report.notJudged.length, suspicions },
  };
}

function rollupCounts(r: PostRollupRow): KpiCounts {
  return { ...Object.fromEntries(postMetricNames.map((m) => [m, r[metricColumn[m]] === null ? null : Number(r[metricColumn[m]])])), views24h: r.views_24h } as KpiCounts;
}

function dailySeries(before: AccountDailyRow | undefined, days: AccountDailyRow[]): (day: string) => FollowerReading | null {
  const rows = (before ? [before, ...days] : days).filter((d) => d.followers !== null && d.followers_observed_at);
  return (day) => {
    let found: AccountDailyRow | undefined;
    for (const r of rows) if (r.day <= day) found = r;
    return found ? { followers: Number(found.followers), observedAt: found.followers_observed_at! } : null;
  };
}

/** An own account's figures from the analytics rollups. */
async function ownSummary(ctx: UseCaseContext, account: AccountRow, zone: string, from: string, to: string, def: KpiDefinition): Promise<BenchmarkSummary> {
  const start = new Date(dayStartMs(addDays(from, -2), zone)).toISOString();
  const end = new Date(dayStartMs(addDays(to, 3), zone)).toISOString();
  const rollups = await postRollupsBetween(ctx.db, ctx.workspaceId, account.id, start, end);
  const recent = await postRollupsBefore(ctx.db, ctx.workspaceId, account.id, new Date(dayStartMs(addDays(to, 1), zone)).toISOString(), 200);
  const ids = [...new Set([...rollups, ...recent].map((r) => r.target_id))];
  const tags = await ownHashtags(ctx.db, ids);
  const texts = await ownTargetTexts(ctx.db, ctx.workspaceId, ids);
  const toPost = (r: PostRollupRow): BenchmarkPost => {
    const { text, url } = texts.get(r.target_id) ?? { text: '', url: null };
    return { id: r.target_id, url, text, publishedAt: r.published_at, contentType: r.content_type, hashtags: tags.get(r.target_id) ?? hashtagsIn(text), counts: rollupCounts(r), followersAtPublish: r.followers_at_publish === null ? null : Number(r.followers_at_publish) };
  };
  const daily = await dailyRollups(ctx.db, ctx.workspaceId, account.id, addDays(from, -1), to);
  const series = dailySeries(daily.before, daily.days);
  const activity = new Map(daily.days.map((d) => [d.day, Object.fromEntries(postMetricNames.map((m) => [m, d[`${metricColumn[m]}_activity`]])) as Partial<KpiCounts>]));
  const input: BenchmarkInput = { network: account.network, zone, from, to, posts: rollups.map(toPost), recentPosts: recent.map(toPost), followersAt: series, activityOn: (day) => activity.get(day) ?? null };
  return benchmark(input, def);
}

/** Own accounts (all live ones, or `accountIds`) and every competitor, side by side over one period. */
export async function compareCompetitors(ctx: UseCaseContext, q: CompetitorPeriodQuery & { accountIds?: string[] }): Promise<CompetitorComparison> {
  await authorize(ctx, 'competitors.read');
  const ws = await findWorkspace(ctx.db, ctx.workspaceId);
  if (!ws) throw new NotFoundError('Workspace');
  const zone = ws.timezone;
  const period = resolvePeriod(q, zone, ctx.services.now());
  const def = await definitionFor(ctx, q.definitionId);
  let accounts: AccountRow[];
  if (q.accountIds?.length) {
    accounts = [];
    for (const id of q.accountIds) {
      const a = isId(id) ? await findAccount(ctx.db, ctx.workspaceId, id) : undefined;
      if (!a || a.removed_at !== null) throw new NotFoundError('Account');
      accounts.push(a);
    }
  } else {
    accounts = (await listAccounts(ctx.db, ctx.workspaceId)).filter((a) => a.removed_at === null);
  }
  const rows: CompetitorComparison['rows'] = [];
  for (const a of accounts) rows.push({ kind: 'own', id: a.id, network: a.network, handle: a.handle, summary: await ownSummary(ctx, a, zone, period.from, period.to, def) });
  for (const c of await listCompetitors(ctx.db, ctx.workspaceId)) {
    const data = await competitorInput(ctx, c, zone, period.from, period.to);
    rows.push({ kind: 'competitor', id: c.id, network: c.network, handle: c.handle, summary: summaryFor(data.input, data.strict, def) });
  }
  return { timeZone: zone, definition: { id: def.id, label: def.label }, period, rows };
}
