/**
 * A connector for tests of the generic poll/thread/options, server-limit and token-expiry paths: it
 * speaks to the loopback network (real HTTP), declares polls, threads, two options, a group rate,
 * OAuth (unavailable), comments and metrics, reads `networkLimits.maxCharacters` in `validate`, and
 * records every variant it publishes so tests can see exactly what the worker handed it.
 */
import type { AccountAuth, Connector, PostVariant, ValidationIssue } from '../../src/connectors/connector';
import { loopbackConnector, type LoopbackConnectorOptions } from './loopback-network';

type Cred = { handle: string; password: string };
type Session = { token: string };

/** Options of the extras connector. */
export interface ExtrasConnectorOptions extends LoopbackConnectorOptions {
  /** What connect reports as the server's limits (default `{ maxCharacters: 500 }`). */
  networkLimits?: Record<string, number>;
  /** What connect reports as the credentials' expiry, computed at connect time (default none). */
  expiresAt?: () => string | null;
  /** Accounts whose handle starts with the same letter share one rate group (`group-<letter>`). */
  groupRate?: { count: number; windowMs: number };
}

/** The connector and the variants it published, in order. */
export interface ExtrasConnector {
  connector: Connector<Cred, Session>;
  published: Array<{ handle: string; idempotencyKey: string; variant: PostVariant }>;
}

/** Builds the extras connector on top of the loopback connector at `baseUrl`. */
export function extrasConnector(baseUrl: string, opts: ExtrasConnectorOptions = {}): ExtrasConnector {
  const base = loopbackConnector(baseUrl, { id: 'extras', ...opts });
  const published: ExtrasConnector['published'] = [];
  const connector: Connector<Cred, Session> = {
    ...base,
    id: opts.id ?? 'extras',
    displayName: 'Extras',
    supports: { maxMedia: 2, mediaTypes: ['image/png', 'image/jpeg'], polls: true, threads: true },
    optionFields: [
      { name: 'silent', label: 'Send silently', type: 'boolean', default: false },
      {
        name: 'visibility',
        label: 'Visibility',
        type: 'select',
        choices: [
          { value: 'public', label: 'Public' },
          { value: 'unlisted', label: 'Unlisted' },
        ],
        default: 'public',
      },
    ],
    limits: { ...base.limits, ...(opts.groupRate ? { groupRate: opts.groupRate } : {}) },
    ...(opts.groupRate ? { rateGroup: (auth: AccountAuth<Cred, Session>) => `group-${auth.handle.slice(0, 1)}` } : {}),
    oauth: {
      available: () => ({ ok: false, reason: 'Set HERALD_EXTRAS_CLIENT_ID to connect by signing in' }),
      needsServiceUrl: true,
      begin: async () => {
        throw new Error('not configured');
      },
      finish: async () => {
        throw new Error('not configured');
      },
    },
    comments: {
      fetch: async () => ({ items: [], cursor: null }),
      reply: async () => {
        throw new Error('not used');
      },
    },
    metrics: { account: async () => ({ followers: null }), posts: async () => ({}) },
    async connect(credentials, ctx) {
      const c = await base.connect(credentials, ctx);
      return { ...c, networkLimits: opts.networkLimits ?? { maxCharacters: 500 }, expiresAt: opts.expiresAt?.() ?? null };
    },
    validate(variant, context) {
      const max = context?.networkLimits?.maxCharacters ?? 1000;
      const errors: ValidationIssue[] = [];
      const length = [...variant.text].length;
      if (length > max) errors.push({ code: 'too_long', message: `The text is ${length} characters; this server allows ${max}`, field: 'text' });
      if (variant.poll && variant.poll.options.length > (context?.networkLimits?.maxPollOptions ?? 4)) {
        errors.push({ code: 'poll_options', message: `At most ${context?.networkLimits?.maxPollOptions ?? 4} poll options`, field: 'poll' });
      }
      return { network: 'extras', length, max, unit: 'characters', valid: errors.length === 0, errors };
    },
    async publish(input, ctx) {
      published.push({ handle: input.auth.handle, idempotencyKey: input.idempotencyKey, variant: input.variant });
      return base.publish(input, ctx);
    },
  };
  return { connector, published };
}
