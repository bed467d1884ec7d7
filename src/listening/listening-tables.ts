/**
 * Table types of the listening feature (migration 0007-listening). `Database` in src/db/schema.ts
 * extends `ListeningTables`, so the tables live next to the feature that owns them. Conventions as in
 * schema.ts: instants are ISO text, booleans integers 0/1, JSON is text.
 */
import type { Selectable } from 'kysely';

/** A saved listening query of a workspace. */
export interface ListeningQueriesTable {
  id: string;
  workspace_id: string;
  name: string;
  /** The query as the user wrote it (parsed again when loaded; stored only when it parsed). */
  query: string;
  /** 1 = matching new messages; 0 = paused (matches kept). */
  active: number;
  /** JSON AlertSettings for this query. */
  alert_settings: string;
  /**
   * Sweep watermark: the newest inbox message id this query has been matched against. Null = never
   * swept (the first sweep back-fills recent messages).
   */
  watermark_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A message that matched a query, with its sentiment at matching time. */
export interface ListeningMatchesTable {
  id: string;
  workspace_id: string;
  query_id: string;
  message_id: string;
  /** When the message was written (network time, never later than when we received it). */
  message_created_at: string;
  /** negative | neutral | positive */
  sentiment_label: string;
  /** −1 … 1 */
  sentiment_score: number;
  /** Language the sentiment engine scored the text as (`und` when unknown). */
  sentiment_lang: string;
  matched_at: string;
}

/** Per-workspace listening settings (the workspace-wide spike alert). */
export interface ListeningSettingsTable {
  workspace_id: string;
  /** JSON AlertSettings for the workspace across all queries. */
  alert_settings: string;
  updated_at: string;
  updated_by: string | null;
}

/** A spike alert that fired. */
export interface ListeningAlertsTable {
  id: string;
  workspace_id: string;
  /** Null for a workspace-wide alert. */
  query_id: string | null;
  /** all | negative */
  mode: string;
  window_start: string;
  window_end: string;
  window_count: number;
  baseline_mean: number;
  baseline_stddev: number;
  threshold: number;
  k: number;
  baseline_windows: number;
  /** JSON array of inbox message ids, most notable first. */
  top_message_ids: string;
  reason: string;
  /** `<query id | workspace-<workspace id>>:<mode>:<slot>`: two sweeps racing for the same alert insert it once. */
  dedupe_key: string;
  created_at: string;
}

/** Inbox messages an alert flagged for attention (when the alert settings ask for it). */
export interface ListeningInboxFlagsTable {
  id: string;
  workspace_id: string;
  message_id: string;
  alert_id: string;
  created_at: string;
}

/** A testimonial in the workspace's library. */
export interface TestimonialsTable {
  id: string;
  workspace_id: string;
  /** The inbox message it came from (null if that message was removed). */
  message_id: string | null;
  text: string;
  author_handle: string;
  author_name: string | null;
  network: string;
  url: string | null;
  /** When the author wrote it. */
  written_at: string;
  /** not_requested | requested | granted | denied */
  permission: string;
  permission_updated_at: string | null;
  note: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A public post found by network search for a listening query (migration 0011; not an inbox item). */
export interface ListeningSearchPostsTable {
  id: string;
  workspace_id: string;
  network: string;
  /** The network's id of the post; one row per (workspace, network, external id). */
  external_id: string;
  author_external_id: string;
  author_handle: string;
  author_name: string | null;
  author_followers: number | null;
  /** Plain text, always rendered as text. */
  text: string;
  url: string | null;
  lang: string | null;
  network_created_at: string;
  found_at: string;
}

/** A searched post that matched a query, with its sentiment at matching time. */
export interface ListeningSearchMatchesTable {
  id: string;
  workspace_id: string;
  query_id: string;
  post_id: string;
  /** When the post was written (network time, never later than when it was found). */
  message_created_at: string;
  sentiment_label: string;
  sentiment_score: number;
  sentiment_lang: string;
  matched_at: string;
}

/** Where one query's search on one account stands. */
export interface ListeningSearchCursorsTable {
  query_id: string;
  account_id: string;
  workspace_id: string;
  /** The query text the cursor belongs to: a changed query starts over. */
  query_text: string;
  /** Search from here next time (ISO instant; null = back-fill). */
  since: string | null;
  searched_at: string | null;
  /** Not before this instant (rate limit back-off, refused credentials). */
  retry_at: string | null;
  failures: number;
  last_error: string | null;
}

/** The listening tables, merged into `Database`. */
export interface ListeningTables {
  listening_queries: ListeningQueriesTable;
  listening_matches: ListeningMatchesTable;
  listening_settings: ListeningSettingsTable;
  listening_alerts: ListeningAlertsTable;
  listening_inbox_flags: ListeningInboxFlagsTable;
  testimonials: TestimonialsTable;
  listening_search_posts: ListeningSearchPostsTable;
  listening_search_matches: ListeningSearchMatchesTable;
  listening_search_cursors: ListeningSearchCursorsTable;
}

export type ListeningQueryRow = Selectable<ListeningQueriesTable>;
export type ListeningMatchRow = Selectable<ListeningMatchesTable>;
export type ListeningAlertRow = Selectable<ListeningAlertsTable>;
export type TestimonialRow = Selectable<TestimonialsTable>;
export type ListeningSearchPostRow = Selectable<ListeningSearchPostsTable>;
export type ListeningSearchCursorRow = Selectable<ListeningSearchCursorsTable>;
