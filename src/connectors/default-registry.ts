/**
 * The connectors a production Herald process runs with. Adding a network means adding its connector
 * to this list (and nothing else in generic code).
 */
import type { HeraldConfig } from '../config/config';
import { ConnectorRegistry } from './registry';
import { blueskyConnector } from './bluesky/bluesky.connector';

/** A fresh registry holding every shipped connector, configured from the `networks` settings. */
export function defaultConnectors(_config: HeraldConfig['networks']): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registry.register(blueskyConnector);
  return registry;
}
