/**
 * The production registry: every shipped network, each declaring what the generic code reads, and
 * configured from the `networks` settings (sign-in turns on when the operator sets the app credentials).
 */
import { describe, expect, it } from 'vitest';
import { loadNetworksConfig, settingDocs } from '../../src/config/config';
import { defaultConnectors } from '../../src/connectors/default-registry';

describe('default connectors', () => {
  it('registers every shipped network with its declarations', () => {
    const registry = defaultConnectors(loadNetworksConfig({}));
    expect(registry.list().map((c) => c.id)).toEqual(['bluesky', 'mastodon', 'telegram', 'vk', 'ok']);
    for (const c of registry.list()) {
      expect(c.supports.maxMedia, c.id).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(c.supports.mediaTypes), c.id).toBe(true);
      expect(c.displayName, c.id).toMatch(/\S/);
      // Option names are unique per network (the composer and `--option` address them by name).
      const names = (c.optionFields ?? []).map((f) => f.name);
      expect(new Set(names).size, c.id).toBe(names.length);
    }
  });

  it('public data (competitors): Bluesky, Mastodon and Telegram always; VK only with the operator’s service token, OK with the app key and secret', () => {
    const off = defaultConnectors(loadNetworksConfig({}));
    expect(off.list().filter((c) => c.publicData).map((c) => c.id)).toEqual(['bluesky', 'mastodon', 'telegram']);
    const on = defaultConnectors(loadNetworksConfig({ HERALD_VK_SERVICE_TOKEN: 'service-key', HERALD_OK_APPLICATION_KEY: 'CBA', HERALD_OK_APPLICATION_SECRET: 'secret' }));
    expect(on.list().filter((c) => c.publicData).map((c) => c.id)).toEqual(['bluesky', 'mastodon', 'telegram', 'vk', 'ok']);
  });

  it('Bluesky direct messages only when the chat service proxy is configured; a malformed proxy is refused', () => {
    expect(defaultConnectors(loadNetworksConfig({})).get('bluesky').directMessages).toBeUndefined();
    const on = loadNetworksConfig({ HERALD_BLUESKY_CHAT_PROXY: ' did:web:api.bsky.chat#bsky_chat ' });
    expect(on.bluesky.chatProxy).toBe('did:web:api.bsky.chat#bsky_chat');
    expect(defaultConnectors(on).get('bluesky').directMessages?.send).toBeTypeOf('function');
    expect(() => loadNetworksConfig({ HERALD_BLUESKY_CHAT_PROXY: 'https://api.bsky.chat' })).toThrow(/HERALD_BLUESKY_CHAT_PROXY must be a DID with a service id/);
  });

  it('passes the operator’s app credentials through: sign-in is available only when configured', () => {
    const off = defaultConnectors(loadNetworksConfig({}));
    for (const id of ['vk', 'ok']) {
      const a = off.get(id).oauth!.available();
      expect(a.ok, id).toBe(false);
      if (!a.ok) expect(a.reason, id).toMatch(/HERALD_(VK|OK)_/);
    }
    const on = defaultConnectors(
      loadNetworksConfig({
        HERALD_VK_CLIENT_ID: '51234567',
        HERALD_OK_APPLICATION_ID: '512000000001',
        HERALD_OK_APPLICATION_KEY: 'CBAKEY',
        HERALD_OK_APPLICATION_SECRET: 'secret',
      }),
    );
    expect(on.get('vk').oauth!.available()).toEqual({ ok: true });
    expect(on.get('ok').oauth!.available()).toEqual({ ok: true });
    expect(on.get('mastodon').oauth!.needsServiceUrl).toBe(true);
    expect(settingDocs.map((s) => s.name)).toEqual(expect.arrayContaining(['HERALD_VK_CLIENT_ID', 'HERALD_OK_APPLICATION_ID', 'HERALD_OK_APPLICATION_KEY', 'HERALD_OK_APPLICATION_SECRET']));
  });
});
