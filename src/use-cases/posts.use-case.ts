/**
 * Posts: one post fans out to one target per account, each with its own variant and state (see
 * src/domain/post-state.ts). Every change is validated first and written in one transaction together
 * with its domain events and job (publish-target, keyed per target), so a crash never leaves a
 * scheduled target without a job or a job without its change.
 *
 * Decisions worth knowing:
 * - A contributor who asks to schedule gets the post submitted for review instead (with the requested
 *   time kept on the post); an editor then approves and schedules.
 * - An edit by someone who may not schedule (a contributor) sends approved/scheduled targets back to
 *   review; an editor's edit keeps a scheduled target scheduled (the worker re-reads the text when it
 *   publishes, so the new text wins) and bumps `version`.
 * - `schedule` without a time uses the post's stored time, or now when that has passed (retrying a
 *   failed post publishes it at once).
 * - Deleting a post cancels what has not been sent; published targets are deleted on the network when
 *   the connector can (they stay `published`, lose `external_url` and get a `post.target.deleted`
 *   event); the post itself is then hidden from lists.
 * - Poll, thread and network options follow text's rules (post default, per-target override, stored
 *   per target in `extras`); a post-level option reaches only the networks that declare it. Every
 *   validation runs the connector's own rules plus what its declarations imply, with the limits the
 *   account's server announced; drafts are checked when they leave draft, like text.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AnyConnector, PollSpec, PostVariant, ValidationContext, ValidationResult } from '../connectors/connector';
import { validateWithDeclarations } from '../connectors/declared-checks';
import type { AccountRow, MediaRow, PostRow, PostTargetRow, TargetState } from '../db/schema';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertTransition, canTransition, editableStates } from '../domain/post-state';
import { resolveSchedule, type ResolvedSchedule } from '../domain/schedule-time';
import type { Executor } from '../jobs/job-queue';
import { assertCan, can, type Action, type PolicyActor } from '../policies/policy';
import { findAccount, findAccountById } from '../repositories/accounts.repository';
import { deleteMediaOfTarget, insertMedia, mediaMetaOfTargets, mediaOfTarget } from '../repositories/media.repository';
import { eventsForSubjects, eventsOfSubjectsInWorkspace } from '../repositories/events.repository';
import { findUserById } from '../repositories/users.repository';
import { findPost, insertPost, listPosts as listPostRows, updatePost, workspaceTimezone } from '../repositories/posts.repository';
import { insertTarget, parseExtras, serializeExtras, targetsOfPost, targetsOfPosts, updateTargetIf, type OptionValue } from '../repositories/post-targets.repository';
import { accountAuth, accountContext, accountNetworkLimits } from '../publishing/connector-context';
import { dropPublishJob, enqueuePublish } from '../publishing/publish-jobs';
import { targetEventPayload } from '../publishing/target-events';
import type { AppServices, UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { policyActor } from './workspaces.use-case';

/** Hard cap per image before the network's own limit is checked (keeps the database sane). */
export const maxMediaBytes = 20 * 1024 * 1024;

/** An image as the API takes it: base64 bytes, type and alt text. */
export const mediaInputSchema = z
  .object({
    data: z.string().min(1, 'image data is empty'),
    mimeType: z.string().min(3).max(100),
    alt: z.string().max(5000).default(''),
  })
  .strict();

const langsSchema = z.array(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'language tags look like "en" or "pt-BR"')).max(10);
const linkSchema = z.url({ protocol: /^https?$/, message: 'link must be an http(s) URL' }).nullable();

/** A native poll; which networks take one (and their limits) comes from the connectors. */
export const pollSchema = z
  .object({
    question: z.string().min(1, 'the poll question is empty').max(1000).optional(),
    options: z
      .array(z.string().min(1, 'a poll option is empty').max(1000))
      .min(2, 'a poll needs at least 2 options')
      .max(20, 'a poll has at most 20 options'),
    multiple: z.boolean().optional(),
    durationSeconds: z.number().int().min(1).max(366 * 86_400).optional(),
    correctOptionIndex: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((p) => p.correctOptionIndex === undefined || p.correctOptionIndex < p.options.length, {
    message: 'correctOptionIndex must point at one of the options (counting from 0)',
    path: ['correctOptionIndex'],
  });

/** Follow-up parts published as a reply chain under the first post. */
const threadSchema = z.array(z.string().min(1, 'a thread part is empty').max(100_000)).max(100);

/** Network options by the names the connectors declare (`optionFields`). */
const optionsSchema = z
  .record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.boolean(), z.number()]))
  .refine((o) => Object.keys(o).length <= 50, { message: 'at most 50 options' });

/**
 * Fields of a variant, all optional (defaults at post level, overrides per target). `poll: null` on a
 * target means "no poll here" even when the post has one; `thread: []` likewise. Post-level `options`
 * go to the targets whose network declares that option (a name no network of the post declares is an
 * error); target-level `options` win over them key by key and must all be declared by that network.
 */
export const variantFieldsSchema = z.object({
  text: z.string().max(100_000).optional(),
  link: linkSchema.optional(),
  langs: langsSchema.optional(),
  media: z.array(mediaInputSchema).max(20).optional(),
  poll: pollSchema.nullable().optional(),
  thread: threadSchema.optional(),
  options: optionsSchema.optional(),
});

/** When to publish: a wall time in a zone, or an ISO instant with offset. */
export const scheduleInputSchema = z.union([
  z
    .object({
      date: z.string(),
      time: z.string(),
      timezone: z.string(),
      fold: z.enum(['earlier', 'later']).optional(),
    })
    .strict(),
  z.object({ at: z.string(), timezone: z.string().optional() }).strict(),
]);
export type ScheduleInputBody = z.infer<typeof scheduleInputSchema>;

/** Creating a post (as a draft, for review, or scheduled in one call). */
export const createPostSchema = variantFieldsSchema
  .extend({
    targets: z
      .array(variantFieldsSchema.extend({ accountId: z.string() }).strict())
      .min(1, 'pick at least one account')
      .max(50),
    schedule: scheduleInputSchema.optional(),
    /** Default: `schedule` when a schedule is given, else `draft`. */
    action: z.enum(['draft', 'submit', 'schedule']).optional(),
    /** Author for system actors (the CLI acting without a user). */
    authorId: z.string().optional(),
  })
  .strict();
export type CreatePostInput = z.input<typeof createPostSchema>;

/** Editing a post: shared fields, per-target overrides (by account), and/or a new time. */
export const editPostSchema = variantFieldsSchema
  .extend({
    targets: z.array(variantFieldsSchema.extend({ accountId: z.string() }).strict()).max(50).optional(),
    schedule: scheduleInputSchema.optional(),
  })
  .strict();
export type EditPostInput = z.input<typeof editPostSchema>;

/** A target as the API shows it. */
export interface TargetView {
  id: string;
  accountId: string;
  network: string;
  state: TargetState;
  text: string;
  link: string | null;
  langs: string[];
  media: Array<{ id: string; mimeType: string; sizeBytes: number; alt: string; sha256: string }>;
  /** The native poll, or null. */
  poll: PollSpec | null;
  /** Follow-up parts (a reply chain under the first post); empty when none. */
  thread: string[];
  /** Network options by declared name; empty when none. */
  options: Record<string, OptionValue>;
  scheduledAt: string | null;
  attempts: number;
  version: number;
  error: { kind: string | null; message: string } | null;
  externalId: string | null;
  externalUrl: string | null;
  publishedAt: string | null;
  deletedOnNetworkAt: string | null;
  updatedAt: string;
}

/** A post as the API shows it. */
export interface PostView {
  id: string;
  workspaceId: string;
  authorId: string;
  timezone: string;
  scheduledLocal: string | null;
  scheduledAt: string | null;
  /** How many targets are in each state. */
  states: Partial<Record<TargetState, number>>;
  createdAt: string;
  updatedAt: string;
  targets: TargetView[];
}

/** Turns a zod failure into a ValidationError listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
  throw new ValidationError(`The request is not valid: ${errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`, errors);
}

async function checkedActor(ctx: UseCaseContext, action: Action, post?: PostRow, targets?: PostTargetRow[]): Promise<PolicyActor | null> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action, post ? { authorId: post.author_id, state: summaryState(targets ?? []) } : undefined);
  return actor;
}

/** The least advanced state of a post's live targets: what a policy rule about "the post's state" means. */
function summaryState(targets: PostTargetRow[]): TargetState | undefined {
  const order: TargetState[] = ['draft', 'in_review', 'approved', 'failed', 'held', 'scheduled', 'unconfirmed', 'publishing', 'published', 'cancelled'];
  return order.find((s) => targets.some((t) => t.state === s));
}

/** True when the actor may schedule (system actors may). */
function maySchedule(actor: PolicyActor | null): boolean {
  return actor === null || can(actor, 'posts.schedule');
}

interface DecodedMedia {
  mimeType: string;
  alt: string;
  data: Buffer;
  sha256: string;
}

function decodeMedia(items: Array<z.output<typeof mediaInputSchema>>, path: string): DecodedMedia[] {
  return items.map((m, i) => {
    const clean = m.data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
      throw new ValidationError(`${path}[${i}] is not base64 data`, [{ path: `${path}.${i}.data`, code: 'invalid_base64', message: 'image data must be base64' }]);
    }
    const data = Buffer.from(clean, 'base64');
    if (data.length === 0 || data.length > maxMediaBytes) {
      throw new ValidationError(`${path}[${i}] must hold 1 byte to ${maxMediaBytes / 1024 / 1024} MB`, [{ path: `${path}.${i}.data`, code: 'media_size', message: 'image is empty or too large' }]);
    }
    return { mimeType: m.mimeType, alt: m.alt, data, sha256: createHash('sha256').update(data).digest('hex') };
  });
}

/** A target's variant during a use case: fields plus decoded media (undefined = unchanged). */
interface DraftVariant {
  text: string;
  link: string | null;
  langs: string[];
  media: DecodedMedia[];
  poll: PollSpec | null;
  thread: string[];
  options: Record<string, OptionValue>;
}

function toConnectorVariant(v: DraftVariant): PostVariant {
  return {
    text: v.text,
    link: v.link,
    langs: v.langs,
    media: v.media.map((m) => ({ mimeType: m.mimeType, sizeBytes: m.data.length, alt: m.alt, data: m.data })),
    poll: v.poll,
    thread: v.thread,
    options: v.options,
  };
}

/** The post-level options a target's network declares, overridden key by key by the target's own. */
function optionsFor(connector: AnyConnector, postLevel: Record<string, OptionValue> | undefined, targetLevel: Record<string, OptionValue> | undefined): Record<string, OptionValue> {
  const declared = new Set((connector.optionFields ?? []).map((f) => f.name));
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(postLevel ?? {})) if (declared.has(k)) out[k] = v;
  return { ...out, ...(targetLevel ?? {}) };
}

/** A post-level option that no network of the post declares would silently go nowhere: refuse it. */
function assertPostOptionsDeclared(postLevel: Record<string, OptionValue> | undefined, connectors: AnyConnector[]): void {
  const unique = [...new Map(connectors.map((c) => [c.id, c])).values()];
  const errors = Object.keys(postLevel ?? {})
    .filter((k) => !unique.some((c) => (c.optionFields ?? []).some((f) => f.name === k)))
    .map((k) => ({
      path: `options.${k}`,
      code: 'unknown_option',
      message: `No network of this post has an option "${k}" (${unique.map((c) => `${c.displayName}: ${(c.optionFields ?? []).map((f) => f.name).join(', ') || 'none'}`).join('; ')})`,
    }));
  if (errors.length) throw new ValidationError(errors.map((e) => e.message).join('; '), errors);
}

/** What `validate` may know about an account: the limits its server announced. */
function validationContextOf(account: Pick<AccountRow, 'network_limits'> | undefined): ValidationContext {
  return { networkLimits: account ? accountNetworkLimits(account) : null };
}

/** Validates each (connector, variant) pair; throws one ValidationError naming every target's problems. */
function assertValidTargets(items: Array<{ index: number; accountId: string; connector: AnyConnector; variant: PostVariant; context: ValidationContext }>): void {
  const errors: Array<{ path: string; code: string; message: string }> = [];
  for (const it of items) {
    const r = validateWithDeclarations(it.connector, it.variant, it.context);
    for (const e of r.errors) errors.push({ path: `targets.${it.index}${e.field ? `.${e.field}` : ''}`, code: e.code, message: `${it.connector.displayName}: ${e.message}` });
  }
  if (errors.length) throw new ValidationError(`The post is not valid for every network: ${errors.map((e) => e.message).join('; ')}`, errors);
}

function mediaRows(workspaceId: string, targetId: string, media: DecodedMedia[], now: Date): MediaRow[] {
  return media.map((m, position) => ({
    id: newId(now.getTime()),
    workspace_id: workspaceId,
    target_id: targetId,
    position,
    mime_type: m.mimeType,
    size_bytes: m.data.length,
    alt: m.alt,
    sha256: m.sha256,
    data: m.data,
    created_at: now.toISOString(),
  }));
}

async function resolveWhen(ctx: UseCaseContext, input: ScheduleInputBody): Promise<ResolvedSchedule> {
  return resolveSchedule(input, { now: ctx.services.now(), defaultTimezone: await workspaceTimezone(ctx.db, ctx.workspaceId) });
}

function connectorFor(services: AppServices, network: string): AnyConnector {
  if (!services.connectors.has(network)) throw new ConflictError(`Herald has no connector for the network "${network}" any more`);
  return services.connectors.get(network);
}

/** Loads a post and its targets or throws 404 (also for other workspaces' posts). */
async function loadPost(ctx: UseCaseContext, postId: string): Promise<{ post: PostRow; targets: PostTargetRow[] }> {
  const post = isId(postId) ? await findPost(ctx.db, ctx.workspaceId, postId) : undefined;
  if (!post) throw new NotFoundError('Post');
  return { post, targets: await targetsOfPost(ctx.db, post.id) };
}

function actorId(ctx: UseCaseContext): string | null {
  return ctx.actor.kind === 'user' ? ctx.actor.userId : null;
}

async function targetEvent(ctx: UseCaseContext, trx: Executor, type: string, row: PostTargetRow, extra: Record<string, unknown> = {}): Promise<void> {
  await recordEvent(ctx.services, trx, { workspaceId: row.workspace_id, type, subjectId: row.id, actorId: actorId(ctx), payload: targetEventPayload(row, extra) });
}

async function postEvent(ctx: UseCaseContext, trx: Executor, type: string, post: PostRow, payload: Record<string, unknown> = {}): Promise<void> {
  await recordEvent(ctx.services, trx, { workspaceId: post.workspace_id, type, subjectId: post.id, actorId: actorId(ctx), payload: { postId: post.id, ...payload } });
}

/** Builds the API view of posts. */
async function present(ctx: UseCaseContext, posts: PostRow[]): Promise<PostView[]> {
  const targets = await targetsOfPosts(ctx.db, posts.map((p) => p.id));
  const media = await mediaMetaOfTargets(ctx.db, targets.map((t) => t.id));
  const deletions = await eventsForSubjects(ctx.db, targets.filter((t) => t.state === 'published').map((t) => t.id), ['post.target.deleted']);
  return posts.map((p) => {
    const mine = targets.filter((t) => t.post_id === p.id);
    const states: Partial<Record<TargetState, number>> = {};
    for (const t of mine) states[t.state] = (states[t.state] ?? 0) + 1;
    return {
      id: p.id,
      workspaceId: p.workspace_id,
      authorId: p.author_id,
      timezone: p.timezone,
      scheduledLocal: p.scheduled_local,
      scheduledAt: p.scheduled_at,
      states,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      targets: mine.map((t) => ({
        id: t.id,
        accountId: t.account_id,
        network: t.network,
        state: t.state,
        text: t.text,
        link: t.link,
        langs: JSON.parse(t.langs) as string[],
        media: media.filter((m) => m.target_id === t.id).map((m) => ({ id: m.id, mimeType: m.mime_type, sizeBytes: m.size_bytes, alt: m.alt, sha256: m.sha256 })),
        ...parseExtras(t.extras),
        scheduledAt: t.scheduled_at,
        attempts: t.attempts,
        version: t.version,
        error: t.last_error_message ? { kind: t.last_error_kind, message: t.last_error_message } : null,
        externalId: t.external_id,
        externalUrl: t.external_url,
        publishedAt: t.published_at,
        deletedOnNetworkAt: deletions.find((e) => e.subject_id === t.id)?.created_at ?? null,
        updatedAt: t.updated_at,
      })),
    };
  });
}

/** Reads one post with every target's state, error and link. */
export async function getPost(ctx: UseCaseContext, postId: string): Promise<PostView> {
  await checkedActor(ctx, 'posts.read');
  const { post } = await loadPost(ctx, postId);
  const [view] = await present(ctx, [post]);
  return view!;
}

/** Parses an ISO instant with an offset (`2026-03-29T00:00:00Z`, `…+02:00`) to `toISOString()` form. */
function instant(value: string, field: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with an offset, like 2026-03-29T00:00:00Z`, [{ path: field, code: 'invalid_instant', message: 'ISO instant with an offset expected' }]);
  return new Date(ms).toISOString();
}

/**
 * Lists posts (oldest first, cursor = last id), optionally only those with a target in `state` or on
 * `accountId`, and only those scheduled in [`from`, `to`) (ISO instants; posts without a time are left out
 * when either bound is given).
 */
export async function listPosts(
  ctx: UseCaseContext,
  f: { state?: TargetState; accountId?: string; from?: string; to?: string; q?: string; cursor?: string; limit: number },
): Promise<{ items: PostView[]; nextCursor: string | null }> {
  await checkedActor(ctx, 'posts.read');
  const from = f.from === undefined ? undefined : instant(f.from, 'from');
  const to = f.to === undefined ? undefined : instant(f.to, 'to');
  if (from && to && from >= to) throw new ValidationError('from must be before to', [{ path: 'to', code: 'invalid_range', message: 'to must be after from' }]);
  const rows = await listPostRows(ctx.db, ctx.workspaceId, { ...f, from, to, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  return { items: await present(ctx, page), nextCursor: rows.length > f.limit ? page[page.length - 1]!.id : null };
}

/** Creates a post with one target per account: a draft, submitted for review, or scheduled. */
export async function createPost(ctx: UseCaseContext, raw: CreatePostInput): Promise<PostView> {
  const actor = await checkedActor(ctx, 'posts.create');
  const input = parseInput(createPostSchema, raw);
  const now = ctx.services.now();
  const authorId = ctx.actor.kind === 'user' ? ctx.actor.userId : input.authorId;
  if (!authorId) throw new ValidationError('authorId is required when no user is acting', [{ path: 'authorId', message: 'required' }]);

  let action = input.action ?? (input.schedule ? 'schedule' : 'draft');
  if (action === 'schedule' && !input.schedule) throw new ValidationError('Give a schedule to schedule the post', [{ path: 'schedule', message: 'required when action is "schedule"' }]);
  // Contributors cannot schedule: their post goes to review with the requested time kept.
  if (action === 'schedule' && !maySchedule(actor)) action = 'submit';
  const when = input.schedule ? await resolveWhen(ctx, input.schedule) : null;
  const state: TargetState = action === 'schedule' ? 'scheduled' : action === 'submit' ? 'in_review' : 'draft';

  const seen = new Set<string>();
  const prepared: Array<{ account: AccountRow; connector: AnyConnector; variant: DraftVariant }> = [];
  for (const [i, t] of input.targets.entries()) {
    if (seen.has(t.accountId)) throw new ValidationError('Each account may appear once per post', [{ path: `targets.${i}.accountId`, message: 'duplicate account' }]);
    seen.add(t.accountId);
    const account = isId(t.accountId) ? await findAccount(ctx.db, ctx.workspaceId, t.accountId) : undefined;
    if (!account) throw new NotFoundError(`Account ${t.accountId}`);
    const text = t.text ?? input.text;
    if (text === undefined) throw new ValidationError('Every target needs text (give `text` on the post or on the target)', [{ path: `targets.${i}.text`, message: 'required' }]);
    const connector = connectorFor(ctx.services, account.network);
    prepared.push({
      account,
      connector,
      variant: {
        text,
        link: t.link !== undefined ? t.link : (input.link ?? null),
        langs: t.langs ?? input.langs ?? [],
        media: decodeMedia(t.media ?? input.media ?? [], t.media ? `targets.${i}.media` : 'media'),
        poll: t.poll !== undefined ? t.poll : (input.poll ?? null),
        thread: t.thread ?? input.thread ?? [],
        options: optionsFor(connector, input.options, t.options),
      },
    });
  }
  assertPostOptionsDeclared(input.options, prepared.map((p) => p.connector));
  if (state !== 'draft') {
    assertValidTargets(prepared.map((p, index) => ({ index, accountId: p.account.id, connector: p.connector, variant: toConnectorVariant(p.variant), context: validationContextOf(p.account) })));
  }

  const post: PostRow = {
    id: newId(now.getTime()),
    workspace_id: ctx.workspaceId,
    author_id: authorId,
    timezone: when?.timezone ?? (await workspaceTimezone(ctx.db, ctx.workspaceId)),
    scheduled_local: when?.scheduledLocal ?? null,
    scheduled_at: when?.scheduledAt ?? null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    deleted_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertPost(trx, post);
    for (const p of prepared) {
      const row: PostTargetRow = {
        id: newId(now.getTime()),
        post_id: post.id,
        workspace_id: ctx.workspaceId,
        account_id: p.account.id,
        network: p.account.network,
        state,
        text: p.variant.text,
        link: p.variant.link,
        langs: JSON.stringify(p.variant.langs),
        scheduled_at: post.scheduled_at,
        version: 1,
        attempts: 0,
        next_attempt_at: null,
        lease_owner: null,
        lease_until: null,
        last_error_kind: null,
        last_error_message: null,
        external_id: null,
        external_url: null,
        published_at: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        extras: serializeExtras(p.variant),
      };
      await insertTarget(trx, row);
      await insertMedia(trx, mediaRows(ctx.workspaceId, row.id, p.variant.media, now));
      if (state === 'scheduled') await enqueuePublish(ctx.services, trx, row.id, new Date(post.scheduled_at!));
    }
    await postEvent(ctx, trx, 'post.created', post, { state, targets: prepared.length });
    if (state === 'scheduled') await postEvent(ctx, trx, 'post.scheduled', post, { scheduledAt: post.scheduled_at });
    if (state === 'in_review') await postEvent(ctx, trx, 'post.submitted', post);
  });
  return getPostUnchecked(ctx, post.id);
}

async function getPostUnchecked(ctx: UseCaseContext, postId: string): Promise<PostView> {
  const { post } = await loadPost(ctx, postId);
  const [view] = await present(ctx, [post]);
  return view!;
}

async function currentVariant(ctx: UseCaseContext, t: PostTargetRow): Promise<DraftVariant> {
  const media = await mediaOfTarget(ctx.db, t.id);
  return {
    text: t.text,
    link: t.link,
    langs: JSON.parse(t.langs) as string[],
    media: media.map((m) => ({ mimeType: m.mime_type, alt: m.alt, data: Buffer.from(m.data), sha256: m.sha256 })),
    ...parseExtras(t.extras),
  };
}

/** Validation contexts of the accounts of `targets`, by account id (one read per account). */
async function contextsOf(ctx: UseCaseContext, targets: PostTargetRow[]): Promise<Map<string, ValidationContext>> {
  const out = new Map<string, ValidationContext>();
  for (const id of new Set(targets.map((t) => t.account_id))) out.set(id, validationContextOf(await findAccountById(ctx.db, id)));
  return out;
}

/**
 * Edits a post's text, link, languages, images and/or time. Only targets that have not been sent
 * (draft, in review, approved, scheduled, failed, held) change; a post with none of those is a 409.
 */
export async function editPost(ctx: UseCaseContext, postId: string, raw: EditPostInput): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  const actor = await checkedActor(ctx, 'posts.edit', post, targets);
  const input = parseInput(editPostSchema, raw);
  const now = ctx.services.now();
  const editable = targets.filter((t) => editableStates.includes(t.state));
  if (editable.length === 0) throw new ConflictError('Nothing in this post can be edited any more: every target is published, cancelled or being sent');
  for (const [i, o] of (input.targets ?? []).entries()) {
    const t = targets.find((x) => x.account_id === o.accountId);
    if (!t) throw new ValidationError(`targets.${i}: this post has no target for account ${o.accountId}`, [{ path: `targets.${i}.accountId`, message: 'not a target of this post' }]);
    if (!editableStates.includes(t.state)) throw new ConflictError(`The ${t.network} target is ${t.state} and can no longer be edited`, { targetId: t.id, state: t.state });
  }
  const when = input.schedule ? await resolveWhen(ctx, input.schedule) : null;
  const backToReview = !maySchedule(actor);

  assertPostOptionsDeclared(input.options, editable.map((t) => connectorFor(ctx.services, t.network)));
  const contexts = await contextsOf(ctx, editable);
  const plans: Array<{ t: PostTargetRow; variant: DraftVariant; mediaChanged: boolean; to: TargetState; connector: AnyConnector; index: number }> = [];
  for (const t of editable) {
    const o = input.targets?.find((x) => x.accountId === t.account_id);
    const cur = await currentVariant(ctx, t);
    const connector = connectorFor(ctx.services, t.network);
    const mediaIn = o?.media ?? input.media;
    const variant: DraftVariant = {
      text: o?.text ?? input.text ?? cur.text,
      link: o?.link !== undefined ? o.link : input.link !== undefined ? input.link : cur.link,
      langs: o?.langs ?? input.langs ?? cur.langs,
      media: mediaIn ? decodeMedia(mediaIn, o?.media ? `targets.${t.account_id}.media` : 'media') : cur.media,
      poll: o?.poll !== undefined ? o.poll : input.poll !== undefined ? input.poll : cur.poll,
      thread: o?.thread ?? input.thread ?? cur.thread,
      // Options given at either level replace the target's options as a whole (like text does).
      options: o?.options !== undefined || input.options !== undefined ? optionsFor(connector, input.options, o?.options) : cur.options,
    };
    let to: TargetState = t.state;
    if (backToReview && (t.state === 'approved' || t.state === 'scheduled')) to = 'in_review';
    if (to !== t.state) assertTransition(t.state, to);
    plans.push({ t, variant, mediaChanged: mediaIn !== undefined, to, connector, index: targets.indexOf(t) });
  }
  assertValidTargets(
    plans
      .filter((p) => p.to !== 'draft')
      .map((p) => ({ index: p.index, accountId: p.t.account_id, connector: p.connector, variant: toConnectorVariant(p.variant), context: contexts.get(p.t.account_id) ?? {} })),
  );

  await ctx.db.transaction().execute(async (trx) => {
    await updatePost(trx, post.id, {
      updated_at: now.toISOString(),
      ...(when ? { scheduled_at: when.scheduledAt, scheduled_local: when.scheduledLocal, timezone: when.timezone } : {}),
    });
    for (const p of plans) {
      const row = await updateTargetIf(
        trx,
        p.t.id,
        [p.t.state],
        {
          text: p.variant.text,
          link: p.variant.link,
          langs: JSON.stringify(p.variant.langs),
          extras: serializeExtras(p.variant),
          state: p.to,
          updated_at: now.toISOString(),
          ...(when ? { scheduled_at: when.scheduledAt } : {}),
        },
        { bumpVersion: true },
      );
      // The worker claimed it in the meantime: that send goes out with the text it read.
      if (!row) throw new ConflictError(`The ${p.t.network} target changed while you were editing (now being published?); reload and try again`);
      if (p.mediaChanged) {
        await deleteMediaOfTarget(trx, p.t.id);
        await insertMedia(trx, mediaRows(ctx.workspaceId, p.t.id, p.variant.media, now));
      }
      if (p.t.state === 'scheduled' && p.to !== 'scheduled') await dropPublishJob(ctx.services, trx, p.t.id);
      if (p.to === 'scheduled' && when) await enqueuePublish(ctx.services, trx, p.t.id, new Date(when.scheduledAt));
    }
    await postEvent(ctx, trx, 'post.edited', post, { targets: plans.map((p) => ({ targetId: p.t.id, from: p.t.state, to: p.to })) });
  });
  return getPostUnchecked(ctx, post.id);
}

/** Moves every target of the post in one of `from` to `to`; throws 409 if none is. */
async function transitionAll(
  ctx: UseCaseContext,
  post: PostRow,
  targets: PostTargetRow[],
  to: TargetState,
  eventType: string,
  extra: Record<string, unknown> = {},
): Promise<PostView> {
  const moving = targets.filter((t) => t.state !== to && canTransition(t.state, to));
  if (moving.length === 0) throw new ConflictError(`No target of this post can go to "${to}" (states: ${[...new Set(targets.map((t) => t.state))].join(', ')})`);
  const now = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await updatePost(trx, post.id, { updated_at: now });
    for (const t of moving) {
      const row = await updateTargetIf(trx, t.id, [t.state], { state: to, updated_at: now });
      if (!row) throw new ConflictError('The post changed meanwhile; reload and try again');
      if (t.state === 'scheduled') await dropPublishJob(ctx.services, trx, t.id);
    }
    await postEvent(ctx, trx, eventType, post, extra);
  });
  return getPostUnchecked(ctx, post.id);
}

/** Submits a draft for review (after validating it for every network). */
export async function submitPost(ctx: UseCaseContext, postId: string): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.submit', post, targets);
  const drafts = targets.filter((t) => t.state === 'draft');
  await validateStored(ctx, targets, drafts);
  return transitionAll(ctx, post, drafts, 'in_review', 'post.submitted');
}

/** Approves a post in review. */
export async function approvePost(ctx: UseCaseContext, postId: string): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.approve', post, targets);
  return transitionAll(ctx, post, targets.filter((t) => t.state === 'in_review'), 'approved', 'post.approved');
}

/** Sends a post in review back to its author as a draft, with an optional reason. */
export async function rejectPost(ctx: UseCaseContext, postId: string, reason?: string): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.approve', post, targets);
  return transitionAll(ctx, post, targets.filter((t) => t.state === 'in_review'), 'draft', 'post.rejected', { reason: reason ?? null });
}

async function validateStored(ctx: UseCaseContext, all: PostTargetRow[], which: PostTargetRow[]): Promise<void> {
  const contexts = await contextsOf(ctx, which);
  const items = [];
  for (const t of which) {
    items.push({
      index: all.indexOf(t),
      accountId: t.account_id,
      connector: connectorFor(ctx.services, t.network),
      variant: toConnectorVariant(await currentVariant(ctx, t)),
      context: contexts.get(t.account_id) ?? {},
    });
  }
  assertValidTargets(items);
}

/**
 * Schedules every unsent target (draft, in review, approved, scheduled, failed, held) at the given
 * time — or the stored one, or now when that has passed. Validates each target for its network first.
 */
export async function schedulePost(ctx: UseCaseContext, postId: string, schedule?: ScheduleInputBody): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.schedule', post, targets);
  const now = ctx.services.now();
  let when: ResolvedSchedule | null = schedule ? await resolveWhen(ctx, parseInput(scheduleInputSchema, schedule)) : null;
  if (!when && post.scheduled_at && Date.parse(post.scheduled_at) >= now.getTime()) {
    when = { scheduledAt: post.scheduled_at, scheduledLocal: post.scheduled_local ?? post.scheduled_at.slice(0, 16), timezone: post.timezone, ambiguous: false };
  }
  const runAt = when ? new Date(when.scheduledAt) : now;
  const moving = targets.filter((t) => canTransition(t.state, 'scheduled'));
  if (moving.length === 0) throw new ConflictError(`Nothing in this post can be scheduled (states: ${[...new Set(targets.map((t) => t.state))].join(', ')})`);
  await validateStored(ctx, targets, moving);
  const iso = runAt.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await updatePost(trx, post.id, {
      updated_at: now.toISOString(),
      scheduled_at: iso,
      scheduled_local: when?.scheduledLocal ?? null,
      timezone: when?.timezone ?? post.timezone,
    });
    for (const t of moving) {
      const row = await updateTargetIf(
        trx,
        t.id,
        [t.state],
        { state: 'scheduled', scheduled_at: iso, attempts: 0, next_attempt_at: null, last_error_kind: null, last_error_message: null, updated_at: now.toISOString() },
        { bumpVersion: true },
      );
      if (!row) throw new ConflictError('The post changed meanwhile; reload and try again');
      await enqueuePublish(ctx.services, trx, t.id, runAt);
    }
    await postEvent(ctx, trx, 'post.scheduled', post, { scheduledAt: iso, targets: moving.length });
  });
  return getPostUnchecked(ctx, post.id);
}

/** Cancels every target that has not been sent. A target being sent right now makes this a 409. */
export async function cancelPost(ctx: UseCaseContext, postId: string): Promise<PostView> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.cancel', post, targets);
  if (targets.some((t) => t.state === 'publishing')) throw new ConflictError('This post is being published right now; try again in a moment');
  return transitionAll(ctx, post, targets, 'cancelled', 'post.cancelled');
}

/** What deleting a post did. */
export interface DeleteResult {
  cancelled: number;
  deletedOnNetwork: number;
  /** Published copies Herald could not delete (connector without delete, or the network refused). */
  notDeleted: Array<{ targetId: string; network: string; reason: string }>;
}

/**
 * Deletes a post: cancels unsent targets, deletes published copies on their networks where the
 * connector can (`onNetwork`, default true), then hides the post. A target being sent makes this 409.
 */
export async function deletePost(ctx: UseCaseContext, postId: string, opts: { onNetwork?: boolean } = {}): Promise<DeleteResult> {
  const { post, targets } = await loadPost(ctx, postId);
  await checkedActor(ctx, 'posts.delete', post, targets);
  if (targets.some((t) => t.state === 'publishing')) throw new ConflictError('This post is being published right now; try again in a moment');
  const result: DeleteResult = { cancelled: 0, deletedOnNetwork: 0, notDeleted: [] };
  if (opts.onNetwork ?? true) {
    for (const t of targets.filter((x) => x.state === 'published' && x.external_id && x.external_url !== null)) {
      const connector = ctx.services.connectors.has(t.network) ? ctx.services.connectors.get(t.network) : null;
      const account = await findAccountById(ctx.db, t.account_id);
      if (!connector?.delete || !account) {
        result.notDeleted.push({ targetId: t.id, network: t.network, reason: `${connector?.displayName ?? t.network} posts cannot be deleted from Herald; delete it on the network` });
        continue;
      }
      try {
        await connector.delete({ auth: accountAuth(ctx.services, account), externalId: t.external_id! }, accountContext(ctx.services, account.id, 30_000));
      } catch (e) {
        result.notDeleted.push({ targetId: t.id, network: t.network, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      await ctx.db.transaction().execute(async (trx) => {
        const row = await updateTargetIf(trx, t.id, ['published'], { external_url: null, updated_at: ctx.services.now().toISOString() });
        if (row) await targetEvent(ctx, trx, 'post.target.deleted', row, { externalId: t.external_id });
      });
      result.deletedOnNetwork++;
    }
  }
  const now = ctx.services.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await updatePost(trx, post.id, { deleted_at: now, updated_at: now });
    for (const t of targets.filter((x) => canTransition(x.state, 'cancelled'))) {
      const row = await updateTargetIf(trx, t.id, [t.state], { state: 'cancelled', updated_at: now });
      if (!row) throw new ConflictError('The post changed meanwhile; reload and try again');
      if (t.state === 'scheduled') await dropPublishJob(ctx.services, trx, t.id);
      result.cancelled++;
    }
    await postEvent(ctx, trx, 'post.deleted', post, { ...result });
  });
  return result;
}

/**
 * Body of POST /api/v1/validate: a network and a variant (images by type, size and alt only), and
 * optionally the account it is for, so the limits its server announced apply.
 */
export const validateInputSchema = z
  .object({
    network: z.string().min(1),
    text: z.string().max(100_000),
    link: linkSchema.optional(),
    langs: langsSchema.optional(),
    media: z
      .array(z.object({ mimeType: z.string(), sizeBytes: z.number().int().min(0), alt: z.string().default('') }).strict())
      .max(20)
      .optional(),
    poll: pollSchema.nullable().optional(),
    thread: threadSchema.optional(),
    options: optionsSchema.optional(),
    accountId: z.string().optional().describe("Validate for this account: its server's announced limits apply (the account must be in a workspace you can see)"),
  })
  .strict();

/**
 * The shared validation contract (same answer as `herald validate --json`): the connector's rules
 * plus the checks its declarations imply. Without `context`, the connector's default limits apply.
 */
export function validateVariant(services: AppServices, raw: z.input<typeof validateInputSchema>, context?: ValidationContext): ValidationResult {
  const input = parseInput(validateInputSchema, raw);
  if (!services.connectors.has(input.network)) throw new NotFoundError(`Network "${input.network}"`);
  const connector = services.connectors.get(input.network);
  return validateWithDeclarations(
    connector,
    { text: input.text, link: input.link ?? null, langs: input.langs ?? [], media: input.media ?? [], poll: input.poll ?? null, thread: input.thread ?? [], options: input.options ?? {} },
    context,
  );
}

/**
 * POST /api/v1/validate for one account of the workspace: its network must match and the limits its
 * server announced apply. Another workspace's (or an unknown) account is a 404.
 */
export async function validateForAccount(ctx: UseCaseContext, raw: z.input<typeof validateInputSchema>): Promise<ValidationResult> {
  await checkedActor(ctx, 'posts.read');
  const input = parseInput(validateInputSchema, raw);
  const account = input.accountId && isId(input.accountId) ? await findAccount(ctx.db, ctx.workspaceId, input.accountId) : undefined;
  if (!account) throw new NotFoundError('Account');
  if (account.network !== input.network) {
    throw new ValidationError(`Account ${account.handle} is on ${account.network}, not ${input.network}`, [{ path: 'accountId', code: 'network_mismatch', message: `the account is on ${account.network}` }]);
  }
  return validateVariant(ctx.services, input, validationContextOf(account));
}


/** One entry of a post's history: who did what, when (safe fields only, never tokens or credentials). */
export interface PostHistoryEntry {
  id: string;
  /** The event type, e.g. `post.submitted`, `post.rejected`, `post.target.published`. */
  type: string;
  at: string;
  /** The person who acted; null for Herald itself (the publisher, the CLI). */
  actor: { id: string; name: string } | null;
  /** The target the entry is about (target events only). */
  targetId: string | null;
  network: string | null;
  /** The reviewer's comment on a rejection. */
  reason: string | null;
  /** The time a schedule entry set. */
  scheduledAt: string | null;
  /** The target's state after a target event. */
  state: string | null;
  /** The network's error in plain words (failed/held targets). */
  error: string | null;
  externalUrl: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** A post's history from the event log, oldest first. Other workspaces' posts are a 404. */
export async function getPostHistory(ctx: UseCaseContext, postId: string): Promise<{ items: PostHistoryEntry[] }> {
  await checkedActor(ctx, 'posts.read');
  const { post, targets } = await loadPost(ctx, postId);
  const events = await eventsOfSubjectsInWorkspace(ctx.db, ctx.workspaceId, [post.id, ...targets.map((t) => t.id)]);
  const names = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.actor_id).filter((x): x is string => x !== null))) {
    const user = await findUserById(ctx.db, id);
    names.set(id, user?.name ?? '');
  }
  return {
    items: events.map((e) => {
      // Only named, known-safe fields are copied: payloads may grow fields no one vetted for display.
      let payload: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(e.payload);
        if (parsed && typeof parsed === 'object') payload = parsed as Record<string, unknown>;
      } catch {
        payload = {};
      }
      const error = payload.error && typeof payload.error === 'object' ? str((payload.error as Record<string, unknown>).message) : null;
      const isTarget = e.subject_id !== post.id;
      return {
        id: e.id,
        type: e.type,
        at: e.created_at,
        actor: e.actor_id ? { id: e.actor_id, name: names.get(e.actor_id) ?? '' } : null,
        targetId: isTarget ? e.subject_id : null,
        network: isTarget ? str(payload.network) : null,
        reason: str(payload.reason),
        scheduledAt: str(payload.scheduledAt),
        state: isTarget ? str(payload.state) : null,
        error,
        externalUrl: isTarget ? str(payload.externalUrl) : null,
      };
    }),
  };
}
