/**
 * Sign-in: password login with a database-backed rate limit, cookie sessions (only their sha256 is
 * stored), logout, and first-run setup.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { UserRow } from '../db/schema';
import { ConflictError, TooManyRequestsError, UnauthorizedError } from '../domain/errors';
import { verifyDummyPassword, verifyPassword, MAX_PASSWORD_LENGTH } from '../domain/password';
import { findUserByEmail, findUserById, normalizeEmail } from '../repositories/users.repository';
import { deleteSession, findLiveSession, insertSession, type SessionRow } from '../repositories/sessions.repository';
import { clearLoginAttempts, findLoginAttempts, recordLoginFailure } from '../repositories/login-attempts.repository';
import { createUser, publicUser, type CreatedUser, type CreateUserInput, type PublicUser, type ServiceContext } from './users.use-case';

/** Sessions last this long. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Failed attempts allowed per e-mail and per client address within the window. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const BAD_CREDENTIALS = 'E-mail address or password is wrong';

/** sha256 hex of a session cookie value: the stored session id. */
export function hashSessionToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A new session: `cookieValue` goes to the browser once; only its hash is stored. */
export interface StartedSession {
  cookieValue: string;
  sessionId: string;
  csrfToken: string;
  expiresAt: string;
}

/** Creates a session for a user. */
export async function startSession(ctx: ServiceContext, userId: string): Promise<StartedSession> {
  const cookieValue = randomBytes(32).toString('base64url');
  const now = ctx.services.now();
  const row: SessionRow = {
    id: hashSessionToken(cookieValue),
    user_id: userId,
    csrf_token: randomBytes(24).toString('base64url'),
    expires_at: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    created_at: now.toISOString(),
  };
  await insertSession(ctx.db, row);
  return { cookieValue, sessionId: row.id, csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

/** The live session and its user for a cookie value, or null. */
export async function resolveSession(ctx: ServiceContext, cookieValue: string): Promise<{ session: SessionRow; user: UserRow } | null> {
  if (cookieValue.length === 0 || cookieValue.length > 200) return null;
  const session = await findLiveSession(ctx.db, hashSessionToken(cookieValue), ctx.services.now().toISOString());
  if (!session) return null;
  const user = await findUserById(ctx.db, session.user_id);
  return user ? { session, user } : null;
}

/** Ends a session by its stored id. */
export async function logout(ctx: ServiceContext, sessionId: string): Promise<void> {
  await deleteSession(ctx.db, sessionId);
}

function limitKeys(email: string, ip: string): string[] {
  return [`email:${normalizeEmail(email)}`, `ip:${ip}`];
}

async function assertNotLimited(ctx: ServiceContext, keys: string[], now: Date): Promise<void> {
  let retryAfter = 0;
  for (const key of keys) {
    const a = await findLoginAttempts(ctx.db, key);
    if (!a || a.count < LOGIN_MAX_FAILURES) continue;
    const ends = Date.parse(a.window_start) + LOGIN_WINDOW_MS;
    if (ends > now.getTime()) retryAfter = Math.max(retryAfter, Math.ceil((ends - now.getTime()) / 1000));
  }
  if (retryAfter > 0) throw new TooManyRequestsError(`Too many failed sign-in attempts; try again in ${Math.ceil(retryAfter / 60)} minute(s)`, retryAfter);
}

/** What a successful login returns. */
export interface LoginResult extends StartedSession {
  user: PublicUser;
}

/**
 * Checks e-mail and password. After LOGIN_MAX_FAILURES failures for the e-mail or for the client
 * address within LOGIN_WINDOW_MS, answers 429 until the window ends; success clears the e-mail's
 * counter. Unknown e-mail and wrong password get the same message and take the same time.
 */
export async function login(ctx: ServiceContext, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const now = ctx.services.now();
  const keys = limitKeys(input.email, input.ip);
  await assertNotLimited(ctx, keys, now);
  const user = input.password.length <= MAX_PASSWORD_LENGTH ? await findUserByEmail(ctx.db, input.email) : undefined;
  const ok = user ? await verifyPassword(input.password, user.password_hash) : await verifyDummyPassword(input.password.slice(0, MAX_PASSWORD_LENGTH));
  if (!user || !ok) {
    const cutoff = new Date(now.getTime() - LOGIN_WINDOW_MS).toISOString();
    for (const key of keys) await recordLoginFailure(ctx.db, key, now.toISOString(), cutoff);
    throw new UnauthorizedError(BAD_CREDENTIALS);
  }
  await clearLoginAttempts(ctx.db, keys[0] ?? '');
  const session = await startSession(ctx, user.id);
  return { ...session, user: publicUser(user) };
}

/**
 * First-run setup: creates the owner, their organisation and first workspace, and signs them in.
 * Refused with 409 once any user exists. On PostgreSQL a table lock serialises concurrent setups.
 */
export async function setupFirstRun(ctx: ServiceContext & { dialect: 'sqlite' | 'postgres' }, input: Omit<CreateUserInput, 'owner'>): Promise<CreatedUser & { session: StartedSession }> {
  const closed = () => new ConflictError('Herald is already set up; sign in instead');
  const anyUser = async () => (await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
  if (await anyUser()) throw closed();
  const created = await ctx.db.transaction().execute(async (trx) => {
    if (ctx.dialect === 'postgres') await sql`lock table users in share row exclusive mode`.execute(trx);
    if ((await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined) throw closed();
    return createUser({ db: trx, services: ctx.services }, { ...input, owner: true });
  });
  const session = await startSession(ctx, created.user.id);
  return { ...created, session };
}
