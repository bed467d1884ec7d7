/**
 * For jsdom screen tests: a connector with id 'bluesky' whose `validate` is the real, shared Bluesky
 * validator, and whose connect/publish stay in process (the token `alice` connects as alice.test).
 */
import { z } from 'zod';
import type { Connector } from '../../../src/connectors/connector';
import { validateBlueskyVariant } from '../../../src/connectors/bluesky/bluesky-validate';

export const blueskyValidatingTestConnector: Connector<{ token: string }, { token: string }> = {
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
};
