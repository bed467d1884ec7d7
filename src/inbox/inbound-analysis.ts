/**
 * The CPU-bound part of ingest, done before a batch's transaction opens and, with
 * HERALD_ANALYSIS_THREADS > 0, on worker threads (src/inbox/inbound-analysis-pool.ts): language and
 * sentiment with the workspace's relabels, and which of the workspace's active listening queries each
 * item matches. The transaction that stores the batch then only dedupes, threads and writes, so one
 * process keeps its database writer busy while another core scores the next batch.
 *
 * The analysis is a pure function of the request (texts, query texts, relabels): the same on the main
 * thread and on a worker, and the same as scoring each stored message afterwards.
 */
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import type { Executor } from '../jobs/job-queue';
import type { ListeningQueryRow } from '../listening/listening-tables';
import { compileQueryText, prepareMessage, type MessagePredicate } from '../listening/query-matcher';
import { activeListeningQueries } from '../repositories/listening.repository';
import { listSentimentCorrections } from '../repositories/sentiment-corrections.repository';
import type { AppServices } from '../server/services';
import { modelForWorkspace, relabelsVersion } from '../sentiment/corrections';
import { createSentimentAnalyzer, type SentimentAnalyzer, type SentimentLabel } from '../sentiment/sentiment-engine';
import { loadDefaultModel } from '../sentiment/sentiment-model';

/**
 * Text as stored: NUL (which PostgreSQL text cannot hold) becomes U+FFFD, so one hostile comment
 * cannot stop an account's sync. Everything else is kept as the network sent it and shown as text.
 */
export function storable(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

/** One item as analysis sees it (the stored form of its text and author). */
export interface AnalysisItem {
  text: string;
  /** The network's language tag, trusted when the sentiment engine knows the language. */
  lang: string | null;
  network: string;
  authorHandle: string;
  kind: string;
}

/** What to analyse: plain data, so it can cross to a worker thread. */
export interface AnalysisRequest {
  /** Identifies the workspace's relabels (empty: none); analysers are cached by it. */
  relabelsKey: string;
  relabels: Array<{ text: string; label: SentimentLabel }>;
  /** The active listening queries' texts; `hits` index into this list. */
  queries: string[];
  items: AnalysisItem[];
}

/** The verdict on one item. */
export interface ItemAnalysis {
  label: SentimentLabel;
  score: number;
  lang: string;
  /** Indexes of the queries (in the request's order) the item matches. */
  hits: number[];
}

/** Runs analysis requests somewhere (this thread or worker threads). */
export interface AnalysisRunner {
  run(request: AnalysisRequest): Promise<ItemAnalysis[]>;
  close(): Promise<void>;
}

const primaryLang = (lang: string | null) => {
  const p = lang?.toLowerCase().split(/[-_]/)[0];
  return p === 'en' || p === 'ru' || p === 'sv' ? p : undefined;
};

// Per thread: analysers by relabels key and compiled queries by text, both bounded.
const analyzersMax = 64;
const predicatesMax = 5000;

/** An analysis function with its own caches (one per thread). */
export function createItemAnalyzer(): (request: AnalysisRequest) => ItemAnalysis[] {
  const analyzers = new Map<string, SentimentAnalyzer>();
  const predicates = new Map<string, MessagePredicate | null>();
  const analyzerFor = (request: AnalysisRequest): SentimentAnalyzer => {
    let a = analyzers.get(request.relabelsKey);
    if (!a) {
      a = request.relabels.length ? createSentimentAnalyzer(modelForWorkspace(loadDefaultModel(), request.relabels)) : createSentimentAnalyzer();
      if (analyzers.size >= analyzersMax) analyzers.clear();
      analyzers.set(request.relabelsKey, a);
    }
    return a;
  };
  const predicateFor = (text: string): MessagePredicate | null => {
    let p = predicates.get(text);
    if (p === undefined) {
      try {
        p = compileQueryText(text);
      } catch {
        // Only parsed queries are stored; one the parser no longer accepts matches nothing (the sweep logs it).
        p = null;
      }
      if (predicates.size >= predicatesMax) predicates.clear();
      predicates.set(text, p);
    }
    return p;
  };
  return (request) => {
    const analyzer = analyzerFor(request);
    const queries = request.queries.map(predicateFor);
    return request.items.map((item) => {
      const lang = primaryLang(item.lang);
      const s = analyzer.analyze(item.text, lang ? { lang } : {});
      const hits: number[] = [];
      if (queries.length) {
        const prepared = prepareMessage({ text: item.text, lang: item.lang, network: item.network, authorHandle: item.authorHandle, kind: item.kind });
        queries.forEach((q, i) => {
          if (q?.(prepared)) hits.push(i);
        });
      }
      return { label: s.label, score: s.score, lang: s.lang, hits };
    });
  };
}

let inline: ((request: AnalysisRequest) => ItemAnalysis[]) | null = null;

/** Analysis on the calling thread (HERALD_ANALYSIS_THREADS=0, and the fallback). */
export const inlineAnalysis: AnalysisRunner = {
  run: async (request) => (inline ??= createItemAnalyzer())(request),
  close: async () => undefined,
};

/** A batch's analysis: per item (same order as the items), with the queries it was matched against. */
export interface InboundAnalysis {
  /** When the active queries were read (stored as each new message's `listened_at`). */
  listenedAt: string;
  queries: ListeningQueryRow[];
  items: ItemAnalysis[];
}

/**
 * Reads what analysing the account's `items` needs (its active listening queries and sentiment
 * relabels) on `executor` and analyses them on `services.analysis` (worker threads) or here. Call it
 * before opening the transaction that stores them; the queries are read after `listenedAt` is taken,
 * so a query changed later is one the sweep still checks (src/listening/listening-matching.ts).
 */
export async function analyzeInbound(services: AppServices, executor: Executor, account: Pick<AccountRow, 'workspace_id' | 'network'>, items: readonly InboundMessage[]): Promise<InboundAnalysis> {
  const workspaceId = account.workspace_id;
  const listenedAt = services.now().toISOString();
  if (items.length === 0) return { listenedAt, queries: [], items: [] };
  const queries = await activeListeningQueries(executor, workspaceId);
  const relabels = await listSentimentCorrections(executor, workspaceId);
  const version = relabelsVersion(relabels);
  const request: AnalysisRequest = {
    relabelsKey: version && `${workspaceId}:${version}`,
    relabels: relabels.map((r) => ({ text: r.text, label: r.label })),
    queries: queries.map((q) => q.query),
    items: items.map((i) => ({ text: storable(i.text), lang: i.lang ?? null, network: account.network, authorHandle: storable(i.author.handle), kind: i.kind })),
  };
  return { listenedAt, queries, items: await (services.analysis ?? inlineAnalysis).run(request) };
}
