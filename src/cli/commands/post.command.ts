/**
 * `herald post create|schedule|list|show|cancel|delete`.
 */
import type { Command } from 'commander';
import type { CliDeps } from '../cli-support';

/** Registers `post ...`. */
export function registerPostCommands(program: Command, deps: CliDeps): void {
  void deps;
  program.command('post').description('compose, schedule and inspect posts');
}
