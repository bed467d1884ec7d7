/**
 * Goals against KPI values: which goal applies to a dashboard period and how far a value is from it.
 * Pure: no database, no clock.
 *
 * Progress is "how much of the goal is reached", 100 % or more meaning met, for both directions:
 * - at least: value / target × 100 (empty when the target is 0 or below: a share of it means nothing);
 * - at most: target / value × 100 (empty when the value is 0 or below).
 * `met` compares value and target directly, so it is known even when the percentage is not.
 */
import { roundKpi } from '../analytics/kpi-engine';
import { daysInclusive } from '../analytics/local-time';

/** What a goal says: whose KPI, which one, the target, its direction and the goal's own period. */
export interface GoalTerms {
  accountId: string | null;
  /** The campaign of a campaign goal (its KPI is a campaign KPI, its period the campaign's dates). */
  campaignId: string | null;
  definitionId: string;
  target: number;
  direction: 'at_least' | 'at_most';
  /** The goal's own period (calendar days, inclusive). */
  from: string;
  to: string;
}

/** Whose KPI a goal is about: every account's, one account's, or one campaign's. */
export type GoalScope = 'workspace' | 'account' | 'campaign';

/** The scope of a goal's terms. */
export function goalScope(g: Pick<GoalTerms, 'accountId' | 'campaignId'>): GoalScope {
  return g.campaignId ? 'campaign' : g.accountId ? 'account' : 'workspace';
}

/** A goal as the progress needs it. */
export interface GoalInput extends GoalTerms {
  id: string;
  createdAt: string;
}

/** A goal with its progress for one value. */
export interface GoalProgress extends GoalTerms {
  goalId: string;
  scope: GoalScope;
  /** True when the goal's period is exactly the period the value was computed for. */
  periodMatches: boolean;
  /** Null when the value is empty. */
  met: boolean | null;
  progressPercent: number | null;
  /** value − target (null when the value is empty). */
  gap: number | null;
}

/** How far `value` is from the goal. */
export function goalProgress(goal: GoalInput, value: number | null, period: { from: string; to: string }): GoalProgress {
  const base = {
    goalId: goal.id,
    scope: goalScope(goal),
    accountId: goal.accountId,
    campaignId: goal.campaignId,
    definitionId: goal.definitionId,
    target: goal.target,
    direction: goal.direction,
    from: goal.from,
    to: goal.to,
    periodMatches: goal.from === period.from && goal.to === period.to,
  };
  if (value === null) return { ...base, met: null, progressPercent: null, gap: null };
  const met = goal.direction === 'at_least' ? value >= goal.target : value <= goal.target;
  let progress: number | null = null;
  if (goal.direction === 'at_least' && goal.target > 0) progress = (value / goal.target) * 100;
  if (goal.direction === 'at_most' && value > 0) progress = (goal.target / value) * 100;
  return { ...base, met, progressPercent: progress === null ? null : roundKpi(progress), gap: roundKpi(value - goal.target) };
}

function overlapDays(a: { from: string; to: string }, b: { from: string; to: string }): number {
  const from = a.from > b.from ? a.from : b.from;
  const to = a.to < b.to ? a.to : b.to;
  return from > to ? 0 : daysInclusive(from, to);
}

/**
 * The goal that applies to a KPI on an account's dashboard for `period`: goals of that definition
 * whose period overlaps it, the account's own before workspace-wide ones, then an exact period match,
 * then the largest overlap, then the newest.
 */
export function pickGoal(goals: GoalInput[], accountId: string, definitionId: string, period: { from: string; to: string }): GoalInput | null {
  const candidates = goals.filter((g) => g.campaignId === null && g.definitionId === definitionId && (g.accountId === null || g.accountId === accountId) && overlapDays(g, period) > 0);
  candidates.sort(
    (x, y) =>
      Number(y.accountId !== null) - Number(x.accountId !== null) ||
      Number(y.from === period.from && y.to === period.to) - Number(x.from === period.from && x.to === period.to) ||
      overlapDays(y, period) - overlapDays(x, period) ||
      (y.createdAt < x.createdAt ? -1 : y.createdAt > x.createdAt ? 1 : 0),
  );
  return candidates[0] ?? null;
}

/** The goal that applies to one KPI of a campaign: the campaign's newest goal of that definition. */
export function pickCampaignGoal(goals: GoalInput[], campaignId: string, definitionId: string): GoalInput | null {
  let best: GoalInput | null = null;
  for (const g of goals) {
    if (g.campaignId !== campaignId || g.definitionId !== definitionId) continue;
    if (!best || g.createdAt > best.createdAt || (g.createdAt === best.createdAt && g.id > best.id)) best = g;
  }
  return best;
}
