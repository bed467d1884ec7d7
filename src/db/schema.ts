/**
 * Kysely table types shared by both dialects. Conventions that keep one query code for SQLite and
 * PostgreSQL: ids are UUIDv7 text; timestamps are ISO-8601 UTC text with milliseconds (`toISOString()`),
 * which sorts and compares correctly as text; booleans are integers 0/1; JSON is text; binary is
 * blob/bytea (Buffer).
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ListeningTables } from '../listening/listening-tables';
import type { InboxPriority, InboxStatus, InboxWorkflowTables } from '../inbox/inbox-tables';
import type { CompetitorTables } from '../competitors/competitor-tables';
import type { ReportTables } from '../reports/report-tables';
import type { CampaignTables } from '../campaigns/campaign-tables';

/** Roles inside one workspace, strongest first. */
export const workspaceRoles = ['owner', 'admin', 'editor', 'contributor', 'viewer'] as const;
export type WorkspaceRole = (typeof workspaceRoles)[number];

/** Roles inside an organisation (agency): owners and admins see every client workspace. */
export const organizationRoles = ['owner', 'admin', 'member'] as const;
export type OrganizationRole = (typeof organizationRoles)[number];

/** Account connection states. */
export const accountStatuses = ['ok', 'needs_reconnect', 'disconnected'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** Per-target publishing states (see src/domain/post-state.ts for the transitions). */
export const targetStates = [
  'draft', 'in_review', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'held', 'cancelled',
] as const;
export type TargetState = (typeof targetStates)[number];

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  locale: string;
  created_at: string;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  created_at: string;
}

export interface WorkspacesTable {
  id: string;
  organization_id: string;
  name: string;
  timezone: string;
  created_at: string;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: WorkspaceRole;
  created_at: string;
}

export interface SessionsTable {
  /** sha256 of the cookie value; the cookie itself is never stored. */
  id: string;
  user_id: string;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  /** sha256 of the token; the token is shown once at creation. */
  token_hash: string;
  /** First characters, shown in lists so a user can tell tokens apart. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface LoginAttemptsTable {
  key: string;
  window_start: string;
  count: number;
}

export interface AccountsTable {
  id: string;
  workspace_id: string;
  network: string;
  /** The network's stable id for the account (a DID for Bluesky). */
  external_id: string;
  handle: string;
  display_name: string | null;
  service_url: string | null;
  status: AccountStatus;
  status_reason: string | null;
  /** SecretBox-sealed credentials (context: `account:<id>:credentials`). */
  credentials_enc: string;
  /** SecretBox-sealed session tokens (context: `account:<id>:session`). */
  session_enc: string | null;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
  /** When the credentials stop working unless the user renews them (null = no known expiry). */
  token_expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Last expiry warning sent for the current expiry: `7d` or `1d` (null = none yet). */
  expiry_warned: ColumnType<string | null, string | null | undefined, string | null>;
  /** The comments capability's cursor for the next inbound sync. */
  inbound_cursor: ColumnType<string | null, string | null | undefined, string | null>;
  inbound_synced_at: ColumnType<string | null, string | null | undefined, string | null>;
  metrics_synced_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON of the limits the account's server announces (ConnectedAccount.networkLimits). */
  network_limits: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PostsTable {
  id: string;
  workspace_id: string;
  author_id: string;
  /** IANA zone the author scheduled in. */
  timezone: string;
  /** Wall-clock time as the author typed it (`YYYY-MM-DDTHH:mm`), for display and DST audits. */
  scheduled_local: string | null;
  /** UTC instant. */
  scheduled_at: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface PostTargetsTable {
  id: string;
  post_id: string;
  workspace_id: string;
  account_id: string;
  network: string;
  state: TargetState;
  text: string;
  link: string | null;
  /** JSON array of BCP-47 language tags. */
  langs: string;
  scheduled_at: string | null;
  /** Bumped on every edit; a job carrying an older version does nothing. */
  version: number;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  external_id: string | null;
  external_url: string | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  /** JSON `{ poll?, thread?, options? }`: the variant's poll, reply chain and network options. */
  extras: ColumnType<string, string | undefined, string>;
}

export interface MediaTable {
  id: string;
  workspace_id: string;
  target_id: string;
  position: number;
  mime_type: string;
  size_bytes: number;
  alt: string;
  sha256: string;
  data: Buffer;
  created_at: string;
}

export interface EventsTable {
  id: string;
  workspace_id: string | null;
  type: string;
  subject_id: string | null;
  actor_id: string | null;
  /** JSON. */
  payload: string;
  created_at: string;
}

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  secret_enc: string;
  /** JSON array of event types. */
  events: string;
  active: number;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface RateLimitWindowsTable {
  key: string;
  window_start: string;
  count: number;
}

/** The embedded job queue (SQLite only; PostgreSQL uses graphile-worker's own schema). */
export interface JobsTable {
  id: Generated<number>;
  task: string;
  payload: string;
  job_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
}

export interface WorkerHeartbeatsTable {
  worker_id: string;
  role: string;
  seen_at: string;
}

/** OAuth authorization in progress; `id` is the sha256 of the state sent to the network. */
export interface OAuthStatesTable {
  id: string;
  workspace_id: string;
  user_id: string;
  network: string;
  service_url: string | null;
  /** Set when reconnecting an existing account. */
  account_id: string | null;
  redirect_uri: string;
  /** Sealed PKCE code verifier. */
  verifier_enc: string;
  /** Sealed JSON of what the connector asked to keep between the two steps. */
  keep_enc: string;
  created_at: string;
  expires_at: string;
}

/** One OAuth app registration per (network, server), e.g. Mastodon's `POST /api/v1/apps`. */
export interface OAuthAppsTable {
  network: string;
  service_url: string;
  app_enc: string;
  created_at: string;
}

/** Comments, replies, mentions, quotes and DMs ingested from networks (unique per account + network id). */
/** A member's relabel of a message's sentiment (see src/sentiment/corrections.ts). */
export interface SentimentCorrectionsTable {
  id: string;
  workspace_id: string;
  /** messageKey(text): lower-cased, spacing and links ignored. */
  message_key: string;
  text: string;
  label: 'negative' | 'neutral' | 'positive';
  inbox_message_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface InboxMessagesTable {
  id: string;
  workspace_id: string;
  account_id: string;
  network: string;
  external_id: string;
  kind: 'comment' | 'reply' | 'mention' | 'quote' | 'dm';
  parent_external_id: string | null;
  root_external_id: string | null;
  /** Our post target the conversation belongs to, when known. */
  target_id: string | null;
  author_external_id: string;
  author_handle: string;
  author_name: string | null;
  author_followers: number | null;
  text: string;
  url: string | null;
  lang: string | null;
  network_created_at: string;
  received_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  /** Inbox workflow (0008): the conversation's key (the network's root id, else the message's own). */
  thread_key: string | null;
  status: ColumnType<InboxStatus, InboxStatus | undefined, InboxStatus>;
  assignee_id: string | null;
  priority: ColumnType<InboxPriority, InboxPriority | undefined, InboxPriority>;
  sentiment_label: 'negative' | 'neutral' | 'positive' | null;
  sentiment_score: number | null;
  sentiment_lang: string | null;
  /** Lower-cased text, handle and name for search. */
  search_text: string | null;
  /** When the first response is due, in business time. */
  sla_due_at: string | null;
  first_response_at: string | null;
  first_response_by: string | null;
  resolved_at: string | null;
  status_changed_at: string | null;
  /** Moderation on the network (0014): when Herald hid / deleted the message there, and who did it. */
  network_hidden_at: ColumnType<string | null, string | null | undefined, string | null>;
  network_hidden_by: ColumnType<string | null, string | null | undefined, string | null>;
  network_deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
  network_deleted_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Listening at ingest (0017): when the storing ingest read the active queries and matched the message. */
  listened_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A snapshot of an account's own counts. Missing values stay null, never 0. */
export interface AccountMetricsTable {
  id: string;
  workspace_id: string;
  account_id: string;
  observed_at: string;
  followers: number | null;
  following: number | null;
  posts_count: number | null;
}

/** One observation of a published target's counts. Missing values stay null, never 0. */
export interface PostMetricsTable {
  id: string;
  workspace_id: string;
  account_id: string;
  target_id: string;
  observed_at: string;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  quotes: number | null;
  saves: number | null;
  clicks: number | null;
  poll_votes: number | null;
  video_views: number | null;
}

/** A named list of hashtags shared by a workspace (composer "hashtag sets"). */
export interface HashtagSetsTable {
  id: string;
  workspace_id: string;
  name: string;
  /** JSON array of tags, each starting with '#'. */
  tags: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A weekly posting slot of an account for the queue ("add to queue" fills the next free one). */
export interface PostingSlotsTable {
  id: string;
  workspace_id: string;
  account_id: string;
  /** ISO weekday 1 (Monday) … 7 (Sunday), in the workspace time zone. */
  weekday: number;
  /** `HH:mm`. */
  time: string;
  created_at: string;
}

/** A one-time invitation link into a workspace (only the token's sha256 is stored). */
export interface InvitationsTable {
  id: string;
  workspace_id: string;
  role: WorkspaceRole;
  /** When set, only this address may accept. */
  email: string | null;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

/** Counts per post kept by the analytics rollups (null = the network gave none). */
export interface AnalyticsMetricColumns {
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  quotes: number | null;
  saves: number | null;
  clicks: number | null;
  poll_votes: number | null;
  video_views: number | null;
}

/** Sums over the posts of a day (`<m>_sum` is null when no post had the count; `<m>_posts` how many had it). */
export interface AnalyticsMetricSums {
  views_sum: number | null; views_posts: number;
  reach_sum: number | null; reach_posts: number;
  likes_sum: number | null; likes_posts: number;
  comments_sum: number | null; comments_posts: number;
  shares_sum: number | null; shares_posts: number;
  quotes_sum: number | null; quotes_posts: number;
  saves_sum: number | null; saves_posts: number;
  clicks_sum: number | null; clicks_posts: number;
  poll_votes_sum: number | null; poll_votes_posts: number;
  video_views_sum: number | null; video_views_posts: number;
}

/** Engagement that happened during a day on any of the account's posts (null = no post had the count yet). */
export interface AnalyticsMetricActivity {
  views_activity: number | null;
  reach_activity: number | null;
  likes_activity: number | null;
  comments_activity: number | null;
  shares_activity: number | null;
  quotes_activity: number | null;
  saves_activity: number | null;
  clicks_activity: number | null;
  poll_votes_activity: number | null;
  video_views_activity: number | null;
}

/** Content type and hashtags of a published target (imported, or set when known). */
export interface AnalyticsPostContentTable {
  target_id: string;
  workspace_id: string;
  account_id: string;
  /** text | photo | carousel | video | link | poll | repost */
  content_type: string;
  /** JSON array of hashtags without `#`. */
  hashtags: string;
  updated_at: string;
}

/** Rollup: one row per published target with its latest counts (derived; rebuilt by refreshRollups). */
export interface AnalyticsPostRollupsTable extends AnalyticsMetricColumns {
  target_id: string;
  workspace_id: string;
  account_id: string;
  network: string;
  content_type: string;
  published_at: string;
  /** Zone the local_* columns are in (the workspace's when built). */
  timezone: string;
  local_day: string;
  /** ISO weekday 1 (Monday) … 7 (Sunday). */
  local_weekday: number;
  local_hour: number;
  followers_at_publish: number | null;
  followers_observed_at: string | null;
  /** Newest observation the counts come from. */
  observed_at: string | null;
  /** Views of the newest observation within 24 h of publishing (null when none was that early). */
  views_24h: number | null;
  refreshed_at: string;
}

/** Rollup: one row per account and local day (derived; rebuilt by refreshRollups). */
export interface AnalyticsAccountDailyTable extends AnalyticsMetricSums, AnalyticsMetricActivity {
  account_id: string;
  day: string;
  workspace_id: string;
  timezone: string;
  /** Followers at the end of the day: the newest snapshot taken before the day ended (carried forward). */
  followers: number | null;
  followers_observed_at: string | null;
  /** Posts published that day. */
  posts: number;
  refreshed_at: string;
}

/** Rollup: one row per account, local day and content type with posts published that day. */
export interface AnalyticsContentTypeDailyTable extends AnalyticsMetricSums {
  account_id: string;
  day: string;
  content_type: string;
  workspace_id: string;
  posts: number;
  refreshed_at: string;
}

/** A workspace's analytics settings. */
export interface AnalyticsSettingsTable {
  workspace_id: string;
  /** The KPI definition the workspace shows as "the" engagement rate. */
  default_definition_id: string;
  updated_at: string;
  updated_by: string | null;
}

/** Where a live stream subscription resumes (0015; see src/streaming/). */
export interface StreamCursorsTable {
  /** `<network> <upstream>`. */
  key: string;
  network: string;
  upstream: string;
  /** The connector's resume point; null = open from now. */
  cursor: string | null;
  updated_at: string;
}

/** The whole database, as Kysely sees it. */
export interface Database extends ListeningTables, InboxWorkflowTables, CompetitorTables, ReportTables, CampaignTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  organization_members: OrganizationMembersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  accounts: AccountsTable;
  posts: PostsTable;
  post_targets: PostTargetsTable;
  media: MediaTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  rate_limit_windows: RateLimitWindowsTable;
  stream_cursors: StreamCursorsTable;
  jobs: JobsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  oauth_states: OAuthStatesTable;
  oauth_apps: OAuthAppsTable;
  inbox_messages: InboxMessagesTable;
  sentiment_corrections: SentimentCorrectionsTable;
  account_metrics: AccountMetricsTable;
  post_metrics: PostMetricsTable;
  posting_slots: PostingSlotsTable;
  hashtag_sets: HashtagSetsTable;
  invitations: InvitationsTable;
  analytics_post_content: AnalyticsPostContentTable;
  analytics_post_rollups: AnalyticsPostRollupsTable;
  analytics_account_daily: AnalyticsAccountDailyTable;
  analytics_content_type_daily: AnalyticsContentTypeDailyTable;
  analytics_settings: AnalyticsSettingsTable;
}

export type UserRow = Selectable<UsersTable>;
export type WorkspaceRow = Selectable<WorkspacesTable>;
export type AccountRow = Selectable<AccountsTable>;
export type PostRow = Selectable<PostsTable>;
export type PostTargetRow = Selectable<PostTargetsTable>;
export type NewPostTarget = Insertable<PostTargetsTable>;
export type PostTargetUpdate = Updateable<PostTargetsTable>;
export type MediaRow = Selectable<MediaTable>;
export type EventRow = Selectable<EventsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type InboxMessageRow = Selectable<InboxMessagesTable>;
export type SentimentCorrectionRow = Selectable<SentimentCorrectionsTable>;
export type PostingSlotRow = Selectable<PostingSlotsTable>;
export type HashtagSetRow = Selectable<HashtagSetsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
