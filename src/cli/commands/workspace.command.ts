/**
 * `herald workspace create|list`, acting as `--as EMAIL` (default: the only owner).
 */
import type { Command } from 'commander';
import { formatJson, formatTable, withServices, type CliDeps } from '../cli-support';

/** Registers `workspace ...`. */
export function registerWorkspaceCommands(program: Command, deps: CliDeps): void {
  const ws = program.command('workspace').description('manage workspaces');
  ws.command('list')
    .description('list the workspaces the acting user can see')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (opts: { as?: string; json?: boolean }) => {
      const { resolveActor, visibleWorkspaces } = await import('../cli-actor');
      const items = await withServices(deps, async (services) => {
        const who = await resolveActor(services, opts.as);
        return visibleWorkspaces(services, who.user.id);
      });
      const rows = items.map((i) => ({ id: i.workspace.id, name: i.workspace.name, timezone: i.workspace.timezone, role: i.role, organizationId: i.workspace.organization_id, createdAt: i.workspace.created_at }));
      deps.out(opts.json ? formatJson(rows) : formatTable(rows, ['id', 'name', 'timezone', 'role']));
    });
  ws.command('create')
    .description('create a workspace in an organisation the acting user owns or administers')
    .requiredOption('--name <name>', 'workspace name')
    .option('--timezone <zone>', 'IANA time zone, e.g. Europe/Berlin (default UTC)')
    .option('--organization <id>', 'organisation id (default: the first one the user manages)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; timezone?: string; organization?: string; as?: string; json?: boolean }) => {
      const [{ resolveActor }, { createWorkspace }] = await Promise.all([import('../cli-actor'), import('../../use-cases/workspaces.use-case')]);
      const created = await withServices(deps, async (services) => {
        const who = await resolveActor(services, opts.as);
        return createWorkspace({ db: services.database.db, services, actor: who.actor }, { name: opts.name, timezone: opts.timezone, organizationId: opts.organization });
      });
      if (opts.json) deps.out(formatJson({ ...created.workspace, role: created.role }));
      else deps.out(`created workspace ${created.workspace.name} (${created.workspace.id}), time zone ${created.workspace.timezone}`);
    });
}
