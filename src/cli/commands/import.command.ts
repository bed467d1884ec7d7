/**
 * `herald import metrics FILE`: loads accounts, posts, follower snapshots and metric observations
 * from a JSON file (format: docs/analytics/import-format.md) into a workspace, through the same use
 * case any other caller uses. Safe to run again: nothing is duplicated.
 */
import type { Command } from 'commander';
import { formatJson, readFileArg, withServices, type CliDeps } from '../cli-support';

/** Registers `import ...`. */
export function registerImportCommands(program: Command, deps: CliDeps): void {
  const imp = program.command('import').description('load data from files');
  imp
    .command('metrics')
    .description('import accounts, posts, follower snapshots and metric observations from a JSON file')
    .argument('<file>', 'the JSON file (see docs/analytics/import-format.md)')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner); needs admin or owner')
    .option('--json', 'print the import report as JSON')
    .addHelpText(
      'after',
      `
Accounts not connected in the workspace are added as "disconnected" (imported history); re-importing
the same file adds nothing and corrects counts that changed. Rollups are rebuilt afterwards.

Example:
  herald import metrics history.json --workspace Acme`,
    )
    .action(async (file: string, opts: { workspace?: string; as?: string; json?: boolean }) => {
      const text = readFileArg(file, 'the metrics file').toString('utf8');
      const [{ workspaceContext }, { importMetrics }] = await Promise.all([import('../cli-actor'), import('../../use-cases/analytics-import.use-case')]);
      const report = await withServices(deps, async (services) => importMetrics(await workspaceContext(services, opts.as, opts.workspace), text));
      if (opts.json) {
        deps.out(formatJson(report));
        return;
      }
      const t = (x: { created: number; updated: number; unchanged: number }) => `${x.created} new, ${x.updated} corrected, ${x.unchanged} unchanged`;
      deps.out(`accounts: ${report.accounts.created} new, ${report.accounts.matched} existing`);
      deps.out(`posts: ${report.posts.created} new, ${report.posts.matched} existing`);
      deps.out(`content types: ${t(report.contentTypes)}`);
      deps.out(`follower snapshots: ${t(report.followerSnapshots)}`);
      deps.out(`observations: ${t(report.observations)}`);
      for (const r of report.rollups) deps.out(`rollups of ${r.accountId}: ${r.fromDay ?? '-'} … ${r.toDay ?? '-'} (${r.timezone}), ${r.posts} posts, ${r.days} days`);
    });
}
