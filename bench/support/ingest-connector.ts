/**
 * An in-process connector for bench/ingest whose `comments.fetch` hands out prepared batches of real
 * posts, one batch per call, per account. It stands in for the network only: everything after the
 * fetch (dedupe, threads, sentiment, rules, events, storage) is Herald's real inbound sync. No HTTP,
 * so the figures measure Herald and the database, not a network peer.
 */
import { z } from 'zod';
import { ConnectorError, type Connector, type InboundMessage } from '../../src/connectors/connector';

/** The connector plus the queue the bench fills: account id → batches still to deliver. */
export interface IngestBenchConnector {
  connector: Connector<{ handle: string }, { handle: string }>;
  queue: Map<string, InboundMessage[][]>;
}

/** Builds the connector with network id `id`. */
export function ingestBenchConnector(id: string): IngestBenchConnector {
  const queue = new Map<string, InboundMessage[][]>();
  const connector: Connector<{ handle: string }, { handle: string }> = {
    id,
    displayName: 'Ingest bench network',
    lengthUnit: 'characters',
    supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
    credentialFields: [{ name: 'handle', label: 'Handle', type: 'text', required: true }],
    credentialsSchema: z.object({ handle: z.string().min(1) }),
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 100, windowMs: 60_000 } },
    async connect(credentials) {
      return { externalId: `acct-${credentials.handle}`, handle: credentials.handle, displayName: credentials.handle, serviceUrl: null, session: { handle: credentials.handle } };
    },
    validate(variant) {
      return { network: id, length: [...variant.text].length, max: 10_000, unit: 'characters', valid: true, errors: [] };
    },
    async publish() {
      throw new ConnectorError('invalid_content', 'the ingest bench network does not publish');
    },
    comments: {
      async fetch({ auth, cursor }) {
        const batches = queue.get(auth.accountId) ?? [];
        const items = batches.shift() ?? [];
        return { items, cursor: String(Number(cursor ?? 0) + (items.length ? 1 : 0)) };
      },
      async reply() {
        throw new ConnectorError('invalid_content', 'the ingest bench network does not reply');
      },
    },
  };
  return { connector, queue };
}
