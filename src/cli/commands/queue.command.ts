/**
 * `herald queue status`: job counts and the workers and schedulers that are alive.
 */
import type { Command } from 'commander';
import { formatJson, formatTable, withServices, type CliDeps } from '../cli-support';

/** Registers `queue ...`. */
export function registerQueueCommands(program: Command, deps: CliDeps): void {
  const queue = program.command('queue').description('inspect the job queue');
  queue
    .command('status')
    .description('show waiting, due, running and failed jobs and the live workers')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { liveHeartbeats } = await import('../../server/heartbeat');
      const status = await withServices(deps, async (services) => ({
        backend: services.queue.kind,
        jobs: await services.queue.stats(),
        workers: (await liveHeartbeats(services.database.db, services.now())).map((h) => ({ id: h.worker_id, role: h.role, seenAt: h.seen_at })),
      }));
      if (opts.json) {
        deps.out(formatJson(status));
        return;
      }
      const j = status.jobs;
      deps.out(`queue (${status.backend}): ${j.waiting} waiting (${j.due} due), ${j.running} running, ${j.failed} failed`);
      deps.out(status.workers.length ? formatTable(status.workers, ['id', 'role', 'seenAt']) : 'no live worker or scheduler: start one with `herald serve`');
    });
}
