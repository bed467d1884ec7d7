/**
 * Campaigns, their media plan, spend and conversion entries and linked posts (migration
 * 0013-campaigns). Every query is scoped by workspace. Money columns are integer minor units.
 */
import type { Selectable } from 'kysely';
import type { CampaignConversionsTable, CampaignLineItemsTable, CampaignSpendTable, CampaignsTable } from '../campaigns/campaign-tables';
import type { Executor } from '../jobs/job-queue';

/** A stored campaign. */
export type CampaignRow = Selectable<CampaignsTable>;
/** A stored media-plan line. */
export type LineItemRow = Selectable<CampaignLineItemsTable>;
/** A stored spend entry. */
export type SpendRow = Selectable<CampaignSpendTable>;
/** A stored conversion entry. */
export type ConversionRow = Selectable<CampaignConversionsTable>;

/** A published-or-not post target of a campaign with its newest counts (from the analytics rollups). */
export interface CampaignTargetRow {
  target_id: string;
  post_id: string;
  account_id: string;
  network: string;
  state: string;
  text: string;
  link: string | null;
  external_url: string | null;
  published_at: string | null;
  views: number | null;
  reach: number | null;
  clicks: number | null;
}

/** Money and counts summed per campaign (for the list). */
export interface CampaignTotals {
  campaign_id: string;
  spend_minor: number | null;
  revenue_minor: number | null;
  conversions: number | null;
}

/** The workspace's campaigns, newest start first. */
export async function listCampaigns(db: Executor, workspaceId: string): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).orderBy('starts_on', 'desc').orderBy('name').execute();
}

/** One campaign of the workspace. */
export async function findCampaign(db: Executor, workspaceId: string, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

/** The workspace's campaign with this exact name. */
export async function findCampaignByName(db: Executor, workspaceId: string, name: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

/** Adds a campaign. */
export async function insertCampaign(db: Executor, row: CampaignRow): Promise<void> {
  await db.insertInto('campaigns').values(row).execute();
}

/** Changes a campaign's fields. */
export async function updateCampaign(db: Executor, workspaceId: string, id: string, patch: Partial<Omit<CampaignRow, 'id' | 'workspace_id' | 'created_at' | 'created_by'>>): Promise<void> {
  await db.updateTable('campaigns').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Removes a campaign and (cascade) its plan, entries and post links. */
export async function deleteCampaign(db: Executor, workspaceId: string, id: string): Promise<boolean> {
  // Children first: SQLite enforces foreign keys only when asked, so cascades are not relied on.
  for (const table of ['campaign_spend', 'campaign_conversions', 'campaign_posts', 'campaign_line_items'] as const) {
    await db.deleteFrom(table).where('workspace_id', '=', workspaceId).where('campaign_id', '=', id).execute();
  }
  const r = await db.deleteFrom('campaigns').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Spend, revenue and conversions summed per campaign of the workspace (null sums: no entry / no value). */
export async function campaignTotals(db: Executor, workspaceId: string): Promise<Map<string, CampaignTotals>> {
  const spend = await db
    .selectFrom('campaign_spend')
    .select((eb) => ['campaign_id', eb.fn.sum<number | string | null>('amount_minor').as('spend')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('campaign_id')
    .execute();
  const conv = await db
    .selectFrom('campaign_conversions')
    .select((eb) => ['campaign_id', eb.fn.sum<number | string | null>('count').as('n'), eb.fn.sum<number | string | null>('value_minor').as('revenue')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('campaign_id')
    .execute();
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  const out = new Map<string, CampaignTotals>();
  const get = (id: string) => out.get(id) ?? { campaign_id: id, spend_minor: null, revenue_minor: null, conversions: null };
  for (const r of spend) out.set(r.campaign_id, { ...get(r.campaign_id), spend_minor: num(r.spend) });
  for (const r of conv) out.set(r.campaign_id, { ...get(r.campaign_id), conversions: num(r.n), revenue_minor: num(r.revenue) });
  return out;
}

// ---- media plan ---------------------------------------------------------------------------------

/** A campaign's line items, in the order they were added. */
export async function listLineItems(db: Executor, workspaceId: string, campaignId: string): Promise<LineItemRow[]> {
  return db.selectFrom('campaign_line_items').selectAll().where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).orderBy('created_at').orderBy('id').execute();
}

/** One line item of a campaign. */
export async function findLineItem(db: Executor, workspaceId: string, campaignId: string, id: string): Promise<LineItemRow | undefined> {
  return db.selectFrom('campaign_line_items').selectAll().where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('id', '=', id).executeTakeFirst();
}

/** Adds a line item. */
export async function insertLineItem(db: Executor, row: LineItemRow): Promise<void> {
  await db.insertInto('campaign_line_items').values(row).execute();
}

/** Changes a line item. */
export async function updateLineItem(db: Executor, workspaceId: string, id: string, patch: Partial<Omit<LineItemRow, 'id' | 'workspace_id' | 'campaign_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('campaign_line_items').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Removes a line item; its entries stay with the campaign (no line). */
export async function deleteLineItem(db: Executor, workspaceId: string, campaignId: string, id: string): Promise<boolean> {
  for (const table of ['campaign_spend', 'campaign_conversions'] as const) {
    await db.updateTable(table).set({ line_item_id: null }).where('workspace_id', '=', workspaceId).where('line_item_id', '=', id).execute();
  }
  const r = await db.deleteFrom('campaign_line_items').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- spend and conversions ----------------------------------------------------------------------

/** A campaign's spend entries, by day. */
export async function listSpend(db: Executor, workspaceId: string, campaignId: string): Promise<SpendRow[]> {
  return db.selectFrom('campaign_spend').selectAll().where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).orderBy('day').orderBy('id').execute();
}

/** A campaign's conversion entries, by day. */
export async function listConversions(db: Executor, workspaceId: string, campaignId: string): Promise<ConversionRow[]> {
  return db.selectFrom('campaign_conversions').selectAll().where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).orderBy('day').orderBy('id').execute();
}

/** Adds a spend entry; an imported row whose import key exists already is skipped (false). */
export async function insertSpend(db: Executor, row: SpendRow): Promise<boolean> {
  const r = await db.insertInto('campaign_spend').values(row).onConflict((oc) => oc.columns(['campaign_id', 'import_key']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Adds a conversion entry; an imported row whose import key exists already is skipped (false). */
export async function insertConversion(db: Executor, row: ConversionRow): Promise<boolean> {
  const r = await db.insertInto('campaign_conversions').values(row).onConflict((oc) => oc.columns(['campaign_id', 'import_key']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Removes a spend or conversion entry of a campaign. */
export async function deleteEntry(db: Executor, table: 'campaign_spend' | 'campaign_conversions', workspaceId: string, campaignId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom(table).where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- posts --------------------------------------------------------------------------------------

/** Ids of the posts linked to a campaign by hand. */
export async function linkedPostIds(db: Executor, workspaceId: string, campaignId: string): Promise<string[]> {
  const rows = await db.selectFrom('campaign_posts').select('post_id').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).orderBy('created_at').execute();
  return rows.map((r) => r.post_id);
}

/** Links a post (false when it was linked already). */
export async function linkPost(db: Executor, row: { campaign_id: string; post_id: string; workspace_id: string; created_at: string }): Promise<boolean> {
  const r = await db.insertInto('campaign_posts').values(row).onConflict((oc) => oc.columns(['campaign_id', 'post_id']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Unlinks a post (false when it was not linked). */
export async function unlinkPost(db: Executor, workspaceId: string, campaignId: string, postId: string): Promise<boolean> {
  const r = await db.deleteFrom('campaign_posts').where('workspace_id', '=', workspaceId).where('campaign_id', '=', campaignId).where('post_id', '=', postId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

function targetsQuery(db: Executor, workspaceId: string) {
  return db
    .selectFrom('post_targets as t')
    .innerJoin('posts as p', 'p.id', 't.post_id')
    .leftJoin('analytics_post_rollups as r', 'r.target_id', 't.id')
    .select(['t.id as target_id', 't.post_id', 't.account_id', 't.network', 't.state', 't.text', 't.link', 't.external_url', 't.published_at', 'r.views', 'r.reach', 'r.clicks'])
    .where('t.workspace_id', '=', workspaceId)
    .where('p.deleted_at', 'is', null);
}

/** The targets of the given posts with their newest counts. */
export async function targetsOfPosts(db: Executor, workspaceId: string, postIds: string[]): Promise<CampaignTargetRow[]> {
  if (postIds.length === 0) return [];
  return targetsQuery(db, workspaceId).where('t.post_id', 'in', postIds).orderBy('t.published_at').orderBy('t.id').execute();
}

/** Targets whose link or text mentions a utm_campaign parameter (the caller matches the value exactly). */
export async function targetsWithUtmCampaign(db: Executor, workspaceId: string): Promise<CampaignTargetRow[]> {
  return targetsQuery(db, workspaceId)
    .where((eb) => eb.or([eb('t.link', 'like', '%utm_campaign=%'), eb('t.text', 'like', '%utm_campaign=%')]))
    .orderBy('t.published_at')
    .orderBy('t.id')
    .execute();
}
