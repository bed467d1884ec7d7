/**
 * `herald validate --network N [--json]`: checks a post text (read from stdin) against a network's
 * rules with the connector's own `validate()`, the same code the API, the worker and the UI run.
 *
 * Stable contract for scripts: with --json it prints exactly one JSON object
 * `{"network","length","max","unit","valid","errors":[{code,message,...}]}` and exits 0 when the text
 * is valid, 1 when it is not.
 */
import type { Command } from 'commander';
import { defaultConnectors } from '../../connectors/default-registry';
import { SilentExit, stripFinalNewline, UsageError, type CliDeps } from '../cli-support';

/** Registers `validate`. */
export function registerValidateCommand(program: Command, deps: CliDeps): void {
  program
    .command('validate')
    .description("check a post text (from stdin) against a network's rules")
    .requiredOption('--network <id>', 'network id, e.g. bluesky')
    .option('--json', 'print one JSON object: {"network","length","max","unit","valid","errors"}')
    .option('--lang <tag...>', 'BCP-47 language tags of the post')
    .option('--link <url>', 'link attached to the post')
    .addHelpText(
      'after',
      `
The text is read from stdin; one final line break (as \`echo\` adds) is ignored.
Exit code: 0 when valid, 1 when invalid, 2 on a usage error.

Example:
  echo "Hello from Herald" | herald validate --network bluesky --json`,
    )
    .action(async (opts: { network: string; json?: boolean; lang?: string[]; link?: string }) => {
      const registry = defaultConnectors();
      if (!registry.has(opts.network)) {
        throw new UsageError(`unknown network "${opts.network}" (known: ${registry.list().map((c) => c.id).join(', ')})`);
      }
      const connector = registry.get(opts.network);
      const text = stripFinalNewline(await deps.readStdin());
      const result = connector.validate({ text, langs: opts.lang, link: opts.link ?? null });
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
