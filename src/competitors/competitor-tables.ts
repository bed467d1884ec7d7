/**
 * Table types of competitor benchmarking (migration 0009-competitors). `Database` in src/db/schema.ts
 * extends `CompetitorTables`. Conventions as in schema.ts: instants are ISO text, JSON is text, a count
 * the network does not give is NULL (never 0).
 */

/** A public account a workspace watches. */
export interface CompetitorsTable {
  id: string;
  workspace_id: string;
  network: string;
  /** The network's stable id (DID, home-server account id, …). */
  external_id: string;
  handle: string;
  display_name: string | null;
  /** Where its public data is read (e.g. its home Mastodon server); null = the connector's default. */
  service_url: string | null;
  profile_url: string | null;
  /** Latest follower count seen (the snapshots keep the history). */
  followers: number | null;
  created_by: string | null;
  created_at: string;
  /** Last successful collection, and the last failure in words (cleared by a success). */
  collected_at: string | null;
  last_error: string | null;
}

/** A follower count of a competitor at one moment (taken daily). */
export interface CompetitorSnapshotsTable {
  id: string;
  competitor_id: string;
  workspace_id: string;
  observed_at: string;
  followers: number | null;
}

/** A competitor's public post with its latest counts. */
export interface CompetitorPostsTable {
  id: string;
  competitor_id: string;
  workspace_id: string;
  external_id: string;
  url: string | null;
  published_at: string;
  text: string;
  /** text | photo | carousel | video | link | poll | repost */
  content_type: string;
  /** JSON array of hashtags without `#`. */
  hashtags: string;
  likes: number | null;
  shares: number | null;
  comments: number | null;
  quotes: number | null;
  views: number | null;
  first_seen_at: string;
  last_seen_at: string;
}

/** The counts of a competitor post at one moment (growth over time). */
export interface CompetitorPostObservationsTable {
  id: string;
  post_id: string;
  competitor_id: string;
  workspace_id: string;
  observed_at: string;
  likes: number | null;
  shares: number | null;
  comments: number | null;
  quotes: number | null;
  views: number | null;
}

/** The competitor tables, merged into `Database`. */
export interface CompetitorTables {
  competitors: CompetitorsTable;
  competitor_snapshots: CompetitorSnapshotsTable;
  competitor_posts: CompetitorPostsTable;
  competitor_post_observations: CompetitorPostObservationsTable;
}
