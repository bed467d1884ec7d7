/**
 * Connected social accounts. Credentials are checked with the connector's schema and then with the
 * network itself before anything is stored; credentials and sessions are sealed (SecretBox, bound to
 * the account id) and never returned or logged.
 *
 * Removing an account is soft (history keeps pointing at it). Its unsent targets — draft, in review,
 * approved, scheduled, held, failed, unconfirmed — are CANCELLED with the reason "account removed"
 * rather than held: a held target would publish again on reconnect, and a removed account is never
 * reconnected (connecting it again creates a new account).
 */
import { z } from 'zod';
import { ConnectorError, type AnyConnector } from '../connectors/connector';
import type { AccountRow, AccountStatus, TargetState } from '../db/schema';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { isId, newId } from '../domain/ids';
import { canTransition } from '../domain/post-state';
import { assertCan } from '../policies/policy';
import { findAccount, findAccountByExternalId, findAccountById, insertAccount, listAccounts as listAccountRows, updateAccount } from '../repositories/accounts.repository';
import { targetsOfAccountInStates, updateTargetIf } from '../repositories/post-targets.repository';
import { accountNetworkLimits, credentialsContext, normalizeExpiry, sessionContext } from '../publishing/connector-context';
import { dropPublishJob, enqueueConfirm, enqueuePublish } from '../publishing/publish-jobs';
import type { AppServices, UseCaseContext } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { parseInput } from './posts.use-case';
import { policyActor } from './workspaces.use-case';

/** An account as the API shows it (never credentials or session). */
export interface AccountView {
  id: string;
  network: string;
  externalId: string;
  handle: string;
  displayName: string | null;
  serviceUrl: string | null;
  status: AccountStatus;
  statusReason: string | null;
  /** Targets waiting in `held` for this account to be reconnected. */
  heldPosts: number;
  /** When the credentials stop working unless the user renews them (null = no known expiry). */
  tokenExpiresAt: string | null;
  /** Whole days left until `tokenExpiresAt` (rounded down; negative once expired; null = no expiry). */
  expiresInDays: number | null;
  /**
   * Token expiry as a display state, separate from `status`: `none` (no known expiry), `ok`,
   * `expiring_soon` (7 days or fewer left) or `expired`.
   */
  expiry: AccountExpiry;
  /** Limits the account's server announced at connect (e.g. max characters); null = the network's defaults. */
  networkLimits: Record<string, number> | null;
  createdAt: string;
  updatedAt: string;
}

/** Display state of an account's token expiry. */
export type AccountExpiry = 'none' | 'ok' | 'expiring_soon' | 'expired';
/** Days before expiry from which an account shows as `expiring_soon`. */
export const expiringSoonDays = 7;
const dayMs = 86_400_000;

/** Days left and display state of an expiry at `now`. */
export function expiryState(tokenExpiresAt: string | null, now: Date): { expiresInDays: number | null; expiry: AccountExpiry } {
  const at = tokenExpiresAt ? Date.parse(tokenExpiresAt) : Number.NaN;
  if (Number.isNaN(at)) return { expiresInDays: null, expiry: 'none' };
  const left = at - now.getTime();
  const expiresInDays = Math.floor(left / dayMs);
  return { expiresInDays, expiry: left <= 0 ? 'expired' : expiresInDays <= expiringSoonDays ? 'expiring_soon' : 'ok' };
}

/** Connect body: a network id and that network's credential fields. */
export const connectAccountSchema = z.object({ network: z.string().min(1), credentials: z.record(z.string(), z.unknown()) }).strict();
/** Reconnect body: new credentials. */
export const reconnectAccountSchema = z.object({ credentials: z.record(z.string(), z.unknown()) }).strict();

function view(a: AccountRow, now: Date, held = 0): AccountView {
  return {
    id: a.id,
    network: a.network,
    externalId: a.external_id,
    handle: a.handle,
    displayName: a.display_name,
    serviceUrl: a.service_url,
    status: a.status,
    statusReason: a.status_reason,
    heldPosts: held,
    tokenExpiresAt: a.token_expires_at,
    ...expiryState(a.token_expires_at, now),
    networkLimits: accountNetworkLimits(a),
    createdAt: a.created_at,
    updatedAt: a.updated_at,
  };
}

async function authorize(ctx: UseCaseContext, action: 'accounts.read' | 'accounts.manage'): Promise<void> {
  const actor = await policyActor(ctx);
  if (actor) assertCan(actor, action);
}

/** Parses credentials with the connector's schema; field problems are named, values never echoed. */
function parseCredentials(connector: AnyConnector, credentials: unknown): unknown {
  const r = connector.credentialsSchema.safeParse(credentials);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: `credentials.${i.path.join('.')}`, code: i.code, message: i.message }));
  throw new ValidationError(`The ${connector.displayName} credentials are incomplete: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

/** Verifies credentials with the network; maps its refusals to 422 and outages to 502. */
async function connectWithNetwork(services: AppServices, connector: AnyConnector, credentials: unknown) {
  let saved: { session: unknown; expiresAt?: string | null } | null = null;
  try {
    const connected = await connector.connect(credentials, {
      fetch: services.fetch,
      signal: AbortSignal.timeout(30_000),
      defaultServiceUrl: services.config.blueskyDefaultService,
      saveSession: async (session, meta) => {
        saved = { session, ...(meta && meta.expiresAt !== undefined ? { expiresAt: meta.expiresAt } : {}) };
      },
    });
    const last = saved as { session: unknown; expiresAt?: string | null } | null;
    // A session saved during connect is newer than the one returned only if the connector says so by
    // saving it; its expiry applies when connect itself names none.
    const expiresAt = connected.expiresAt !== undefined ? connected.expiresAt : last?.expiresAt;
    return {
      connected,
      session: last ? last.session : connected.session,
      expiresAt: normalizeExpiry(expiresAt),
      networkLimits: connected.networkLimits && Object.keys(connected.networkLimits).length ? JSON.stringify(connected.networkLimits) : null,
    };
  } catch (e) {
    if (e instanceof ConnectorError) {
      if (e.kind === 'auth_expired' || e.kind === 'invalid_content' || e.kind === 'disconnected') {
        throw new ValidationError(`${connector.displayName} did not accept these credentials: ${e.message}`, [{ path: 'credentials', code: e.kind, message: e.message }]);
      }
      throw new DomainError(502, 'Network unavailable', `${connector.displayName} could not be reached to check the credentials: ${e.message}. Try again.`);
    }
    throw e;
  }
}

function connectorOf(services: AppServices, network: string): AnyConnector {
  if (!services.connectors.has(network)) {
    throw new ValidationError(`Unknown network "${network}" (known: ${services.connectors.list().map((c) => c.id).join(', ')})`, [{ path: 'network', message: 'unknown network' }]);
  }
  return services.connectors.get(network);
}

/** Connects a new account after the network accepted the credentials. */
export async function connectAccount(ctx: UseCaseContext, raw: z.input<typeof connectAccountSchema>): Promise<AccountView> {
  await authorize(ctx, 'accounts.manage');
  const input = parseInput(connectAccountSchema, raw);
  const connector = connectorOf(ctx.services, input.network);
  const credentials = parseCredentials(connector, input.credentials);
  const { connected, session, expiresAt, networkLimits } = await connectWithNetwork(ctx.services, connector, credentials);
  const existing = await findAccountByExternalId(ctx.db, ctx.workspaceId, connector.id, connected.externalId);
  if (existing) throw new ConflictError(`${connected.handle} is already connected to this workspace; reconnect it instead`, { accountId: existing.id });
  const now = ctx.services.now().toISOString();
  const id = newId();
  const row: AccountRow = {
    id,
    workspace_id: ctx.workspaceId,
    network: connector.id,
    external_id: connected.externalId,
    handle: connected.handle,
    display_name: connected.displayName,
    service_url: connected.serviceUrl,
    status: 'ok',
    status_reason: null,
    token_expires_at: expiresAt,
    expiry_warned: null,
    inbound_cursor: null,
    inbound_synced_at: null,
    metrics_synced_at: null,
    network_limits: networkLimits,
    credentials_enc: ctx.services.secrets.seal(credentials, credentialsContext(id)),
    session_enc: ctx.services.secrets.seal(session, sessionContext(id)),
    created_at: now,
    updated_at: now,
    removed_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await insertAccount(trx, row);
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'account.connected',
      subjectId: id,
      actorId: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      payload: { accountId: id, network: row.network, handle: row.handle },
    });
  });
  ctx.services.log.info({ accountId: id, network: row.network, handle: row.handle }, 'account connected');
  return view(row, ctx.services.now());
}

/** Accounts of the workspace with their held-post counts. */
export async function listAccounts(ctx: UseCaseContext): Promise<AccountView[]> {
  await authorize(ctx, 'accounts.read');
  const now = ctx.services.now();
  return (await listAccountRows(ctx.db, ctx.workspaceId)).map((a) => view(a, now, a.held_count));
}

async function loadAccount(ctx: UseCaseContext, id: string): Promise<AccountRow> {
  const a = isId(id) ? await findAccount(ctx.db, ctx.workspaceId, id) : undefined;
  if (!a) throw new NotFoundError('Account');
  return a;
}

/**
 * New credentials for an existing account. On success the account is `ok` again and every held
 * target resumes: back to `scheduled`, queued at its time (or now when that has passed). Targets left
 * `unconfirmed` while the account was broken are checked again.
 */
export async function reconnectAccount(ctx: UseCaseContext, id: string, raw: z.input<typeof reconnectAccountSchema>): Promise<AccountView & { resumed: number }> {
  await authorize(ctx, 'accounts.manage');
  const account = await loadAccount(ctx, id);
  const input = parseInput(reconnectAccountSchema, raw);
  const connector = connectorOf(ctx.services, account.network);
  const credentials = parseCredentials(connector, input.credentials);
  const { connected, session, expiresAt, networkLimits } = await connectWithNetwork(ctx.services, connector, credentials);
  if (connected.externalId !== account.external_id) {
    throw new ValidationError(`These credentials belong to ${connected.handle}, not ${account.handle}; connect it as a new account instead`, [{ path: 'credentials', code: 'different_account', message: 'credentials of another account' }]);
  }
  const now = ctx.services.now();
  const nowIso = now.toISOString();
  let resumed = 0;
  await ctx.db.transaction().execute(async (trx) => {
    await updateAccount(trx, id, {
      status: 'ok',
      status_reason: null,
      handle: connected.handle,
      display_name: connected.displayName,
      service_url: connected.serviceUrl,
      credentials_enc: ctx.services.secrets.seal(credentials, credentialsContext(id)),
      session_enc: ctx.services.secrets.seal(session, sessionContext(id)),
      token_expires_at: expiresAt,
      // Warnings sent were about the old expiry; new credentials start the count again.
      ...(expiresAt !== account.token_expires_at ? { expiry_warned: null } : {}),
      network_limits: networkLimits,
      updated_at: nowIso,
    });
    for (const t of await targetsOfAccountInStates(trx, id, ['held'])) {
      const row = await updateTargetIf(trx, t.id, ['held'], { state: 'scheduled', next_attempt_at: null, last_error_kind: null, last_error_message: null, updated_at: nowIso });
      if (!row) continue;
      const runAt = new Date(Math.max(now.getTime(), Date.parse(row.scheduled_at ?? nowIso)));
      await enqueuePublish(ctx.services, trx, row.id, runAt);
      resumed++;
    }
    if (connector.findPublished) {
      for (const t of await targetsOfAccountInStates(trx, id, ['unconfirmed'])) {
        await updateTargetIf(trx, t.id, ['unconfirmed'], { next_attempt_at: nowIso, updated_at: nowIso });
        await enqueueConfirm(ctx.services, trx, t.id, now);
      }
    }
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'account.reconnected',
      subjectId: id,
      actorId: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      payload: { accountId: id, network: account.network, resumedTargets: resumed },
    });
  });
  const fresh = await loadAccount(ctx, id);
  return { ...view(fresh, now, 0), resumed };
}

/**
 * The workspace an account belongs to (live accounts only), for routes that take an account id
 * outside a workspace path and must then check access to that workspace. Null when there is none.
 */
export async function workspaceOfAccount(services: AppServices, accountId: string): Promise<string | null> {
  if (!isId(accountId)) return null;
  const a = await findAccountById(services.database.db, accountId);
  return a && !a.removed_at ? a.workspace_id : null;
}

const cancelOnRemoval: TargetState[] = ['draft', 'in_review', 'approved', 'scheduled', 'held', 'failed', 'unconfirmed'];

/** Removes an account (soft) and cancels its unsent targets; returns how many were cancelled. */
export async function removeAccount(ctx: UseCaseContext, id: string): Promise<{ cancelledTargets: number }> {
  await authorize(ctx, 'accounts.manage');
  const account = await loadAccount(ctx, id);
  const nowIso = ctx.services.now().toISOString();
  let cancelled = 0;
  await ctx.db.transaction().execute(async (trx) => {
    await updateAccount(trx, id, { removed_at: nowIso, status: 'disconnected', status_reason: 'Removed from Herald', updated_at: nowIso });
    for (const t of await targetsOfAccountInStates(trx, id, cancelOnRemoval)) {
      if (!canTransition(t.state, 'cancelled')) continue;
      const row = await updateTargetIf(trx, t.id, [t.state], { state: 'cancelled', last_error_kind: 'account_removed', last_error_message: 'The account was removed from Herald', updated_at: nowIso });
      if (!row) continue;
      if (t.state === 'scheduled') await dropPublishJob(ctx.services, trx, t.id);
      cancelled++;
    }
    await recordEvent(ctx.services, trx, {
      workspaceId: ctx.workspaceId,
      type: 'account.removed',
      subjectId: id,
      actorId: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      payload: { accountId: id, network: account.network, cancelledTargets: cancelled },
    });
  });
  return { cancelledTargets: cancelled };
}
