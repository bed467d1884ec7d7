/**
 * Matching inbox messages against a workspace's listening queries.
 *
 * - At ingest (`ingestListening`): the ingest that stores a batch reads the workspace's active queries
 *   once, matches the new messages in memory and stores the matches in its own transaction, so they
 *   commit with the messages; each message records when its ingest read the queries (`listened_at`).
 * - The sweep (`matchNewMessages`) covers what ingest could not: a new query (no watermark) back-fills
 *   messages received in the last `backfillDays`; a changed or re-activated query (its `updated_at`
 *   moved) re-reads from its watermark; messages stored without listening (`listened_at` null). A
 *   message counts as matched against a query when its ingest read the queries more than
 *   `queryCommitMarginMs` after the query's last change, so only the other messages are read from the
 *   database. Every active query keeps a watermark (the newest inbox message id it has seen); messages
 *   above the lowest watermark are read once in id order, split once, and tested against every query
 *   whose watermark they pass. Inbox ids are time-ordered UUIDv7 taken when the message is stored, but
 *   a transaction can commit a slightly older id after a newer one, so each sweep re-reads `overlapMs`
 *   behind the watermark; the (query, message) unique key makes re-matching harmless.
 * - Each match stores the message's sentiment (label, score, language) as the inbox stored it (the
 *   workspace's relabels applied at ingest); a message stored without one is scored now. Deleted
 *   messages are not matched.
 *
 * Edits on the network after matching do not re-evaluate the match (the stream shows the edited text).
 */
import { newId } from '../domain/ids';
import type { Executor } from '../jobs/job-queue';
import {
  activeListeningQueries,
  advanceWatermark,
  insertMatches,
  listenableMessagesByIds,
  matchedPairs,
  newestInboxMessageId,
  unlistenedMessageIds,
  workspacesWithActiveQueries,
  type ListenableMessage,
} from '../repositories/listening.repository';
import type { AppServices } from '../server/services';
import { listSentimentCorrections } from '../repositories/sentiment-corrections.repository';
import { modelForWorkspace, relabelsVersion } from '../sentiment/corrections';
import { createSentimentAnalyzer, type SentimentAnalyzer, type SentimentResult } from '../sentiment/sentiment-engine';
import type { ListeningMatchesTable, ListeningQueryRow } from './listening-tables';
import { compileQueryText, prepareMessage, type MessagePredicate } from './query-matcher';
import { checkSpikes, type SpikeCheckReport } from './listening-alerts';
import { searchListeningQueries, type SearchOptions } from './listening-search';

let analyzer: SentimentAnalyzer | null = null;
/** The shipped sentiment model, loaded on first use (loading reads the lexicons once per process). */
function sentimentAnalyzer(): SentimentAnalyzer {
  analyzer ??= createSentimentAnalyzer();
  return analyzer;
}

/** Scores a message's text; `lang` is the network's language tag, trusted when the engine knows it. */
export type MessageSentimentFn = (text: string, lang: string | null) => SentimentResult;

function scorer(a: SentimentAnalyzer): MessageSentimentFn {
  return (text, lang) => {
    const primary = lang?.toLowerCase().split(/[-_]/)[0];
    const known = primary === 'en' || primary === 'ru' || primary === 'sv' ? primary : undefined;
    return a.analyze(text, known ? { lang: known } : {});
  };
}

/** Sentiment with the shipped model only (no workspace corrections). */
export const messageSentiment: MessageSentimentFn = (text, lang) => scorer(sentimentAnalyzer())(text, lang);

// One analyser per workspace with relabels, rebuilt only when its relabels change.
const workspaceAnalyzers = new Map<string, { key: string; score: MessageSentimentFn }>();

/**
 * Sentiment as the workspace sees it: the shipped model plus what the workspace's relabels taught it
 * (src/sentiment/corrections.ts), so a relabelled message and its like are labelled as the team said.
 */
export async function workspaceSentiment(executor: Executor, workspaceId: string): Promise<MessageSentimentFn> {
  const relabels = await listSentimentCorrections(executor, workspaceId);
  if (relabels.length === 0) {
    workspaceAnalyzers.delete(workspaceId);
    return messageSentiment;
  }
  const key = relabelsVersion(relabels);
  const cached = workspaceAnalyzers.get(workspaceId);
  if (cached?.key === key) return cached.score;
  const model = modelForWorkspace(sentimentAnalyzer().model, relabels.map((r) => ({ text: r.text, label: r.label })));
  const score = scorer(createSentimentAnalyzer(model));
  workspaceAnalyzers.set(workspaceId, { key, score });
  return score;
}

/** Sweep tuning. */
export interface MatchOptions {
  /** Messages read per batch. */
  batchSize: number;
  /** Batches per call at most (the next sweep continues from the watermarks). */
  maxBatches: number;
  /** How far back a new query looks, by when messages were received. */
  backfillDays: number;
  /** How far behind its watermark each sweep re-reads. */
  overlapMs: number;
}

/** Defaults: batches of 1,000, at most 20 per call, 30 days of back-fill, 5 minutes of overlap. */
export const defaultMatchOptions: MatchOptions = { batchSize: 1000, maxBatches: 20, backfillDays: 30, overlapMs: 5 * 60_000 };

/** What one sweep of a workspace did. */
export interface MatchReport {
  queries: number;
  scanned: number;
  matched: number;
}

/** The smallest UUIDv7 of a millisecond: every id created at or after `ms` sorts above it. */
export function idFloor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7000-8000-000000000000`;
}

/** Milliseconds encoded in a UUIDv7. */
function idMs(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

// Per process and workspace: ids already evaluated that are still inside the re-read overlap.
const seenInOverlap = new Map<string, { signature: string; ids: Set<string> }>();

interface CompiledQuery {
  row: ListeningQueryRow;
  predicate: MessagePredicate;
}

// Compiled predicates by query text: ingestion may match every batch, parsing each time would be waste.
const compiled = new Map<string, MessagePredicate>();
const compiledMax = 5000;

function compileCached(text: string): MessagePredicate {
  let p = compiled.get(text);
  if (!p) {
    p = compileQueryText(text);
    if (compiled.size >= compiledMax) compiled.clear();
    compiled.set(text, p);
  }
  return p;
}

function compileAll(services: AppServices, rows: ListeningQueryRow[]): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  for (const row of rows) {
    try {
      out.push({ row, predicate: compileCached(row.query) });
    } catch (e) {
      // Only parsed queries are stored; a query the parser no longer accepts is skipped, not fatal.
      services.log.warn({ queryId: row.id, err: e }, 'listening query no longer parses; skipped');
    }
  }
  return out;
}

function messageTime(m: Pick<ListenableMessage, 'network_created_at' | 'received_at'>): string {
  // A clock running ahead on the network must not place a message in the future.
  return m.network_created_at < m.received_at ? m.network_created_at : m.received_at;
}

/**
 * How long after a query's change (`updated_at`) an ingest must have read the queries to count as
 * having matched against that version: covers the moment between stamping a change and committing it
 * (the use case re-stamps after a long change, src/use-cases/listening.use-case.ts) and small clock
 * differences between processes (clocks must agree within this). Messages inside it are matched again
 * by the sweep, which is harmless: matches are unique per query and message.
 */
export const queryCommitMarginMs = 5_000;

/** The instant after which an ingest's reading of the queries includes `q`'s current version. */
function seenAfter(q: CompiledQuery): string {
  return new Date(Date.parse(q.row.updated_at) + queryCommitMarginMs).toISOString();
}

/** The inbox's own verdict when the message has one (relabels applied at ingest), else scored now. */
function matchSentiment(m: ListenableMessage, sentimentOf: MessageSentimentFn): Pick<ListeningMatchesTable, 'sentiment_label' | 'sentiment_score' | 'sentiment_lang'> {
  if (m.sentiment_label !== null && m.sentiment_score !== null && m.sentiment_lang !== null) return { sentiment_label: m.sentiment_label, sentiment_score: m.sentiment_score, sentiment_lang: m.sentiment_lang };
  const s = sentimentOf(m.text, m.lang);
  return { sentiment_label: s.label, sentiment_score: s.score, sentiment_lang: s.lang };
}

function matchRows(messages: readonly ListenableMessage[], queries: CompiledQuery[], eligible: (q: CompiledQuery, m: ListenableMessage) => boolean, at: Date, sentimentOf: MessageSentimentFn): Array<ListeningMatchesTable> {
  const out: ListeningMatchesTable[] = [];
  for (const m of messages) {
    if (m.deleted_at) continue;
    const prepared = prepareMessage({ text: m.text, lang: m.lang, network: m.network, authorHandle: m.author_handle, kind: m.kind });
    let sentiment: Pick<ListeningMatchesTable, 'sentiment_label' | 'sentiment_score' | 'sentiment_lang'> | null = null;
    for (const q of queries) {
      if (!eligible(q, m) || !q.predicate(prepared)) continue;
      sentiment ??= matchSentiment(m, sentimentOf);
      out.push({
        id: newId(at.getTime()),
        workspace_id: m.workspace_id,
        query_id: q.row.id,
        message_id: m.id,
        message_created_at: messageTime(m),
        ...sentiment,
        matched_at: at.toISOString(),
      });
    }
  }
  return out;
}

/**
 * Match rows for messages an ingest stores, from the analysis it ran before its transaction
 * (src/inbox/inbound-analysis.ts): `hits` index into `queries`, the active queries it read. Deleted
 * messages are not matched; each match carries the message's stored sentiment.
 */
export function ingestMatchRows(messages: ReadonlyArray<{ message: ListenableMessage; hits: readonly number[] }>, queries: readonly ListeningQueryRow[], at: Date): ListeningMatchesTable[] {
  const out: ListeningMatchesTable[] = [];
  const matchedAt = at.toISOString();
  for (const { message: m, hits } of messages) {
    if (m.deleted_at || hits.length === 0) continue;
    const sentiment = matchSentiment(m, messageSentiment);
    for (const i of hits) {
      const q = queries[i];
      if (!q) continue;
      out.push({ id: newId(at.getTime()), workspace_id: m.workspace_id, query_id: q.id, message_id: m.id, message_created_at: messageTime(m), ...sentiment, matched_at: matchedAt });
    }
  }
  return out;
}

/** Sweeps one workspace: matches what ingest did not match against each active query's current version. */
export async function matchNewMessages(services: AppServices, workspaceId: string, options: Partial<MatchOptions> = {}): Promise<MatchReport> {
  const opts = { ...defaultMatchOptions, ...options };
  const db = services.database.db;
  const queries = compileAll(services, await activeListeningQueries(db, workspaceId));
  const report: MatchReport = { queries: queries.length, scanned: 0, matched: 0 };
  if (queries.length === 0) return report;
  const newest = await newestInboxMessageId(db, workspaceId);
  if (newest === null) return report;
  const now = services.now();
  const backfillFloor = idFloor(now.getTime() - opts.backfillDays * 86_400_000);
  // Each query's lower bound: re-read the overlap behind its watermark, or back-fill when new.
  const lower = new Map(queries.map((q) => [q.row.id, q.row.watermark_id ? idFloor(idMs(q.row.watermark_id) - opts.overlapMs) : backfillFloor]));
  // Messages an ingest matched after a query's last change need nothing from the sweep for that query;
  // only messages not matched against at least one query's current version are read.
  const seen = new Map(queries.map((q) => [q.row.id, seenAfter(q)]));
  const listenedAfter = [...seen.values()].reduce((a, b) => (a > b ? a : b));
  const listenedFor = (q: CompiledQuery, m: ListenableMessage) => m.listened_at !== null && m.listened_at > seen.get(q.row.id)!;
  let cursor = [...lower.values()].reduce((a, b) => (a < b ? a : b));
  const sentimentOf = await workspaceSentiment(db, workspaceId);
  // Overlap messages this process already evaluated against exactly these queries (same ids, same
  // texts) are skipped; any change to the set of queries starts the memory afresh.
  const signature = queries.map((q) => `${q.row.id}:${q.row.updated_at}:${q.row.query}`).join('|');
  let memory = seenInOverlap.get(workspaceId);
  if (memory?.signature !== signature) {
    memory = { signature, ids: new Set<string>() };
    seenInOverlap.set(workspaceId, memory);
  }
  const evaluated = memory.ids;
  for (const id of evaluated) if (id <= cursor) evaluated.delete(id);
  // Only batches holding ids this process has not evaluated count against `maxBatches`: when more than
  // maxBatches × batchSize unlistened messages fall inside the overlap, counting the re-read ones would
  // spend every sweep's budget on ids already matched and never reach new ones. The uncounted re-reads
  // are bounded by the messages inside the overlap window and load ids only.
  let complete = false;
  for (let batch = 0; batch < opts.maxBatches; ) {
    // Ids first: an idle sweep re-reading its overlap then loads no message text at all.
    const ids = await unlistenedMessageIds(db, workspaceId, { afterId: cursor, upToId: newest, listenedAfter, limit: opts.batchSize });
    if (ids.length === 0) {
      complete = true;
      break;
    }
    report.scanned += ids.length;
    const unseen = ids.filter((id) => !evaluated.has(id));
    const last = ids[ids.length - 1]!;
    if (unseen.length) {
      batch += 1;
      const fresh = await listenableMessagesByIds(db, workspaceId, unseen);
      // Messages at or below a query's watermark (late commits, or a restarted process) may be matched
      // already: only pairs not stored yet are new.
      const stored = await matchedPairs(db, workspaceId, fresh.filter((m) => queries.some((q) => q.row.watermark_id !== null && m.id <= q.row.watermark_id)).map((m) => m.id));
      const rows = matchRows(fresh, queries, (q, m) => m.id > lower.get(q.row.id)! && !listenedFor(q, m) && !stored.has(`${q.row.id}:${m.id}`), now, sentimentOf);
      await db.transaction().execute(async (trx) => {
        report.matched += await insertMatches(trx, rows);
        for (const q of queries) await advanceWatermark(trx, q.row.id, last);
      });
      for (const id of unseen) evaluated.add(id);
    }
    cursor = last;
    if (ids.length < opts.batchSize) {
      complete = true;
      break;
    }
  }
  // Everything up to `newest` that the sweep did not read was matched at ingest.
  if (complete) await db.transaction().execute(async (trx) => {
    for (const q of queries) await advanceWatermark(trx, q.row.id, newest);
  });
  if (report.matched) services.log.info({ workspaceId, ...report }, 'listening matched new messages');
  return report;
}

/** What one listening sweep did across workspaces. */
export interface ListeningSweepReport {
  /** Workspaces matched in this sweep. */
  workspaces: number;
  matched: number;
  /** Workspaces whose spikes were checked in this sweep. */
  spikeChecks: number;
  alerts: number;
  /** Workspaces whose network search round was started in the background (present only when one was). */
  searchRounds?: number;
}

/** How often the sweep matches and checks spikes per workspace (per process). */
export interface ListeningSweepOptions extends MatchOptions {
  matchEveryMs: number;
  spikeCheckEveryMs: number;
  /** How often a workspace's search cursors are looked at (each query+account has its own interval). */
  searchCheckEveryMs: number;
  /** Network search tuning (listening-search.ts); `false` turns network search off. */
  search: Partial<SearchOptions> | false;
}

/** Defaults: match every 15 s, check spikes every minute (the ingestion may also match at once). */
export const defaultSweepOptions: ListeningSweepOptions = { ...defaultMatchOptions, matchEveryMs: 15_000, spikeCheckEveryMs: 60_000, searchCheckEveryMs: 60_000, search: {} };

// Per process: when each workspace was last matched / checked. Several processes sweeping only repeat
// work that is idempotent (unique matches, alert dedupe keys).
const lastMatched = new Map<string, number>();
const lastChecked = new Map<string, number>();
const lastSearched = new Map<string, number>();
// Network search rounds running in the background, per workspace (at most one each).
const searchesInFlight = new Map<string, Promise<void>>();

/** Resolves when the network search rounds `listeningSweep` started have finished (shutdown, tests). */
export async function listeningSearchesSettled(): Promise<void> {
  while (searchesInFlight.size) await Promise.all([...searchesInFlight.values()]);
}

/**
 * The listening sweep for the scheduler: for every workspace with an active query, match new messages
 * (at most every `matchEveryMs`), check for spikes (at most every `spikeCheckEveryMs`) and start the
 * network searches that are due in the background (looked at every `searchCheckEveryMs`;
 * listening-search.ts; `listeningSearchesSettled` waits for them), so calling it
 * on every scheduler tick is cheap. One workspace failing does not stop the others.
 */
export async function listeningSweep(services: AppServices, options: Partial<ListeningSweepOptions> = {}): Promise<ListeningSweepReport> {
  const opts = { ...defaultSweepOptions, ...options };
  const out: ListeningSweepReport = { workspaces: 0, matched: 0, spikeChecks: 0, alerts: 0 };
  for (const workspaceId of await workspacesWithActiveQueries(services.database.db)) {
    const nowMs = services.now().getTime();
    try {
      if (nowMs - (lastMatched.get(workspaceId) ?? Number.NEGATIVE_INFINITY) >= opts.matchEveryMs) {
        lastMatched.set(workspaceId, nowMs);
        const m = await matchNewMessages(services, workspaceId, opts);
        out.workspaces += 1;
        out.matched += m.matched;
      }
      if (nowMs - (lastChecked.get(workspaceId) ?? Number.NEGATIVE_INFINITY) >= opts.spikeCheckEveryMs) {
        lastChecked.set(workspaceId, nowMs);
        const s: SpikeCheckReport = await checkSpikes(services, workspaceId);
        out.spikeChecks += 1;
        out.alerts += s.alerts.length;
      }
      // Network search waits on other servers: it runs in the background so the scheduler's tick (and
      // with it publishing) never waits for it; one round per workspace at a time.
      const search = opts.search;
      if (search !== false && !searchesInFlight.has(workspaceId) && nowMs - (lastSearched.get(workspaceId) ?? Number.NEGATIVE_INFINITY) >= opts.searchCheckEveryMs) {
        lastSearched.set(workspaceId, nowMs);
        const round = searchListeningQueries(services, workspaceId, search)
          .then(() => undefined)
          .catch((e: unknown) => services.log.error({ err: e, workspaceId }, 'listening search round failed'))
          .finally(() => searchesInFlight.delete(workspaceId));
        searchesInFlight.set(workspaceId, round);
        out.searchRounds = (out.searchRounds ?? 0) + 1;
      }
    } catch (e) {
      services.log.error({ err: e, workspaceId }, 'listening sweep failed for a workspace');
    }
  }
  return out;
}
