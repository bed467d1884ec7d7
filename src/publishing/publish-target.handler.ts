/**
 * The `publish-target` job: exactly-once publishing of one post target.
 *
 * Why it is safe to run this job twice, late, or in many processes at once:
 * 1. The claim is one guarded UPDATE (state 'scheduled' → 'publishing' under a lease, only when due and
 *    the account has a free concurrency slot); whoever loses the race does nothing.
 * 2. Everything sent comes from the database AFTER the claim, never from the job payload, so edits
 *    made after queueing win and cancelled/rescheduled targets are never sent.
 * 3. Every outcome is written with `WHERE state='publishing' AND lease_owner=<us>`; if our lease
 *    expired meanwhile the scheduler already moved the target to `unconfirmed` and the confirm step
 *    decides, by asking the network, never by re-sending blindly.
 * 4. The connector receives the target id as idempotency key, so a re-send after a lost answer is
 *    harmless where the network supports it.
 */
import { randomUUID } from 'node:crypto';
import { ConnectorError, type AnyConnector, type PostVariant, type PublishResult } from '../connectors/connector';
import { validateWithDeclarations } from '../connectors/declared-checks';
import type { AccountRow, PostTargetRow, PostTargetUpdate, TargetState } from '../db/schema';
import { assertTransition } from '../domain/post-state';
import type { Executor, JobHandler } from '../jobs/job-queue';
import { changeAccountStatus, findAccountById, lockAccountRow } from '../repositories/accounts.repository';
import { mediaOfTarget } from '../repositories/media.repository';
import { claimTarget, findTarget, markTargetPublished, parseExtras, updateTargetIf } from '../repositories/post-targets.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { takeGroupedPublishSlot, type SlotDecision } from './account-limiter';
import { retryDelayMs } from './backoff';
import { accountAuth, accountContext, accountNetworkLimits } from './connector-context';
import { enqueueConfirm, enqueuePublish } from './publish-jobs';
import type { PublishingOptions } from './publishing-options';
import { targetEventPayload } from './target-events';

const systemActor = null;

/** The variant a target publishes, read fresh from the database (poll, thread and options included). */
export async function loadVariant(db: Executor, t: PostTargetRow): Promise<PostVariant> {
  const media = await mediaOfTarget(db, t.id);
  const extras = parseExtras(t.extras);
  return {
    text: t.text,
    link: t.link,
    langs: JSON.parse(t.langs) as string[],
    media: media.map((m) => ({ mimeType: m.mime_type, sizeBytes: m.size_bytes, alt: m.alt, data: Buffer.from(m.data) })),
    poll: extras.poll,
    thread: extras.thread,
    options: extras.options,
  };
}

/** Plain-words summary of validation issues. */
export function describeIssues(issues: Array<{ message: string }>): string {
  return issues.map((i) => i.message).join('; ');
}

/**
 * Leaves `publishing` (guarded by our lease) for `to`, recording `eventType` in the same transaction
 * and running `after` (e.g. an enqueue) there too. Returns the new row or undefined if we lost the lease.
 */
export async function settleTarget(
  services: AppServices,
  t: PostTargetRow,
  from: TargetState,
  to: TargetState,
  patch: PostTargetUpdate,
  opts: { leaseOwner?: string; eventType?: string; eventExtra?: Record<string, unknown>; after?: (trx: Executor, row: PostTargetRow) => Promise<void> } = {},
): Promise<PostTargetRow | undefined> {
  assertTransition(from, to);
  const now = services.now().toISOString();
  return services.database.db.transaction().execute(async (trx) => {
    const row = await updateTargetIf(trx, t.id, [from], { ...patch, state: to, updated_at: now }, { leaseOwner: opts.leaseOwner });
    if (!row) return undefined;
    if (opts.eventType) {
      await recordEvent(services, trx, {
        workspaceId: row.workspace_id,
        type: opts.eventType,
        subjectId: row.id,
        actorId: systemActor,
        payload: targetEventPayload(row, opts.eventExtra),
      });
    }
    if (opts.after) await opts.after(trx, row);
    return row;
  });
}

const released: PostTargetUpdate = { lease_owner: null, lease_until: null };

/** Marks the account as needing attention (once) and holds the target. */
async function holdForAccount(
  services: AppServices,
  t: PostTargetRow,
  leaseOwner: string,
  status: 'needs_reconnect' | 'disconnected',
  reason: string,
): Promise<void> {
  const now = services.now().toISOString();
  await services.database.db.transaction().execute(async (trx) => {
    const row = await updateTargetIf(
      trx,
      t.id,
      ['publishing'],
      { ...released, state: 'held', last_error_kind: status === 'needs_reconnect' ? 'auth_expired' : 'disconnected', last_error_message: reason, updated_at: now },
      { leaseOwner },
    );
    if (!row) return;
    if (await changeAccountStatus(trx, t.account_id, status, reason, now)) {
      await recordEvent(services, trx, {
        workspaceId: row.workspace_id,
        type: status === 'needs_reconnect' ? 'account.needs_reconnect' : 'account.disconnected',
        subjectId: t.account_id,
        actorId: systemActor,
        payload: { accountId: t.account_id, network: t.network, reason },
      });
    }
    await recordEvent(services, trx, { workspaceId: row.workspace_id, type: 'post.target.held', subjectId: row.id, actorId: systemActor, payload: targetEventPayload(row) });
  });
}

/** Writes a successful publication and its event. */
export async function recordPublished(services: AppServices, t: PostTargetRow, leaseOwner: string | null, result: PublishResult): Promise<PostTargetRow | undefined> {
  const now = services.now().toISOString();
  return services.database.db.transaction().execute(async (trx) => {
    const row = await markTargetPublished(trx, t.id, leaseOwner, { externalId: result.externalId, externalUrl: result.url, publishedAt: now });
    if (!row) return undefined;
    await recordEvent(services, trx, { workspaceId: row.workspace_id, type: 'post.target.published', subjectId: row.id, actorId: systemActor, payload: targetEventPayload(row) });
    return row;
  });
}

/** Moves a target whose send may or may not have reached the network to `unconfirmed`. */
async function markUnconfirmed(services: AppServices, connector: AnyConnector, t: PostTargetRow, leaseOwner: string, message: string, kind: string): Promise<void> {
  const now = services.now();
  const canCheck = typeof connector.findPublished === 'function';
  await settleTarget(
    services,
    t,
    'publishing',
    'unconfirmed',
    {
      ...released,
      last_error_kind: kind,
      last_error_message: canCheck
        ? `${message} — the post may have gone out; checking with ${connector.displayName}`
        : `${message} — the post may have gone out and ${connector.displayName} cannot be asked; check the account and retry or cancel by hand`,
      next_attempt_at: canCheck ? now.toISOString() : null,
    },
    {
      leaseOwner,
      eventType: 'post.target.unconfirmed',
      after: async (trx) => {
        if (canCheck) await enqueueConfirm(services, trx, t.id, now);
      },
    },
  );
}

/** Acts on a failed publish call according to the failure taxonomy. */
async function handleFailure(services: AppServices, opts: PublishingOptions, connector: AnyConnector, t: PostTargetRow, leaseOwner: string, err: unknown): Promise<void> {
  const ce = err instanceof ConnectorError ? err : null;
  const message = ce?.message ?? (err instanceof Error ? err.message : String(err));
  const kind = ce?.kind ?? 'retryable';
  // Anything we do not understand may have happened after the request left: never assume it did not.
  const outcomeUnknown = ce ? ce.opts.outcomeUnknown === true : true;
  services.log.warn({ targetId: t.id, network: t.network, kind, outcomeUnknown, attempt: t.attempts, err: message }, 'publish attempt failed');

  if (kind === 'auth_expired') {
    await holdForAccount(services, t, leaseOwner, 'needs_reconnect', `${connector.displayName} refused the account's credentials: ${message}. Reconnect the account; held posts then publish on their own.`);
    return;
  }
  if (kind === 'disconnected') {
    await holdForAccount(services, t, leaseOwner, 'disconnected', `${connector.displayName} says the account is no longer available: ${message}`);
    return;
  }
  if (kind === 'invalid_content') {
    await settleTarget(services, t, 'publishing', 'failed', { ...released, last_error_kind: kind, last_error_message: `${connector.displayName} rejected the post: ${message}` }, { leaseOwner, eventType: 'post.target.failed' });
    return;
  }
  if (outcomeUnknown) {
    await markUnconfirmed(services, connector, t, leaseOwner, message, kind);
    return;
  }
  // retryable or rate_limited, definitely not sent.
  if (t.attempts >= opts.maxAttempts) {
    await settleTarget(
      services,
      t,
      'publishing',
      'failed',
      { ...released, last_error_kind: kind, last_error_message: `Gave up after ${t.attempts} attempts; the last answer from ${connector.displayName} was: ${message}` },
      { leaseOwner, eventType: 'post.target.failed' },
    );
    return;
  }
  const retryAt = new Date(services.now().getTime() + retryDelayMs(t.attempts, opts.backoff, ce?.opts.retryAfterMs));
  await settleTarget(
    services,
    t,
    'publishing',
    'scheduled',
    { ...released, last_error_kind: kind, last_error_message: message, next_attempt_at: retryAt.toISOString() },
    { leaseOwner, after: (trx) => enqueuePublish(services, trx, t.id, retryAt) },
  );
}

/** Claims a target, honouring the per-account concurrency limit (serialised per account on PostgreSQL). */
async function claim(services: AppServices, opts: PublishingOptions, connector: AnyConnector, t: PostTargetRow, leaseOwner: string): Promise<PostTargetRow | undefined> {
  const now = services.now();
  const params = {
    id: t.id,
    accountId: t.account_id,
    leaseOwner,
    now: now.toISOString(),
    leaseUntil: new Date(now.getTime() + opts.leaseMs).toISOString(),
    maxConcurrent: Math.max(1, connector.limits.maxConcurrentPerAccount),
  };
  const { database } = services;
  // SQLite runs one writer at a time, so the single UPDATE is atomic with its own count. PostgreSQL
  // (READ COMMITTED) could let two claims for the same account both see a free slot; locking the
  // account row first makes them queue up.
  if (database.dialect === 'sqlite') return claimTarget(database.db, params);
  return database.db.transaction().execute(async (trx) => {
    await lockAccountRow(trx, t.account_id);
    return claimTarget(trx, params);
  });
}

/** Runs one claimed attempt to its end state. */
async function publishClaimed(services: AppServices, opts: PublishingOptions, connector: AnyConnector, t: PostTargetRow, leaseOwner: string): Promise<void> {
  const db = services.database.db;
  const account: AccountRow | undefined = await findAccountById(db, t.account_id);
  if (!account || account.removed_at) {
    await settleTarget(services, t, 'publishing', 'failed', { ...released, last_error_kind: 'account_removed', last_error_message: 'The account was removed from Herald before the post went out' }, { leaseOwner, eventType: 'post.target.failed' });
    return;
  }
  if (account.status !== 'ok') {
    const reason = account.status_reason ?? `The ${connector.displayName} account ${account.handle} needs to be reconnected`;
    await settleTarget(services, t, 'publishing', 'held', { ...released, last_error_kind: account.status, last_error_message: reason }, { leaseOwner, eventType: 'post.target.held' });
    return;
  }
  const variant = await loadVariant(db, t);
  // The same checks the API ran, with the limits the account's server announced.
  const validation = validateWithDeclarations(connector, variant, { networkLimits: accountNetworkLimits(account) });
  if (!validation.valid) {
    await settleTarget(
      services,
      t,
      'publishing',
      'failed',
      { ...released, last_error_kind: 'invalid_content', last_error_message: `The post is not valid for ${connector.displayName}: ${describeIssues(validation.errors)}` },
      { leaseOwner, eventType: 'post.target.failed' },
    );
    return;
  }
  const auth = accountAuth(services, account);
  let slot: SlotDecision;
  try {
    const groupRate = connector.limits.groupRate;
    const groupName = connector.rateGroup && groupRate ? connector.rateGroup(auth) : null;
    slot = await takeGroupedPublishSlot(
      db,
      { accountId: t.account_id, rate: connector.limits.publishRate, group: groupName && groupRate ? { network: connector.id, name: groupName, rate: groupRate } : null },
      services.now(),
    );
  } catch (err) {
    // Nothing has been sent yet, so this is an ordinary retry, never an unknown outcome.
    const message = err instanceof Error ? err.message : String(err);
    await handleFailure(services, opts, connector, t, leaseOwner, new ConnectorError('retryable', `Could not take a publish slot: ${message}`, { outcomeUnknown: false, cause: err }));
    return;
  }
  if (!slot.granted) {
    // Not an attempt: hand the claim back and come back when the window opens.
    const retryAt = new Date(slot.retryAt.getTime() + Math.floor(Math.random() * 250));
    await settleTarget(
      services,
      t,
      'publishing',
      'scheduled',
      { ...released, attempts: Math.max(0, t.attempts - 1), next_attempt_at: retryAt.toISOString() },
      { leaseOwner, after: (trx) => enqueuePublish(services, trx, t.id, retryAt) },
    );
    return;
  }

  let result: PublishResult;
  try {
    result = await connector.publish(
      { auth, variant, idempotencyKey: t.id, createdAt: t.created_at },
      accountContext(services, account.id, opts.requestTimeoutMs),
    );
  } catch (err) {
    await handleFailure(services, opts, connector, t, leaseOwner, err);
    return;
  }
  const row = await recordPublished(services, t, leaseOwner, result);
  if (!row) services.log.error({ targetId: t.id, externalId: result.externalId }, 'published, but the target changed state meanwhile; not overwritten');
  else services.log.info({ targetId: t.id, network: t.network, externalId: result.externalId, attempt: t.attempts }, 'published');
}

/** The `publish-target` job handler. */
export function publishTargetHandler(services: AppServices, opts: PublishingOptions): JobHandler {
  return async (payload, job) => {
    const targetId = typeof payload.targetId === 'string' ? payload.targetId : '';
    const db = services.database.db;
    const t = await findTarget(db, targetId);
    // Published, cancelled, held, already in flight, back in review: nothing to do for this job.
    if (!t || t.state !== 'scheduled' || !t.scheduled_at) return;
    const now = services.now();
    const dueAt = new Date(Math.max(Date.parse(t.scheduled_at), t.next_attempt_at ? Date.parse(t.next_attempt_at) : 0));
    if (dueAt.getTime() > now.getTime()) {
      // Rescheduled later after this job was queued (and it could not be replaced): come back then.
      await enqueuePublish(services, db, t.id, dueAt);
      return;
    }
    if (!services.connectors.has(t.network)) {
      services.log.error({ targetId: t.id, network: t.network }, 'no connector for network; leaving the target scheduled');
      return;
    }
    const connector = services.connectors.get(t.network);
    const leaseOwner = `${job.workerId}/${job.jobId}/${randomUUID().slice(0, 8)}`;
    const claimed = await claim(services, opts, connector, t, leaseOwner);
    if (!claimed) {
      const again = await findTarget(db, t.id);
      if (again?.state === 'scheduled') {
        // Due but not claimable: the account's concurrency slots are taken. Try again shortly.
        const retryAt = new Date(services.now().getTime() + Math.floor(opts.busyRetryMs * (0.5 + Math.random())));
        await enqueuePublish(services, db, t.id, retryAt);
      }
      return;
    }
    await publishClaimed(services, opts, connector, claimed, leaseOwner);
  };
}
