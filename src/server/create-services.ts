/**
 * Builds the services one Herald process runs with: opens the database and checks its migrations,
 * creates the logger, the job queue, the secret box and the connector registry. Every entry point
 * (serve, CLI commands, demo) goes through here so they all run against the same wiring.
 */
import type { HeraldConfig } from '../config/config';
import { ensureMigrated, openDatabase, PendingMigrationsError, type HeraldDb } from '../db/database';
import { createLogger, type Logger } from '../logging/logger';
import { createJobQueue } from '../jobs/create-job-queue';
import { SecretBox } from '../crypto/secret-box';
import { defaultConnectors } from '../connectors/default-registry';
import type { ConnectorRegistry } from '../connectors/registry';
import type { AppServices } from './services';
import { closeSharedPdfPrinters } from '../reports/report-pdf';
import { createAnalysisPool } from '../inbox/inbound-analysis-pool';

/** Knobs for {@link createServices}; everything defaults to the production choice. */
export interface CreateServicesOptions {
  /** Apply pending migrations (`--migrate`). Without it, pending migrations refuse start-up, except on a brand-new embedded SQLite database. */
  migrate?: boolean;
  log?: Logger;
  connectors?: ConnectorRegistry;
  fetch?: typeof fetch;
  now?: () => Date;
  poolSize?: number;
}

/**
 * True when the database holds no tables at all. Only then is it safe to migrate without being
 * asked: nothing can be lost, and `npm ci && npm start` on a fresh machine must just work.
 */
async function isBrandNew(database: HeraldDb): Promise<boolean> {
  const tables = await database.db.introspection.getTables();
  return tables.length === 0;
}

/**
 * Opens the database and applies the migration policy:
 * - `migrate: true` applies pending migrations;
 * - a brand-new embedded SQLite database (no tables yet) is created and migrated;
 * - otherwise pending migrations throw {@link PendingMigrationsError}.
 */
export async function openMigratedDatabase(config: HeraldConfig, log: Logger, opts: { migrate?: boolean; poolSize?: number } = {}): Promise<HeraldDb> {
  const database = openDatabase(config.database, { poolSize: opts.poolSize });
  try {
    let migrate = opts.migrate ?? false;
    if (!migrate && database.dialect === 'sqlite' && (await isBrandNew(database))) {
      log.info({ path: config.database.dialect === 'sqlite' ? config.database.path : undefined }, 'creating the embedded SQLite database');
      migrate = true;
    }
    const applied = await ensureMigrated(database, migrate);
    if (applied.length) log.info({ migrations: applied }, 'applied migrations');
    return database;
  } catch (e) {
    await database.close().catch(() => undefined);
    throw e;
  }
}

/** Builds {@link AppServices} from a validated config. Close them with {@link closeServices}. */
export async function createServices(config: HeraldConfig, opts: CreateServicesOptions = {}): Promise<AppServices> {
  const log = opts.log ?? createLogger(config.logLevel);
  const database = await openMigratedDatabase(config, log, opts);
  try {
    const queue = createJobQueue(database, log);
    await queue.init();
    return {
      config,
      log,
      database,
      queue,
      connectors: opts.connectors ?? defaultConnectors(config.networks),
      secrets: new SecretBox(config.secretKey),
      fetch: opts.fetch ?? globalThis.fetch.bind(globalThis),
      now: opts.now ?? (() => new Date()),
      ...(config.analysisThreads ? { analysis: createAnalysisPool(config.analysisThreads) } : {}),
    };
  } catch (e) {
    await database.close().catch(() => undefined);
    throw e;
  }
}

/** Closes the queue and then the database. */
export async function closeServices(services: AppServices): Promise<void> {
  await services.queue.close().catch((e: unknown) => services.log.warn({ err: e }, 'closing the job queue failed'));
  await services.analysis?.close().catch((e: unknown) => services.log.warn({ err: e }, 'closing the analysis threads failed'));
  // The report printer's shared Chromium, if a print launched one.
  await closeSharedPdfPrinters().catch((e: unknown) => services.log.warn({ err: e }, 'closing the report printer failed'));
  await services.database.close();
}

export { PendingMigrationsError };
