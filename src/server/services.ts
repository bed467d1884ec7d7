/**
 * The services a Herald process runs with, built once from the config and handed to use cases,
 * routes, the worker and the CLI. Nothing here is global: tests build their own with fakes where a
 * network cannot run locally.
 */
import type { Kysely } from 'kysely';
import type { HeraldConfig } from '../config/config';
import type { Database } from '../db/schema';
import type { HeraldDb } from '../db/database';
import type { JobQueue } from '../jobs/job-queue';
import type { ConnectorRegistry } from '../connectors/registry';
import type { SecretBox } from '../crypto/secret-box';
import type { Logger } from '../logging/logger';
import type { AnalysisRunner } from '../inbox/inbound-analysis';

/** Everything a use case may need besides its actor and workspace. */
export interface AppServices {
  config: HeraldConfig;
  log: Logger;
  database: HeraldDb;
  queue: JobQueue;
  connectors: ConnectorRegistry;
  secrets: SecretBox;
  /** Outbound HTTP for connectors and webhooks (tests swap in one that refuses non-loopback hosts). */
  fetch: typeof fetch;
  /** Worker threads for ingest's analysis (HERALD_ANALYSIS_THREADS); absent = on the calling thread. */
  analysis?: AnalysisRunner;
  /** The clock; tests may move it. */
  now(): Date;
}

/** Who is acting. System actors are the worker and scheduler. */
export type Actor =
  | { kind: 'user'; userId: string; via: 'session' | 'token'; tokenWorkspaceId?: string }
  | { kind: 'system'; name: string };

/** The plain context every use case takes (never an HTTP object). */
export interface UseCaseContext {
  actor: Actor;
  workspaceId: string;
  db: Kysely<Database>;
  services: AppServices;
}
