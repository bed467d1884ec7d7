/**
 * Kysely table types of the reports feature (migration 0010-reports): per-workspace white-label
 * branding, report schedules and the periods each schedule has delivered.
 */

/** White-label branding of one workspace's reports. */
export interface ReportBrandingTable {
  workspace_id: string;
  agency_name: string | null;
  /** `#rrggbb`. */
  primary_color: string;
  accent_color: string;
  /** `image/png` | `image/jpeg` (null: no logo). */
  logo_mime: string | null;
  /** The logo bytes, base64 (small: at most 256 KiB decoded). */
  logo_base64: string | null;
  updated_at: string;
}

/** A report e-mailed every week or month. */
export interface ReportSchedulesTable {
  id: string;
  workspace_id: string;
  template: string;
  /** JSON array of account ids (empty: every live account). */
  account_ids: string;
  frequency: 'weekly' | 'monthly';
  /** JSON array of e-mail addresses. */
  recipients: string;
  paused: number;
  /** The campaign a `campaign` schedule mails (migration 0016); null for the other templates. */
  campaign_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * One (schedule, period) delivery. The row is claimed (`sending`) before the mail goes out and
 * marked `sent` after; its unique key is what keeps a period from being mailed twice.
 */
export interface ReportDeliveriesTable {
  schedule_id: string;
  workspace_id: string;
  /** `2026-W14` or `2026-03`. */
  period_key: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  claimed_at: string;
  sent_at: string | null;
  error: string | null;
  pdf_bytes: number | null;
}

/** The reports tables, merged into the Database interface. */
export interface ReportTables {
  report_branding: ReportBrandingTable;
  report_schedules: ReportSchedulesTable;
  report_deliveries: ReportDeliveriesTable;
}
