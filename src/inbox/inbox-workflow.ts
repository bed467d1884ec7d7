/**
 * What ingestion does for the inbox workflow, inside the inbound sync's transaction:
 * - before a new message is stored: its thread key, search text and when its first response is due in
 *   business time (its sentiment, from the workspace's corrected model, comes from the batch's
 *   analysis, src/inbox/inbound-analysis.ts);
 * - with it: a new message reopens its thread's `waiting`/`resolved` messages and inherits the
 *   thread's assignee; then the workspace's active rules run (assign, tag, priority, notify).
 * Ingestion decides this for a whole batch before storing it (`planBatch`: threads and members read
 * once per batch, the messages taken in arrival order as if each were stored before the next), stores
 * the outcome with the messages and writes the rest with a fixed number of statements per batch.
 * Every change is an event with no actor (the system) in the same transaction; notifications are jobs
 * enqueued in it, so they go out only if the messages commit. Back-filled history runs rules without
 * notifying anyone.
 */
import type { InboxMessageRow, InboxMessagesTable } from '../db/schema';
import type { Insertable } from 'kysely';
import type { Executor } from '../jobs/job-queue';
import { listSentimentCorrections } from '../repositories/sentiment-corrections.repository';
import { addTagsBatch, findInboxSettings, listRules, reopenableInThreads, threadAssignees, updateMessages, workspaceMembersAmong, workspaceTimezone } from '../repositories/inbox-workflow.repository';
import type { AppServices } from '../server/services';
import { modelForWorkspace } from '../sentiment/corrections';
import { createSentimentAnalyzer, type SentimentAnalyzer } from '../sentiment/sentiment-engine';
import { loadDefaultModel } from '../sentiment/sentiment-model';
import { recordEvents, type NewEvent } from '../webhooks/webhook-events';
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

/** An event the workflow records about a message (the workspace is the batch's; the actor is the system). */
export type IngestEvent = Pick<NewEvent, 'type' | 'subjectId' | 'payload'>;

/** The workflow's outcome for one new message, decided before it is stored. */
export interface IngestDecision {
  /** Columns to store with the message: the inherited or rule-given assignee, its status, the priority. */
  columns: Pick<InboxMessageRow, 'assignee_id' | 'status' | 'status_changed_at' | 'priority'>;
  /** Events this message causes (reopenings, rules, assignment, priority, tags), in order; recorded right after its received event. */
  events: IngestEvent[];
}

/** What a batch of new messages does to the inbox, decided with a fixed number of queries. */
export interface IngestBatchPlan {
  /** By message id. */
  decisions: Map<string, IngestDecision>;
  /**
   * Writes the reopenings, tags and notification jobs of the messages in `stored` (a message the
   * database refused as a duplicate causes nothing): a fixed number of statements plus one job per
   * notification. The events are the caller's to record, in the same transaction.
   */
  write(stored: ReadonlySet<string>): Promise<void>;
}

/** A message's sentiment as stored. */
export type SentimentColumns = Pick<InboxMessageRow, 'sentiment_label' | 'sentiment_score' | 'sentiment_lang'>;

/** Per-batch state: loaded once per sync of one account. */
export interface IngestWorkflow {
  /**
   * Fills the workflow columns of a message about to be inserted. `known`: thread keys of stored
   * messages and of our replies by network id; `isOurPost`: whether a network id is one of our posts.
   */
  prepare(row: Insertable<InboxMessagesTable>, known: Map<string, string>, isOurPost: (externalId: string) => boolean, backfill: boolean, sentiment: SentimentColumns): void;
  /** Sentiment columns for a (new or edited) text, scored here (the workspace's model is loaded on first use). */
  sentimentColumns(text: string, lang: string | null): Promise<SentimentColumns>;
  /**
   * Decides for prepared new messages, in arrival order, what `afterInsert` would do one by one (reopen
   * the thread, inherit its assignee, run the rules), as if each were stored before the next: a reply
   * in the same batch inherits what its parent got. Reads the threads and members once per batch.
   */
  planBatch(rows: ReadonlyArray<Insertable<InboxMessagesTable>>, backfill: boolean): Promise<IngestBatchPlan>;
  /** Reopens the thread, inherits its assignee and runs the rules for a message just inserted. */
  afterInsert(row: InboxMessageRow, backfill: boolean): Promise<void>;
}

const primaryLang = (lang: string | null | undefined) => {
  const p = lang?.toLowerCase().split(/[-_]/)[0];
  return p === 'en' || p === 'ru' || p === 'sv' ? p : undefined;
};

/** Loads what ingesting a batch for `workspaceId` needs. */
export async function ingestWorkflow(services: AppServices, trx: Executor, workspaceId: string): Promise<IngestWorkflow> {
  // Ingest scores new messages before its transaction (src/inbox/inbound-analysis.ts); the model is
  // loaded here only for what that did not cover (edits of stored messages in another language).
  let analyzer: Promise<SentimentAnalyzer> | null = null;
  const sla = await slaSettings(trx, workspaceId);
  const rules: CompiledRule[] = [];
  for (const r of await listRules(trx, workspaceId, true)) {
    // A rule stored by an older version that no longer parses is skipped, not fatal to the sync.
    const c = ruleConditionsSchema.safeParse(JSON.parse(r.conditions));
    const a = ruleActionsSchema.safeParse(JSON.parse(r.actions));
    if (c.success && a.success) rules.push({ id: r.id, name: r.name, conditions: c.data, actions: a.data });
    else services.log.warn({ ruleId: r.id }, 'inbox rule skipped: stored definition no longer valid');
  }
  const ruleAssignees = rules.flatMap((r) => (r.actions.assignTo ? [r.actions.assignTo] : []));
  // Keyword lists split once per batch, not once per message.
  const keywordWords = new Map(rules.map((r) => [r.id, r.conditions.keywords?.map((k) => words(k))]));

  const sentimentColumns = async (text: string, lang: string | null): Promise<SentimentColumns> => {
    const s = (await (analyzer ??= workspaceAnalyzer(trx, workspaceId))).analyze(text, primaryLang(lang) ? { lang: primaryLang(lang)! } : {});
    return { sentiment_label: s.label, sentiment_score: s.score, sentiment_lang: s.lang };
  };
  // Every message of a batch is received at the same instant: its due time is computed once.
  const dueTimes = new Map<string, string | null>();
  const dueAt = (receivedAt: string): string | null => {
    let due = dueTimes.get(receivedAt);
    if (due === undefined) {
      const ms = addBusinessMinutes(sla.calendar, Date.parse(receivedAt), sla.firstResponseMinutes);
      dueTimes.set(receivedAt, (due = ms === null ? null : new Date(ms).toISOString()));
    }
    return due;
  };

  async function planBatch(rows: ReadonlyArray<Insertable<InboxMessagesTable>>, backfill: boolean): Promise<IngestBatchPlan> {
    const threadOf = (row: Insertable<InboxMessagesTable>) => row.thread_key ?? row.external_id;
    const key = (accountId: string, threadKey: string) => `${accountId}\u0000${threadKey}`;
    // Threads the batch's replies join, per account: the ones to reopen and whose assignee to inherit.
    const threadsByAccount = new Map<string, Set<string>>();
    for (const row of rows) {
      if (threadOf(row) === row.external_id) continue;
      let set = threadsByAccount.get(row.account_id);
      if (!set) threadsByAccount.set(row.account_id, (set = new Set()));
      set.add(threadOf(row));
    }
    const reopenable = new Map<string, Array<{ id: string; status: InboxStatus; assignee_id: string | null }>>();
    const assignees = new Map<string, string>();
    for (const [accountId, keys] of threadsByAccount) {
      for (const m of await reopenableInThreads(trx, accountId, [...keys])) {
        const k = key(accountId, m.thread_key ?? '');
        let list = reopenable.get(k);
        if (!list) reopenable.set(k, (list = []));
        list.push(m);
      }
      for (const [threadKey, assignee] of await threadAssignees(trx, accountId, [...keys])) assignees.set(key(accountId, threadKey), assignee);
    }
    const members = await workspaceMembersAmong(trx, workspaceId, [...assignees.values(), ...ruleAssignees]);

    const decisions = new Map<string, IngestDecision>();
    const reopens: Array<{ id: string; status: InboxStatus; at: string; by: string }> = [];
    const tagsOf = new Map<string, { at: string; tags: string[] }>();
    const notifications: Array<{ messageId: string; ruleId: string; index: number }> = [];
    for (const row of rows) {
      const at = row.received_at;
      const threadKey = threadOf(row);
      const k = key(row.account_id, threadKey);
      const events: IngestEvent[] = [];
      // A message that starts its own conversation has nothing to reopen or inherit; a reply that
      // arrived before its parent is the exception we accept.
      const startsThread = threadKey === row.external_id;
      if (!startsThread) {
        for (const m of reopenable.get(k) ?? []) {
          const status: InboxStatus = m.assignee_id ? 'assigned' : 'new';
          reopens.push({ id: m.id, status, at, by: row.id });
          events.push({ type: 'inbox.message.status_changed', subjectId: m.id, payload: { messageId: m.id, from: m.status, to: status, reason: 'new_message_in_thread', byMessageId: row.id } });
        }
        // Reopened once: they are `new`/`assigned` for the next message of the thread.
        reopenable.delete(k);
      }
      let assignee = startsThread ? null : (assignees.get(k) ?? null);
      if (assignee && !members.has(assignee)) assignee = null;
      const priorityBefore = row.priority ?? 'normal';
      let priority = priorityBefore;
      const tags = new Set<string>();
      let ruleAssigned = false;
      // Split into words only when a rule's keywords all occur in the text as substrings (a whole-word
      // match implies that): most messages match no keyword and are never tokenised for the rules.
      const lower = row.text.toLowerCase();
      let messageWords: string[] | null = null;
      const subject = { text: row.text, network: row.network, kind: row.kind, lang: row.lang ?? row.sentiment_lang ?? null, sentiment: row.sentiment_label ?? null, authorFollowers: row.author_followers ?? null };
      for (const rule of rules) {
        const keywords = keywordWords.get(rule.id);
        if (keywords && !keywords.some((k) => k.length > 0 && k.every((w) => lower.includes(w)))) continue;
        if (!ruleMatches(rule.conditions, subject, keywords ? (messageWords ??= words(row.text)) : [], keywords)) continue;
        const a = rule.actions;
        // The first rule that assigns wins over the thread's assignee; a member who left is skipped.
        if (a.assignTo && !ruleAssigned && members.has(a.assignTo)) {
          assignee = a.assignTo;
          ruleAssigned = true;
        }
        for (const t of a.tags ?? []) {
          const n = normaliseTag(t);
          if (n) tags.add(n);
        }
        if (a.priority) priority = a.priority;
        if (!backfill) (a.notify ?? []).forEach((_n, index) => notifications.push({ messageId: row.id, ruleId: rule.id, index }));
        events.push({ type: 'inbox.rule.matched', subjectId: row.id, payload: { messageId: row.id, ruleId: rule.id, ruleName: rule.name, actions: a, backfill } });
      }
      const columns: IngestDecision['columns'] = { assignee_id: null, status: row.status ?? 'new', status_changed_at: row.status_changed_at ?? null, priority };
      if (assignee) {
        Object.assign(columns, { assignee_id: assignee, status: 'assigned', status_changed_at: at });
        // The newest assigned message names the thread's assignee for the messages after it.
        assignees.set(k, assignee);
        events.push({ type: 'inbox.message.assigned', subjectId: row.id, payload: { messageId: row.id, assigneeId: assignee, from: null, reason: ruleAssigned ? 'rule' : 'thread' } });
      }
      if (priority !== priorityBefore) events.push({ type: 'inbox.message.priority_changed', subjectId: row.id, payload: { messageId: row.id, from: priorityBefore, to: priority, reason: 'rule' } });
      // A new message has no tags yet: every tag is added.
      if (tags.size) {
        tagsOf.set(row.id, { at, tags: [...tags] });
        events.push({ type: 'inbox.message.tagged', subjectId: row.id, payload: { messageId: row.id, tags: [...tags], reason: 'rule' } });
      }
      decisions.set(row.id, { columns, events });
    }

    return {
      decisions,
      async write(stored) {
        // At most one UPDATE per (status, time): a batch's messages share their received time.
        const groups = new Map<string, { status: InboxStatus; at: string; ids: string[] }>();
        for (const r of reopens) {
          if (!stored.has(r.by)) continue;
          const g = groups.get(`${r.status}\u0000${r.at}`) ?? { status: r.status, at: r.at, ids: [] };
          g.ids.push(r.id);
          groups.set(`${r.status}\u0000${r.at}`, g);
        }
        for (const g of groups.values()) {
          for (let i = 0; i < g.ids.length; i += 2000) await updateMessages(trx, workspaceId, g.ids.slice(i, i + 2000), { status: g.status, resolved_at: null, status_changed_at: g.at });
        }
        // One INSERT per received time (one for a batch).
        const pairsAt = new Map<string, Array<{ messageId: string; tag: string }>>();
        for (const [messageId, t] of tagsOf) {
          if (!stored.has(messageId)) continue;
          let pairs = pairsAt.get(t.at);
          if (!pairs) pairsAt.set(t.at, (pairs = []));
          for (const tag of t.tags) pairs.push({ messageId, tag });
        }
        for (const [at, pairs] of pairsAt) await addTagsBatch(trx, workspaceId, pairs, at);
        for (const n of notifications) {
          if (!stored.has(n.messageId)) continue;
          await services.queue.enqueue(inboxNotifyTask, { workspaceId, messageId: n.messageId, ruleId: n.ruleId, index: n.index }, { key: `inbox-notify:${n.messageId}:${n.ruleId}:${n.index}` }, trx);
        }
      },
    };
  }

  return {
    sentimentColumns,
    planBatch,
    prepare(row, known, isOurPost, backfill, sentiment) {
      Object.assign(row, sentiment);
      row.thread_key = threadKeyOf(row, known, isOurPost);
      row.search_text = searchTextOf(row.text, row.author_handle, row.author_name ?? null);
      // History from the first sync was never ours to answer in time: no first-response target.
      row.sla_due_at = backfill ? null : dueAt(row.received_at);
      row.status = 'new';
      row.priority = 'normal';
    },
    async afterInsert(row, backfill) {
      // The one-message form of the batch path: decide as if not stored yet, then update the row.
      const plan = await planBatch([row], backfill);
      const d = plan.decisions.get(row.id)!;
      const patch: Partial<Insertable<InboxMessagesTable>> = {};
      if (d.columns.assignee_id) Object.assign(patch, { assignee_id: d.columns.assignee_id, status: d.columns.status, status_changed_at: d.columns.status_changed_at });
      if (d.columns.priority !== row.priority) patch.priority = d.columns.priority;
      if (Object.keys(patch).length) await updateMessages(trx, workspaceId, [row.id], patch);
      await plan.write(new Set([row.id]));
      await recordEvents(services, trx, d.events.map((e) => ({ ...e, workspaceId, actorId: null })));
    },
  };
}
