/**
 * Personal API tokens: `hrld_<43 base64url chars>`, scoped to one workspace, acting as the user who
 * created them with that user's current role there. Only the sha256 hash is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { UseCaseContext } from '../server/services';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { assertCan } from '../policies/policy';
import { toPage, type Page, type PageRequest } from '../http/page';
import { findApiTokenByHash, insertApiToken, listApiTokens as listTokenRows, revokeApiToken as revokeTokenRow, touchApiToken, type ApiTokenRow } from '../repositories/api-tokens.repository';
import { validateName } from './users.use-case';
import { policyActor } from './workspaces.use-case';

/** Every token starts with this, so secret scanners and people can recognise one. */
export const API_TOKEN_PREFIX = 'hrld_';
const VISIBLE_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 8;
const TOUCH_INTERVAL_MS = 60_000;

/** A token as lists show it (never the secret). */
export interface ApiTokenInfo {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function present(t: ApiTokenRow): ApiTokenInfo {
  return { id: t.id, name: t.name, prefix: t.prefix, userId: t.user_id, createdAt: t.created_at, lastUsedAt: t.last_used_at, revokedAt: t.revoked_at };
}

/** sha256 hex of a token, the form it is stored and looked up in. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates a token for the acting user in the context's workspace; the secret is returned only here. */
export async function createApiToken(ctx: UseCaseContext, input: { name: string; userId?: string }): Promise<ApiTokenInfo & { token: string }> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'tokens.manage');
  const userId = ctx.actor.kind === 'user' ? ctx.actor.userId : input.userId;
  if (!userId) throw new ForbiddenError('A system actor must name the user the token acts as');
  const name = validateName(input.name);
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: ApiTokenRow = {
    id: newId(),
    workspace_id: ctx.workspaceId,
    user_id: userId,
    name,
    token_hash: hashApiToken(token),
    prefix: token.slice(0, VISIBLE_PREFIX_LENGTH),
    created_at: ctx.services.now().toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await insertApiToken(ctx.db, row);
  return { ...present(row), token };
}

/** Tokens of the workspace (revoked ones included, marked), ordered by id. */
export async function listApiTokens(ctx: UseCaseContext, page: PageRequest): Promise<Page<ApiTokenInfo>> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'tokens.manage');
  const rows = await listTokenRows(ctx.db, ctx.workspaceId, page);
  return toPage(rows.map(present), page.limit, (t) => t.id);
}

/** Revokes a token of the workspace (idempotent); 404 for ids of other workspaces. */
export async function revokeApiToken(ctx: UseCaseContext, tokenId: string): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, 'tokens.manage');
  const found = isId(tokenId) && (await revokeTokenRow(ctx.db, ctx.workspaceId, tokenId, ctx.services.now().toISOString()));
  if (!found) throw new NotFoundError('API token');
}

/**
 * Resolves a presented token to its live row, or null (unknown, malformed or revoked). Records use at
 * most once a minute so busy clients do not turn every read into a write.
 */
export async function authenticateApiToken(db: Kysely<Database>, token: string, now: Date): Promise<ApiTokenRow | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const row = await findApiTokenByHash(db, hashApiToken(token));
  if (!row || row.revoked_at !== null) return null;
  const last = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
    const iso = now.toISOString();
    await touchApiToken(db, row.id, iso);
    row.last_used_at = iso;
  }
  return row;
}
