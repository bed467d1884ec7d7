/**
 * Ingest of one batch of inbound items of one account (a sync page, a stream's chunk, a DM page), inside
 * the caller's transaction, with a fixed number of SQL statements per batch whatever its size (each
 * kind of statement repeats once per 500–2,000 items for very large batches):
 *
 * 0. before, outside the transaction, by the caller: the batch's analysis — the active listening
 *    queries read, then language, sentiment and query hits per item (src/inbox/inbound-analysis.ts),
 *    done here when not given;
 * 1. one read of the account's stored messages with the batch's network ids and the ids they answer
 *    (dedupe and threading), one of our published targets and one of our inbox replies among those ids;
 * 2. in memory, items oldest first, exactly as if they were stored one by one: a re-delivered item
 *    (also twice in one batch) is a duplicate, an edit or a deletion of what came before it; a new one
 *    gets its target, thread key, sentiment (from the analysis), search text and SLA due time, and a
 *    reply in the same batch joins the thread of the message it answers;
 * 3. the inbox workflow decides for the new messages in arrival order (reopenings, inherited assignee,
 *    rules) after one read of the threads and members (`IngestWorkflow.planBatch`);
 * 4. one multi-row INSERT … ON CONFLICT DO NOTHING of the new messages with their final columns (a
 *    message a concurrent ingest stored first is skipped, with everything it would have caused), one
 *    UPDATE … FROM (VALUES …) of the edits and deletions, one UPDATE per reopened status, one INSERT of
 *    the tags, one INSERT of the new messages' listening matches (`ingestMatchRows`,
 *    src/listening/listening-matching.ts), and every event (`inbox.message.received` first, then what
 *    the workflow did, per message) with one INSERT and one read of the active webhooks (`recordEvents`).
 * Notification and webhook jobs are still enqueued one by one (the job queue adds jobs singly); a
 * batch without rules that notify and without webhooks enqueues none.
 */
import type { Insertable } from 'kysely';
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow, InboxMessagesTable } from '../db/schema';
import { newId } from '../domain/ids';
import type { Executor } from '../jobs/job-queue';
import {
  insertInboxMessagesIfNew,
  knownMessagesByExternalIds,
  patchInboxMessages,
  replyThreadKeysByExternalIds,
  targetsByExternalIds,
  type IngestKnownMessage,
  type InboxMessagePatch,
} from '../repositories/inbox-messages.repository';
import type { AppServices } from '../server/services';
import { ingestMatchRows } from '../listening/listening-matching';
import { insertMatches, type ListenableMessage } from '../repositories/listening.repository';
import { analyzeInbound, storable, type InboundAnalysis, type ItemAnalysis } from './inbound-analysis';
import { recordEvents, type NewEvent } from '../webhooks/webhook-events';
import { ingestWorkflow, searchTextOf, type IngestWorkflow } from './inbox-workflow';

/** What one batch changed. */
export interface IngestBatchReport {
  received: number;
  edited: number;
  deleted: number;
}

/** Longest text kept in an event payload (the message itself keeps everything). */
const eventTextMax = 1000;

function isoOr(value: string | null | undefined, fallback: string): string {
  if (!value) return fallback;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/** A message known to this batch: stored before it, or new in it (then `row` is what will be inserted). */
interface Known {
  message: IngestKnownMessage;
  row?: Insertable<InboxMessagesTable>;
  /** Where `row` is in the batch's arrival list. */
  index?: number;
  /** The analysis of the item that gave `row` its text (the latest copy in the batch). */
  analysis?: ItemAnalysis;
}

const sentimentOf = (a: ItemAnalysis) => ({ sentiment_label: a.label, sentiment_score: a.score, sentiment_lang: a.lang });

/**
 * Stores one batch of the account's inbound items (inside the caller's transaction): dedupe by network
 * id, edits, deletions, threads, ties to our posts, the inbox workflow and the events. `account`'s
 * `inbound_cursor` being null marks the batch as the account's back-fill (no SLA target, no
 * notifications). Several batches of one account may run concurrently: the unique (account, network
 * id) key keeps one message per item.
 */
export async function ingestInboundBatch(services: AppServices, trx: Executor, account: AccountRow, items: readonly InboundMessage[], nowIso: string, analysis?: InboundAnalysis): Promise<IngestBatchReport> {
  const report: IngestBatchReport = { received: 0, edited: 0, deleted: 0 };
  // Oldest first, so a reply in the same batch finds the comment it answers already there.
  const own = items
    .map((item, order) => ({ item, at: isoOr(item.createdAt, nowIso), order }))
    .filter(({ item }) => item.author.externalId !== account.external_id)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  if (own.length === 0) return report;
  // Scored and matched before the transaction by the caller (ideally on another thread), else here.
  const analysed = analysis && analysis.items.length === items.length ? analysis : await analyzeInbound(services, trx, account, items);
  const refs = [...new Set(own.flatMap(({ item: i }) => [i.rootExternalId, i.parentExternalId]).filter((x): x is string => typeof x === 'string' && x !== ''))];
  const ourTargets = await targetsByExternalIds(trx, account.id, refs);
  const stored = await knownMessagesByExternalIds(trx, account.id, [...own.map((o) => o.item.externalId), ...refs]);
  const replyKeys = refs.length ? await replyThreadKeysByExternalIds(trx, account.id, refs) : new Map<string, string>();

  const known = new Map<string, Known>(stored.map((m) => [m.external_id, { message: m }]));
  // Target ids and thread keys by network id: of stored messages, our replies, then of new ones as they come.
  const messageTargets = new Map<string, string | null>(stored.map((m) => [m.external_id, m.target_id]));
  const threadKeys = new Map<string, string>(replyKeys);
  for (const m of stored) threadKeys.set(m.external_id, m.thread_key ?? m.root_external_id ?? m.external_id);
  const targetOf = (i: InboundMessage): string | null => {
    const byRoot = i.rootExternalId ? ourTargets.get(i.rootExternalId) : undefined;
    if (byRoot) return byRoot;
    if (!i.parentExternalId) return null;
    return ourTargets.get(i.parentExternalId) ?? messageTargets.get(i.parentExternalId) ?? null;
  };
  const isOurPost = (ext: string) => ourTargets.has(ext);
  // Loaded on the first new or edited message: most syncs bring nothing and need no rules or model.
  let loaded: IngestWorkflow | null = null;
  const workflow = async () => (loaded ??= await ingestWorkflow(services, trx, account.workspace_id));
  const backfill = account.inbound_cursor === null;

  const fresh: Array<Insertable<InboxMessagesTable>> = [];
  // What each new message looked like when it arrived: its event and the rules see that, as when
  // messages were stored one by one and a later copy in the batch edited the stored row.
  const arrived: Array<Insertable<InboxMessagesTable>> = [];
  const patches = new Map<string, InboxMessagePatch>();

  for (const { item, at, order } of own) {
    const itemAnalysis = analysed.items[order]!;
    const targetId = targetOf(item);
    const k = known.get(item.externalId);
    if (!k) {
      // Deleted before we ever saw it: nothing to show.
      if (item.deleted) continue;
      // Every row carries the same columns: they go into one multi-row INSERT.
      const row: Insertable<InboxMessagesTable> = {
        id: newId(services.now().getTime()),
        workspace_id: account.workspace_id,
        account_id: account.id,
        network: account.network,
        external_id: item.externalId,
        kind: item.kind,
        parent_external_id: item.parentExternalId ?? null,
        root_external_id: item.rootExternalId ?? null,
        target_id: targetId,
        author_external_id: storable(item.author.externalId),
        author_handle: storable(item.author.handle),
        author_name: item.author.displayName === null || item.author.displayName === undefined ? null : storable(item.author.displayName),
        author_followers: typeof item.author.followers === 'number' && Number.isFinite(item.author.followers) ? Math.trunc(item.author.followers) : null,
        text: storable(item.text),
        url: item.url ?? null,
        lang: item.lang ?? null,
        network_created_at: at,
        received_at: nowIso,
        edited_at: item.editedAt ? isoOr(item.editedAt, nowIso) : null,
        deleted_at: null,
        listened_at: analysed.listenedAt,
      };
      (await workflow()).prepare(row, threadKeys, isOurPost, backfill, sentimentOf(itemAnalysis));
      fresh.push(row);
      // The row itself until a later copy changes it (then a snapshot takes its place).
      arrived.push(row);
      messageTargets.set(row.external_id, targetId);
      threadKeys.set(row.external_id, row.thread_key ?? row.external_id);
      known.set(row.external_id, {
        row,
        index: arrived.length - 1,
        analysis: itemAnalysis,
        message: { id: row.id, external_id: row.external_id, text: row.text, lang: row.lang ?? null, author_handle: row.author_handle, author_name: row.author_name ?? null, target_id: targetId, thread_key: row.thread_key ?? null, root_external_id: row.root_external_id ?? null, deleted_at: null },
      });
      continue;
    }
    // Seen before (stored, or earlier in this batch): a deletion, an edit, a late tie to our post, or nothing.
    const m = k.message;
    const patch: InboxMessagePatch = patches.get(m.id) ?? { id: m.id, edit: null, deleted_at: null, target_id: null };
    let changed = false;
    if (item.deleted) {
      if (!m.deleted_at) {
        m.deleted_at = nowIso;
        patch.deleted_at = nowIso;
        report.deleted += 1;
        changed = true;
      }
    } else if (storable(item.text) !== m.text) {
      const text = storable(item.text);
      // The analysis scored the item with its own language tag; a stored message keeps the one it came with.
      const sentiment = (item.lang ?? null) === m.lang ? sentimentOf(itemAnalysis) : await (await workflow()).sentimentColumns(text, m.lang);
      patch.edit = { text, edited_at: isoOr(item.editedAt, nowIso), search_text: searchTextOf(text, m.author_handle, m.author_name), ...sentiment };
      if (k.row) k.analysis = itemAnalysis;
      m.text = text;
      report.edited += 1;
      changed = true;
    }
    if (!m.target_id && targetId) {
      m.target_id = targetId;
      patch.target_id = targetId;
      changed = true;
    }
    if (!changed) continue;
    if (k.row) {
      // New in this batch: the row to insert takes the change directly, its arrival stays as it was.
      if (arrived[k.index!] === k.row) arrived[k.index!] = { ...k.row };
      if (patch.deleted_at) k.row.deleted_at = patch.deleted_at;
      if (patch.edit) Object.assign(k.row, patch.edit);
      if (patch.target_id) k.row.target_id = patch.target_id;
    } else {
      patches.set(m.id, patch);
    }
  }

  if (fresh.length) {
    const wf = await workflow();
    const plan = await wf.planBatch(arrived, backfill);
    for (const row of fresh) Object.assign(row, plan.decisions.get(row.id)!.columns);
    // In network-id order: two ingests of one account inserting overlapping batches at once (sync and
    // stream) then wait for each other's keys in the same order instead of deadlocking on PostgreSQL.
    const inserted = await insertInboxMessagesIfNew(trx, [...fresh].sort((a, b) => (a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0)));
    report.received = inserted.size;
    const events: NewEvent[] = [];
    for (const row of arrived) {
      if (!inserted.has(row.id)) continue;
      events.push({ workspaceId: account.workspace_id, type: 'inbox.message.received', subjectId: row.id, actorId: null, payload: receivedPayload(account, row, backfill) });
      for (const e of plan.decisions.get(row.id)!.events) events.push({ ...e, workspaceId: account.workspace_id, actorId: null });
    }
    await plan.write(inserted);
    // Listening: the stored (final) form of each new message against the queries the analysis read.
    if (analysed.queries.length) {
      const matched = fresh.filter((row) => inserted.has(row.id)).map((row) => ({ message: listenable(row), hits: known.get(row.external_id)!.analysis!.hits }));
      await insertMatches(trx, ingestMatchRows(matched, analysed.queries, services.now()));
    }
    await recordEvents(services, trx, events);
  }
  if (patches.size) await patchInboxMessages(trx, [...patches.values()]);
  return report;
}

/** A new message's row as listening reads it. */
function listenable(row: Insertable<InboxMessagesTable>): ListenableMessage {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    network: row.network,
    kind: row.kind,
    text: row.text,
    lang: row.lang ?? null,
    author_handle: row.author_handle,
    network_created_at: row.network_created_at,
    received_at: row.received_at,
    deleted_at: row.deleted_at ?? null,
    sentiment_label: row.sentiment_label ?? null,
    sentiment_score: row.sentiment_score ?? null,
    sentiment_lang: row.sentiment_lang ?? null,
    listened_at: row.listened_at ?? null,
  };
}

/** The `inbox.message.received` payload (webhook subscribers get it as `data`). */
function receivedPayload(account: AccountRow, row: Insertable<InboxMessagesTable>, backfill: boolean): Record<string, unknown> {
  return {
    messageId: row.id,
    accountId: account.id,
    network: account.network,
    kind: row.kind,
    externalId: row.external_id,
    parentExternalId: row.parent_external_id,
    targetId: row.target_id,
    author: { handle: row.author_handle, displayName: row.author_name },
    text: row.text.length > eventTextMax ? `${row.text.slice(0, eventTextMax)}…` : row.text,
    url: row.url,
    createdAt: row.network_created_at,
    // The first sync back-fills history: subscribers may not want to notify anyone about it.
    backfill,
    sentiment: { label: row.sentiment_label, score: row.sentiment_score, lang: row.sentiment_lang },
  };
}
