/**
 * Accounts connected to social networks. Sealed credentials and sessions pass through here as opaque
 * strings; decrypting them is the caller's business (and only the engine and connect flow do it).
 */
import { sql, type Selectable } from 'kysely';
import type { AccountRow, AccountStatus, AccountsTable } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

/** Inserts a new account row. */
export async function insertAccount(db: Executor, row: Selectable<AccountsTable>): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

/** An account of the workspace that has not been removed, or undefined. */
export async function findAccount(db: Executor, workspaceId: string, id: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Any account by id (the engine's view; includes removed ones). */
export async function findAccountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The live account of this workspace for the same network identity, if already connected. */
export async function findAccountByExternalId(db: Executor, workspaceId: string, network: string, externalId: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('network', '=', network)
    .where('external_id', '=', externalId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Live accounts of a workspace, oldest first, with how many targets wait in `held` for each. */
export async function listAccounts(db: Executor, workspaceId: string): Promise<Array<AccountRow & { held_count: number }>> {
  const rows = await db
    .selectFrom('accounts')
    .selectAll('accounts')
    .select((eb) =>
      eb
        .selectFrom('post_targets')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('post_targets.account_id', '=', 'accounts.id')
        .where('post_targets.state', '=', 'held')
        .as('held_count'),
    )
    .where('workspace_id', '=', workspaceId)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, held_count: Number(r.held_count ?? 0) }));
}

/** Updates fields of an account. */
export async function updateAccount(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<
      AccountRow,
      | 'handle'
      | 'display_name'
      | 'service_url'
      | 'status'
      | 'status_reason'
      | 'credentials_enc'
      | 'session_enc'
      | 'external_id'
      | 'removed_at'
      | 'updated_at'
      | 'token_expires_at'
      | 'expiry_warned'
      | 'network_limits'
    >
  >,
): Promise<void> {
  await db.updateTable('accounts').set(patch).where('id', '=', id).execute();
}

/**
 * Moves a live account to `status` unless it is already there; true when this call changed it (so
 * only one of many concurrent workers records the event).
 */
export async function changeAccountStatus(db: Executor, id: string, status: AccountStatus, reason: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('accounts')
    .set({ status, status_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('status', '<>', status)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Stores a refreshed (sealed) session. With `expiresAt` (null = no known expiry) the token expiry is
 * updated too, and a changed expiry forgets the expiry warnings already sent (they were about the old
 * date); the comparison reads the old value in the same statement.
 */
export async function saveAccountSession(db: Executor, id: string, sessionEnc: string, now: string, expiresAt?: string | null): Promise<void> {
  if (expiresAt === undefined) {
    await db.updateTable('accounts').set({ session_enc: sessionEnc, updated_at: now }).where('id', '=', id).execute();
    return;
  }
  await db
    .updateTable('accounts')
    .set((eb) => ({
      session_enc: sessionEnc,
      updated_at: now,
      token_expires_at: expiresAt,
      expiry_warned: eb
        .case()
        .when(expiresAt === null ? eb('token_expires_at', 'is', null) : eb('token_expires_at', '=', expiresAt))
        .then(eb.ref('expiry_warned'))
        .else(sql<string | null>`null`)
        .end(),
    }))
    .where('id', '=', id)
    .execute();
}

/** Locks the account row until the transaction ends (PostgreSQL only; SQLite serialises writers). */
export async function lockAccountRow(db: Executor, id: string): Promise<void> {
  await db.selectFrom('accounts').select('id').where('id', '=', id).forUpdate().execute();
}
