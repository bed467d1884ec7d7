/**
 * The one door from a live stream into the inbox: the inbound sync's own store (dedupe on account +
 * network id, edits, deletions, threads, the inbox workflow and `inbox.message.received` events, all
 * in one transaction), so a message that arrives by stream and again by polling is stored once.
 */
import type { InboundMessage } from '../connectors/connector';
import type { AccountRow } from '../db/schema';
import { ingestInboundItems } from '../inbox/inbound-sync';
import type { AppServices } from '../server/services';

/** What one streamed batch changed for the account. */
export interface StreamIngestReport {
  received: number;
  edited: number;
  deleted: number;
}

/**
 * Stores streamed items of one account. Streamed messages are live, never a back-fill: they are
 * stored as a later sync's would be even before the account's first poll has run.
 */
export async function ingestStreamed(services: AppServices, account: AccountRow, items: InboundMessage[]): Promise<StreamIngestReport> {
  if (!items.length) return { received: 0, edited: 0, deleted: 0 };
  return ingestInboundItems(services, account, items, { backfill: false });
}
