/**
 * `herald token create|list|revoke`: personal API tokens scoped to one workspace.
 */
import type { Command } from 'commander';
import { formatJson, formatTable, withServices, type CliDeps } from '../cli-support';

/** Registers `token ...`. */
export function registerTokenCommands(program: Command, deps: CliDeps): void {
  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('create an API token for the acting user in a workspace (shown once)')
    .requiredOption('--name <name>', 'what the token is for, e.g. "CI"')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; workspace?: string; as?: string; json?: boolean }) => {
      const [{ workspaceContext }, { createApiToken }] = await Promise.all([import('../cli-actor'), import('../../use-cases/api-tokens.use-case')]);
      const created = await withServices(deps, async (services) => createApiToken(await workspaceContext(services, opts.as, opts.workspace), { name: opts.name }));
      if (opts.json) {
        deps.out(formatJson(created));
        return;
      }
      deps.out(`created token "${created.name}" (${created.id}). It is shown only now:\n\n  ${created.token}\n\nSend it as: Authorization: Bearer <token>`);
    });
  token
    .command('list')
    .description('list the API tokens of a workspace')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; as?: string; json?: boolean }) => {
      const [{ workspaceContext }, { listApiTokens }] = await Promise.all([import('../cli-actor'), import('../../use-cases/api-tokens.use-case')]);
      const page = await withServices(deps, async (services) => listApiTokens(await workspaceContext(services, opts.as, opts.workspace), { limit: 200 }));
      deps.out(opts.json ? formatJson(page.items) : formatTable(page.items.map((t) => ({ ...t })), ['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt']));
    });
  token
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .action(async (id: string, opts: { workspace?: string; as?: string }) => {
      const [{ workspaceContext }, { revokeApiToken }] = await Promise.all([import('../cli-actor'), import('../../use-cases/api-tokens.use-case')]);
      await withServices(deps, async (services) => revokeApiToken(await workspaceContext(services, opts.as, opts.workspace), id));
      deps.out(`revoked token ${id}`);
    });
}
