/**
 * The testimonials library: positive inbox messages kept for later use in content, with the author,
 * the link, when it was written and whether the author allowed the quote (not_requested → requested →
 * granted | denied). The text is copied when the testimonial is made, so an edit or deletion on the
 * network later does not change what was approved. Only messages the sentiment engine reads as
 * positive are accepted unless the caller insists (`allowNonPositive`), since the engine can be wrong.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { workspaceSentiment } from '../listening/listening-matching';
import type { TestimonialRow } from '../listening/listening-tables';
import { assertCan, type Action } from '../policies/policy';
import {
  deleteTestimonial as deleteRow,
  findTestimonial,
  findTestimonialByMessage,
  findWorkspaceInboxMessage,
  insertTestimonialIfNew,
  listTestimonials as listRows,
  updateTestimonial as updateRow,
} from '../repositories/listening.repository';
import type { UseCaseContext } from '../server/services';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** Permission states of a testimonial. */
export const testimonialPermissions = ['not_requested', 'requested', 'granted', 'denied'] as const;
/** A permission state. */
export type TestimonialPermission = (typeof testimonialPermissions)[number];

/** Body of a new testimonial. */
export const createTestimonialSchema = z
  .object({
    messageId: z.string().min(1, 'Name the inbox message'),
    permission: z.enum(testimonialPermissions).default('not_requested'),
    note: z.string().max(2000).optional(),
    /** Keep a message the sentiment engine does not read as positive. */
    allowNonPositive: z.boolean().default(false),
  })
  .strict();

/** Body of a testimonial change. */
export const updateTestimonialSchema = z
  .object({
    permission: z.enum(testimonialPermissions).optional(),
    note: z.string().max(2000).nullable().optional(),
  })
  .strict();

/** A testimonial as the API shows it. */
export interface TestimonialView {
  id: string;
  messageId: string | null;
  /** Plain text as written; render as text. */
  text: string;
  author: { handle: string; displayName: string | null };
  network: string;
  url: string | null;
  writtenAt: string;
  permission: TestimonialPermission;
  permissionUpdatedAt: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

async function authorize(ctx: UseCaseContext, action: Action): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

function view(t: TestimonialRow): TestimonialView {
  return {
    id: t.id,
    messageId: t.message_id,
    text: t.text,
    author: { handle: t.author_handle, displayName: t.author_name },
    network: t.network,
    url: t.url,
    writtenAt: t.written_at,
    permission: t.permission as TestimonialPermission,
    permissionUpdatedAt: t.permission_updated_at,
    note: t.note,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

async function load(ctx: UseCaseContext, id: string): Promise<TestimonialRow> {
  const t = isId(id) ? await findTestimonial(ctx.db, ctx.workspaceId, id) : undefined;
  if (!t) throw new NotFoundError('Testimonial');
  return t;
}

/** Makes an inbox message a testimonial. */
export async function createTestimonial(ctx: UseCaseContext, raw: z.input<typeof createTestimonialSchema>): Promise<TestimonialView> {
  await authorize(ctx, 'testimonials.manage');
  const input = parseInput(createTestimonialSchema, raw);
  const m = isId(input.messageId) ? await findWorkspaceInboxMessage(ctx.db, ctx.workspaceId, input.messageId) : undefined;
  if (!m) throw new ValidationError('messageId does not name a message in this workspace\'s inbox', [{ path: 'messageId', code: 'not_found', message: 'no such inbox message' }]);
  if (m.deleted_at) throw new ConflictError('This message was deleted on the network; it cannot become a testimonial');
  const sentiment = (await workspaceSentiment(ctx.db, ctx.workspaceId))(m.text, m.lang);
  if (sentiment.label !== 'positive' && !input.allowNonPositive) {
    throw new ValidationError(
      `Only positive messages become testimonials; this one reads as ${sentiment.label} (score ${sentiment.score}). Send allowNonPositive: true to keep it anyway.`,
      [{ path: 'messageId', code: 'not_positive', message: `reads as ${sentiment.label}` }],
    );
  }
  const now = ctx.services.now().toISOString();
  const row: TestimonialRow = {
    id: newId(ctx.services.now().getTime()),
    workspace_id: ctx.workspaceId,
    message_id: m.id,
    text: m.text,
    author_handle: m.author_handle,
    author_name: m.author_name,
    network: m.network,
    url: m.url,
    written_at: m.network_created_at,
    permission: input.permission,
    permission_updated_at: input.permission === 'not_requested' ? null : now,
    note: input.note ?? null,
    created_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
    created_at: now,
    updated_at: now,
  };
  if (!(await insertTestimonialIfNew(ctx.db, row))) {
    const existing = await findTestimonialByMessage(ctx.db, ctx.workspaceId, m.id);
    throw new ConflictError('This message is already a testimonial', { testimonialId: existing?.id ?? null });
  }
  return view(row);
}

/** A page of the library, newest first, optionally by permission. */
export async function listTestimonials(ctx: UseCaseContext, f: { permission?: TestimonialPermission; cursor?: string; limit: number }): Promise<{ items: TestimonialView[]; nextCursor: string | null }> {
  await authorize(ctx, 'listening.read');
  const rows = await listRows(ctx.db, ctx.workspaceId, { ...f, limit: f.limit + 1 });
  const items = rows.slice(0, f.limit);
  return { items: items.map(view), nextCursor: rows.length > f.limit ? items[items.length - 1]!.id : null };
}

/** One testimonial. */
export async function getTestimonial(ctx: UseCaseContext, id: string): Promise<TestimonialView> {
  await authorize(ctx, 'listening.read');
  return view(await load(ctx, id));
}

/** Changes the permission status or the note. */
export async function updateTestimonial(ctx: UseCaseContext, id: string, raw: z.input<typeof updateTestimonialSchema>): Promise<TestimonialView> {
  await authorize(ctx, 'testimonials.manage');
  const input = parseInput(updateTestimonialSchema, raw);
  const t = await load(ctx, id);
  const now = ctx.services.now().toISOString();
  const patch: Partial<TestimonialRow> = { updated_at: now };
  if (input.permission !== undefined && input.permission !== t.permission) {
    patch.permission = input.permission;
    patch.permission_updated_at = now;
  }
  if (input.note !== undefined) patch.note = input.note;
  if (!(await updateRow(ctx.db, ctx.workspaceId, t.id, patch))) throw new NotFoundError('Testimonial');
  return view(await load(ctx, id));
}

/** Removes a testimonial from the library (the inbox message stays). */
export async function deleteTestimonial(ctx: UseCaseContext, id: string): Promise<void> {
  await authorize(ctx, 'testimonials.manage');
  const t = await load(ctx, id);
  if (!(await deleteRow(ctx.db, ctx.workspaceId, t.id))) throw new NotFoundError('Testimonial');
}
