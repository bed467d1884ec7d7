/**
 * Competitor storage (migration 0009-competitors) and the read-only lookups competitor benchmarking
 * needs from other tables (the workspace's networks, own posts' hashtags). Every query is scoped by
 * workspace or by a competitor id the caller already found in its workspace.
 */
import { sql, type Selectable } from 'kysely';
import type { CompetitorPostObservationsTable, CompetitorPostsTable, CompetitorSnapshotsTable, CompetitorsTable } from '../competitors/competitor-tables';
import type { Executor } from '../jobs/job-queue';

export type CompetitorRow = Selectable<CompetitorsTable>;
export type CompetitorSnapshotRow = Selectable<CompetitorSnapshotsTable>;
export type CompetitorPostRow = Selectable<CompetitorPostsTable>;
export type CompetitorObservationRow = Selectable<CompetitorPostObservationsTable>;

const chunk = <T>(items: T[], n = 400): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
};

/** Adds a competitor. */
export async function insertCompetitor(db: Executor, row: CompetitorRow): Promise<void> {
  await db.insertInto('competitors').values(row).execute();
}

/** A competitor of the workspace. */
export async function findCompetitor(db: Executor, workspaceId: string, id: string): Promise<CompetitorRow | undefined> {
  return db.selectFrom('competitors').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The workspace's competitor with this network id. */
export async function findCompetitorByExternalId(db: Executor, workspaceId: string, network: string, externalId: string): Promise<CompetitorRow | undefined> {
  return db.selectFrom('competitors').selectAll().where('workspace_id', '=', workspaceId).where('network', '=', network).where('external_id', '=', externalId).executeTakeFirst();
}

/** Every competitor of the workspace, by handle. */
export async function listCompetitors(db: Executor, workspaceId: string): Promise<CompetitorRow[]> {
  return db.selectFrom('competitors').selectAll().where('workspace_id', '=', workspaceId).orderBy('network').orderBy('handle').orderBy('id').execute();
}

/** Removes a competitor and everything collected for it; false when there was none. */
export async function deleteCompetitor(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('competitors').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Updates what the profile says and the collection status. */
export async function updateCompetitor(db: Executor, id: string, patch: Partial<Pick<CompetitorRow, 'handle' | 'display_name' | 'profile_url' | 'followers' | 'collected_at' | 'last_error'>>): Promise<void> {
  await db.updateTable('competitors').set(patch).where('id', '=', id).execute();
}

/** Adds a follower snapshot. */
export async function insertCompetitorSnapshot(db: Executor, row: CompetitorSnapshotRow): Promise<void> {
  await db.insertInto('competitor_snapshots').values(row).execute();
}

/** The newest snapshot of a competitor. */
export async function latestCompetitorSnapshot(db: Executor, competitorId: string): Promise<CompetitorSnapshotRow | undefined> {
  return db.selectFrom('competitor_snapshots').selectAll().where('competitor_id', '=', competitorId).orderBy('observed_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Every snapshot with a count taken before `before`, oldest first. */
export async function competitorSnapshots(db: Executor, competitorId: string, before: string): Promise<CompetitorSnapshotRow[]> {
  return db
    .selectFrom('competitor_snapshots')
    .selectAll()
    .where('competitor_id', '=', competitorId)
    .where('observed_at', '<', before)
    .where('followers', 'is not', null)
    .orderBy('observed_at')
    .orderBy('id')
    .execute();
}

/** The competitor's stored posts with these network ids. */
export async function competitorPostsByExternalId(db: Executor, competitorId: string, externalIds: string[]): Promise<CompetitorPostRow[]> {
  const out: CompetitorPostRow[] = [];
  for (const ids of chunk(externalIds)) out.push(...(await db.selectFrom('competitor_posts').selectAll().where('competitor_id', '=', competitorId).where('external_id', 'in', ids).execute()));
  return out;
}

/** Adds a post. */
export async function insertCompetitorPost(db: Executor, row: CompetitorPostRow): Promise<void> {
  await db.insertInto('competitor_posts').values(row).execute();
}

/** Updates a post's latest counts and content. */
export async function updateCompetitorPost(
  db: Executor,
  id: string,
  patch: Pick<CompetitorPostRow, 'likes' | 'shares' | 'comments' | 'quotes' | 'views' | 'last_seen_at' | 'text' | 'hashtags' | 'content_type' | 'url'>,
): Promise<void> {
  await db.updateTable('competitor_posts').set(patch).where('id', '=', id).execute();
}

/** When each post was last observed. */
export async function lastCompetitorObservations(db: Executor, postIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ids of chunk(postIds)) {
    const rows = await db.selectFrom('competitor_post_observations').select(['post_id', (eb) => eb.fn.max('observed_at').as('last')]).where('post_id', 'in', ids).groupBy('post_id').execute();
    for (const r of rows) if (r.last) out.set(r.post_id, String(r.last));
  }
  return out;
}

/** Adds observations. */
export async function insertCompetitorObservations(db: Executor, rows: CompetitorObservationRow[]): Promise<void> {
  for (const part of chunk(rows, 200)) if (part.length) await db.insertInto('competitor_post_observations').values(part).execute();
}

/** Posts published in [from, to), oldest first. */
export async function competitorPostsBetween(db: Executor, competitorId: string, from: string, to: string): Promise<CompetitorPostRow[]> {
  return db
    .selectFrom('competitor_posts')
    .selectAll()
    .where('competitor_id', '=', competitorId)
    .where('published_at', '>=', from)
    .where('published_at', '<', to)
    .orderBy('published_at')
    .orderBy('id')
    .execute();
}

/** Every observation of these posts, oldest first. */
export async function competitorObservationsOf(db: Executor, postIds: string[]): Promise<CompetitorObservationRow[]> {
  const out: CompetitorObservationRow[] = [];
  for (const ids of chunk(postIds)) out.push(...(await db.selectFrom('competitor_post_observations').selectAll().where('post_id', 'in', ids).orderBy('observed_at').orderBy('id').execute()));
  return out;
}

/** Networks the workspace has a live account on. */
export async function workspaceNetworks(db: Executor, workspaceId: string): Promise<string[]> {
  const rows = await db.selectFrom('accounts').select('network').distinct().where('workspace_id', '=', workspaceId).where('removed_at', 'is', null).execute();
  return rows.map((r) => r.network);
}

/** Hashtags Herald knows for own targets (analytics_post_content), by target id. */
export async function ownHashtags(db: Executor, targetIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const ids of chunk(targetIds)) {
    const rows = await db.selectFrom('analytics_post_content').select(['target_id', 'hashtags']).where('target_id', 'in', ids).execute();
    for (const r of rows) {
      try {
        const tags: unknown = JSON.parse(r.hashtags);
        out.set(r.target_id, Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : []);
      } catch {
        out.set(r.target_id, []);
      }
    }
  }
  return out;
}

/** Text and published link of own targets (hashtags the analytics tables lack, links for top posts). */
export async function ownTargetTexts(db: Executor, workspaceId: string, targetIds: string[]): Promise<Map<string, { text: string; url: string | null }>> {
  const out = new Map<string, { text: string; url: string | null }>();
  for (const ids of chunk(targetIds)) {
    const rows = await db.selectFrom('post_targets').select(['id', 'text', 'external_url']).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
    for (const r of rows) out.set(r.id, { text: r.text, url: r.external_url });
  }
  return out;
}

/**
 * Workspaces with competitors whose `task` is due (no due row, or its instant has passed), for the
 * sweep to take with `takeUntil` before enqueueing.
 */
export async function workspacesWithCompetitorsDue(db: Executor, task: string, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('competitors')
    .leftJoin('rate_limit_windows as due', (j) => j.on('due.key', '=', sql<string>`cast(${`${task}-due:`} as text) || competitors.workspace_id`))
    .select('competitors.workspace_id')
    .distinct()
    .where((eb) => eb.or([eb('due.window_start', 'is', null), eb('due.window_start', '<=', now)]))
    .orderBy('competitors.workspace_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.workspace_id);
}
