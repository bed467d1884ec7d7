/**
 * Analytics storage: what `herald import metrics` writes into the core tables (accounts, posts,
 * post_targets, account_metrics, post_metrics) and into analytics_post_content, the rollup tables
 * (rebuilt per account and range) and the workspace analytics settings. The only analytics code that
 * touches Kysely.
 */
import type { Insertable, Selectable } from 'kysely';
import type {
  AccountsTable,
  AccountMetricsTable,
  AnalyticsAccountDailyTable,
  AnalyticsContentTypeDailyTable,
  AnalyticsPostContentTable,
  AnalyticsPostRollupsTable,
  PostMetricsTable,
  PostsTable,
  PostTargetsTable,
} from '../db/schema';
import type { Executor } from '../jobs/job-queue';

export type PostRollupRow = Selectable<AnalyticsPostRollupsTable>;
export type AccountDailyRow = Selectable<AnalyticsAccountDailyTable>;
export type ContentTypeDailyRow = Selectable<AnalyticsContentTypeDailyTable>;
type SnapshotRow = Selectable<AccountMetricsTable>;
type ObservationRow = Selectable<PostMetricsTable>;

/** Rows per `in (...)` list, well under both dialects' parameter limits. */
const chunkSize = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize));
  return out;
}

// ---- import -------------------------------------------------------------------------------------

/** A live (not removed) account of the workspace with this network id. */
export async function findAccountByNetworkId(db: Executor, workspaceId: string, network: string, externalId: string): Promise<Selectable<AccountsTable> | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('network', '=', network)
    .where('external_id', '=', externalId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** Adds an account row (imported accounts have no credentials). */
export async function insertAccountRow(db: Executor, row: Insertable<AccountsTable>): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

/** The account's target carrying this network id, if any. */
export async function findTargetByExternalId(db: Executor, accountId: string, externalId: string): Promise<{ id: string; published_at: string | null } | undefined> {
  return db
    .selectFrom('post_targets')
    .select(['id', 'published_at'])
    .where('account_id', '=', accountId)
    .where('external_id', '=', externalId)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** Adds a post with its one (published) target. */
export async function insertPostWithTarget(db: Executor, post: Insertable<PostsTable>, target: Insertable<PostTargetsTable>): Promise<void> {
  await db.insertInto('posts').values(post).execute();
  await db.insertInto('post_targets').values(target).execute();
}

/** Stores a target's content type and hashtags; returns whether anything changed. */
export async function upsertPostContent(db: Executor, row: Selectable<AnalyticsPostContentTable>): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await db.selectFrom('analytics_post_content').selectAll().where('target_id', '=', row.target_id).executeTakeFirst();
  if (!existing) {
    await db.insertInto('analytics_post_content').values(row).execute();
    return 'created';
  }
  if (existing.content_type === row.content_type && existing.hashtags === row.hashtags) return 'unchanged';
  await db.updateTable('analytics_post_content').set({ content_type: row.content_type, hashtags: row.hashtags, updated_at: row.updated_at }).where('target_id', '=', row.target_id).execute();
  return 'updated';
}

/** Every snapshot of these accounts (to match re-imported ones by account and instant). */
export async function snapshotsOfAccounts(db: Executor, accountIds: string[]): Promise<SnapshotRow[]> {
  const out: SnapshotRow[] = [];
  for (const ids of chunks(accountIds)) out.push(...(await db.selectFrom('account_metrics').selectAll().where('account_id', 'in', ids).orderBy('observed_at').orderBy('id').execute()));
  return out;
}

/** Adds snapshots. */
export async function insertSnapshots(db: Executor, rows: SnapshotRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 300) await db.insertInto('account_metrics').values(rows.slice(i, i + 300)).execute();
}

/** Corrects a snapshot's counts. */
export async function updateSnapshot(db: Executor, id: string, patch: Pick<SnapshotRow, 'followers' | 'following' | 'posts_count'>): Promise<void> {
  await db.updateTable('account_metrics').set(patch).where('id', '=', id).execute();
}

/** The count columns of post_metrics. */
export const observationCounts = ['views', 'reach', 'likes', 'comments', 'shares', 'quotes', 'saves', 'clicks', 'poll_votes', 'video_views'] as const;
export type ObservationCounts = Pick<ObservationRow, (typeof observationCounts)[number]>;

/** Every observation of these targets (to match re-imported ones by target and instant). */
export async function observationsOfTargets(db: Executor, targetIds: string[]): Promise<ObservationRow[]> {
  const out: ObservationRow[] = [];
  for (const ids of chunks(targetIds)) out.push(...(await db.selectFrom('post_metrics').selectAll().where('target_id', 'in', ids).orderBy('observed_at').orderBy('id').execute()));
  return out;
}

/** Adds observations. */
export async function insertObservations(db: Executor, rows: ObservationRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('post_metrics').values(rows.slice(i, i + 200)).execute();
}

/** Corrects an observation's counts. */
export async function updateObservation(db: Executor, id: string, patch: ObservationCounts): Promise<void> {
  await db.updateTable('post_metrics').set(patch).where('id', '=', id).execute();
}

// ---- rollup inputs ------------------------------------------------------------------------------

/** An account with its workspace's time zone. */
export async function accountForRollups(db: Executor, accountId: string): Promise<{ id: string; workspace_id: string; network: string; timezone: string } | undefined> {
  return db
    .selectFrom('accounts as a')
    .innerJoin('workspaces as w', 'w.id', 'a.workspace_id')
    .select(['a.id', 'a.workspace_id', 'a.network', 'w.timezone'])
    .where('a.id', '=', accountId)
    .executeTakeFirst();
}

/** A published target with what its content type can be told from. */
export interface PublishedTargetFacts {
  id: string;
  network: string;
  published_at: string;
  link: string | null;
  extras: string;
  content_type: string | null;
  media: number;
  videos: number;
}

/** The account's published targets (of posts not deleted) published in [from, to). */
export async function publishedTargets(db: Executor, accountId: string, from: string, to: string): Promise<PublishedTargetFacts[]> {
  const rows = await db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .leftJoin('analytics_post_content as c', 'c.target_id', 't.id')
    .select(['t.id', 't.network', 't.published_at', 't.link', 't.extras', 'c.content_type'])
    .where('t.account_id', '=', accountId)
    .where('t.state', '=', 'published')
    .where('p.deleted_at', 'is', null)
    .where('t.published_at', '>=', from)
    .where('t.published_at', '<', to)
    .orderBy('t.published_at')
    .execute();
  const media = new Map<string, { media: number; videos: number }>();
  const needMedia = rows.filter((r) => r.content_type === null).map((r) => r.id);
  for (const ids of chunks(needMedia)) {
    const m = await db.selectFrom('media').select(['target_id', 'mime_type']).where('target_id', 'in', ids).execute();
    for (const r of m) {
      const cur = media.get(r.target_id) ?? { media: 0, videos: 0 };
      cur.media += 1;
      if (r.mime_type.startsWith('video/')) cur.videos += 1;
      media.set(r.target_id, cur);
    }
  }
  return rows.flatMap((r) => (r.published_at ? [{ ...r, published_at: r.published_at, ...(media.get(r.id) ?? { media: 0, videos: 0 }) }] : []));
}

/** Publish times of the account's published targets (of posts not deleted) published before `to`. */
export async function publishTimesBefore(db: Executor, accountId: string, to: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .select(['t.id', 't.published_at'])
    .where('t.account_id', '=', accountId)
    .where('t.state', '=', 'published')
    .where('p.deleted_at', 'is', null)
    .where('t.published_at', '<', to)
    .execute();
  return new Map(rows.flatMap((r) => (r.published_at ? [[r.id, r.published_at] as [string, string]] : [])));
}

/** Every observation of the account's posts made before `to`, oldest first. */
export async function accountObservationsBefore(db: Executor, accountId: string, to: string): Promise<ObservationRow[]> {
  return db.selectFrom('post_metrics').selectAll().where('account_id', '=', accountId).where('observed_at', '<', to).orderBy('observed_at').orderBy('id').execute();
}

/** The account's snapshots that carry a follower count, oldest first. */
export async function followerSnapshots(db: Executor, accountId: string): Promise<Array<{ observed_at: string; followers: number }>> {
  const rows = await db
    .selectFrom('account_metrics')
    .select(['observed_at', 'followers'])
    .where('account_id', '=', accountId)
    .where('followers', 'is not', null)
    .orderBy('observed_at')
    .execute();
  return rows.flatMap((r) => (r.followers === null ? [] : [{ observed_at: r.observed_at, followers: r.followers }]));
}

/** First and last instant the account has data: publish times and snapshots (observations count for the last). */
export async function accountDataBounds(db: Executor, accountId: string): Promise<{ first: string | null; last: string | null }> {
  const t = await db
    .selectFrom('post_targets')
    .select((eb) => [eb.fn.min('published_at').as('first'), eb.fn.max('published_at').as('last')])
    .where('account_id', '=', accountId)
    .where('state', '=', 'published')
    .executeTakeFirst();
  const s = await db
    .selectFrom('account_metrics')
    .select((eb) => [eb.fn.min('observed_at').as('first'), eb.fn.max('observed_at').as('last')])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const o = await db.selectFrom('post_metrics').select((eb) => eb.fn.max('observed_at').as('last')).where('account_id', '=', accountId).executeTakeFirst();
  const firsts = [t?.first, s?.first].filter((v): v is string => typeof v === 'string');
  const lasts = [t?.last, s?.last, o?.last].filter((v): v is string => typeof v === 'string');
  return { first: firsts.length ? firsts.sort()[0]! : null, last: lasts.length ? lasts.sort()[lasts.length - 1]! : null };
}

// ---- rollup writes ------------------------------------------------------------------------------

/** Replaces the account's post rollups published in [from, to). */
export async function replacePostRollups(db: Executor, accountId: string, from: string, to: string, rows: PostRollupRow[]): Promise<void> {
  await db.deleteFrom('analytics_post_rollups').where('account_id', '=', accountId).where('published_at', '>=', from).where('published_at', '<', to).execute();
  for (const part of chunks(rows)) await db.insertInto('analytics_post_rollups').values(part).execute();
}

/** Replaces the account's daily rollups for days in [fromDay, toDay]. */
export async function replaceDailyRollups(db: Executor, accountId: string, fromDay: string, toDay: string, days: AccountDailyRow[], byType: ContentTypeDailyRow[]): Promise<void> {
  await db.deleteFrom('analytics_account_daily').where('account_id', '=', accountId).where('day', '>=', fromDay).where('day', '<=', toDay).execute();
  await db.deleteFrom('analytics_content_type_daily').where('account_id', '=', accountId).where('day', '>=', fromDay).where('day', '<=', toDay).execute();
  // Narrow column lists keep each statement under SQLite's parameter limit.
  for (let i = 0; i < days.length; i += 200) await db.insertInto('analytics_account_daily').values(days.slice(i, i + 200)).execute();
  for (let i = 0; i < byType.length; i += 200) await db.insertInto('analytics_content_type_daily').values(byType.slice(i, i + 200)).execute();
}

// ---- reads for KPIs -----------------------------------------------------------------------------

/** True when some of the account's rollups were built in another time zone than `zone`. */
export async function rollupsInOtherZone(db: Executor, accountId: string, zone: string): Promise<boolean> {
  const post = await db.selectFrom('analytics_post_rollups').select('target_id').where('account_id', '=', accountId).where('timezone', '!=', zone).limit(1).executeTakeFirst();
  if (post) return true;
  const day = await db.selectFrom('analytics_account_daily').select('day').where('account_id', '=', accountId).where('timezone', '!=', zone).limit(1).executeTakeFirst();
  return day !== undefined;
}

/** One account's post rollups, every column: the start of every post-rollup read. */
const postRollupsOf = (db: Executor, workspaceId: string, accountId: string) =>
  db.selectFrom('analytics_post_rollups').selectAll().where('workspace_id', '=', workspaceId).where('account_id', '=', accountId);

/** One account's daily rollups, every column. */
const dailyRollupsOf = (db: Executor, workspaceId: string, accountId: string) =>
  db.selectFrom('analytics_account_daily').selectAll().where('workspace_id', '=', workspaceId).where('account_id', '=', accountId);

/** Post rollups of the account published in [from, to), oldest first. */
export async function postRollupsBetween(db: Executor, workspaceId: string, accountId: string, from: string, to: string): Promise<PostRollupRow[]> {
  return postRollupsOf(db, workspaceId, accountId).where('published_at', '>=', from).where('published_at', '<', to).orderBy('published_at').orderBy('target_id').execute();
}

/** The newest `limit` post rollups published before `to`, newest first. */
export async function postRollupsBefore(db: Executor, workspaceId: string, accountId: string, to: string, limit: number): Promise<PostRollupRow[]> {
  return postRollupsOf(db, workspaceId, accountId).where('published_at', '<', to).orderBy('published_at', 'desc').orderBy('target_id', 'desc').limit(limit).execute();
}

/** Daily rollups of days in [fromDay, toDay] plus the newest day before fromDay (to carry followers). */
export async function dailyRollups(db: Executor, workspaceId: string, accountId: string, fromDay: string, toDay: string): Promise<{ before: AccountDailyRow | undefined; days: AccountDailyRow[] }> {
  const before = await dailyRollupsOf(db, workspaceId, accountId).where('day', '<', fromDay).orderBy('day', 'desc').limit(1).executeTakeFirst();
  const days = await dailyRollupsOf(db, workspaceId, accountId).where('day', '>=', fromDay).where('day', '<=', toDay).orderBy('day').execute();
  return { before, days };
}

/** Per content type rollups of days in [fromDay, toDay]. */
export async function contentTypeRollups(db: Executor, workspaceId: string, accountId: string, fromDay: string, toDay: string): Promise<ContentTypeDailyRow[]> {
  return db
    .selectFrom('analytics_content_type_daily')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('account_id', '=', accountId)
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay)
    .orderBy('day')
    .orderBy('content_type')
    .execute();
}

// ---- settings -----------------------------------------------------------------------------------

/** The workspace's default KPI definition id, if one was chosen. */
export async function findDefaultDefinition(db: Executor, workspaceId: string): Promise<string | undefined> {
  const row = await db.selectFrom('analytics_settings').select('default_definition_id').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row?.default_definition_id;
}

/** Stores the workspace's default KPI definition id. */
export async function saveDefaultDefinition(db: Executor, workspaceId: string, definitionId: string, at: string, userId: string | null): Promise<void> {
  const updated = await db
    .updateTable('analytics_settings')
    .set({ default_definition_id: definitionId, updated_at: at, updated_by: userId })
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await db.insertInto('analytics_settings').values({ workspace_id: workspaceId, default_definition_id: definitionId, updated_at: at, updated_by: userId }).execute();
  }
}
