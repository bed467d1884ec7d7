/**
 * `herald serve`: runs the API, the worker and the scheduler (all three by default, or the roles
 * given with --role) until SIGTERM/SIGINT, then shuts down gracefully.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { serverRoles, type ServerRole } from '../../server/server-roles';
import type { CliDeps } from '../cli-support';

/** Grace period after a signal before a stuck shutdown is cut short. */
const shutdownGraceMs = 60_000;

function parseRole(value: string, previous: ServerRole[] = []): ServerRole[] {
  const out = [...previous];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(serverRoles as readonly string[]).includes(part)) throw new InvalidArgumentError(`unknown role "${part}" (roles: ${serverRoles.join(', ')})`);
    out.push(part as ServerRole);
  }
  return out;
}

/** Parses a TCP port option. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

/** The first-run hint: how to create the owner, on the command line or over HTTP. */
export function firstRunHint(publicUrl: string): string {
  return [
    '',
    'Herald has no users yet. Create the owner account with:',
    '',
    '  printf %s "$PASSWORD" | npx herald user create --owner --email you@example.com --name "Your Name" --password-stdin',
    '',
    `or, while no user exists, with the first-run endpoint: POST ${publicUrl.replace(/\/$/, '')}/api/v1/setup`,
    '  {"email": "you@example.com", "name": "Your Name", "password": "…"}',
    '',
  ].join('\n');
}

/** Registers `serve`. */
export function registerServeCommand(program: Command, deps: CliDeps): void {
  program
    .command('serve')
    .description('run Herald (API, worker and scheduler in one process unless --role is given)')
    .option('--role <role...>', `run only these roles (${serverRoles.join(', ')}); repeat or comma-separate`, parseRole)
    .option('--migrate', 'apply pending database migrations before starting')
    .option('--port <port>', 'HTTP port for the api role (overrides HERALD_PORT; 0 picks a free one)', parsePort)
    .addHelpText(
      'after',
      `
Migrations:
  A brand-new embedded SQLite database (no tables yet) is created and migrated automatically, so
  \`npm ci && npm start\` works on a fresh machine. Any other database with pending migrations (every
  PostgreSQL database, or SQLite after an upgrade) makes serve refuse to start: run
  \`herald migrate\` first, or pass --migrate.

Scale-out (PostgreSQL):
  herald migrate
  herald serve --role api          # as many as you like, behind a load balancer
  herald serve --role worker       # as many as you like
  herald serve --role scheduler    # one is enough; more are harmless

Signals:
  SIGTERM/SIGINT stop taking requests and jobs, let running jobs finish and close the database.
  A second signal exits at once.`,
    )
    .action(async (opts: { role?: ServerRole[]; migrate?: boolean; port?: number }) => {
      const config = deps.config();
      // Loaded here so `herald --help` and `herald validate` do not pay for the server's imports.
      const [{ serve }, { createLogger }, { anyUserExists }] = await Promise.all([
        import('../../server/serve'),
        import('../../logging/logger'),
        import('../../repositories/users.repository'),
      ]);
      const roles = opts.role?.length ? opts.role : [...serverRoles];
      const log = createLogger(config.logLevel);
      const running = await serve(config, { roles, migrate: opts.migrate ?? false, port: opts.port, log });
      log.info({ roles, workerId: running.workerId, database: config.database.dialect, queue: running.services.queue.kind }, 'herald started');
      if (roles.includes('api') && !(await anyUserExists(running.services.database.db))) {
        log.warn({ setup: '/api/v1/setup' }, 'no users yet: create the owner with `herald user create --owner` or POST /api/v1/setup');
        deps.err(firstRunHint(running.url && config.publicUrl === `http://localhost:${config.port}` ? running.url : config.publicUrl));
      }
      await new Promise<void>((resolveDone) => {
        let signalled = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (signalled) {
            log.warn({ signal }, 'second signal: exiting without waiting');
            process.exit(1);
          }
          signalled = true;
          log.info({ signal }, 'shutting down: finishing running jobs');
          const guard = setTimeout(() => {
            log.error({ graceMs: shutdownGraceMs }, 'shutdown took too long: exiting');
            process.exit(1);
          }, shutdownGraceMs);
          guard.unref();
          running.stop().then(
            () => {
              clearTimeout(guard);
              log.info('stopped');
              resolveDone();
            },
            (e: unknown) => {
              log.error({ err: e }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
    });
}
