/**
 * The Bluesky (AT Protocol) connector. It talks XRPC over plain `ctx.fetch` to the account's PDS
 * (no @atproto/api: its current releases need Node 22), signs in with an app password, keeps the
 * session fresh, and publishes app.bsky.feed.post records under a record key derived from the
 * target's idempotency key, so a re-send can never create a second post. It also reads replies,
 * mentions and quotes (`comments`, from the AppView's notifications), answers them in their threads,
 * and reads counts (`metrics`); see bluesky-engagement.ts for the cursor and back-fill rules.
 *
 * createdAt: the record's `createdAt` is `input.createdAt` (the target's creation/scheduling time the
 * engine passes), normalised to ISO 8601. It is the same on every attempt, which keeps the record
 * key — whose timestamp bits come from it — and the record itself stable across retries.
 */
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type ConnectedAccount,
  type Connector,
  type ConnectorContext,
  type MediaItem,
  type PostVariant,
  type PublishResult,
  type ValidationResult,
} from '../connector';
import { parseRecordUri } from './atproto-syntax';
import {
  BlueskyClient,
  XrpcResponseError,
  isAuthError,
  normaliseServiceUrl,
  toConnectorError,
  type BlueskyConnectorOptions,
  type BlueskyCredentials,
  type BlueskySession,
  type ResolvedBlueskyOptions,
} from './bluesky-client';
import { accountMetrics, backfillLimit, fetchInbound, postMetrics, postUrl, replyRefs, toReadError } from './bluesky-engagement';
import { detectFacets, resolveMentions, type Facet } from './bluesky-text';
import { tidFromIdempotencyKey } from './bluesky-tid';
import { BLUESKY_MAX_IMAGES, BLUESKY_MAX_IMAGE_BYTES, BLUESKY_MAX_LANGS, isHttpUrl, validateBlueskyVariant } from './bluesky-validate';
import { createBlueskyPublicData } from './bluesky-public';
import { searchPosts } from './bluesky-search';
import { blueskyModeration } from './bluesky-moderation';
import { blueskyDirectMessages } from './bluesky-chat';

export { BLUESKY_MAX_IMAGES, BLUESKY_MAX_IMAGE_BYTES, BLUESKY_MAX_LANGS };
export type { BlueskyConnectorOptions, BlueskyCredentials, BlueskySession };

const POST_COLLECTION = 'app.bsky.feed.post';

const httpUrl = isHttpUrl;

const credentialsSchema = z.object({
  identifier: z
    .string()
    .trim()
    .min(1, 'Enter your Bluesky handle, DID or e-mail address')
    .transform((v) => v.replace(/^@/, '')),
  appPassword: z.string().trim().min(1, 'Enter an app password'),
  serviceUrl: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || httpUrl(v), 'The service URL must be an http(s) address, e.g. https://bsky.social')
    .transform((v) => (v ? v.replace(/\/+$/, '') : undefined)),
});

// ---------------------------------------------------------------------------------------------------
// Validation

/** Shared with the web composer (bluesky-validate.ts is browser-safe). */
const validateVariant: (variant: PostVariant) => ValidationResult = validateBlueskyVariant;

// ---------------------------------------------------------------------------------------------------
// Publishing

interface BlobRef {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
}

function serviceFor(auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>): string {
  return normaliseServiceUrl(auth.serviceUrl ?? auth.credentials.serviceUrl ?? ctx.defaultServiceUrl);
}

async function resolveHandleVia(client: BlueskyClient, handle: string): Promise<string | null> {
  try {
    const a = await client.call<{ did?: unknown }>({ method: 'GET', nsid: 'com.atproto.identity.resolveHandle', params: { handle }, write: false });
    return typeof a.did === 'string' ? a.did : null;
  } catch (e) {
    // "Unable to resolve handle" is an answer (no such account): that mention stays plain text.
    if (e instanceof XrpcResponseError && e.status === 400) return null;
    throw toConnectorError(e, `look up the mentioned handle @${handle}`, false);
  }
}

async function getPostRecord(client: BlueskyClient, did: string, rkey: string): Promise<{ uri: string } | null> {
  try {
    const a = await client.call<{ uri?: unknown }>({
      method: 'GET',
      nsid: 'com.atproto.repo.getRecord',
      params: { repo: did, collection: POST_COLLECTION, rkey },
      write: false,
    });
    return { uri: typeof a.uri === 'string' ? a.uri : `at://${did}/${POST_COLLECTION}/${rkey}` };
  } catch (e) {
    if (e instanceof XrpcResponseError && (e.code === 'RecordNotFound' || e.status === 404)) return null;
    throw toConnectorError(e, 'check whether the post exists', false);
  }
}

async function buildRecord(client: BlueskyClient, session: BlueskySession, variant: PostVariant, createdAt: string): Promise<Record<string, unknown>> {
  const text = variant.text ?? '';
  const facets: Facet[] = await resolveMentions(detectFacets(text), (h) => resolveHandleVia(client, h));
  const record: Record<string, unknown> = { $type: POST_COLLECTION, text, createdAt };
  if (facets.length) record.facets = facets;
  if (variant.langs?.length) record.langs = variant.langs;
  const media = variant.media ?? [];
  if (media.length) {
    const images: Array<{ image: BlobRef; alt: string }> = [];
    for (const [i, m] of media.entries()) images.push({ image: await uploadImage(client, session, m, i), alt: m.alt ?? '' });
    record.embed = { $type: 'app.bsky.embed.images', images };
  } else if (variant.link) {
    // No page fetch (Herald never requests arbitrary URLs): the card shows the host as its title.
    record.embed = { $type: 'app.bsky.embed.external', external: { uri: variant.link, title: new URL(variant.link).hostname, description: '' } };
  }
  return record;
}

async function uploadImage(client: BlueskyClient, session: BlueskySession, m: MediaItem, index: number): Promise<BlobRef> {
  if (!m.data) throw new ConnectorError('invalid_content', `Image ${index + 1} has no data to upload`);
  const a = await client.call<{ blob?: BlobRef }>({
    method: 'POST',
    nsid: 'com.atproto.repo.uploadBlob',
    bytes: { data: m.data, mimeType: m.mimeType },
    token: session.accessJwt,
    // An unreferenced blob is garbage-collected by the PDS: a repeated upload is harmless.
    write: false,
    timeoutMs: client.opts.uploadTimeoutMs,
  });
  if (!a.blob || a.blob.$type !== 'blob') throw new ConnectorError('retryable', `The Bluesky server did not return a blob reference for image ${index + 1}`);
  return a.blob;
}

/**
 * Creates the post record under `rkey` and returns its URI. A PDS answers a create on an existing key
 * with an error (the reference PDS: HTTP 500): when the record is there, an earlier attempt made it
 * and this one is done.
 */
async function createPostRecord(client: BlueskyClient, session: BlueskySession, rkey: string, record: Record<string, unknown>): Promise<string> {
  try {
    const a = await client.call<{ uri?: unknown }>({
      method: 'POST',
      nsid: 'com.atproto.repo.createRecord',
      json: { repo: session.did, collection: POST_COLLECTION, rkey, record },
      token: session.accessJwt,
      write: true,
    });
    return typeof a.uri === 'string' ? a.uri : `at://${session.did}/${POST_COLLECTION}/${rkey}`;
  } catch (e) {
    if (isAuthError(e) || (e instanceof XrpcResponseError && e.status === 429)) throw e;
    let existing: { uri: string } | null = null;
    try {
      existing = await getPostRecord(client, session.did, rkey);
    } catch {
      existing = null;
    }
    if (existing) return existing.uri;
    throw e;
  }
}

/**
 * When a reply was first attempted, from its idempotency key: Herald's keys are UUIDv7, whose first
 * 48 bits are the creation time in milliseconds, so every re-send of one reply carries the same
 * `createdAt` and record key. Other keys get null.
 */
export function keyTime(idempotencyKey: string): string | null {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.exec(idempotencyKey);
  if (!m) return null;
  const ms = parseInt(m[1]! + m[2]!, 16);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

/** The fixed second a record key's time comes from when the key carries no time of its own. */
const keylessEpoch = '2024-01-01T00:00:00.000Z';

/** Builds a Bluesky connector; `blueskyConnector` is the production instance. */
export function createBlueskyConnector(options: BlueskyConnectorOptions = {}): Connector<BlueskyCredentials, BlueskySession> {
  const opts: ResolvedBlueskyOptions = {
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 60_000,
    appviewProxy: options.appviewProxy?.trim() || null,
    inboundBackfillLimit: Math.max(1, Math.trunc(options.inboundBackfillLimit ?? backfillLimit)),
    notificationsPageSize: Math.min(100, Math.max(1, Math.trunc(options.notificationsPageSize ?? 100))),
    deletionRecheckMs: Math.max(0, options.deletionRecheckMs ?? 10 * 60_000),
  };

  const clientFor = (auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>) =>
    new BlueskyClient(ctx, serviceFor(auth, ctx), auth.credentials, auth.session, opts);

  return {
    id: 'bluesky',
    displayName: 'Bluesky',
    lengthUnit: 'graphemes',
    credentialFields: [
      { name: 'identifier', label: 'Handle or e-mail', type: 'text', required: true, placeholder: 'alice.bsky.social', help: 'Your Bluesky handle (without @), DID or account e-mail address.' },
      { name: 'appPassword', label: 'App password', type: 'password', required: true, placeholder: 'xxxx-xxxx-xxxx-xxxx', help: 'Create one in Bluesky under Settings → Privacy and security → App passwords. Do not use your main password.' },
      { name: 'serviceUrl', label: 'Hosting provider (PDS) URL', type: 'url', required: false, placeholder: 'https://bsky.social', help: 'Leave empty for accounts hosted by Bluesky; fill in for a self-hosted PDS.' },
    ],
    credentialsSchema: credentialsSchema as z.ZodType<BlueskyCredentials>,
    // The PDS serialises writes to one repository anyway; creates cost 3 of 5,000 points per hour.
    limits: { maxConcurrentPerAccount: 2, publishRate: { count: 1600, windowMs: 3_600_000 } },
    supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },

    async connect(credentials, ctx): Promise<ConnectedAccount<BlueskySession>> {
      const serviceUrl = normaliseServiceUrl(credentials.serviceUrl || ctx.defaultServiceUrl);
      const client = new BlueskyClient(ctx, serviceUrl, credentials, null, opts);
      const session = await client.login();
      let displayName: string | null = null;
      try {
        // Only an AppView knows profiles; a bare PDS may not answer this, which is fine.
        const p = await client.call<{ displayName?: unknown }>({
          method: 'GET',
          nsid: 'app.bsky.actor.getProfile',
          params: { actor: session.did },
          token: session.accessJwt,
          proxy: opts.appviewProxy,
          write: false,
          timeoutMs: Math.min(opts.requestTimeoutMs, 5_000),
        });
        displayName = typeof p.displayName === 'string' && p.displayName.trim() ? p.displayName : null;
      } catch {
        displayName = null;
      }
      return { externalId: session.did, handle: session.handle, displayName, serviceUrl, session };
    },

    validate: validateVariant,

    async publish(input, ctx): Promise<PublishResult> {
      const check = validateVariant(input.variant);
      if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
      let rkey: string;
      let createdAt: string;
      try {
        rkey = tidFromIdempotencyKey(input.idempotencyKey, input.createdAt);
        createdAt = new Date(input.createdAt).toISOString();
      } catch (e) {
        throw new ConnectorError('invalid_content', `The post's creation time "${input.createdAt}" is not a valid time`, { cause: e });
      }
      const client = clientFor(input.auth, ctx);
      const did = input.auth.externalId;
      const result = (uri: string): PublishResult => ({ externalId: uri, url: postUrl(client.session?.handle ?? input.auth.handle ?? did, rkey) });

      try {
        return await client.authed(async (session) => {
          const record = await buildRecord(client, session, input.variant, createdAt);
          return result(await createPostRecord(client, session, rkey, record));
        });
      } catch (e) {
        throw toConnectorError(e, 'publish the post', true);
      }
    },

    async findPublished(input, ctx): Promise<PublishResult | null> {
      let rkey: string;
      try {
        rkey = tidFromIdempotencyKey(input.idempotencyKey, input.createdAt);
      } catch (e) {
        throw new ConnectorError('invalid_content', `The post's creation time "${input.createdAt}" is not a valid time`, { cause: e });
      }
      const client = clientFor(input.auth, ctx);
      const found = await getPostRecord(client, input.auth.externalId, rkey);
      return found ? { externalId: found.uri, url: postUrl(input.auth.handle || input.auth.externalId, rkey) } : null;
    },

    comments: {
      async fetch(input, ctx) {
        const client = clientFor(input.auth, ctx);
        try {
          return await client.authed((session) => fetchInbound(client, session, input.cursor));
        } catch (e) {
          throw toReadError(e, 'read notifications');
        }
      },

      async reply(input, ctx): Promise<PublishResult> {
        const parent = parseRecordUri(input.parentExternalId);
        if (!parent || parent.collection !== POST_COLLECTION) {
          throw new ConnectorError('invalid_content', `"${input.parentExternalId}" is not the address of a Bluesky post, so there is nothing to reply to`);
        }
        const check = validateVariant({ text: input.text });
        if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
        // Same record key on every re-send of this reply: a second attempt finds the first one's record.
        const stamped = keyTime(input.idempotencyKey);
        const rkey = tidFromIdempotencyKey(input.idempotencyKey, stamped ?? keylessEpoch);
        const createdAt = stamped ?? new Date().toISOString();
        const client = clientFor(input.auth, ctx);
        try {
          return await client.authed(async (session) => {
            let refs: Awaited<ReturnType<typeof replyRefs>>;
            try {
              refs = await replyRefs(client, session, input.parentExternalId);
            } catch (e) {
              // A refused token goes back to `authed` to renew; other read failures sent nothing yet.
              if (isAuthError(e)) throw e;
              throw toReadError(e, 'look up the post being replied to');
            }
            if (!refs) throw new ConnectorError('invalid_content', 'The post you are replying to no longer exists on Bluesky');
            const record = await buildRecord(client, session, { text: input.text }, createdAt);
            record.reply = refs;
            const uri = await createPostRecord(client, session, rkey, record);
            return { externalId: uri, url: postUrl(client.session?.handle ?? input.auth.handle ?? session.did, rkey) };
          });
        } catch (e) {
          throw toConnectorError(e, 'reply', true);
        }
      },
    },

    // Hiding replies under our posts (threadgate) and deleting our replies: bluesky-moderation.ts.
    moderation: blueskyModeration(clientFor),
    // Direct messages through Bluesky chat, only when a chat service is configured: bluesky-chat.ts.
    ...(options.chatProxy?.trim() ? { directMessages: blueskyDirectMessages(clientFor, options.chatProxy.trim()) } : {}),

    search: {
      async search(input, ctx) {
        const client = clientFor(input.auth, ctx);
        try {
          return await client.authed((session) => searchPosts(client, session, input));
        } catch (e) {
          throw toReadError(e, 'search posts');
        }
      },
    },

    metrics: {
      async account(input, ctx) {
        const client = clientFor(input.auth, ctx);
        try {
          return await client.authed((session) => accountMetrics(client, session, input.auth.externalId || session.did));
        } catch (e) {
          throw toReadError(e, 'read the profile counts');
        }
      },
      async posts(input, ctx) {
        const client = clientFor(input.auth, ctx);
        try {
          return await client.authed((session) => postMetrics(client, session, input.externalIds));
        } catch (e) {
          throw toReadError(e, 'read the post counts');
        }
      },
    },

    async delete(input, ctx): Promise<void> {
      const parsed = parseRecordUri(input.externalId);
      if (!parsed || parsed.collection !== POST_COLLECTION) {
        throw new ConnectorError('invalid_content', `"${input.externalId}" is not the address of a Bluesky post`);
      }
      const client = clientFor(input.auth, ctx);
      try {
        await client.authed(async (session) => {
          if (parsed.repo !== session.did && parsed.repo !== input.auth.externalId) {
            throw new ConnectorError('invalid_content', `The post ${input.externalId} belongs to another account`);
          }
          try {
            await client.call({
              method: 'POST',
              nsid: 'com.atproto.repo.deleteRecord',
              json: { repo: session.did, collection: POST_COLLECTION, rkey: parsed.rkey },
              token: session.accessJwt,
              write: true,
            });
          } catch (e) {
            // Already gone is what we wanted.
            if (e instanceof XrpcResponseError && e.code === 'RecordNotFound') return;
            throw e;
          }
        });
      } catch (e) {
        throw toConnectorError(e, 'delete the post', true);
      }
    },
  };
}

/** The production Bluesky connector. */
export const blueskyConnector: Connector<BlueskyCredentials, BlueskySession> = createBlueskyConnector();
// Competitors: public profiles and posts from Bluesky's unauthenticated AppView (bluesky-public.ts).
blueskyConnector.publicData = createBlueskyPublicData();
