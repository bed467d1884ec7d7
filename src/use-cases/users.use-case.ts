/**
 * Users: creation (first-run setup, `herald user create`, adding a member with a password) and the
 * input rules shared by every path that takes an e-mail, password or time zone.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow, WorkspaceRow } from '../db/schema';
import type { AppServices } from '../server/services';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../domain/password';
import { anyUserExists, findUserByEmail, findUserById, insertUser, normalizeEmail, updateUserProfile } from '../repositories/users.repository';
import { insertOrganization, insertOrganizationMember } from '../repositories/organizations.repository';
import { insertWorkspace } from '../repositories/workspaces.repository';
import { insertMembership } from '../repositories/memberships.repository';

/** What user-level use cases need: a database and the clock. */
export interface ServiceContext {
  db: Kysely<Database>;
  services: Pick<AppServices, 'now'>;
}

/** Runs `fn` in a transaction, or directly when `db` already is one (callers may compose use cases). */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

/** A user as the API and CLI show them (never the password hash). */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

/** Presents a user row without secrets. */
export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, name: u.name, createdAt: u.created_at };
}

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is not our business.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Returns the normalised address or throws a ValidationError. */
export function validateEmail(email: string, path = 'email'): string {
  const e = normalizeEmail(email);
  if (e.length > 254 || !emailPattern.test(e)) {
    throw new ValidationError(`"${email}" is not a valid e-mail address`, [{ path, code: 'invalid_email', message: 'Enter an e-mail address like name@example.com' }]);
  }
  return e;
}

/** Throws a ValidationError unless the password is long enough. */
export function validatePassword(password: string, path = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long`, [
      { path, code: 'too_short', message: `Use at least ${MIN_PASSWORD_LENGTH} characters` },
    ]);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long`, [
      { path, code: 'too_long', message: `Use at most ${MAX_PASSWORD_LENGTH} characters` },
    ]);
  }
}

/** Returns the IANA time zone with its usual spelling (e.g. `europe/berlin` → `Europe/Berlin`) or throws. */
export function validateTimeZone(timezone: string, path = 'timezone'): string {
  const bad = () =>
    new ValidationError(`"${timezone}" is not an IANA time zone`, [
      { path, code: 'invalid_timezone', message: 'Use an IANA time zone name such as Europe/Berlin or UTC' },
    ]);
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) throw bad();
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw bad();
  }
  // ICU resolves some current names to legacy aliases (Asia/Kolkata → Asia/Calcutta): only take its
  // spelling when it is the same name in another case, and otherwise keep what the user wrote.
  if (resolved.toLowerCase() === timezone.toLowerCase()) return resolved;
  const sameIgnoringCase = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === timezone.toLowerCase());
  return sameIgnoringCase ?? timezone;
}

/** Throws a ValidationError unless the display name is usable. */
export function validateName(name: string, path = 'name'): string {
  const n = name.trim();
  if (n.length === 0 || n.length > 200) {
    throw new ValidationError('The name must be 1 to 200 characters', [{ path, code: 'invalid_name', message: 'Give a name of 1 to 200 characters' }]);
  }
  return n;
}

/** Input of `createUser`. */
export interface CreateUserInput {
  email: string;
  name: string;
  password: string;
  /** Also create an organisation and a first workspace owned by this user. */
  owner?: boolean;
  organizationName?: string;
  workspaceName?: string;
  /** Time zone of the first workspace; default UTC. */
  timezone?: string;
}

/** What `createUser` made. */
export interface CreatedUser {
  user: PublicUser;
  organization?: { id: string; name: string };
  workspace?: WorkspaceRow;
}

/**
 * Creates a user; with `owner`, also an organisation (the user owns it) and its first workspace
 * (owner membership). Used by first-run setup, `herald user create [--owner]` and member invitations.
 * Throws ValidationError for bad input and ConflictError when the e-mail is taken.
 */
export async function createUser(ctx: ServiceContext, input: CreateUserInput): Promise<CreatedUser> {
  const email = validateEmail(input.email);
  const name = validateName(input.name);
  validatePassword(input.password);
  const timezone = validateTimeZone(input.timezone ?? 'UTC');
  const orgName = input.organizationName !== undefined ? validateName(input.organizationName, 'organizationName') : `${name}'s organisation`;
  const wsName = input.workspaceName !== undefined ? validateName(input.workspaceName, 'workspaceName') : 'My workspace';
  const passwordHash = await hashPassword(input.password);
  const now = ctx.services.now().toISOString();
  const user: UserRow = { id: newId(), email, name, password_hash: passwordHash, locale: 'en', created_at: now };

  const taken = () => new ConflictError(`A user with the e-mail address ${email} already exists`);
  try {
    return await inTransaction(ctx.db, async (trx) => {
      if (await findUserByEmail(trx, email)) throw taken();
      await insertUser(trx, user);
      if (!input.owner) return { user: publicUser(user) };
      const organization = { id: newId(), name: orgName, created_at: now };
      await insertOrganization(trx, organization);
      await insertOrganizationMember(trx, { organization_id: organization.id, user_id: user.id, role: 'owner', created_at: now });
      const workspace: WorkspaceRow = { id: newId(), organization_id: organization.id, name: wsName, timezone, created_at: now };
      await insertWorkspace(trx, workspace);
      await insertMembership(trx, { workspace_id: workspace.id, user_id: user.id, role: 'owner', created_at: now });
      return { user: publicUser(user), organization: { id: organization.id, name: organization.name }, workspace };
    });
  } catch (e) {
    // A concurrent request may have inserted the same address between our check and insert.
    if (!(e instanceof DomainError) && (await findUserByEmail(ctx.db, email))) throw taken();
    throw e;
  }
}

/** A user by id, without secrets, or null. */
export async function getUser(ctx: Pick<ServiceContext, 'db'>, userId: string): Promise<PublicUser | null> {
  const u = await findUserById(ctx.db, userId);
  return u ? publicUser(u) : null;
}

/** Interface languages the web app ships; `users.locale` holds one of them. */
export const uiLocales = ['en', 'ru', 'sv'] as const;
/** One interface language. */
export type UiLocale = (typeof uiLocales)[number];

/** A stored locale as a UI language; anything unknown (older rows, hand edits) reads as English. */
export function asUiLocale(value: string): UiLocale {
  return (uiLocales as readonly string[]).includes(value) ? (value as UiLocale) : 'en';
}

/** A user and their interface preferences, as GET/PATCH /api/v1/me show them. */
export interface UserProfile {
  user: PublicUser;
  locale: UiLocale;
}

/** The user's profile (preferences included), or null when the user is gone. */
export async function getUserProfile(ctx: Pick<ServiceContext, 'db'>, userId: string): Promise<UserProfile | null> {
  const u = await findUserById(ctx.db, userId);
  return u ? { user: publicUser(u), locale: asUiLocale(u.locale) } : null;
}

/** What a user may change about themselves. */
export interface UpdateProfileInput {
  locale?: UiLocale;
  name?: string;
}

/**
 * Changes the caller's own interface language and/or display name. Throws ValidationError for a bad
 * name or an unknown language (nothing is written then) and NotFoundError when the user is gone.
 */
export async function updateMyProfile(ctx: Pick<ServiceContext, 'db'>, userId: string, input: UpdateProfileInput): Promise<UserProfile> {
  const changes: { name?: string; locale?: string } = {};
  if (input.name !== undefined) changes.name = validateName(input.name);
  if (input.locale !== undefined) {
    if (!(uiLocales as readonly string[]).includes(input.locale)) {
      throw new ValidationError(`"${input.locale}" is not a supported language`, [
        { path: 'locale', code: 'invalid_locale', message: `Use one of ${uiLocales.join(', ')}` },
      ]);
    }
    changes.locale = input.locale;
  }
  const row = await updateUserProfile(ctx.db, userId, changes);
  if (!row) throw new NotFoundError('User');
  return { user: publicUser(row), locale: asUiLocale(row.locale) };
}

/** True while nobody has signed up yet: first-run setup (POST /api/v1/setup) is still open. */
export async function isSetupOpen(ctx: Pick<ServiceContext, 'db'>): Promise<boolean> {
  return !(await anyUserExists(ctx.db));
}
