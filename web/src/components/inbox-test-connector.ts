/**
 * For jsdom tests of the inbox and listening screens: a connector with id 'bluesky' whose `validate`
 * is the real, shared Bluesky validator and whose `comments` capability stays in process — a test
 * queues the messages the next inbound sync receives and reads the replies sent — so messages go
 * through Herald's real ingestion (dedupe, threads, sentiment, workflow) and replies through the real
 * use case. The token `alice` connects as alice.test.
 */
import { z } from 'zod';
import type { Connector, InboundMessage } from '../../../src/connectors/connector';
import { validateBlueskyVariant } from '../../../src/connectors/bluesky/bluesky-validate';

/** A reply the connector was asked to send. */
export interface SentTestReply {
  parentExternalId: string;
  rootExternalId: string | null;
  text: string;
  idempotencyKey: string;
}

/** The connector plus its controls. */
export interface InboxTestNetwork {
  connector: Connector<{ token: string }, { token: string }>;
  /** Messages the next sync of the account `handle` receives. */
  queue(handle: string, messages: InboundMessage[]): void;
  replies: SentTestReply[];
  /** The next reply fails with this error (after reaching the network, when `outcomeUnknown`). */
  failNextReply(error: Error): void;
}

/** A fresh in-process network; `replyDelayMs` keeps a reply in flight that long (a second press lands meanwhile). */
export function inboxTestNetwork(replyDelayMs = 50): InboxTestNetwork {
  const pending = new Map<string, InboundMessage[]>();
  const replies: SentTestReply[] = [];
  let failure: Error | null = null;
  const connector: InboxTestNetwork['connector'] = {
    id: 'bluesky',
    displayName: 'Bluesky',
    lengthUnit: 'graphemes',
    credentialFields: [{ name: 'token', label: 'Token', type: 'password', required: true }],
    credentialsSchema: z.object({ token: z.string().min(1) }).strict(),
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
    supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },
    async connect(c) {
      return { externalId: `did:plc:${c.token}`, handle: `${c.token}.test`, displayName: null, serviceUrl: null, session: { token: c.token } };
    },
    validate: validateBlueskyVariant,
    async publish() {
      return { externalId: 'x', url: null };
    },
    comments: {
      async fetch({ auth }) {
        const items = pending.get(auth.handle) ?? [];
        pending.delete(auth.handle);
        return { items, cursor: String(Date.now()) };
      },
      async reply(input) {
        if (failure) {
          const e = failure;
          failure = null;
          throw e;
        }
        replies.push({ parentExternalId: input.parentExternalId, rootExternalId: input.rootExternalId, text: input.text, idempotencyKey: input.idempotencyKey });
        await new Promise((r) => setTimeout(r, replyDelayMs));
        return { externalId: `at://reply/${replies.length}`, url: `https://bsky.app/profile/alice.test/post/r${replies.length}` };
      },
    },
  };
  return {
    connector,
    queue(handle, messages) {
      pending.set(handle, [...(pending.get(handle) ?? []), ...messages]);
    },
    replies,
    failNextReply(error) {
      failure = error;
    },
  };
}

/** An inbound message with defaults for a test. */
export function inbound(externalId: string, kind: InboundMessage['kind'], text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    externalId,
    kind,
    parentExternalId: null,
    rootExternalId: null,
    author: { externalId: `did:plc:${externalId}`, handle: `${externalId}.fan.test`, displayName: null, followers: 3 },
    text,
    url: `https://bsky.app/profile/x/post/${externalId}`,
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    ...extra,
  };
}
