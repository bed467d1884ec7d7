/**
 * The connector model. A connector is one folder per network exposing a small required interface
 * (id, auth, validate, publish) plus optional capabilities. Generic code (engine, API, CLI, UI) works
 * only through this interface and never branches on a network id.
 */
import type { z } from 'zod';

/** The failure taxonomy the generic worker acts on. */
export const failureKinds = ['retryable', 'auth_expired', 'invalid_content', 'rate_limited', 'disconnected'] as const;
export type FailureKind = (typeof failureKinds)[number];

/**
 * A connector failure. `outcomeUnknown` means the request may have reached the network (a timeout or
 * reset after sending): the engine must check whether the post exists before any re-send.
 */
export class ConnectorError extends Error {
  constructor(
    public readonly kind: FailureKind,
    message: string,
    public readonly opts: { retryAfterMs?: number; outcomeUnknown?: boolean; networkCode?: string; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** A credential field the account form renders from the connector's declaration. */
export interface CredentialField {
  name: string;
  label: string;
  type: 'text' | 'password' | 'url';
  required: boolean;
  placeholder?: string;
  help?: string;
}

/** Limits the generic worker enforces for every account of this network. */
export interface ConnectorLimits {
  /** Publishing attempts in flight per account at once (across all workers). */
  maxConcurrentPerAccount: number;
  /** Publish requests allowed per account per window. */
  publishRate: { count: number; windowMs: number };
  /** Budget shared by all accounts of one `rateGroup` (e.g. a bot token's overall limit). */
  groupRate?: { count: number; windowMs: number };
}

/** One problem with a post variant, in words a person understands. */
export interface ValidationIssue {
  code: string;
  message: string;
  field?: 'text' | 'media' | 'link' | 'langs' | 'poll' | 'thread' | 'options';
  index?: number;
}

/** The `herald validate --json` contract: length in the network's own unit. */
export interface ValidationResult {
  network: string;
  length: number;
  max: number;
  unit: string;
  valid: boolean;
  errors: ValidationIssue[];
}

/** A media item as the connector sees it. */
export interface MediaItem {
  mimeType: string;
  sizeBytes: number;
  alt: string;
  data?: Buffer;
}

/** A native poll (or quiz), for networks that have them (`supports.polls`). */
export interface PollSpec {
  /** Question; networks without a separate question use the post text. */
  question?: string;
  options: string[];
  multiple?: boolean;
  /** How long the poll stays open; networks with fixed or no durations document what they do. */
  durationSeconds?: number;
  /** Quiz mode (Telegram): the index of the right answer. */
  correctOptionIndex?: number;
}

/** What one target wants to publish. */
export interface PostVariant {
  text: string;
  link?: string | null;
  langs?: string[];
  media?: MediaItem[];
  /** Native poll (`supports.polls`). */
  poll?: PollSpec | null;
  /** Follow-up posts published as a reply chain under the first one (`supports.threads`). */
  thread?: string[];
  /**
   * Network-specific options the connector declares in `optionFields` and checks in `validate`
   * (content warning, visibility, silent, pinned, "from group", …). Generic code only stores them.
   */
  options?: Record<string, unknown>;
}

/** A network-specific post option the composer renders from the connector's declaration. */
export interface OptionField {
  name: string;
  label: string;
  type: 'text' | 'boolean' | 'select';
  /** For `select`. */
  choices?: Array<{ value: string; label: string }>;
  default?: string | boolean;
  help?: string;
}

/** What a network supports, for the composer, the account form and the README table. */
export interface ConnectorSupports {
  /** Most media items per post (0 = text only). */
  maxMedia: number;
  /** MIME types accepted, e.g. `image/*`, `video/mp4`. */
  mediaTypes: string[];
  polls: boolean;
  threads: boolean;
}

/** The account as a connector needs it: decrypted credentials and the last session it saved. */
export interface AccountAuth<Cred = unknown, Session = unknown> {
  accountId: string;
  externalId: string;
  handle: string;
  serviceUrl: string | null;
  credentials: Cred;
  session: Session | null;
}

/** What connecting an account yields. */
export interface ConnectedAccount<Session = unknown> {
  externalId: string;
  handle: string;
  displayName: string | null;
  serviceUrl: string | null;
  session: Session;
  /** When the credentials stop working unless renewed by the user (null/absent = no known expiry). */
  expiresAt?: string | null;
  /**
   * Limits this account's server announces (e.g. a Mastodon server's max characters, media count,
   * poll options). Stored with the account and passed back to `validate` (also in the browser).
   */
  networkLimits?: Record<string, number>;
}

/** What `validate` may know about the account a variant is for. */
export interface ValidationContext {
  /** The account's stored `networkLimits` (absent = the connector's defaults). */
  networkLimits?: Record<string, number> | null;
}

/** What publishing (or finding an earlier publish) yields. */
export interface PublishResult {
  externalId: string;
  url: string | null;
}

/** I/O a connector may use; injected so tests route it to local peers and can forbid anything else. */
export interface ConnectorContext<Session = unknown> {
  fetch: typeof fetch;
  /**
   * Persist a refreshed session (sealed at rest by the caller). `expiresAt` updates when the
   * account's credentials stop working without the user (null = no known expiry; absent = unchanged).
   */
  saveSession(session: Session, meta?: { expiresAt?: string | null }): Promise<void>;
  /** Aborts slow requests; connectors must pass it to fetch. */
  signal?: AbortSignal;
  defaultServiceUrl: string;
}

/** An inbound message (comment, reply, mention, quote, direct message) as a connector reports it. */
export interface InboundMessage {
  /** The network's id, unique within the account. */
  externalId: string;
  kind: 'comment' | 'reply' | 'mention' | 'quote' | 'dm';
  /** What it answers (a post or another comment), when it answers something. */
  parentExternalId: string | null;
  /** The account's own published post the conversation belongs to, when known. */
  rootExternalId: string | null;
  author: { externalId: string; handle: string; displayName: string | null; followers?: number | null };
  /** Plain text (HTML stripped); always rendered as text. */
  text: string;
  url: string | null;
  /** ISO instant the network gives. */
  createdAt: string;
  lang?: string | null;
  editedAt?: string | null;
  /** The network reports the message deleted. */
  deleted?: boolean;
}

/** Reading and answering comments, replies and mentions. */
export interface CommentsCapability<Cred = unknown, Session = unknown> {
  /**
   * Inbound messages since `cursor` (null = first sync: back-fill as far as the network allows).
   * `posts` are the account's recently published posts, for networks that list comments per post.
   * Returns the cursor to pass next time; re-delivering an item is fine (Herald deduplicates).
   */
  fetch(
    input: { auth: AccountAuth<Cred, Session>; cursor: string | null; posts: Array<{ externalId: string; publishedAt: string }> },
    ctx: ConnectorContext<Session>,
  ): Promise<{ items: InboundMessage[]; cursor: string | null }>;
  /** Replies on the network, threaded under `parentExternalId`. */
  reply(
    input: { auth: AccountAuth<Cred, Session>; parentExternalId: string; rootExternalId: string | null; text: string; idempotencyKey: string },
    ctx: ConnectorContext<Session>,
  ): Promise<PublishResult>;
}

/**
 * Direct (private) messages to the account. Herald groups them into one conversation per
 * correspondent (the message's author) and answers them privately, never in public.
 */
export interface DirectMessagesCapability<Cred = unknown, Session = unknown> {
  /**
   * New direct messages since `cursor` (null = first sync), as `kind: 'dm'` items; Herald keeps this
   * cursor apart from the comments cursor. Absent when the connector's `comments.fetch` already
   * delivers direct messages (as `kind: 'dm'`) in the same pass — networks with one update stream per
   * account (a bot's getUpdates, a notification list) must have one reader only.
   */
  fetch?(input: { auth: AccountAuth<Cred, Session>; cursor: string | null }, ctx: ConnectorContext<Session>): Promise<{ items: InboundMessage[]; cursor: string | null }>;
  /**
   * Answers a direct message privately. `messageExternalId` is the message being answered;
   * `correspondent` its author. `idempotencyKey` is stable across retries of one reply.
   */
  send(
    input: { auth: AccountAuth<Cred, Session>; messageExternalId: string; correspondent: { externalId: string; handle: string }; text: string; idempotencyKey: string },
    ctx: ConnectorContext<Session>,
  ): Promise<PublishResult>;
}

/** A message as a moderation action sees it. */
export interface ModeratedMessage {
  externalId: string;
  kind: InboundMessage['kind'];
  parentExternalId: string | null;
  rootExternalId: string | null;
  authorExternalId: string;
  /** Whether the message answers (directly or deeper) one of the account's own posts. */
  underOwnPost: boolean;
}

/** One moderation action a network allows, and on which messages. */
export interface ModerationAction<Cred = unknown, Session = unknown> {
  /** Message kinds the network allows this on. */
  kinds: Array<InboundMessage['kind']>;
  /** Only on messages under the account's own posts (e.g. hiding replies in one's own thread). */
  ownPostsOnly?: boolean;
  run(input: { auth: AccountAuth<Cred, Session>; message: ModeratedMessage }, ctx: ConnectorContext<Session>): Promise<void>;
}

/**
 * Hiding and deleting other people's messages on the network (only what the network lets the account
 * do), and deleting the account's own replies sent from the inbox. Each part is optional: the inbox
 * offers exactly what a connector declares.
 */
export interface ModerationCapability<Cred = unknown, Session = unknown> {
  /** Hides the message from others on the network (it still exists). */
  hide?: ModerationAction<Cred, Session>;
  /** Undoes `hide`. */
  unhide?: ModerationAction<Cred, Session>;
  /** Removes someone's message from the network. */
  delete?: ModerationAction<Cred, Session>;
  /** Brings back a message this account deleted (where the network keeps it for a while). */
  restore?: ModerationAction<Cred, Session>;
  /** Deletes one of the account's own replies (by its network id). */
  deleteReply?(input: { auth: AccountAuth<Cred, Session>; externalId: string; parentExternalId: string }, ctx: ConnectorContext<Session>): Promise<void>;
}

/** Counts for one published post; a count the network does not give stays null/absent, never 0. */
export interface PostMetrics {
  views?: number | null;
  reach?: number | null;
  likes?: number | null;
  comments?: number | null;
  shares?: number | null;
  quotes?: number | null;
  saves?: number | null;
  clicks?: number | null;
  pollVotes?: number | null;
  videoViews?: number | null;
}

/** Counts for the account itself. */
export interface AccountMetrics {
  followers: number | null;
  following?: number | null;
  posts?: number | null;
}

/** Reading counts from the network. */
export interface MetricsCapability<Cred = unknown, Session = unknown> {
  account(input: { auth: AccountAuth<Cred, Session> }, ctx: ConnectorContext<Session>): Promise<AccountMetrics>;
  /** Counts per external id; ids the network no longer knows are left out. */
  posts(input: { auth: AccountAuth<Cred, Session>; externalIds: string[] }, ctx: ConnectorContext<Session>): Promise<Record<string, PostMetrics>>;
}

/** A public account as a network shows it to anyone (no sign-in). */
export interface PublicAccount {
  /** The network's stable id (a DID on Bluesky, the account id on its home Mastodon server). */
  externalId: string;
  handle: string;
  displayName: string | null;
  followers: number | null;
  /** Where the account's public data is read (e.g. its home Mastodon server); null = the connector's default. */
  serviceUrl: string | null;
  /** The profile page people open. */
  url: string | null;
}

/** Content types of a public post (the analytics vocabulary). */
export type PublicPostContentType = 'text' | 'photo' | 'carousel' | 'video' | 'link' | 'poll' | 'repost';

/** A public post with the counts the network shows; a count it does not give stays null, never 0. */
export interface PublicPost {
  externalId: string;
  url: string | null;
  /** ISO instant. */
  createdAt: string;
  /** Plain text. */
  text: string;
  contentType: PublicPostContentType;
  /** Without `#`, each once. */
  hashtags: string[];
  likes: number | null;
  shares: number | null;
  comments: number | null;
  quotes: number | null;
  views: number | null;
}

/** I/O for reading public data (nothing is signed in). */
export interface PublicDataContext {
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Reading any public account (competitor benchmarking). `lookup` accepts what people paste: a handle
 * (with or without @) or a profile URL; an account that does not exist is `invalid_content`.
 */
export interface PublicDataCapability {
  /** `serviceUrl`: where the account was found before (a refresh), for networks with many servers. */
  lookup(input: { query: string; serviceUrl?: string | null }, ctx: PublicDataContext): Promise<PublicAccount>;
  /** The account's recent public posts, newest first (at most `limit`; reposts included as `repost`). */
  posts(input: { account: Pick<PublicAccount, 'externalId' | 'handle' | 'serviceUrl'>; limit: number }, ctx: PublicDataContext): Promise<PublicPost[]>;
}

/**
 * One thing to search a network for (listening): a word, an exact phrase (several words in order), or
 * every post by an author. The connector writes it in the network's own search syntax.
 */
export type SearchTerm = { type: 'text'; words: string[] } | { type: 'author'; handle: string };

/** A public post a network search found; shaped like an InboundMessage without the thread fields. */
export interface SearchResultItem {
  /** The network's id of the post (unique on the network). */
  externalId: string;
  author: { externalId: string; handle: string; displayName: string | null; followers?: number | null };
  /** Plain text (HTML stripped); always rendered as text. */
  text: string;
  url: string | null;
  /** ISO instant the network gives. */
  createdAt: string;
  lang?: string | null;
}

/**
 * Searching public posts with an account's access (listening). One call searches one term; results
 * may be a superset (Herald filters them with the listening query) and may repeat across calls.
 */
export interface SearchCapability<Cred = unknown, Session = unknown> {
  /**
   * Posts matching `term` written at or after `since` (null = as far back as the network's search
   * goes), newest first, at most `limit`; `lang` narrows by language where the network can.
   */
  search(
    input: { auth: AccountAuth<Cred, Session>; term: SearchTerm; since: string | null; lang: string | null; limit: number },
    ctx: ConnectorContext<Session>,
  ): Promise<{ items: SearchResultItem[] }>;
}

/** Storage for per-server OAuth app registrations (Mastodon registers one app per server). */
export interface OAuthAppStore {
  get(serviceUrl: string): Promise<Record<string, string> | null>;
  put(serviceUrl: string, app: Record<string, string>): Promise<void>;
}

/** Context of the OAuth steps: I/O plus the app store. */
export interface OAuthContext {
  fetch: typeof fetch;
  signal?: AbortSignal;
  apps: OAuthAppStore;
}

/**
 * Connecting by OAuth 2 authorization code (with PKCE where the network supports it). Herald makes
 * the state and the PKCE pair, stores them, sends the user to `authorizeUrl`, and on the callback
 * calls `finish`, whose credentials then go through the ordinary `connect`.
 */
export interface OAuthCapability<Cred = unknown> {
  /** False when the operator has not configured the app credentials the flow needs (the reason says which). */
  available(): { ok: true } | { ok: false; reason: string };
  /** Whether the user must name a server (Mastodon) before starting. */
  needsServiceUrl: boolean;
  /** Extra fields the user fills in before starting (e.g. VK: the community to post to); given to `begin` as `fields`. */
  startFields?: CredentialField[];
  begin(
    input: { serviceUrl: string | null; redirectUri: string; state: string; codeChallenge: string; fields?: Record<string, string> },
    ctx: OAuthContext,
  ): Promise<{ authorizeUrl: string; keep?: Record<string, string> }>;
  /** Exchanges the code; `params` are the callback's other query parameters (e.g. VK ID's device_id). */
  finish(
    input: { serviceUrl: string | null; redirectUri: string; code: string; codeVerifier: string; keep: Record<string, string>; params: Record<string, string> },
    ctx: OAuthContext,
  ): Promise<Cred>;
}

/** I/O of a stream subscription (see {@link StreamCapability}). */
export interface StreamContext {
  /** For the few HTTP look-ups a stream may need (e.g. resolving an author's handle). */
  fetch: typeof fetch;
  /** Aborted to close the subscription: the iterator must end soon after, without throwing. */
  signal: AbortSignal;
  /** The connector's default service, for accounts stored without one. */
  defaultServiceUrl: string;
  /** Call once the upstream connection is established (before any event arrives). */
  opened(): void;
}

/** What a subscription yields: messages for the accounts it serves, and where to resume after them. */
export interface StreamBatch {
  /** New or edited messages, each for the Herald account (`AccountAuth.accountId`) it concerns. */
  items: Array<{ accountId: string; message: InboundMessage }>;
  /**
   * Network ids of things deleted upstream that may be inbox messages of any account served (the
   * stream often cannot tell whose); Herald marks those it holds as deleted and ignores the rest.
   */
  deleted?: string[];
  /** Resume point after this batch; null when the upstream cannot resume (see `resumable`). */
  cursor: string | null;
}

/**
 * Live inbound messages (the network pushes them) next to the polling `comments.fetch`. A stream
 * delivers the same `InboundMessage`s as `comments.fetch` (same `externalId`s), so Herald's dedupe
 * makes the two paths agree; polling keeps running as back-fill and safety net. One subscription may
 * serve many accounts: every account with the same `upstream` key shares it (one firehose socket per
 * relay or server, not one per account).
 */
export interface StreamCapability<Cred = unknown, Session = unknown> {
  /** True when `open` can resume from a cursor without gaps; false = Herald polls after every (re)connect. */
  resumable: boolean;
  /** The upstream this account's messages come from (e.g. its PDS or a relay URL; a server plus account). */
  upstream(auth: AccountAuth<Cred, Session>, ctx: Pick<StreamContext, 'defaultServiceUrl'>): string;
  /**
   * True when `upstream` carries what the account's polling finds (a relay, a per-account notification
   * stream); false when it sees only part of it (a PDS's own firehose carries only the authors that PDS
   * hosts). Polling is put off while a complete stream is healthy and keeps its usual interval beside a
   * partial one, so replies from elsewhere are not left to a slow safety-net poll.
   */
  complete(upstream: string): boolean;
  /**
   * Subscribes to `upstream` from `cursor` (null = from now) and yields batches until `ctx.signal`
   * aborts (then it returns) or the connection fails (then it throws, a ConnectorError where it can;
   * Herald reconnects with backoff from the last cursor it stored). It may yield batches without items
   * just to move the cursor. `accounts()` is read as events arrive: accounts join and leave while the
   * subscription runs.
   */
  open(input: { upstream: string; cursor: string | null; accounts: () => ReadonlyArray<AccountAuth<Cred, Session>> }, ctx: StreamContext): AsyncIterable<StreamBatch>;
}

/** The required interface plus optional capabilities. */
export interface Connector<Cred = unknown, Session = unknown> {
  id: string;
  displayName: string;
  /** Unit `validate` measures length in, e.g. "graphemes". */
  lengthUnit: string;
  credentialFields: CredentialField[];
  credentialsSchema: z.ZodType<Cred>;
  limits: ConnectorLimits;
  supports: ConnectorSupports;
  /** Network-specific post options for the composer (validated by `validate`). */
  optionFields?: OptionField[];
  /**
   * Accounts that share one rate budget beyond the per-account one (e.g. all chats of one Telegram
   * bot). The generic worker takes a slot from `limits.groupRate` under this key as well.
   */
  rateGroup?(auth: AccountAuth<Cred, Session>): string;
  oauth?: OAuthCapability<Cred>;
  comments?: CommentsCapability<Cred, Session>;
  /** Direct messages: reading (or classifying in the comments pass) and answering them privately. */
  directMessages?: DirectMessagesCapability<Cred, Session>;
  /** Hiding/deleting messages on the network and deleting own replies. */
  moderation?: ModerationCapability<Cred, Session>;
  metrics?: MetricsCapability<Cred, Session>;
  /** Reading public accounts and their posts without signing in (competitors). */
  publicData?: PublicDataCapability;
  /** Searching public posts for listening queries (with the account's access). */
  search?: SearchCapability<Cred, Session>;
  /** Live inbound messages pushed by the network (next to polling `comments`). */
  stream?: StreamCapability<Cred, Session>;
  /** Verifies credentials with the network and returns the account and a session to store. */
  connect(credentials: Cred, ctx: ConnectorContext<Session>): Promise<ConnectedAccount<Session>>;
  /**
   * Pure, synchronous validation; the same code runs in the API, the CLI, the worker and the UI (so the
   * function must live in a browser-safe module: no node: imports). Checks poll/thread/options too.
   */
  validate(variant: PostVariant, context?: ValidationContext): ValidationResult;
  /**
   * Publishes. `idempotencyKey` is stable for a target across retries and crashes: a connector that
   * can make re-sends harmless with it must.
   */
  publish(input: { auth: AccountAuth<Cred, Session>; variant: PostVariant; idempotencyKey: string; createdAt: string }, ctx: ConnectorContext<Session>): Promise<PublishResult>;
  /**
   * Existence check after an unknown outcome: the published post, or null when it is not there.
   * `variant` is what the target was publishing, for networks that can only recognise a post by its
   * content (Mastodon); callers pass it when they have it.
   */
  findPublished?(input: { auth: AccountAuth<Cred, Session>; idempotencyKey: string; createdAt: string; variant?: PostVariant }, ctx: ConnectorContext<Session>): Promise<PublishResult | null>;
  /** Deletes a published post on the network. */
  delete?(input: { auth: AccountAuth<Cred, Session>; externalId: string }, ctx: ConnectorContext<Session>): Promise<void>;
}

/** A connector with its type parameters erased, as the registry stores it. */
export type AnyConnector = Connector<unknown, unknown>;
