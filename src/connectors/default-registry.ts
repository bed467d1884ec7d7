/**
 * The connectors a production Herald process runs with. Adding a network means adding its connector
 * to this list (and nothing else in generic code).
 */
import { ConnectorRegistry } from './registry';
import { blueskyConnector } from './bluesky/bluesky.connector';

/** A fresh registry holding every shipped connector. */
export function defaultConnectors(): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registry.register(blueskyConnector);
  return registry;
}
