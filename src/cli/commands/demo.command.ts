/**
 * `herald demo` (`npm run demo`): a local, throw-away Herald publishing to a local Bluesky PDS.
 */
import type { Command } from 'commander';
import { parsePort } from './serve.command';
import { CliError, type CliDeps } from '../cli-support';

/** Registers `demo`. */
export function registerDemoCommand(program: Command, deps: CliDeps): void {
  program
    .command('demo')
    .description('run a throw-away Herald against a local Bluesky network and publish a first post (needs test-peers)')
    .option('--port <port>', 'HTTP port for Herald', parsePort, 3000)
    .addHelpText(
      'after',
      `
Starts a local AT Protocol network (PLC + PDS, from test-peers/), a fresh SQLite Herald in a temp
folder listening on 127.0.0.1, creates an owner, a workspace and two connected accounts (alice.test,
bob.test), schedules a post 10 s ahead that mentions @bob.test, waits until it is published and prints
the record read back from the PDS. Keeps running until Ctrl-C, then removes everything.
Requires the test peers: npm --prefix test-peers ci`,
    )
    .action(async (opts: { port: number }) => {
      const { DemoUnavailableError, runDemo } = await import('../../demo/demo');
      try {
        await runDemo({ port: opts.port, out: deps.out, err: deps.err });
      } catch (e) {
        throw e instanceof DemoUnavailableError ? new CliError(e.message) : e;
      }
    });
}
