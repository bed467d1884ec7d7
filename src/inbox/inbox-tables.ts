/**
 * Table types of the inbox workflow (migration 0008-inbox-workflow). `Database` in src/db/schema.ts
 * extends `InboxWorkflowTables`; the columns the migration adds to `inbox_messages` are declared there
 * in `InboxMessagesTable`. Conventions as in schema.ts: instants are ISO text, booleans 0/1, JSON text.
 */
import type { ColumnType, Selectable } from 'kysely';

/** Work states of a message. */
export const inboxStatuses = ['new', 'assigned', 'waiting', 'resolved'] as const;
export type InboxStatus = (typeof inboxStatuses)[number];

/** Priorities a rule or a member may set. */
export const inboxPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type InboxPriority = (typeof inboxPriorities)[number];

/** A tag on a message (lower-cased, unique per message). */
export interface InboxMessageTagsTable {
  message_id: string;
  workspace_id: string;
  tag: string;
  created_at: string;
}

/** An internal note on a message: never sent to the network. */
export interface InboxNotesTable {
  id: string;
  workspace_id: string;
  message_id: string;
  author_id: string | null;
  text: string;
  created_at: string;
}

/** A saved reply with `{{variables}}`. */
export interface InboxSavedRepliesTable {
  id: string;
  workspace_id: string;
  name: string;
  text: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A workspace's inbox settings (absent = defaults). */
export interface InboxSettingsTable {
  workspace_id: string;
  /** JSON BusinessHours. */
  business_hours: string;
  first_response_minutes: number;
  /** Sealed Telegram bot token for rule notifications (never returned). */
  telegram_bot_token_enc: string | null;
  updated_at: string;
  updated_by: string | null;
}

/** A rule evaluated on every new message. */
export interface InboxRulesTable {
  id: string;
  workspace_id: string;
  name: string;
  /** JSON RuleConditions. */
  conditions: string;
  /** JSON RuleActions. */
  actions: string;
  active: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One reply attempt per (workspace, idempotency key): a retry with the same key never sends twice. */
export interface InboxRepliesTable {
  id: string;
  workspace_id: string;
  message_id: string;
  idempotency_key: string;
  state: 'sending' | 'sent' | 'failed';
  text: string;
  external_id: string | null;
  url: string | null;
  sent_by: string | null;
  created_at: string;
  sent_at: string | null;
  /** When our reply was deleted on the network from Herald, and by whom (0014). */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
  deleted_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Direct-message cursor per account, for connectors that read DMs apart from comments (0014). */
export interface InboxDmCursorsTable {
  account_id: string;
  cursor: string | null;
  updated_at: string;
}

/** The inbox workflow tables. */
export interface InboxWorkflowTables {
  inbox_dm_cursors: InboxDmCursorsTable;
  inbox_message_tags: InboxMessageTagsTable;
  inbox_notes: InboxNotesTable;
  inbox_saved_replies: InboxSavedRepliesTable;
  inbox_settings: InboxSettingsTable;
  inbox_rules: InboxRulesTable;
  inbox_replies: InboxRepliesTable;
}

export type InboxNoteRow = Selectable<InboxNotesTable>;
export type InboxSavedReplyRow = Selectable<InboxSavedRepliesTable>;
export type InboxSettingsRow = Selectable<InboxSettingsTable>;
export type InboxRuleRow = Selectable<InboxRulesTable>;
export type InboxReplyRow = Selectable<InboxRepliesTable>;
