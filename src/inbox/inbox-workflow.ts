/**
 * What ingestion does for the inbox workflow, inside the inbound sync's transaction:
 * - before a new message is stored: its sentiment (the workspace's corrected model), its thread key,
 *   search text and when its first response is due in business time;
 * - after it is stored: a new message reopens its thread's `waiting`/`resolved` messages and inherits
 *   the thread's assignee; then the workspace's active rules run (assign, tag, priority, notify).
 * Every change is an event with no actor (the system) in the same transaction; notifications are jobs
 * enqueued in it, so they go out only if the messages commit. Back-filled history runs rules without
 * notifying anyone.
 */
import type { InboxMessageRow, InboxMessagesTable } from '../db/schema';
import type { Insertable } from 'kysely';
import type { Executor } from '../jobs/job-queue';
import { listSentimentCorrections } from '../repositories/sentiment-corrections.repository';
import { addTags, findInboxSettings, isWorkspaceMember, listRules, reopenableInThread, threadAssignee, updateMessages, workspaceTimezone } from '../repositories/inbox-workflow.repository';
import type { AppServices } from '../server/services';
import { modelForWorkspace } from '../sentiment/corrections';
import { createSentimentAnalyzer, type SentimentAnalyzer } from '../sentiment/sentiment-engine';
import { loadDefaultModel } from '../sentiment/sentiment-model';
import { recordEvent } from '../webhooks/webhook-events';
import { addBusinessMinutes, businessCalendar, businessHoursSchema, defaultBusinessHours, type BusinessCalendar } from './business-hours';
import { normaliseTag, ruleActionsSchema, ruleConditionsSchema, ruleMatches, words, type RuleActions, type RuleConditions } from './inbox-rules';
import type { InboxStatus } from './inbox-tables';

/** The notification job; payload `{ workspaceId, messageId, ruleId, index }`. */
export const inboxNotifyTask = 'inbox-notify';

/** Default target for the first response, in business minutes. */
export const defaultFirstResponseMinutes = 60;

let defaultAnalyzer: SentimentAnalyzer | null = null;
function sharedAnalyzer(): SentimentAnalyzer {
  defaultAnalyzer ??= createSentimentAnalyzer();
  return defaultAnalyzer;
}

/** The analyser for a workspace: the shipped model plus what the workspace's relabels taught it. */
export async function workspaceAnalyzer(db: Executor, workspaceId: string): Promise<SentimentAnalyzer> {
  const relabels = await listSentimentCorrections(db, workspaceId);
  if (relabels.length === 0) return sharedAnalyzer();
  return createSentimentAnalyzer(modelForWorkspace(loadDefaultModel(), relabels.map((r) => ({ text: r.text, label: r.label }))));
}

/** The workspace's SLA calendar and target. */
export async function slaSettings(db: Executor, workspaceId: string): Promise<{ calendar: BusinessCalendar; firstResponseMinutes: number; zone: string }> {
  const zone = await workspaceTimezone(db, workspaceId);
  const row = await findInboxSettings(db, workspaceId);
  const hours = row ? businessHoursSchema.parse(JSON.parse(row.business_hours)) : defaultBusinessHours;
  return { calendar: businessCalendar(hours, zone), firstResponseMinutes: row?.first_response_minutes ?? defaultFirstResponseMinutes, zone: hours.zone ?? zone };
}

/** Lower-cased text searched by the inbox's full-text filter. */
export function searchTextOf(text: string, handle: string, name: string | null): string {
  return `${text} ${handle} ${name ?? ''}`.toLowerCase();
}

/** The conversation key of direct messages with one correspondent (per account). */
export function dmThreadKey(authorExternalId: string): string {
  return `dm:${authorExternalId}`;
}

/**
 * The conversation a message belongs to. Direct messages: one conversation per correspondent. A comment directly under one of our posts (or a message with
 * no parent) starts its own conversation, so one busy post does not become one giant thread; a reply
 * joins the conversation of the message it answers (or of the comment our reply answered); otherwise
 * the network's root names the thread.
 */
export function threadKeyOf(
  row: { external_id: string; kind?: string; author_external_id?: string; parent_external_id?: string | null; root_external_id?: string | null },
  known: Map<string, string>,
  isOurPost: (externalId: string) => boolean,
): string {
  // Direct messages: one conversation per correspondent, however the network threads them.
  if (row.kind === 'dm' && row.author_external_id) return dmThreadKey(row.author_external_id);
  const parent = row.parent_external_id;
  if (!parent || isOurPost(parent)) return row.external_id;
  return known.get(parent) ?? row.root_external_id ?? parent;
}

interface CompiledRule {
  id: string;
  name: string;
  conditions: RuleConditions;
  actions: RuleActions;
}

/** Per-batch state: loaded once per sync of one account. */
export interface IngestWorkflow {
  /**
   * Fills the workflow columns of a message about to be inserted. `known`: thread keys of stored
   * messages and of our replies by network id; `isOurPost`: whether a network id is one of our posts.
   */
  prepare(row: Insertable<InboxMessagesTable>, known: Map<string, string>, isOurPost: (externalId: string) => boolean, backfill: boolean): void;
  /** Sentiment columns for a (new or edited) text. */
  sentimentColumns(text: string, lang: string | null): Pick<InboxMessageRow, 'sentiment_label' | 'sentiment_score' | 'sentiment_lang'>;
  /** Reopens the thread, inherits its assignee and runs the rules for a message just inserted. */
  afterInsert(row: InboxMessageRow, backfill: boolean): Promise<void>;
}

const primaryLang = (lang: string | null | undefined) => {
  const p = lang?.toLowerCase().split(/[-_]/)[0];
  return p === 'en' || p === 'ru' || p === 'sv' ? p : undefined;
};

/** Loads what ingesting a batch for `workspaceId` needs. */
export async function ingestWorkflow(services: AppServices, trx: Executor, workspaceId: string): Promise<IngestWorkflow> {
  const analyzer = await workspaceAnalyzer(trx, workspaceId);
  const sla = await slaSettings(trx, workspaceId);
  const rules: CompiledRule[] = [];
  for (const r of await listRules(trx, workspaceId, true)) {
    // A rule stored by an older version that no longer parses is skipped, not fatal to the sync.
    const c = ruleConditionsSchema.safeParse(JSON.parse(r.conditions));
    const a = ruleActionsSchema.safeParse(JSON.parse(r.actions));
    if (c.success && a.success) rules.push({ id: r.id, name: r.name, conditions: c.data, actions: a.data });
    else services.log.warn({ ruleId: r.id }, 'inbox rule skipped: stored definition no longer valid');
  }
  const event = (type: string, subjectId: string, payload: Record<string, unknown>) => recordEvent(services, trx, { workspaceId, type, subjectId, actorId: null, payload });

  const sentimentColumns = (text: string, lang: string | null) => {
    const s = analyzer.analyze(text, primaryLang(lang) ? { lang: primaryLang(lang)! } : {});
    return { sentiment_label: s.label, sentiment_score: s.score, sentiment_lang: s.lang };
  };

  return {
    sentimentColumns,
    prepare(row, known, isOurPost, backfill) {
      Object.assign(row, sentimentColumns(row.text, row.lang ?? null));
      row.thread_key = threadKeyOf(row, known, isOurPost);
      row.search_text = searchTextOf(row.text, row.author_handle, row.author_name ?? null);
      // History from the first sync was never ours to answer in time: no first-response target.
      const due = backfill ? null : addBusinessMinutes(sla.calendar, Date.parse(row.received_at), sla.firstResponseMinutes);
      row.sla_due_at = due === null ? null : new Date(due).toISOString();
      row.status = 'new';
      row.priority = 'normal';
    },
    async afterInsert(row, backfill) {
      const at = row.received_at;
      const threadKey = row.thread_key ?? row.external_id;
      // A message that starts its own conversation has nothing to reopen or inherit (two queries saved
      // per message on the ingest path); a reply that arrived before its parent is the exception we accept.
      const startsThread = threadKey === row.external_id;
      const reopen = startsThread ? [] : await reopenableInThread(trx, row.account_id, threadKey);
      for (const m of reopen) {
        const status: InboxStatus = m.assignee_id ? 'assigned' : 'new';
        await updateMessages(trx, workspaceId, [m.id], { status, resolved_at: null, status_changed_at: at });
        await event('inbox.message.status_changed', m.id, { messageId: m.id, from: m.status, to: status, reason: 'new_message_in_thread', byMessageId: row.id });
      }
      let assignee = startsThread ? null : await threadAssignee(trx, row.account_id, threadKey);
      if (assignee && !(await isWorkspaceMember(trx, workspaceId, assignee))) assignee = null;
      let priority = row.priority;
      const tags = new Set<string>();
      const notify: Array<{ ruleId: string; index: number }> = [];
      const matched: string[] = [];
      let ruleAssigned = false;
      const messageWords = words(row.text);
      for (const rule of rules) {
        const subject = { text: row.text, network: row.network, kind: row.kind, lang: row.lang ?? row.sentiment_lang, sentiment: row.sentiment_label, authorFollowers: row.author_followers };
        if (!ruleMatches(rule.conditions, subject, messageWords)) continue;
        matched.push(rule.id);
        const a = rule.actions;
        // The first rule that assigns wins over the thread's assignee; a member who left is skipped.
        if (a.assignTo && !ruleAssigned && (await isWorkspaceMember(trx, workspaceId, a.assignTo))) {
          assignee = a.assignTo;
          ruleAssigned = true;
        }
        for (const t of a.tags ?? []) {
          const n = normaliseTag(t);
          if (n) tags.add(n);
        }
        if (a.priority) priority = a.priority;
        (a.notify ?? []).forEach((_n, index) => notify.push({ ruleId: rule.id, index }));
        await event('inbox.rule.matched', row.id, { messageId: row.id, ruleId: rule.id, ruleName: rule.name, actions: a, backfill });
      }
      const patch: Partial<Insertable<InboxMessagesTable>> = {};
      if (assignee) {
        patch.assignee_id = assignee;
        patch.status = 'assigned';
        patch.status_changed_at = at;
      }
      if (priority !== row.priority) patch.priority = priority;
      if (Object.keys(patch).length) await updateMessages(trx, workspaceId, [row.id], patch);
      if (assignee) await event('inbox.message.assigned', row.id, { messageId: row.id, assigneeId: assignee, from: null, reason: ruleAssigned ? 'rule' : 'thread' });
      if (patch.priority) await event('inbox.message.priority_changed', row.id, { messageId: row.id, from: row.priority, to: patch.priority, reason: 'rule' });
      const added = await addTags(trx, workspaceId, [...tags].map((tag) => ({ messageId: row.id, tag })), at);
      if (added.length) await event('inbox.message.tagged', row.id, { messageId: row.id, tags: added.map((x) => x.tag), reason: 'rule' });
      if (backfill) return;
      for (const n of notify) {
        await services.queue.enqueue(inboxNotifyTask, { workspaceId, messageId: row.id, ruleId: n.ruleId, index: n.index }, { key: `inbox-notify:${row.id}:${n.ruleId}:${n.index}` }, trx);
      }
    },
  };
}
