/**
 * KPI goals: a target for one KPI definition over a period, for the whole workspace (every account's
 * dashboard) or one account, "at least" or "at most" — or for one campaign's KPI (ROI, CPA, …) over
 * the campaign's own dates, which the goal follows when they change. Everyone who reads analytics
 * reads goals and sees them with progress (dashboard, campaign); admins and owners set them
 * (goals.manage). Changes record a domain event in the same transaction.
 */
import { z } from 'zod';
import { findKpiDefinition, kpiDefinitions } from '../analytics/kpi-definitions';
import { campaignKpiDefinitions, findCampaignKpiDefinition } from '../campaigns/campaign-kpi-definitions';
import { isCalendarDay } from '../analytics/local-time';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import type { Executor } from '../jobs/job-queue';
import { assertCan } from '../policies/policy';
import { findAccount } from '../repositories/accounts.repository';
import { findCampaign } from '../repositories/campaigns.repository';
import { deleteGoal, findGoal, insertGoal, isCampaignGoalTaken, listGoals, updateGoal, type GoalRow } from '../repositories/goals.repository';
import type { UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { goalProgress, goalScope, pickCampaignGoal, pickGoal, type GoalInput, type GoalProgress, type GoalScope, type GoalTerms } from '../goals/goal-progress';
import { policyActor } from './workspaces.use-case';

/** A goal as the API shows it. */
export interface GoalView extends GoalTerms {
  id: string;
  scope: GoalScope;
  definitionLabel: string;
  unit: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A goal as a caller gives it (all optional on update; a campaign goal takes no from/to). */
export type GoalFields = Partial<GoalTerms>;

/** Most goals one workspace keeps. */
export const maxGoals = 500;

const day = (what: string) => z.string({ error: `${what} must be a calendar date like 2026-03-01` }).refine(isCalendarDay, { message: `${what} must be a calendar date like 2026-03-01` });
const definitionIds = kpiDefinitions.map((d) => d.id);
const campaignDefinitionIds = campaignKpiDefinitions.map((d) => d.id);
const Fields = z.object({
  accountId: z.string().nullable(),
  campaignId: z.string().nullable(),
  definitionId: z.string({ error: 'definitionId is required' }).refine((id) => definitionIds.includes(id) || campaignDefinitionIds.includes(id), {
    message: `definitionId must be a KPI definition id such as ${definitionIds.slice(0, 3).join(', ')} (see GET …/analytics/definitions), or for a campaign goal one of ${campaignDefinitionIds.join(', ')}`,
  }),
  target: z.number({ error: 'target must be a number' }).refine(Number.isFinite, { message: 'target must be a finite number' }).refine((v) => Math.abs(v) <= 1e12, { message: 'target is too large' }),
  direction: z.enum(['at_least', 'at_most'], { error: 'direction must be at_least or at_most' }),
  from: day('from'),
  to: day('to'),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }));
  throw new ValidationError(errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), errors);
}

async function authorize(ctx: UseCaseContext, action: 'analytics.read' | 'goals.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

const actorId = (ctx: UseCaseContext) => (ctx.actor.kind === 'user' ? ctx.actor.userId : null);

function view(r: GoalRow): GoalView {
  const def = findKpiDefinition(r.definition_id) ?? findCampaignKpiDefinition(r.definition_id);
  return {
    id: r.id,
    scope: goalScope({ accountId: r.account_id, campaignId: r.campaign_id }),
    accountId: r.account_id,
    campaignId: r.campaign_id,
    definitionId: r.definition_id,
    definitionLabel: def?.label ?? r.definition_id,
    unit: def?.unit ?? 'percent',
    target: Number(r.target),
    direction: r.direction,
    from: r.from_day,
    to: r.to_day,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function asInput(r: GoalRow): GoalInput {
  return { id: r.id, accountId: r.account_id, campaignId: r.campaign_id, definitionId: r.definition_id, target: Number(r.target), direction: r.direction, from: r.from_day, to: r.to_day, createdAt: r.created_at };
}

async function checkAccount(ctx: UseCaseContext, accountId: string | null): Promise<void> {
  if (accountId === null) return;
  const account = isId(accountId) ? await findAccount(ctx.db, ctx.workspaceId, accountId) : undefined;
  if (!account) throw new ValidationError('accountId is not an account of this workspace', [{ path: 'accountId', code: 'unknown_account', message: 'accountId is not an account of this workspace' }]);
}

function checkRange(from: string, to: string): void {
  if (to < from) throw new ValidationError(`The goal cannot end (${to}) before it starts (${from})`, [{ path: 'to', code: 'invalid_range', message: 'to must be on or after from' }]);
}

function event(ctx: UseCaseContext, db: Executor, type: string, subjectId: string, payload: Record<string, unknown>) {
  return recordEvent(ctx.services, db, { workspaceId: ctx.workspaceId, type, subjectId, actorId: actorId(ctx), payload });
}

async function goalOf(ctx: UseCaseContext, id: string): Promise<GoalRow> {
  const row = isId(id) ? await findGoal(ctx.db, ctx.workspaceId, id) : undefined;
  if (!row) throw new NotFoundError('Goal');
  return row;
}

/** The workspace's goals (those that may apply to `accountId`, or `campaignId`'s, when given). */
export async function listWorkspaceGoals(ctx: UseCaseContext, f: { accountId?: string; campaignId?: string } = {}): Promise<GoalView[]> {
  await authorize(ctx, 'analytics.read');
  return (await listGoals(ctx.db, ctx.workspaceId, f)).map(view);
}

function refuse(path: string, code: string, message: string): never {
  throw new ValidationError(message, [{ path, code, message }]);
}

/**
 * Checks what a goal is about and returns its period: a campaign goal's is the campaign's dates (the
 * caller gives none), any other goal's the given one.
 */
async function checkScope(ctx: UseCaseContext, t: { accountId: string | null; campaignId: string | null; definitionId: string; from?: string; to?: string }): Promise<{ from: string; to: string }> {
  if (t.campaignId === null) {
    if (!definitionIds.includes(t.definitionId)) refuse('definitionId', 'campaign_kpi', `${t.definitionId} is a campaign KPI: give the campaignId whose goal it is`);
    await checkAccount(ctx, t.accountId);
    if (t.from === undefined || t.to === undefined) refuse(t.from === undefined ? 'from' : 'to', 'required', 'A goal needs from and to: the period it covers, calendar dates like 2026-03-01');
    checkRange(t.from, t.to);
    return { from: t.from, to: t.to };
  }
  if (t.accountId !== null) refuse('accountId', 'campaign_account', "A campaign goal is about the campaign's KPIs as a whole: leave accountId out");
  if (!campaignDefinitionIds.includes(t.definitionId)) refuse('definitionId', 'not_campaign_kpi', `A campaign goal targets a campaign KPI: one of ${campaignDefinitionIds.join(', ')}`);
  const campaign = isId(t.campaignId) ? await findCampaign(ctx.db, ctx.workspaceId, t.campaignId) : undefined;
  if (!campaign) refuse('campaignId', 'unknown_campaign', 'There is no such campaign in this workspace');
  if (t.from !== undefined || t.to !== undefined) refuse(t.from !== undefined ? 'from' : 'to', 'campaign_period', `A campaign goal runs over the campaign's own dates (${campaign.starts_on} … ${campaign.ends_on}) and follows them: leave from and to out`);
  return { from: campaign.starts_on, to: campaign.ends_on };
}

/**
 * A campaign has at most one goal per KPI: they would all cover the campaign's dates, and a second one
 * would only hide the first.
 */
async function checkOneCampaignGoal(ctx: UseCaseContext, campaignId: string | null, definitionId: string, exceptId: string | null): Promise<void> {
  if (campaignId === null) return;
  const taken = (await listGoals(ctx.db, ctx.workspaceId, { campaignId })).find((g) => g.definition_id === definitionId && g.id !== exceptId);
  if (taken) throw new ConflictError(`This campaign already has a goal for ${definitionId} (${taken.id}): change that one (PATCH …/goals/${taken.id}) or remove it first`, { goalId: taken.id });
}

/** Runs a goal write; the unique index's refusal (another save won the race) becomes the same 409. */
async function savingCampaignGoal<T>(ctx: UseCaseContext, campaignId: string | null, definitionId: string, exceptId: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isCampaignGoalTaken(e)) await checkOneCampaignGoal(ctx, campaignId, definitionId, exceptId);
    throw e;
  }
}

/** Sets a goal (goals.manage). */
export async function createGoal(ctx: UseCaseContext, input: GoalFields): Promise<GoalView> {
  await authorize(ctx, 'goals.manage');
  const v = parse(Fields.partial({ from: true, to: true }), { ...input, accountId: input.accountId ?? null, campaignId: input.campaignId ?? null });
  const period = await checkScope(ctx, v);
  await checkOneCampaignGoal(ctx, v.campaignId, v.definitionId, null);
  if ((await listGoals(ctx.db, ctx.workspaceId)).length >= maxGoals) throw new ValidationError(`A workspace keeps at most ${maxGoals} goals; delete old ones first`);
  const now = ctx.services.now().toISOString();
  const row: GoalRow = {
    id: newId(),
    workspace_id: ctx.workspaceId,
    account_id: v.accountId,
    campaign_id: v.campaignId,
    definition_id: v.definitionId,
    target: v.target,
    direction: v.direction,
    from_day: period.from,
    to_day: period.to,
    created_by: actorId(ctx),
    created_at: now,
    updated_at: now,
  };
  await savingCampaignGoal(ctx, v.campaignId, v.definitionId, null, () =>
    ctx.db.transaction().execute(async (trx) => {
      await insertGoal(trx, row);
      await event(ctx, trx, 'goal.created', row.id, { goalId: row.id, definitionId: row.definition_id, accountId: row.account_id, campaignId: row.campaign_id, target: row.target, direction: row.direction, from: row.from_day, to: row.to_day });
    }),
  );
  return view(row);
}

/** Changes a goal (goals.manage); the changed goal is checked whole, as a new one would be. */
export async function changeGoal(ctx: UseCaseContext, id: string, input: GoalFields): Promise<GoalView> {
  await authorize(ctx, 'goals.manage');
  const g = await goalOf(ctx, id);
  const v = parse(Fields.partial(), input);
  const campaignId = v.campaignId !== undefined ? v.campaignId : g.campaign_id;
  const period = await checkScope(ctx, {
    accountId: v.accountId !== undefined ? v.accountId : g.account_id,
    campaignId,
    definitionId: v.definitionId ?? g.definition_id,
    // A campaign goal's stored period is the campaign's, not the caller's.
    from: v.from ?? (campaignId === null ? g.from_day : undefined),
    to: v.to ?? (campaignId === null ? g.to_day : undefined),
  });
  await checkOneCampaignGoal(ctx, campaignId, v.definitionId ?? g.definition_id, g.id);
  const patch: Partial<GoalRow> = { updated_at: ctx.services.now().toISOString() };
  if (v.accountId !== undefined) patch.account_id = v.accountId;
  if (v.campaignId !== undefined) patch.campaign_id = v.campaignId;
  if (v.definitionId !== undefined) patch.definition_id = v.definitionId;
  if (v.target !== undefined) patch.target = v.target;
  if (v.direction !== undefined) patch.direction = v.direction;
  if (period.from !== g.from_day) patch.from_day = period.from;
  if (period.to !== g.to_day) patch.to_day = period.to;
  await savingCampaignGoal(ctx, campaignId, v.definitionId ?? g.definition_id, g.id, () =>
    ctx.db.transaction().execute(async (trx) => {
      await updateGoal(trx, ctx.workspaceId, g.id, patch);
      await event(ctx, trx, 'goal.updated', g.id, { goalId: g.id, changed: Object.keys(patch).filter((k) => k !== 'updated_at') });
    }),
  );
  return view({ ...g, ...patch });
}

/** Deletes a goal (goals.manage). */
export async function removeGoal(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'goals.manage');
  const g = await goalOf(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    await deleteGoal(trx, ctx.workspaceId, g.id);
    await event(ctx, trx, 'goal.deleted', g.id, { goalId: g.id, definitionId: g.definition_id });
  });
}

/**
 * The goal that applies to each KPI of an account's dashboard for `period`, with its progress
 * against the value (see goal-progress.ts for which goal wins). The caller has checked analytics.read.
 */
export async function goalsForKpis(
  ctx: UseCaseContext,
  accountId: string,
  period: { from: string; to: string },
  values: Array<{ definitionId: string; value: number | null }>,
): Promise<Map<string, GoalProgress>> {
  const goals = (await listGoals(ctx.db, ctx.workspaceId, { accountId })).map(asInput);
  const out = new Map<string, GoalProgress>();
  if (goals.length === 0) return out;
  for (const k of values) {
    const g = pickGoal(goals, accountId, k.definitionId, period);
    if (g) out.set(k.definitionId, goalProgress(g, k.value, period));
  }
  return out;
}

/**
 * The goal that applies to each KPI of a campaign (its newest goal of that definition) with its
 * progress against the value, over the campaign's dates. The caller has checked analytics.read.
 */
export async function goalsForCampaignKpis(
  ctx: UseCaseContext,
  campaign: { id: string; from: string; to: string },
  values: Array<{ definitionId: string; value: number | null }>,
): Promise<Map<string, GoalProgress>> {
  const goals = (await listGoals(ctx.db, ctx.workspaceId, { campaignId: campaign.id })).map(asInput);
  const out = new Map<string, GoalProgress>();
  for (const k of values) {
    const g = pickCampaignGoal(goals, campaign.id, k.definitionId);
    if (g) out.set(k.definitionId, goalProgress(g, k.value, campaign));
  }
  return out;
}
