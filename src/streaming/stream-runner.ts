/**
 * The stream runner (worker role): keeps one live subscription per upstream for the accounts whose
 * connector declares `stream`, and feeds what arrives into the same ingest as the polling sync.
 *
 * - Every `refreshMs` it reads the `ok` accounts of streaming connectors, groups them by
 *   `stream.upstream(auth)` and opens, updates or closes subscriptions (accounts join and leave a
 *   running subscription without a reconnect).
 * - One process streams an upstream at a time: a lease row (`stream-lease:<network> <upstream>` in
 *   `rate_limit_windows`) is taken and renewed every refresh; a process that loses it closes the socket.
 * - Messages go through `ingestStreamed` (the inbound sync's store: dedupe on account + network id,
 *   threads, workflow, events), grouped per account; deletions are applied only to messages Herald holds.
 * - The cursor is stored after every batch with messages and otherwise at most every `cursorSaveMs`;
 *   a restart resumes from it (re-delivered events are deduplicated).
 * - A failed or closed connection is reopened after a backoff with jitter (base doubling to the cap;
 *   reset once the connection delivered something); `invalid_content` from the connector means the
 *   stored cursor is refused, so it is dropped and the stream opens from now.
 * - Polling keeps running as back-fill and safety net: right after each (re)connect of a stream that
 *   cannot resume the accounts' `sync-inbound` is enqueued (it covers the gap), and while a
 *   subscription that carries everything (`stream.complete(upstream)`) is healthy its accounts' next
 *   poll is put off to `healthyPollMs` after their last one; beside a partial one polling keeps its pace.
 * Nothing here knows a network: everything network-specific is behind `StreamCapability`.
 */
import type { AccountAuth, AnyConnector, InboundMessage, StreamBatch } from '../connectors/connector';
import { ConnectorError } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { backoffDelayMs } from '../publishing/backoff';
import { accountAuth } from '../publishing/connector-context';
import { syncInboundJobKey, syncInboundTask } from '../inbox/inbound-sync';
import { dueKey, releaseLease, takeUntil } from '../repositories/sync-schedule.repository';
import { deferDueRow, liveMessagesAmong, loadStreamCursor, renewLease, saveStreamCursor, streamableAccounts, streamCursorKey } from '../repositories/stream-cursors.repository';
import type { AppServices } from '../server/services';
import { ingestStreamed } from './stream-ingest';

/** Tunables; production uses the defaults, tests pass small values. */
export interface StreamRunnerOptions {
  /** How often accounts are re-read and leases renewed. */
  refreshMs: number;
  /** How long a lease holds without renewal (a crashed process's upstreams move on after this). */
  leaseMs: number;
  /** Reconnect backoff. */
  backoff: { baseMs: number; capMs: number };
  /** Least time between two stores of a cursor that moved without messages. */
  cursorSaveMs: number;
  /** While a stream is healthy, an account is polled this long after its last poll (instead of the usual interval). */
  healthyPollMs: number;
}

const defaults: StreamRunnerOptions = {
  refreshMs: 15_000,
  leaseMs: 60_000,
  backoff: { baseMs: 1_000, capMs: 5 * 60_000 },
  cursorSaveMs: 5_000,
  healthyPollMs: 15 * 60_000,
};

/** What one subscription is doing (for logs, `status()` and tests). */
export interface StreamStatus {
  network: string;
  upstream: string;
  accountIds: string[];
  /** The connection is open (and has not failed since). */
  connected: boolean;
  /** Last cursor seen (stored at most `cursorSaveMs` later). */
  cursor: string | null;
  /** Connections opened so far (1 = never reconnected). */
  connections: number;
  /** Messages handed to the ingest so far. */
  messages: number;
  lastError: string | null;
}

/** A running runner. */
export interface StreamRunner {
  status(): StreamStatus[];
  /** Re-reads accounts now (also runs every `refreshMs`). */
  refresh(): Promise<void>;
  /** Closes every subscription (their last cursors are stored) and releases the leases. */
  stop(): Promise<void>;
}

interface Subscription {
  status: StreamStatus;
  connector: AnyConnector;
  accounts: Map<string, { row: AccountRow; auth: AccountAuth }>;
  abort: AbortController;
  leaseKey: string;
  leaseUntil: string;
  done: Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Starts the runner; call `stop()` on shutdown. */
export function startStreamRunner(services: AppServices, overrides: Partial<StreamRunnerOptions> = {}): StreamRunner {
  const opts: StreamRunnerOptions = { ...defaults, ...overrides };
  const db = services.database.db;
  const subs = new Map<string, Subscription>();
  const stopping = new AbortController();
  let refreshing: Promise<void> | null = null;
  /** The due time each account's poll was last put off to (so an unchanged one is not written again). */
  const deferred = new Map<string, string>();
  const log = services.log.child({ component: 'stream-runner' });
  const iso = (ms = 0) => new Date(services.now().getTime() + ms).toISOString();

  async function ingest(sub: Subscription, batch: StreamBatch): Promise<void> {
    const byAccount = new Map<string, InboundMessage[]>();
    for (const { accountId, message } of batch.items) {
      if (!sub.accounts.has(accountId)) continue; // left while the event was in flight
      byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), message]);
    }
    if (batch.deleted?.length) {
      for (const m of await liveMessagesAmong(db, [...sub.accounts.keys()], batch.deleted)) {
        const gone: InboundMessage = { externalId: m.external_id, kind: 'comment', parentExternalId: null, rootExternalId: null, author: { externalId: '', handle: '', displayName: null }, text: '', url: null, createdAt: iso(), deleted: true };
        byAccount.set(m.account_id, [...(byAccount.get(m.account_id) ?? []), gone]);
      }
    }
    for (const [accountId, items] of byAccount) {
      const entry = sub.accounts.get(accountId);
      if (!entry) continue;
      const r = await ingestStreamed(services, entry.row, items);
      sub.status.messages += items.length;
      if (r.received || r.edited || r.deleted) log.info({ accountId, network: sub.status.network, ...r }, 'streamed messages stored');
    }
  }

  /** Enqueues `sync-inbound` for the subscription's accounts now (keyed: an already waiting job stays one). */
  async function pollNow(sub: Subscription): Promise<void> {
    for (const accountId of sub.accounts.keys()) {
      await services.queue.enqueue(syncInboundTask, { accountId }, { runAt: services.now(), key: syncInboundJobKey(accountId), maxAttempts: 3 });
    }
  }

  async function run(sub: Subscription): Promise<void> {
    const { network, upstream } = sub.status;
    const stream = sub.connector.stream!;
    let failures = 0;
    let lastSave = 0;
    let saved: string | null = null;
    const save = async (cursor: string | null, force: boolean) => {
      if (cursor === saved || (!force && Date.now() - lastSave < opts.cursorSaveMs)) return;
      await saveStreamCursor(db, network, upstream, cursor, iso());
      saved = cursor;
      lastSave = Date.now();
    };
    while (!sub.abort.signal.aborted) {
      const cursor = stream.resumable ? await loadStreamCursor(db, network, upstream) : null;
      saved = cursor;
      let delivered = false;
      try {
        const batches = stream.open(
          { upstream, cursor, accounts: () => [...sub.accounts.values()].map((a) => a.auth) },
          {
            fetch: services.fetch,
            signal: sub.abort.signal,
            defaultServiceUrl: services.config.blueskyDefaultService,
            opened: () => {
              sub.status.connected = true;
              sub.status.connections += 1;
              log.info({ network, upstream, cursor, accounts: sub.accounts.size }, 'stream connected');
              if (!stream.resumable) void pollNow(sub).catch((e: unknown) => log.warn({ err: e, network, upstream }, 'enqueueing the catch-up poll failed'));
            },
          },
        );
        for await (const batch of batches) {
          delivered = true;
          failures = 0;
          if (batch.items.length || batch.deleted?.length) await ingest(sub, batch);
          // A batch without a cursor (an event the upstream did not number) keeps the last one.
          if (batch.cursor === null) continue;
          sub.status.cursor = batch.cursor;
          if (stream.resumable) await save(batch.cursor, batch.items.length > 0);
        }
        if (!sub.abort.signal.aborted) throw new ConnectorError('retryable', 'the stream ended');
      } catch (e) {
        if (sub.abort.signal.aborted) break;
        sub.status.connected = false;
        failures = delivered ? 1 : failures + 1;
        sub.status.lastError = e instanceof Error ? e.message : String(e);
        if (e instanceof ConnectorError && e.kind === 'invalid_content' && stream.resumable) {
          log.warn({ network, upstream, message: e.message }, 'the stream refused its cursor; opening from now');
          await saveStreamCursor(db, network, upstream, null, iso()).catch(() => undefined);
        }
        // Full jitter, but never a tight loop against an upstream that refuses at once; the
        // connector's Retry-After (e.g. a server without a streaming API) is a floor.
        const floor = e instanceof ConnectorError && e.opts.retryAfterMs ? e.opts.retryAfterMs : Math.floor(opts.backoff.baseMs / 4);
        const wait = Math.max(floor, backoffDelayMs(failures, opts.backoff));
        log.warn({ network, upstream, failures, retryInMs: wait, kind: e instanceof ConnectorError ? e.kind : undefined, message: sub.status.lastError }, 'stream interrupted; reconnecting');
        await sleep(wait, sub.abort.signal);
      }
    }
    sub.status.connected = false;
    if (stream.resumable && sub.status.cursor !== null) await save(sub.status.cursor, true).catch((e: unknown) => log.warn({ err: e, network, upstream }, 'storing the last cursor failed'));
  }

  async function close(key: string, sub: Subscription): Promise<void> {
    subs.delete(key);
    sub.abort.abort();
    await sub.done;
    await releaseLease(db, sub.leaseKey, sub.leaseUntil).catch(() => undefined);
  }

  async function refreshOnce(): Promise<void> {
    const streaming = services.connectors.list().filter((c) => c.stream !== undefined);
    const byId = new Map(streaming.map((c) => [c.id, c]));
    const wanted = new Map<string, { connector: AnyConnector; upstream: string; accounts: Map<string, { row: AccountRow; auth: AccountAuth }> }>();
    for (const row of await streamableAccounts(db, [...byId.keys()])) {
      const connector = byId.get(row.network)!;
      let auth: AccountAuth;
      let upstream: string;
      try {
        auth = accountAuth(services, row);
        upstream = connector.stream!.upstream(auth, { defaultServiceUrl: services.config.blueskyDefaultService });
      } catch (e) {
        log.warn({ err: e, accountId: row.id }, 'account cannot stream (credentials unreadable)');
        continue;
      }
      const key = streamCursorKey(row.network, upstream);
      const w = wanted.get(key) ?? { connector, upstream, accounts: new Map() };
      w.accounts.set(row.id, { row, auth });
      wanted.set(key, w);
    }
    for (const [key, sub] of subs) if (!wanted.has(key)) await close(key, sub);
    for (const [key, w] of wanted) {
      if (stopping.signal.aborted) return;
      const sub = subs.get(key);
      if (sub) {
        const until = iso(opts.leaseMs);
        if (!(await renewLease(db, sub.leaseKey, sub.leaseUntil, until))) {
          log.info({ network: sub.status.network, upstream: sub.status.upstream }, 'stream lease lost to another process; closing');
          await close(key, sub);
          continue;
        }
        sub.leaseUntil = until;
        sub.accounts = w.accounts;
        sub.status.accountIds = [...w.accounts.keys()];
        continue;
      }
      const leaseKey = `stream-lease:${key}`;
      const leaseUntil = iso(opts.leaseMs);
      if (!(await takeUntil(db, leaseKey, iso(), leaseUntil))) continue; // another process streams it
      const created: Subscription = {
        status: { network: w.connector.id, upstream: w.upstream, accountIds: [...w.accounts.keys()], connected: false, cursor: null, connections: 0, messages: 0, lastError: null },
        connector: w.connector,
        accounts: w.accounts,
        abort: new AbortController(),
        leaseKey,
        leaseUntil,
        done: Promise.resolve(),
      };
      subs.set(key, created);
      created.done = run(created).catch((e: unknown) => log.error({ err: e, network: created.status.network, upstream: created.status.upstream }, 'stream runner loop failed'));
    }
    // Polling is the safety net: while a complete stream is healthy its accounts are polled less often.
    for (const sub of subs.values()) {
      if (!sub.status.connected || !sub.connector.stream!.complete(sub.status.upstream)) continue;
      for (const { row } of sub.accounts.values()) {
        if (!row.inbound_synced_at) continue;
        const at = new Date(Date.parse(row.inbound_synced_at) + opts.healthyPollMs).toISOString();
        if (deferred.get(row.id) === at) continue; // changes only when the account was polled again
        await deferDueRow(db, dueKey(syncInboundTask, row.id), at);
        deferred.set(row.id, at);
      }
    }
  }

  const refresh = () =>
    (refreshing ??= refreshOnce()
      .catch((e: unknown) => log.error({ err: e }, 'stream refresh failed'))
      .finally(() => {
        refreshing = null;
      }));

  const timer = setInterval(() => void refresh(), opts.refreshMs);
  timer.unref();
  void refresh();

  return {
    status: () => [...subs.values()].map((s) => ({ ...s.status, accountIds: [...s.status.accountIds] })),
    refresh,
    async stop() {
      stopping.abort();
      clearInterval(timer);
      await refreshing;
      await Promise.all([...subs.entries()].map(([key, sub]) => close(key, sub)));
    },
  };
}
