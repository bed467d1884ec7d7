/**
 * `herald migrate`: applies pending migrations (and installs the job queue's storage), then exits.
 * Run it before starting new versions of a PostgreSQL deployment.
 */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { CliDeps } from '../cli-support';

/** Registers `migrate`. */
export function registerMigrateCommand(program: Command, deps: CliDeps): void {
  program
    .command('migrate')
    .description('apply pending database migrations and prepare the job queue, then exit')
    .option('--dry-run', 'only list the pending migrations')
    .action(async (opts: { dryRun?: boolean }) => {
      const config = deps.config();
      const [{ ensureMigrated, openDatabase }, { pendingMigrations }, { createLogger }, { createJobQueue }] = await Promise.all([
        import('../../db/database'),
        import('../../db/migrator'),
        import('../../logging/logger'),
        import('../../jobs/create-job-queue'),
      ]);
      const database = openDatabase(config.database, { poolSize: 2 });
      try {
        if (opts.dryRun) {
          const pending = await pendingMigrations(database.db as Kysely<unknown>, { dialect: database.dialect });
          deps.out(pending.length ? `pending migrations:\n${pending.map((p) => `  ${p}`).join('\n')}` : 'the database is up to date');
          return;
        }
        const applied = await ensureMigrated(database, true);
        if (applied.length) {
          deps.out(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
        } else {
          deps.out('the database is already up to date');
        }
        const queue = createJobQueue(database, createLogger('warn', process.stderr));
        try {
          await queue.init();
        } finally {
          await queue.close();
        }
        deps.out(`job queue ready (${queue.kind})`);
      } finally {
        await database.close();
      }
    });
}
