/**
 * Kysely table types of campaigns and goals (migration 0013-campaigns). Money columns are integer
 * minor units of the campaign's currency (PostgreSQL bigint, read back as numbers); counts a source
 * did not give are null, never 0.
 */

/** Campaign statuses, in their usual order. */
export const campaignStatuses = ['planned', 'active', 'paused', 'completed', 'cancelled'] as const;
/** One campaign status. */
export type CampaignStatus = (typeof campaignStatuses)[number];

/** Where a spend or conversion entry came from. */
export type CampaignEntrySource = 'manual' | 'import';

/** A campaign. */
export interface CampaignsTable {
  id: string;
  workspace_id: string;
  name: string;
  objective: string | null;
  /** First and last calendar day (inclusive), `YYYY-MM-DD`. */
  starts_on: string;
  ends_on: string;
  /** ISO 4217 code in upper case. */
  currency: string;
  /** Total budget in minor units (null: not set). */
  budget_minor: number | null;
  status: CampaignStatus;
  /** Posts whose link carries `utm_campaign=<this>` belong to the campaign. */
  utm_campaign: string | null;
  /** Gross margin in basis points (0–10 000) for ROMI; null: not set. */
  margin_bp: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One line of a campaign's media plan. */
export interface CampaignLineItemsTable {
  id: string;
  campaign_id: string;
  workspace_id: string;
  /** The account the line runs on (or only a network, or neither). */
  account_id: string | null;
  network: string | null;
  /** Placement / format, e.g. "Stories", "Promoted post". */
  placement: string;
  planned_budget_minor: number;
  planned_posts: number | null;
  planned_reach: number | null;
  planned_impressions: number | null;
  planned_clicks: number | null;
  planned_conversions: number | null;
  created_at: string;
}

/** Money actually spent on a day. */
export interface CampaignSpendTable {
  id: string;
  campaign_id: string;
  workspace_id: string;
  line_item_id: string | null;
  day: string;
  amount_minor: number;
  source: CampaignEntrySource;
  note: string | null;
  /** Imports only: a key of the row's content, so importing a file again adds nothing. */
  import_key: string | null;
  created_by: string | null;
  created_at: string;
}

/** Conversions (and the revenue they brought) on a day. */
export interface CampaignConversionsTable {
  id: string;
  campaign_id: string;
  workspace_id: string;
  line_item_id: string | null;
  day: string;
  count: number;
  /** Revenue in minor units; null when the source gave only the count. */
  value_minor: number | null;
  source: CampaignEntrySource;
  note: string | null;
  import_key: string | null;
  created_by: string | null;
  created_at: string;
}

/** A post linked to a campaign by hand (posts carrying the campaign's UTM value are linked implicitly). */
export interface CampaignPostsTable {
  campaign_id: string;
  post_id: string;
  workspace_id: string;
  created_at: string;
}

/** A KPI goal for a period, for the whole workspace (every account) or one account. */
export interface GoalsTable {
  id: string;
  workspace_id: string;
  account_id: string | null;
  /** The campaign of a campaign goal (migration 0018); null for workspace and account goals. */
  campaign_id: string | null;
  definition_id: string;
  target: number;
  direction: 'at_least' | 'at_most';
  from_day: string;
  to_day: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** The tables as the Database interface lists them. */
export interface CampaignTables {
  campaigns: CampaignsTable;
  campaign_line_items: CampaignLineItemsTable;
  campaign_spend: CampaignSpendTable;
  campaign_conversions: CampaignConversionsTable;
  campaign_posts: CampaignPostsTable;
  goals: GoalsTable;
}
