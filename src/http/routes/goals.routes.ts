/**
 * KPI goals: a target for one KPI definition over a period, workspace-wide or for one account, "at
 * least" or "at most", or for one campaign's KPI over the campaign's dates. Everyone who reads analytics lists them (the dashboard shows each KPI's goal
 * with progress); admins and owners set them (goals.manage).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { changeGoal, createGoal, listWorkspaceGoals, removeGoal } from '../../use-cases/goals.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const GoalSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['workspace', 'account', 'campaign']),
    accountId: z.string().nullable(),
    campaignId: z.string().nullable(),
    definitionId: z.string(),
    definitionLabel: z.string(),
    unit: z.string(),
    target: z.number(),
    direction: z.enum(['at_least', 'at_most']),
    from: z.string(),
    to: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Goal');

// Content rules (known definition, dates, range) live in the use case so the CLI says the same words.
const Fields = {
  accountId: z.string().nullable().optional().openapi({ description: 'The account; null or absent: every account of the workspace' }),
  campaignId: z.string().nullable().optional().openapi({ description: "A campaign goal's campaign (with a campaign KPI id, e.g. campaign.cpa, and no from/to: it runs over the campaign's dates)" }),
  definitionId: z.string().openapi({ example: 'livedune.er.pooled', description: 'A KPI definition id (GET …/analytics/definitions)' }),
  target: z.number().openapi({ example: 5 }),
  direction: z.string().openapi({ description: 'at_least | at_most (checked by the use case, so the CLI says the same words)', example: 'at_least' }),
  from: z.string().optional().openapi({ example: '2026-03-01', description: 'Required except for a campaign goal' }),
  to: z.string().optional().openapi({ example: '2026-03-31', description: 'Required except for a campaign goal' }),
};
const CreateBody = z.object(Fields).strict().openapi('CreateGoalRequest');
const UpdateBody = z
  .object({ accountId: Fields.accountId, campaignId: Fields.campaignId, definitionId: Fields.definitionId.optional(), target: Fields.target.optional(), direction: Fields.direction.optional(), from: Fields.from, to: Fields.to })
  .strict()
  .openapi('UpdateGoalRequest');
const GoalParams = WorkspaceParamsSchema.extend({ goalId: z.string().openapi({ param: { name: 'goalId', in: 'path' } }) }).strict();
const ListQuery = z
  .object({
    accountId: z.string().optional().openapi({ param: { name: 'accountId', in: 'query' }, description: 'Only goals that apply to this account (its own and workspace-wide)' }),
    campaignId: z.string().optional().openapi({ param: { name: 'campaignId', in: 'query' }, description: "Only this campaign's goals" }),
  })
  .strict();
const base = '/api/v1/workspaces/{workspaceId}/goals';
const tags = ['goals'];

const list = createRoute({ method: 'get', path: base, tags, summary: 'KPI goals', security: authenticated, request: { params: WorkspaceParamsSchema, query: ListQuery }, responses: { 200: jsonResponse(z.object({ items: z.array(GoalSchema) }), 'Goals'), ...workspaceProblems } });
const create = createRoute({ method: 'post', path: base, tags, summary: 'Set a KPI goal (admins and owners)', security: authenticated, request: { params: WorkspaceParamsSchema, body: jsonBody(CreateBody) }, responses: { 201: jsonResponse(GoalSchema, 'Created'), ...workspaceProblems, ...problemResponses(409) } });
const update = createRoute({ method: 'patch', path: `${base}/{goalId}`, tags, summary: 'Change a KPI goal (admins and owners)', security: authenticated, request: { params: GoalParams, body: jsonBody(UpdateBody) }, responses: { 200: jsonResponse(GoalSchema, 'Changed'), ...workspaceProblems, ...problemResponses(409) } });
const remove = createRoute({ method: 'delete', path: `${base}/{goalId}`, tags, summary: 'Delete a KPI goal (admins and owners)', security: authenticated, request: { params: GoalParams }, responses: { 204: { description: 'Deleted' }, ...workspaceProblems } });

/** Registers the goal routes. */
export function registerGoalRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'analytics.read');
      const { accountId, campaignId } = c.req.valid('query');
      return c.json({ items: await listWorkspaceGoals(access.ctx, { ...(accountId ? { accountId } : {}), ...(campaignId ? { campaignId } : {}) }) }, 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'goals.manage');
      return c.json(await createGoal(access.ctx, c.req.valid('json') as Parameters<typeof createGoal>[1]), 201);
    })
    .openapi(update, async (c) => {
      const { workspaceId, goalId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'goals.manage');
      return c.json(await changeGoal(access.ctx, goalId, c.req.valid('json') as Parameters<typeof changeGoal>[2]), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, goalId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'goals.manage');
      await removeGoal(access.ctx, goalId);
      return c.body(null, 204);
    });
}
