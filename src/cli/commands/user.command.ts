/**
 * `herald user create`: creates a user, with --owner also their organisation and first workspace
 * (how the first account of an installation is made without the web UI).
 */
import type { Command } from 'commander';
import { formatJson, stripFinalNewline, UsageError, withServices, type CliDeps } from '../cli-support';

interface CreateOpts {
  email: string;
  name: string;
  password?: string;
  passwordStdin?: boolean;
  owner?: boolean;
  organization?: string;
  workspace?: string;
  timezone?: string;
  json?: boolean;
}

/** Registers `user ...`. */
export function registerUserCommands(program: Command, deps: CliDeps): void {
  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user (with --owner: also an organisation and a first workspace they own)')
    .requiredOption('--email <email>', 'e-mail address (the login)')
    .requiredOption('--name <name>', 'display name')
    .option('--password <password>', 'password (visible in the process list and shell history: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--owner', 'also create an organisation and a first workspace owned by this user')
    .option('--organization <name>', 'organisation name (with --owner)')
    .option('--workspace <name>', 'first workspace name (with --owner)')
    .option('--timezone <zone>', 'IANA time zone of the first workspace (with --owner), e.g. Europe/Berlin')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  printf %s "$PASSWORD" | herald user create --owner --email you@example.com --name "You" --password-stdin')
    .action(async (opts: CreateOpts) => {
      if (opts.password !== undefined && opts.passwordStdin) throw new UsageError('give either --password or --password-stdin, not both');
      if (opts.password === undefined && !opts.passwordStdin) throw new UsageError('give the password with --password-stdin (or --password)');
      if (!opts.owner && (opts.organization !== undefined || opts.workspace !== undefined || opts.timezone !== undefined)) {
        throw new UsageError('--organization, --workspace and --timezone only apply with --owner');
      }
      const password = opts.password ?? stripFinalNewline(await deps.readStdin());
      const { createUser } = await import('../../use-cases/users.use-case');
      const created = await withServices(deps, (services) =>
        createUser(
          { db: services.database.db, services },
          {
            email: opts.email,
            name: opts.name,
            password,
            owner: opts.owner ?? false,
            organizationName: opts.organization,
            workspaceName: opts.workspace,
            timezone: opts.timezone,
          },
        ),
      );
      if (opts.json) {
        deps.out(formatJson(created));
        return;
      }
      deps.out(`created user ${created.user.email} (${created.user.id})`);
      if (created.organization) deps.out(`organisation: ${created.organization.name} (${created.organization.id})`);
      if (created.workspace) deps.out(`workspace:    ${created.workspace.name} (${created.workspace.id}), time zone ${created.workspace.timezone}`);
    });
}
