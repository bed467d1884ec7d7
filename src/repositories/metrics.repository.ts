/**
 * Metric observations: account snapshots (`account_metrics`) and per-post counts (`post_metrics`).
 * Rows are only ever added; a count the network did not give is NULL, never 0.
 */
import type { Selectable } from 'kysely';
import type { AccountMetricsTable, PostMetricsTable } from '../db/schema';
import type { Executor } from '../jobs/job-queue';

export type AccountMetricsRow = Selectable<AccountMetricsTable>;
export type PostMetricsRow = Selectable<PostMetricsTable>;

/** Adds an account snapshot. */
export async function insertAccountMetrics(db: Executor, row: AccountMetricsRow): Promise<void> {
  await db.insertInto('account_metrics').values(row).execute();
}

/** Adds post observations. */
export async function insertPostMetrics(db: Executor, rows: PostMetricsRow[]): Promise<void> {
  if (rows.length) await db.insertInto('post_metrics').values(rows).execute();
}

/** The account's newest snapshot. */
export async function latestAccountMetrics(db: Executor, accountId: string): Promise<AccountMetricsRow | undefined> {
  return db.selectFrom('account_metrics').selectAll().where('account_id', '=', accountId).orderBy('observed_at', 'desc').limit(1).executeTakeFirst();
}

/** The account's snapshots in [from, to), oldest first (at most `limit`). */
export async function accountMetricsSeries(db: Executor, workspaceId: string, accountId: string, from: string, to: string, limit: number): Promise<AccountMetricsRow[]> {
  return db
    .selectFrom('account_metrics')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('account_id', '=', accountId)
    .where('observed_at', '>=', from)
    .where('observed_at', '<', to)
    .orderBy('observed_at')
    .limit(limit)
    .execute();
}

/** The account's published targets since `since` that metrics can be asked for. */
export async function targetsForMetrics(db: Executor, accountId: string, since: string): Promise<Array<{ id: string; external_id: string; published_at: string }>> {
  const rows = await db
    .selectFrom('post_targets')
    .select(['id', 'external_id', 'published_at'])
    .where('account_id', '=', accountId)
    .where('state', '=', 'published')
    .where('external_id', 'is not', null)
    .where('published_at', '>=', since)
    .orderBy('published_at')
    .execute();
  return rows.flatMap((r) => (r.external_id && r.published_at ? [{ id: r.id, external_id: r.external_id, published_at: r.published_at }] : []));
}

/** When each target was last observed (targets never observed are absent). */
export async function lastObservedAt(db: Executor, targetIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < targetIds.length; i += 500) {
    const chunk = targetIds.slice(i, i + 500);
    const rows = await db
      .selectFrom('post_metrics')
      .select((eb) => ['target_id', eb.fn.max('observed_at').as('last')])
      .where('target_id', 'in', chunk)
      .groupBy('target_id')
      .execute();
    for (const r of rows) if (r.last) out.set(r.target_id, String(r.last));
  }
  return out;
}

/** The newest observation of each of these targets of the workspace. */
export async function latestPostMetrics(db: Executor, workspaceId: string, targetIds: string[]): Promise<Map<string, PostMetricsRow>> {
  const out = new Map<string, PostMetricsRow>();
  if (targetIds.length === 0) return out;
  const rows = await db
    .selectFrom('post_metrics as m')
    .selectAll('m')
    .where('m.workspace_id', '=', workspaceId)
    .where('m.target_id', 'in', targetIds)
    .where(({ eb, selectFrom }) =>
      eb('m.observed_at', '=', selectFrom('post_metrics as n').select((e) => e.fn.max('n.observed_at').as('mx')).whereRef('n.target_id', '=', 'm.target_id')),
    )
    .orderBy('m.id')
    .execute();
  for (const r of rows) out.set(r.target_id, r);
  return out;
}

/** Every observation of these targets of the workspace, oldest first. */
export async function postMetricsSeries(db: Executor, workspaceId: string, targetIds: string[]): Promise<PostMetricsRow[]> {
  if (targetIds.length === 0) return [];
  return db.selectFrom('post_metrics').selectAll().where('workspace_id', '=', workspaceId).where('target_id', 'in', targetIds).orderBy('observed_at').execute();
}

/** Stores when the account's metrics were last collected. */
export async function saveMetricsSyncedAt(db: Executor, accountId: string, at: string): Promise<void> {
  await db.updateTable('accounts').set({ metrics_synced_at: at }).where('id', '=', accountId).execute();
}
