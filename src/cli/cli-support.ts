/**
 * What every CLI command shares: how it reads configuration and stdin, writes output, opens services
 * and turns errors into exit codes. Commands get a {@link CliDeps} instead of touching globals, so the
 * same code runs from bin/herald.mjs and from the demo.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type HeraldConfig } from '../config/config';
import type { CreateServicesOptions } from '../server/create-services';
import type { AppServices } from '../server/services';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A runtime problem worth a plain message and exit code 1 (no stack trace): e.g. an unknown user. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Ends the command with an exit code after its output was already printed (e.g. "invalid"). */
export class SilentExit extends Error {
  constructor(public readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'SilentExit';
  }
}

/** What commands need from the outside world. */
export interface CliDeps {
  /** Validated configuration (throws ConfigError listing every problem). */
  config(): HeraldConfig;
  /** The whole of stdin as text. */
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

/** Deps for a real process; `env` defaults to the process environment (read in config.ts only). */
export function processDeps(env?: Record<string, string | undefined>): CliDeps {
  let cached: HeraldConfig | null = null;
  return {
    config: () => (cached ??= env ? loadConfig(env) : loadConfig()),
    readStdin: async () => {
      if (process.stdin.isTTY) process.stderr.write('(reading from the terminal: finish with Ctrl-D)\n');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** Drops the one line break a shell pipe (`echo`) adds; anything else is kept as typed. */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** Reads a file given on the command line, with a clear message when it cannot. */
export function readFileArg(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${what} "${path}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/**
 * Opens services for a one-shot command (logs go to stderr, quietly), runs `fn` and closes them,
 * also when `fn` throws.
 */
export async function withServices<T>(deps: CliDeps, fn: (services: AppServices) => Promise<T>, opts: CreateServicesOptions = {}): Promise<T> {
  const config = deps.config();
  const [{ createLogger }, { closeServices, createServices }] = await Promise.all([import('../logging/logger'), import('../server/create-services')]);
  const level = config.logLevel === 'debug' || config.logLevel === 'trace' || config.logLevel === 'silent' ? config.logLevel : 'warn';
  const services = await createServices(config, { log: createLogger(level, process.stderr), ...opts });
  try {
    return await fn(services);
  } finally {
    await closeServices(services);
  }
}

/** Prints rows as an aligned text table. */
export function formatTable(rows: Array<Record<string, string | number | null | undefined>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** Pretty JSON for `--json` outputs. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
