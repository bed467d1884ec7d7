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
}

/** One problem with a post variant, in words a person understands. */
export interface ValidationIssue {
  code: string;
  message: string;
  field?: 'text' | 'media' | 'link' | 'langs';
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

/** What one target wants to publish. */
export interface PostVariant {
  text: string;
  link?: string | null;
  langs?: string[];
  media?: MediaItem[];
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
}

/** What publishing (or finding an earlier publish) yields. */
export interface PublishResult {
  externalId: string;
  url: string | null;
}

/** I/O a connector may use; injected so tests route it to local peers and can forbid anything else. */
export interface ConnectorContext<Session = unknown> {
  fetch: typeof fetch;
  /** Persist a refreshed session (sealed at rest by the caller). */
  saveSession(session: Session): Promise<void>;
  /** Aborts slow requests; connectors must pass it to fetch. */
  signal?: AbortSignal;
  defaultServiceUrl: string;
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
  /** Verifies credentials with the network and returns the account and a session to store. */
  connect(credentials: Cred, ctx: ConnectorContext<Session>): Promise<ConnectedAccount<Session>>;
  /** Pure, synchronous validation; the same code runs in the API, the CLI, the worker and the UI. */
  validate(variant: PostVariant): ValidationResult;
  /**
   * Publishes. `idempotencyKey` is stable for a target across retries and crashes: a connector that
   * can make re-sends harmless with it must.
   */
  publish(input: { auth: AccountAuth<Cred, Session>; variant: PostVariant; idempotencyKey: string; createdAt: string }, ctx: ConnectorContext<Session>): Promise<PublishResult>;
  /** Existence check after an unknown outcome: the published post, or null when it is not there. */
  findPublished?(input: { auth: AccountAuth<Cred, Session>; idempotencyKey: string; createdAt: string }, ctx: ConnectorContext<Session>): Promise<PublishResult | null>;
  /** Deletes a published post on the network. */
  delete?(input: { auth: AccountAuth<Cred, Session>; externalId: string }, ctx: ConnectorContext<Session>): Promise<void>;
}

/** A connector with its type parameters erased, as the registry stores it. */
export type AnyConnector = Connector<unknown, unknown>;
