/**
 * `herald account connect|list|reconnect|remove`: network accounts of a workspace. Credentials go to
 * the same use case the API uses, which verifies them with the network and seals them at rest. Field
 * names come from the connector's declared credential fields, so a new network needs no CLI change:
 * `--field name=value` works for any field; the Bluesky-shaped flags are shorthands.
 */
import type { Command } from 'commander';
import type { AppServices } from '../../server/services';
import type { AccountView } from '../../use-cases/accounts.use-case';
import { CliError, formatJson, formatTable, stripFinalNewline, UsageError, withServices, type CliDeps } from '../cli-support';

interface CredentialOpts {
  identifier?: string;
  appPassword?: string;
  appPasswordStdin?: boolean;
  secretStdin?: boolean;
  service?: string;
  field?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the credential options shared by connect and reconnect. */
function credentialOptions(cmd: Command): Command {
  return cmd
    .option('--identifier <handle>', 'handle, DID or e-mail of the account (Bluesky)')
    .option('--app-password <password>', 'app password (visible in the process list: prefer --app-password-stdin)')
    .option('--app-password-stdin', 'read the app password from stdin')
    .option('--secret-stdin', "read the network's secret credential field from stdin (any network)")
    .option('--service <url>', 'hosting server (PDS) URL, for self-hosted accounts')
    .option('--field <name=value>', 'any credential field by its declared name (repeatable)', collect);
}

/** Builds the credentials object from options, reading the secret from stdin when asked. */
async function credentialsFrom(services: AppServices, network: string, opts: CredentialOpts, deps: CliDeps): Promise<Record<string, unknown>> {
  const connector = services.connectors.get(network);
  const fields = connector.credentialFields;
  const known = new Set(fields.map((f) => f.name));
  const creds: Record<string, unknown> = {};
  const set = (name: string, value: string, flag: string) => {
    if (!known.has(name)) throw new UsageError(`${flag} does not apply to ${connector.displayName} (fields: ${fields.map((f) => f.name).join(', ')})`);
    creds[name] = value;
  };
  for (const kv of opts.field ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--field takes name=value, got "${kv}"`);
    set(kv.slice(0, eq), kv.slice(eq + 1), `--field ${kv.slice(0, eq)}`);
  }
  if (opts.identifier !== undefined) set('identifier', opts.identifier, '--identifier');
  if (opts.service !== undefined) set('serviceUrl', opts.service, '--service');
  const stdinFlags = [opts.appPassword !== undefined, opts.appPasswordStdin, opts.secretStdin].filter(Boolean).length;
  if (stdinFlags > 1) throw new UsageError('give the secret once: --app-password, --app-password-stdin or --secret-stdin');
  if (opts.appPassword !== undefined) set('appPassword', opts.appPassword, '--app-password');
  if (opts.appPasswordStdin) set('appPassword', stripFinalNewline(await deps.readStdin()), '--app-password-stdin');
  if (opts.secretStdin) {
    const secret = fields.find((f) => f.type === 'password');
    if (!secret) throw new UsageError(`${connector.displayName} has no secret credential field`);
    creds[secret.name] = stripFinalNewline(await deps.readStdin());
  }
  const missing = fields.filter((f) => f.required && creds[f.name] === undefined);
  if (missing.length) throw new UsageError(`missing credential(s) for ${connector.displayName}: ${missing.map((f) => `${f.name} (${f.label})`).join(', ')}`);
  return creds;
}

/** Finds an account by id or handle (with or without @, optionally `network:handle`). */
export function matchAccount(accounts: AccountView[], ref: string): AccountView {
  const byId = accounts.find((a) => a.id === ref);
  if (byId) return byId;
  const m = /^([a-z0-9-]+):(.+)$/i.exec(ref);
  const network = m && !ref.includes('://') ? m[1]!.toLowerCase() : undefined;
  const handle = (network ? m![2]! : ref).replace(/^@/, '').toLowerCase();
  const hits = accounts.filter((a) => a.handle.toLowerCase() === handle && (!network || a.network === network));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new CliError(`"${ref}" matches several accounts: use network:handle or an id (${hits.map((a) => `${a.network}:${a.handle}`).join(', ')})`);
  throw new CliError(`no account "${ref}" in this workspace (see \`herald account list\`)`);
}

/** "in 5 days (expiring soon)", "expired", or null when the network gives no expiry. */
function expiryText(a: AccountView): string | null {
  if (a.expiresInDays === null) return null;
  if (a.expiry === 'expired') return `expired ${a.tokenExpiresAt?.slice(0, 10) ?? ''}`.trim();
  const when = a.expiresInDays === 0 ? 'today' : `in ${a.expiresInDays} day${a.expiresInDays === 1 ? '' : 's'}`;
  return a.expiry === 'expiring_soon' ? `${when} (reconnect soon)` : when;
}

function printAccount(deps: CliDeps, a: AccountView, verb: string) {
  deps.out(`${verb} ${a.network} account ${a.handle} (${a.id}), status ${a.status}`);
  const expiry = expiryText(a);
  if (expiry) deps.out(a.expiry === 'expired' ? `  credentials ${expiry}: reconnect the account` : `  credentials expire ${expiry}`);
}

/** Registers `account ...`. */
export function registerAccountCommands(program: Command, deps: CliDeps): void {
  const account = program.command('account').description('manage connected network accounts');
  credentialOptions(
    account
      .command('connect')
      .description('connect a network account to a workspace (verifies the credentials with the network)')
      .argument('<network>', 'network id, e.g. bluesky'),
  )
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  printf %s "$APP_PASSWORD" | herald account connect bluesky --workspace Acme --identifier alice.bsky.social --app-password-stdin')
    .action(async (network: string, opts: CredentialOpts & { workspace?: string; as?: string; json?: boolean }) => {
      const [{ workspaceContext }, { connectAccount }] = await Promise.all([import('../cli-actor'), import('../../use-cases/accounts.use-case')]);
      const connected = await withServices(deps, async (services) => {
        if (!services.connectors.has(network)) throw new UsageError(`unknown network "${network}" (known: ${services.connectors.list().map((c) => c.id).join(', ')})`);
        const ctx = await workspaceContext(services, opts.as, opts.workspace);
        return connectAccount(ctx, { network, credentials: await credentialsFrom(services, network, opts, deps) });
      });
      if (opts.json) deps.out(formatJson(connected));
      else printAccount(deps, connected, 'connected');
    });
  account
    .command('list')
    .description('list the accounts of a workspace')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; as?: string; json?: boolean }) => {
      const [{ workspaceContext }, { listAccounts }] = await Promise.all([import('../cli-actor'), import('../../use-cases/accounts.use-case')]);
      const accounts = await withServices(deps, async (services) => listAccounts(await workspaceContext(services, opts.as, opts.workspace)));
      deps.out(
        opts.json
          ? formatJson(accounts)
          : formatTable(
              accounts.map((a) => ({ id: a.id, network: a.network, handle: a.handle, status: a.status, expires: expiryText(a), heldPosts: a.heldPosts, statusReason: a.statusReason })),
              ['id', 'network', 'handle', 'status', 'expires', 'heldPosts', 'statusReason'],
            ),
      );
    });
  credentialOptions(
    account
      .command('reconnect')
      .description('give an account new credentials; held posts resume')
      .argument('<account>', 'account id or handle'),
  )
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: CredentialOpts & { workspace?: string; as?: string; json?: boolean }) => {
      const [{ workspaceContext }, { listAccounts, reconnectAccount }] = await Promise.all([import('../cli-actor'), import('../../use-cases/accounts.use-case')]);
      const result = await withServices(deps, async (services) => {
        const ctx = await workspaceContext(services, opts.as, opts.workspace);
        const target = matchAccount(await listAccounts(ctx), ref);
        return reconnectAccount(ctx, target.id, { credentials: await credentialsFrom(services, target.network, opts, deps) });
      });
      if (opts.json) deps.out(formatJson(result));
      else {
        printAccount(deps, result, 'reconnected');
        if (result.resumed) deps.out(`${result.resumed} held post(s) resumed`);
      }
    });
  account
    .command('remove')
    .description('remove an account; its unsent posts are cancelled')
    .argument('<account>', 'account id or handle')
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .action(async (ref: string, opts: { workspace?: string; as?: string }) => {
      const [{ workspaceContext }, { listAccounts, removeAccount }] = await Promise.all([import('../cli-actor'), import('../../use-cases/accounts.use-case')]);
      const r = await withServices(deps, async (services) => {
        const ctx = await workspaceContext(services, opts.as, opts.workspace);
        const target = matchAccount(await listAccounts(ctx), ref);
        return { target, ...(await removeAccount(ctx, target.id)) };
      });
      deps.out(`removed ${r.target.network} account ${r.target.handle}; ${r.cancelledTargets} unsent post(s) cancelled`);
    });
}
