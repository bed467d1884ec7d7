/**
 * `herald validate --network N [--json]`: checks a post text (read from stdin) against a network's
 * rules with the connector's own `validate()` plus the checks its declarations imply (polls, threads,
 * options) — the same code the API, the worker and the UI run.
 *
 * Stable contract for scripts: with --json it prints exactly one JSON object
 * `{"network","length","max","unit","valid","errors":[{code,message,...}]}` and exits 0 when the text
 * is valid, 1 when it is not.
 */
import type { Command } from 'commander';
import { loadNetworksConfig } from '../../config/config';
import { validateWithDeclarations } from '../../connectors/declared-checks';
import { defaultConnectors } from '../../connectors/default-registry';
import { SilentExit, stripFinalNewline, UsageError, type CliDeps } from '../cli-support';
import { extrasOptions, optionsFromFlags, pollFromOptions, type ExtrasOpts } from './post.command';

/** Registers `validate`. */
export function registerValidateCommand(program: Command, deps: CliDeps): void {
  extrasOptions(
    program
      .command('validate')
      .description("check a post text (from stdin) against a network's rules")
      .requiredOption('--network <id>', 'network id, e.g. bluesky')
      .option('--json', 'print one JSON object: {"network","length","max","unit","valid","errors"}')
      .option('--lang <tag...>', 'BCP-47 language tags of the post')
      .option('--link <url>', 'link attached to the post'),
  )
    .addHelpText(
      'after',
      `
The text is read from stdin; one final line break (as \`echo\` adds) is ignored.
Checks use the network's default limits (a server's own limits apply when you validate for an
account through the API: POST /api/v1/validate with accountId).
Exit code: 0 when valid, 1 when invalid, 2 on a usage error.

Examples:
  echo "Hello from Herald" | herald validate --network bluesky --json
  echo "Lunch?" | herald validate --network mastodon --poll-option Soup --poll-option Salad --option visibility=unlisted`,
    )
    .action(async (opts: ExtrasOpts & { network: string; json?: boolean; lang?: string[]; link?: string }) => {
      // Only the networks' settings: validating needs no database and no secret key.
      const registry = defaultConnectors(loadNetworksConfig());
      if (!registry.has(opts.network)) {
        throw new UsageError(`unknown network "${opts.network}" (known: ${registry.list().map((c) => c.id).join(', ')})`);
      }
      const connector = registry.get(opts.network);
      const poll = pollFromOptions(opts);
      const options = optionsFromFlags(opts.option, connector.optionFields ?? []);
      const text = stripFinalNewline(await deps.readStdin());
      const result = validateWithDeclarations(connector, { text, langs: opts.lang, link: opts.link ?? null, poll: poll ?? null, thread: opts.thread ?? [], options: options ?? {} });
      if (opts.json) {
        deps.out(
          JSON.stringify({
            network: result.network,
            length: result.length,
            max: result.max,
            unit: result.unit,
            valid: result.valid,
            errors: result.errors,
          }),
        );
      } else {
        deps.out(`${result.valid ? 'valid' : 'invalid'}: ${result.length}/${result.max} ${result.unit} for ${connector.displayName}`);
        for (const e of result.errors) deps.out(`  - ${e.message} (${e.code})`);
      }
      if (!result.valid) throw new SilentExit(1);
    });
}
