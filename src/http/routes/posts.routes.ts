/**
 * Posts of a workspace: list/create/read/edit and the workflow actions. Membership is checked here;
 * the rules that depend on the post (author, state) are checked by the use cases through the policy.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { targetStates } from '../../db/schema';
import { ValidationError } from '../../domain/errors';
import type { AppServices } from '../../server/services';
import {
  approvePost,
  cancelPost,
  createPost,
  createPostSchema,
  deletePost,
  editPost,
  editPostSchema,
  getPost,
  getPostHistory,
  listPosts,
  parseInput,
  rejectPost,
  scheduleInputSchema,
  schedulePost,
  submitPost,
} from '../../use-cases/posts.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';
import { PageQuerySchema, pageSchema } from '../pagination';

const TargetSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    network: z.string(),
    state: z.enum(targetStates),
    text: z.string(),
    link: z.string().nullable(),
    langs: z.array(z.string()),
    media: z.array(z.object({ id: z.string(), mimeType: z.string(), sizeBytes: z.number(), alt: z.string(), sha256: z.string() })),
    poll: z
      .object({
        question: z.string().optional(),
        options: z.array(z.string()),
        multiple: z.boolean().optional(),
        durationSeconds: z.number().optional(),
        correctOptionIndex: z.number().optional(),
      })
      .nullable()
      .openapi({ description: 'The native poll (networks with `supports.polls`), or null' }),
    thread: z.array(z.string()).openapi({ description: 'Follow-up parts published as a reply chain under the post (networks with `supports.threads`)' }),
    options: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).openapi({ description: "Network options by the names the network declares in `optionFields`" }),
    scheduledAt: z.string().nullable(),
    attempts: z.number(),
    version: z.number(),
    error: z.object({ kind: z.string().nullable(), message: z.string() }).nullable().openapi({ description: 'Why the target failed or is held, in plain words' }),
    externalId: z.string().nullable(),
    externalUrl: z.string().nullable(),
    publishedAt: z.string().nullable(),
    deletedOnNetworkAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('PostTarget');

const PostSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    authorId: z.string(),
    timezone: z.string(),
    scheduledLocal: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    states: z.record(z.string(), z.number()),
    createdAt: z.string(),
    updatedAt: z.string(),
    targets: z.array(TargetSchema),
  })
  .openapi('Post');

const PostParams = WorkspaceParamsSchema.extend({ postId: z.string().openapi({ param: { name: 'postId', in: 'path' } }) }).strict();
const ListQuery = PageQuerySchema.extend({
  state: z.enum(targetStates).optional().openapi({ param: { name: 'state', in: 'query' }, description: 'Only posts with a target in this state' }),
  accountId: z.string().optional().openapi({ param: { name: 'accountId', in: 'query' }, description: 'Only posts with a target on this account' }),
  from: z.string().optional().openapi({ param: { name: 'from', in: 'query' }, description: 'Only posts scheduled at or after this ISO instant' }),
  to: z.string().optional().openapi({ param: { name: 'to', in: 'query' }, description: 'Only posts scheduled before this ISO instant' }),
  q: z.string().trim().max(200).optional().openapi({ param: { name: 'q', in: 'query' }, description: 'Only posts whose text (any target) contains this, ignoring case' }),
}).strict();
const base = '/api/v1/workspaces/{workspaceId}/posts';
const postResponses = { 200: jsonResponse(PostSchema, 'The post'), ...workspaceProblems, ...problemResponses(409) };

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['posts'],
  summary: 'Posts, filtered by target state or account',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, query: ListQuery },
  responses: { 200: jsonResponse(pageSchema(PostSchema, 'PostPage'), 'A page of posts'), ...workspaceProblems },
});

const create = createRoute({
  method: 'post',
  path: base,
  tags: ['posts'],
  summary: 'Create a post: a draft, submitted for review, or scheduled in one call',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(createPostSchema) },
  responses: { 201: jsonResponse(PostSchema, 'Created'), ...workspaceProblems, ...problemResponses(409, 413) },
});

const read = createRoute({
  method: 'get',
  path: `${base}/{postId}`,
  tags: ['posts'],
  summary: "A post with every target's state, error and link",
  security: authenticated,
  request: { params: PostParams },
  responses: { 200: jsonResponse(PostSchema, 'The post'), ...workspaceProblems },
});

const HistoryEntrySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    at: z.string(),
    actor: z.object({ id: z.string(), name: z.string() }).nullable(),
    targetId: z.string().nullable(),
    network: z.string().nullable(),
    reason: z.string().nullable(),
    scheduledAt: z.string().nullable(),
    state: z.string().nullable(),
    error: z.string().nullable(),
    externalUrl: z.string().nullable(),
  })
  .openapi('PostHistoryEntry');

const history = createRoute({
  method: 'get',
  path: `${base}/{postId}/history`,
  tags: ['posts'],
  summary: 'Who did what to a post, and when (oldest first)',
  security: authenticated,
  request: { params: PostParams },
  responses: { 200: jsonResponse(z.object({ items: z.array(HistoryEntrySchema) }).openapi('PostHistory'), 'The history'), ...workspaceProblems },
});

const edit = createRoute({
  method: 'patch',
  path: `${base}/{postId}`,
  tags: ['posts'],
  summary: 'Edit text, link, languages, images, poll, thread, options or time of the unsent targets',
  security: authenticated,
  request: { params: PostParams, body: jsonBody(editPostSchema) },
  responses: postResponses,
});

// Generic over the literal path so the typed web client sees each action (and /history) by name.
function action<P extends string>(path: P, summary: string, body?: z.ZodType) {
  return createRoute({
    method: 'post',
    path: `${base}/{postId}/${path}`,
    tags: ['posts'],
    summary,
    security: authenticated,
    request: body ? { params: PostParams, body: { required: false, content: { 'application/json': { schema: body } } } } : { params: PostParams },
    responses: postResponses,
  });
}

const RejectBody = z.object({ reason: z.string().max(2000).optional() }).strict().openapi('RejectPostRequest');
const ScheduleBody = z.object({ schedule: scheduleInputSchema.optional() }).strict();
const submit = action('submit', 'Submit a draft for review');
const approve = action('approve', 'Approve a post in review');
const reject = action('reject', 'Send a post in review back to draft', RejectBody);
const schedule = action('schedule', 'Schedule (or reschedule, or retry) the unsent targets', ScheduleBody);
const cancel = action('cancel', 'Cancel every unsent target');

const remove = createRoute({
  method: 'delete',
  path: `${base}/{postId}`,
  tags: ['posts'],
  summary: 'Delete a post: cancel unsent targets and delete published copies on the networks',
  security: authenticated,
  request: {
    params: PostParams,
    query: z.object({ onNetwork: z.enum(['true', 'false']).default('true').openapi({ param: { name: 'onNetwork', in: 'query' } }) }).strict(),
  },
  responses: {
    200: jsonResponse(
      z.object({ cancelled: z.number(), deletedOnNetwork: z.number(), notDeleted: z.array(z.object({ targetId: z.string(), network: z.string(), reason: z.string() })) }),
      'Deleted',
    ),
    ...workspaceProblems,
    ...problemResponses(409),
  },
});

/** Actions take an optional body: empty means "no options". */
async function optionalJson<S extends z.ZodType>(c: { req: { text(): Promise<string> } }, schema: S): Promise<z.output<S> | undefined> {
  const text = await c.req.text();
  if (!text.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON');
  }
  return parseInput(schema, parsed);
}

/** Registers the post routes. */
export function registerPostRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  const post = (c: { req: { valid(t: 'param'): { workspaceId: string; postId: string } } }) => c.req.valid('param');
  return app
    .openapi(list, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'posts.read');
      return c.json(await listPosts(access.ctx, c.req.valid('query')), 200);
    })
    .openapi(create, async (c) => {
      const access = await requireWorkspaceAccess(c, c.req.valid('param').workspaceId, 'posts.create');
      return c.json(await createPost(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(read, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json(await getPost(access.ctx, postId), 200);
    })
    .openapi(history, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json(await getPostHistory(access.ctx, postId), 200);
    })
    .openapi(edit, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json(await editPost(access.ctx, postId, c.req.valid('json')), 200);
    })
    .openapi(submit, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json(await submitPost(access.ctx, postId), 200);
    })
    .openapi(approve, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.approve');
      return c.json(await approvePost(access.ctx, postId), 200);
    })
    .openapi(reject, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.approve');
      const body = await optionalJson(c, RejectBody);
      return c.json(await rejectPost(access.ctx, postId, body?.reason), 200);
    })
    .openapi(schedule, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.schedule');
      const body = await optionalJson(c, ScheduleBody);
      return c.json(await schedulePost(access.ctx, postId, body?.schedule), 200);
    })
    .openapi(cancel, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.cancel');
      return c.json(await cancelPost(access.ctx, postId), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, postId } = post(c);
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json(await deletePost(access.ctx, postId, { onNetwork: c.req.valid('query').onNetwork === 'true' }), 200);
    });
}
