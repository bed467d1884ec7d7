/**
 * Hashtag sets: named lists of hashtags shared by a workspace, which the composer appends to a post.
 * Everyone in the workspace lists them; editors and above create, change and delete them.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppServices } from '../../server/services';
import { changeHashtagSet, createHashtagSet, hashtagSetLimits, listWorkspaceHashtagSets, removeHashtagSet } from '../../use-cases/hashtag-sets.use-case';
import type { AppEnv } from '../env';
import { requireWorkspaceAccess } from '../workspace-access';
import { authenticated, jsonBody, jsonResponse, problemResponses, WorkspaceParamsSchema, workspaceProblems } from '../openapi';

const HashtagSetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tags: z.array(z.string()).openapi({ example: ['#herald', '#socialmedia'] }),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('HashtagSet');

// Content rules (length, hashtag syntax, dedupe) live in the use case so the messages are the same everywhere.
const nameField = z.string().openapi({ example: 'Launch', description: `1–${hashtagSetLimits.nameMax} characters, unique in the workspace` });
const tagsField = z.array(z.string()).openapi({
  example: ['herald', '#SocialMedia'],
  description: `${hashtagSetLimits.tagsMin}–${hashtagSetLimits.tagsMax} hashtags (letters, digits, _ in every script); a missing '#' is added, duplicates are dropped`,
});

const CreateBody = z.object({ name: nameField, tags: tagsField }).strict().openapi('CreateHashtagSetRequest');
const UpdateBody = z.object({ name: nameField.optional(), tags: tagsField.optional() }).strict().openapi('UpdateHashtagSetRequest');

const SetParams = WorkspaceParamsSchema.extend({ hashtagSetId: z.string().openapi({ param: { name: 'hashtagSetId', in: 'path' } }) }).strict();
const base = '/api/v1/workspaces/{workspaceId}/hashtag-sets';

const list = createRoute({
  method: 'get',
  path: base,
  tags: ['hashtag-sets'],
  summary: "The workspace's hashtag sets, by name",
  security: authenticated,
  request: { params: WorkspaceParamsSchema },
  responses: { 200: jsonResponse(z.object({ items: z.array(HashtagSetSchema) }), 'Hashtag sets'), ...workspaceProblems },
});

const create = createRoute({
  method: 'post',
  path: base,
  tags: ['hashtag-sets'],
  summary: 'Create a hashtag set (editors and above)',
  security: authenticated,
  request: { params: WorkspaceParamsSchema, body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(HashtagSetSchema, 'Created'), ...workspaceProblems, ...problemResponses(409) },
});

const update = createRoute({
  method: 'patch',
  path: `${base}/{hashtagSetId}`,
  tags: ['hashtag-sets'],
  summary: 'Rename a hashtag set or replace its tags (editors and above)',
  security: authenticated,
  request: { params: SetParams, body: jsonBody(UpdateBody) },
  responses: { 200: jsonResponse(HashtagSetSchema, 'Changed'), ...workspaceProblems, ...problemResponses(409) },
});

const remove = createRoute({
  method: 'delete',
  path: `${base}/{hashtagSetId}`,
  tags: ['hashtag-sets'],
  summary: 'Delete a hashtag set (editors and above)',
  security: authenticated,
  request: { params: SetParams },
  responses: { 204: { description: 'Deleted' }, ...workspaceProblems },
});

/** Registers the hashtag set routes. */
export function registerHashtagSetRoutes(app: OpenAPIHono<AppEnv>, _services: AppServices) {
  return app
    .openapi(list, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'posts.read');
      return c.json({ items: await listWorkspaceHashtagSets(access.ctx) }, 200);
    })
    .openapi(create, async (c) => {
      const { workspaceId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'hashtags.manage');
      return c.json(await createHashtagSet(access.ctx, c.req.valid('json')), 201);
    })
    .openapi(update, async (c) => {
      const { workspaceId, hashtagSetId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'hashtags.manage');
      return c.json(await changeHashtagSet(access.ctx, hashtagSetId, c.req.valid('json')), 200);
    })
    .openapi(remove, async (c) => {
      const { workspaceId, hashtagSetId } = c.req.valid('param');
      const access = await requireWorkspaceAccess(c, workspaceId, 'hashtags.manage');
      await removeHashtagSet(access.ctx, hashtagSetId);
      return c.body(null, 204);
    });
}
