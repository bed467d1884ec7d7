/**
 * `herald`: the command-line interface. Every command calls the same use cases the HTTP API uses;
 * this file only wires commander and turns errors into messages and exit codes:
 * 0 success, 1 runtime error (bad data, refused start-up, network failure), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config';
import { DomainError } from '../domain/errors';
import { ConnectorError } from '../connectors/connector';
import { CliError, processDeps, SilentExit, UsageError, type CliDeps } from './cli-support';
import { registerServeCommand } from './commands/serve.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerValidateCommand } from './commands/validate.command';
import { registerUserCommands } from './commands/user.command';
import { registerWorkspaceCommands } from './commands/workspace.command';
import { registerAccountCommands } from './commands/account.command';
import { registerPostCommands } from './commands/post.command';
import { registerQueueCommands } from './commands/queue.command';
import { registerTokenCommands } from './commands/token.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerImportCommands } from './commands/import.command';
import { registerKpiCommand } from './commands/kpi.command';
import { registerCampaignCommands } from './commands/campaigns.command';
import { registerSentimentCommand } from './commands/sentiment.command';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Builds the commander program (exported so tests and docs can inspect it). */
export function buildProgram(deps: CliDeps): Command {
  const program = new Command();
  program
    .name('herald')
    .description('Herald: self-hosted social media management.\nConfiguration comes from HERALD_* environment variables (see README).')
    .version(version(), '-V, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.out(s.replace(/\n$/, '')),
      writeErr: (s) => deps.err(s.replace(/\n$/, '')),
    });
  registerServeCommand(program, deps);
  registerMigrateCommand(program, deps);
  registerUserCommands(program, deps);
  registerWorkspaceCommands(program, deps);
  registerAccountCommands(program, deps);
  registerPostCommands(program, deps);
  registerQueueCommands(program, deps);
  registerTokenCommands(program, deps);
  registerValidateCommand(program, deps);
  registerDemoCommand(program, deps);
  registerImportCommands(program, deps);
  registerKpiCommand(program, deps);
  registerCampaignCommands(program, deps);
  registerSentimentCommand(program, deps);
  return program;
}

function describeError(e: unknown, debug: boolean): { message: string; code: number } {
  if (e instanceof UsageError) return { message: `error: ${e.message}\n(add --help for usage)`, code: 2 };
  if (e instanceof CliError) return { message: `error: ${e.message}`, code: 1 };
  if (e instanceof ConfigError) return { message: e.message, code: 1 };
  // Matched by name so the CLI need not load the database driver just to classify errors.
  if (e instanceof Error && e.name === 'PendingMigrationsError') return { message: `error: ${e.message}`, code: 1 };
  if (e instanceof DomainError) {
    const errors = Array.isArray(e.extra.errors) ? (e.extra.errors as Array<{ path?: string; message?: string }>) : [];
    const lines = [`error: ${e.message}`, ...errors.map((x) => `  - ${x.path ? `${x.path}: ` : ''}${x.message ?? ''}`)];
    return { message: lines.join('\n'), code: 1 };
  }
  if (e instanceof ConnectorError) return { message: `error: the network refused: ${e.message} (${e.kind})`, code: 1 };
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') return { message: `error: the port is already in use (${err.message}); set HERALD_PORT or pass --port`, code: 1 };
  if (err?.code === 'ECONNREFUSED') return { message: `error: cannot reach a server: ${err.message}`, code: 1 };
  const message = e instanceof Error ? e.message : String(e);
  return { message: debug && e instanceof Error && e.stack ? e.stack : `error: ${message}${debug ? '' : '\n(run with --debug for details)'}`, code: 1 };
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], deps: CliDeps = processDeps()): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      // commander has already printed the message.
      return e.code === 'commander.executeSubCommandAsync' ? 1 : 2;
    }
    if (e instanceof SilentExit) return e.exitCode;
    const { message, code } = describeError(e, argv.includes('--debug'));
    deps.err(message);
    return code;
  }
}
