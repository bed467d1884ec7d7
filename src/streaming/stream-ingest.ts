/**
 * The one door from a live stream into the inbox: the inbound sync's batch store
 * (`ingestInboundBatch`, src/inbox/ingest-batch.ts: dedupe on account + network id, edits, deletions,
 * threads, the inbox workflow and `inbox.message.received` events, in one transaction), so a message
 * that arrives by stream and again by polling is stored once, whichever comes first.
 */
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { ingestInboundBatch, type IngestBatchReport } from '../inbox/ingest-batch';
import { analyzeInbound } from '../inbox/inbound-analysis';
import type { AppServices } from '../server/services';

/**
 * Stores one streamed batch of one account in its own transaction. Streamed messages are live, never
 * a back-fill (`ingestInboundBatch` reads a null `inbound_cursor` as the account's back-fill), so they
 * get SLA targets and notifications even before the account's first poll has run.
 */
export async function ingestStreamed(services: AppServices, account: AccountRow, items: InboundMessage[]): Promise<IngestBatchReport> {
  if (!items.length) return { received: 0, edited: 0, deleted: 0 };
  const live: AccountRow = account.inbound_cursor === null ? { ...account, inbound_cursor: '' } : account;
  // Scored and matched before the transaction, as the inbound sync does.
  const analysis = await analyzeInbound(services, services.database.db, account, items);
  const nowIso = services.now().toISOString();
  return services.database.db.transaction().execute((trx) => ingestInboundBatch(services, trx, live, items, nowIso, analysis));
}
