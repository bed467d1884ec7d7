/**
 * The connectors a production Herald process runs with. Adding a network means adding its connector
 * to this list (and nothing else in generic code).
 */
import type { HeraldConfig } from '../config/config';
import { ConnectorRegistry } from './registry';
import { blueskyConnector, createBlueskyConnector } from './bluesky/bluesky.connector';
import { createMastodonConnector } from './mastodon/mastodon.connector';
import { createBlueskyStream } from './bluesky/bluesky-stream';
import { createMastodonStream } from './mastodon/mastodon-stream';
import { createOkConnector } from './ok/ok.connector';
import { createTelegramConnector } from './telegram/telegram.connector';
import { createVkConnector } from './vk/vk.connector';

/** A fresh registry holding every shipped connector, configured from the `networks` settings. */
export function defaultConnectors(config: HeraldConfig['networks']): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  // Live subscriptions (`stream`, used by the worker's stream runner when HERALD_STREAMING is on).
  // Chat needs the operator's chat service (HERALD_BLUESKY_CHAT_PROXY); the rest is the production connector.
  const bluesky = config.bluesky.chatProxy ? { ...blueskyConnector, directMessages: createBlueskyConnector({ chatProxy: config.bluesky.chatProxy }).directMessages } : blueskyConnector;
  registry.register({ ...bluesky, stream: createBlueskyStream({ relayUrl: config.bluesky.relayUrl, jetstreamUrl: config.bluesky.jetstreamUrl, plcUrl: config.bluesky.plcUrl }) });
  registry.register({ ...createMastodonConnector(), stream: createMastodonStream() });
  registry.register(createTelegramConnector({ apiBaseUrl: config.telegram.apiBaseUrl }));
  registry.register(
    createVkConnector({
      apiBaseUrl: config.vk.apiBaseUrl,
      idBaseUrl: config.vk.idBaseUrl,
      clientId: config.vk.clientId ?? undefined,
      clientSecret: config.vk.clientSecret ?? undefined,
      serviceToken: config.vk.serviceToken ?? undefined,
    }),
  );
  registry.register(
    createOkConnector({
      apiBaseUrl: config.ok.apiBaseUrl,
      oauthBaseUrl: config.ok.oauthBaseUrl,
      tokenUrl: config.ok.tokenUrl,
      applicationId: config.ok.applicationId ?? undefined,
      applicationKey: config.ok.applicationKey ?? undefined,
      applicationSecretKey: config.ok.applicationSecretKey ?? undefined,
    }),
  );
  return registry;
}
