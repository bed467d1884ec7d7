/**
 * Hashtag sets: named lists of hashtags a workspace shares; the composer appends one to a post in a
 * click. Everyone who can read posts reads them; editors and up create, change and delete them.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { countHashtagSets, deleteHashtagSet, findHashtagSet, findHashtagSetByName, insertHashtagSet, listHashtagSets, updateHashtagSet } from '../repositories/hashtag-sets.repository';
import type { HashtagSetRow } from '../db/schema';
import type { UseCaseContext } from '../server/services';
import { policyActor } from './workspaces.use-case';

/** A hashtag set as the API shows it. */
export interface HashtagSetView {
  id: string;
  name: string;
  tags: string[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a set is made of (create) or changes to (update). */
export interface HashtagSetInput {
  name?: string;
  tags?: string[];
}

/** Limits a person can read in the error messages. */
export const hashtagSetLimits = { nameMax: 60, tagsMin: 1, tagsMax: 30, tagMax: 100, setsMax: 200 } as const;

// Letters and digits of every script plus underscore: what the networks link as a hashtag.
const tagBody = /^[\p{L}\p{N}\p{M}_]+$/u;

/** `tag` with one leading '#', or null when it is not a hashtag. */
export function normaliseHashtag(tag: string): string | null {
  const body = tag.trim().replace(/^[#＃]+/, '');
  return body && tagBody.test(body) ? `#${body}` : null;
}

const nameSchema = z
  .string({ error: 'name must be text' })
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'Give the set a name').max(hashtagSetLimits.nameMax, `A set name is at most ${hashtagSetLimits.nameMax} characters`));

const tagsSchema = z
  .array(z.string({ error: 'each tag must be text' }).max(hashtagSetLimits.tagMax, `A hashtag is at most ${hashtagSetLimits.tagMax} characters`), { error: 'tags must be a list of hashtags' })
  .transform((tags, ctx) => {
    const out: string[] = [];
    const seen = new Set<string>();
    tags.forEach((raw, i) => {
      const tag = normaliseHashtag(raw);
      if (!tag) {
        ctx.addIssue({ code: 'custom', path: [i], message: `"${raw}" is not a hashtag: use letters, digits or _ only (no spaces or punctuation)` });
        return;
      }
      // Networks treat #Brand and #brand as the same tag.
      const key = tag.toLocaleLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        out.push(tag);
      }
    });
    return out;
  })
  .pipe(
    z
      .array(z.string())
      .min(hashtagSetLimits.tagsMin, 'A set needs at least one hashtag')
      .max(hashtagSetLimits.tagsMax, `A set holds at most ${hashtagSetLimits.tagsMax} hashtags`),
  );

function parse<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), code: i.code, message: i.message }));
  throw new ValidationError(errors.map((e) => e.message).join('; '), errors);
}

function present(r: HashtagSetRow): HashtagSetView {
  let tags: string[] = [];
  try {
    const v: unknown = JSON.parse(r.tags);
    if (Array.isArray(v)) tags = v.filter((t): t is string => typeof t === 'string');
  } catch {
    tags = [];
  }
  return { id: r.id, name: r.name, tags, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at };
}

async function authorize(ctx: UseCaseContext, action: 'posts.read' | 'hashtags.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

async function setOf(ctx: UseCaseContext, id: string): Promise<HashtagSetRow> {
  const row = isId(id) ? await findHashtagSet(ctx.db, ctx.workspaceId, id) : undefined;
  if (!row) throw new NotFoundError('Hashtag set');
  return row;
}

async function assertNameFree(ctx: UseCaseContext, name: string, exceptId?: string): Promise<void> {
  const other = await findHashtagSetByName(ctx.db, ctx.workspaceId, name);
  if (other && other.id !== exceptId) throw new ConflictError(`A hashtag set named "${name}" already exists in this workspace`);
}

/** The workspace's hashtag sets, by name. */
export async function listWorkspaceHashtagSets(ctx: UseCaseContext): Promise<HashtagSetView[]> {
  await authorize(ctx, 'posts.read');
  return (await listHashtagSets(ctx.db, ctx.workspaceId)).map(present);
}

/** Creates a set; a name already used in the workspace is a conflict. */
export async function createHashtagSet(ctx: UseCaseContext, input: HashtagSetInput): Promise<HashtagSetView> {
  await authorize(ctx, 'hashtags.manage');
  const name = parse(nameSchema, input.name, 'name');
  const tags = parse(tagsSchema, input.tags, 'tags');
  await assertNameFree(ctx, name);
  if ((await countHashtagSets(ctx.db, ctx.workspaceId)) >= hashtagSetLimits.setsMax) {
    throw new ConflictError(`A workspace holds at most ${hashtagSetLimits.setsMax} hashtag sets; delete one first`);
  }
  const now = ctx.services.now().toISOString();
  const row: HashtagSetRow = {
    id: newId(),
    workspace_id: ctx.workspaceId,
    name,
    tags: JSON.stringify(tags),
    created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    created_at: now,
    updated_at: now,
  };
  await insertHashtagSet(ctx.db, row);
  return present(row);
}

/** Renames a set and/or replaces its tags. */
export async function changeHashtagSet(ctx: UseCaseContext, id: string, input: HashtagSetInput): Promise<HashtagSetView> {
  await authorize(ctx, 'hashtags.manage');
  const row = await setOf(ctx, id);
  const patch: { name?: string; tags?: string; updated_at: string } = { updated_at: ctx.services.now().toISOString() };
  if (input.name !== undefined) {
    patch.name = parse(nameSchema, input.name, 'name');
    await assertNameFree(ctx, patch.name, row.id);
  }
  if (input.tags !== undefined) patch.tags = JSON.stringify(parse(tagsSchema, input.tags, 'tags'));
  await updateHashtagSet(ctx.db, ctx.workspaceId, row.id, patch);
  return present({ ...row, ...patch });
}

/** Deletes a set. */
export async function removeHashtagSet(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'hashtags.manage');
  const row = await setOf(ctx, id);
  await deleteHashtagSet(ctx.db, ctx.workspaceId, row.id);
}
