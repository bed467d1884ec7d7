/**
 * A Herald process for the benches: exactly what `herald serve --role …` runs (the same `serve()`),
 * with one difference: the connector registry is the default one PLUS the loopback connector pointed
 * at the bench's local network. The production CLI cannot load test connectors, and must not, so the
 * bench starts its worker and scheduler processes through this entry instead:
 *
 *   node --import tsx bench/support/worker-entry.ts --roles worker --network-url http://127.0.0.1:PORT \
 *     --settings '{"HERALD_DATABASE_URL":"…","HERALD_SECRET_KEY":"…"}'
 *
 * Settings come as an explicit JSON object (parsed by the real `loadConfig`), not from the inherited
 * environment, so a developer's own HERALD_* variables never leak into a measurement.
 * With an IPC channel it sends `{ type: 'ready', workerId }` once the roles run; SIGTERM (or the parent
 * going away) stops it gracefully, like the CLI.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/config';
import { defaultConnectors } from '../../src/connectors/default-registry';
import { createLogger } from '../../src/logging/logger';
import { serve, serverRoles, type ServerRole } from '../../src/server/serve';
import { loopbackConnector } from '../../test/support/loopback-network';

const { values } = parseArgs({
  options: {
    roles: { type: 'string', default: 'worker' },
    'network-url': { type: 'string' },
    settings: { type: 'string', default: '{}' },
  },
});

const roles = (values.roles ?? 'worker').split(',').map((r) => r.trim()) as ServerRole[];
for (const r of roles) if (!(serverRoles as readonly string[]).includes(r)) throw new Error(`unknown role ${r}`);
if (!values['network-url']) throw new Error('--network-url is required');

const config = loadConfig(JSON.parse(values.settings ?? '{}') as Record<string, string>);
const connectors = defaultConnectors(config.networks);
connectors.register(loopbackConnector(values['network-url']));
const log = createLogger(config.logLevel);
const running = await serve(config, { roles, connectors, log });
process.send?.({ type: 'ready', workerId: running.workerId });

let stopping = false;
const stop = (why: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, 'bench process stopping');
  const guard = setTimeout(() => process.exit(1), 30_000);
  guard.unref();
  running.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// An orphaned bench process must not keep publishing: the parent's death closes the channel.
process.on('disconnect', () => stop('parent gone'));
