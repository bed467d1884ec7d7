import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultNetworksConfig, loadConfig, loadNetworksConfig, settingDocs } from '../../src/config/config';
import { renderConfigTable } from '../../scripts/config-table';

const tmp = () => mkdtempSync(join(tmpdir(), 'herald-config-'));

describe('config', () => {
  it('defaults to embedded SQLite under the data dir and generates a 0600 key once', () => {
    const dir = tmp();
    const a = loadConfig({ HERALD_DATA_DIR: dir });
    expect(a.database).toEqual({ dialect: 'sqlite', path: join(dir, 'herald.sqlite') });
    expect(a.port).toBe(3000);
    const keyFile = join(dir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const b = loadConfig({ HERALD_DATA_DIR: dir });
    expect(b.secretKey.equals(a.secretKey)).toBe(true);
    expect(a.secretKey.length).toBe(32);
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ HERALD_DATA_DIR: tmp(), HERALD_PORT: 'abc', HERALD_DATABASE_URL: 'mysql://x', HERALD_LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HERALD_PORT/);
    expect(problems).toMatch(/HERALD_DATABASE_URL/);
    expect(problems).toMatch(/HERALD_LOG_LEVEL/);
  });

  it('requires a shared key with PostgreSQL and reads *_FILE secrets', () => {
    expect(() => loadConfig({ HERALD_DATA_DIR: tmp(), HERALD_DATABASE_URL: 'postgres://localhost/x' })).toThrow(/HERALD_SECRET_KEY/);
    const dir = tmp();
    const file = join(dir, 'key');
    writeFileSync(file, 'ab'.repeat(32));
    const c = loadConfig({ HERALD_DATA_DIR: dir, HERALD_DATABASE_URL: 'postgres://localhost/x', HERALD_SECRET_KEY_FILE: file });
    expect(c.secretKey.toString('hex')).toBe('ab'.repeat(32));
    expect(c.database.dialect).toBe('postgres');
    expect(() => loadConfig({ HERALD_DATA_DIR: dir, HERALD_SECRET_KEY_FILE: join(dir, 'missing') })).toThrow(/cannot read/);
    expect(() => loadConfig({ HERALD_DATA_DIR: dir, HERALD_SECRET_KEY: 'short' })).toThrow(/32 bytes/);
  });

  it('README configuration table is generated from the config module', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(renderConfigTable());
    for (const s of settingDocs) expect(readme).toContain(s.name);
  });

  it('networks: documented defaults, app credentials off until configured, secrets from *_FILE', () => {
    const dir = tmp();
    const c = loadConfig({ HERALD_DATA_DIR: dir });
    expect(c.networks).toEqual({
      bluesky: { relayUrl: null, jetstreamUrl: null, plcUrl: 'https://plc.directory', chatProxy: null },
      telegram: { apiBaseUrl: 'https://api.telegram.org' },
      vk: { apiBaseUrl: 'https://api.vk.com/method', idBaseUrl: 'https://id.vk.com', clientId: null, clientSecret: null, serviceToken: null },
      ok: {
        apiBaseUrl: 'https://api.ok.ru/fb.do',
        oauthBaseUrl: 'https://connect.ok.ru/oauth/authorize',
        tokenUrl: 'https://api.ok.ru/oauth/token.do',
        applicationId: null,
        applicationKey: null,
        applicationSecretKey: null,
      },
    });
    expect(defaultNetworksConfig()).toEqual(c.networks);
    const vkSecret = join(dir, 'vk-secret');
    writeFileSync(vkSecret, 'vk-protected-key\n');
    const okSecret = join(dir, 'ok-secret');
    writeFileSync(okSecret, 'ok-secret-key');
    const n = loadConfig({
      HERALD_DATA_DIR: dir,
      HERALD_TELEGRAM_API_URL: 'http://127.0.0.1:8081/',
      HERALD_VK_CLIENT_ID: '51234567',
      HERALD_VK_CLIENT_SECRET_FILE: vkSecret,
      HERALD_VK_SERVICE_TOKEN: 'vk-service-token',
      HERALD_OK_APPLICATION_ID: '512000000001',
      HERALD_OK_APPLICATION_KEY: 'CBAPUBLICKEY',
      HERALD_OK_APPLICATION_SECRET_FILE: okSecret,
    }).networks;
    // A trailing slash is dropped so connectors can append paths.
    expect(n.telegram.apiBaseUrl).toBe('http://127.0.0.1:8081');
    expect(n.vk).toMatchObject({ clientId: '51234567', clientSecret: 'vk-protected-key', serviceToken: 'vk-service-token' });
    expect(n.ok).toMatchObject({ applicationId: '512000000001', applicationKey: 'CBAPUBLICKEY', applicationSecretKey: 'ok-secret-key' });
    // The networks section alone (herald validate) needs no data dir or key.
    expect(loadNetworksConfig({ HERALD_VK_API_URL: 'http://127.0.0.1:9/method' }).vk.apiBaseUrl).toBe('http://127.0.0.1:9/method');
  });

  it('networks: a malformed endpoint is listed with the other problems', () => {
    let err: unknown;
    try {
      loadConfig({ HERALD_DATA_DIR: tmp(), HERALD_PORT: 'abc', HERALD_OK_API_URL: 'ftp://ok.ru', HERALD_TELEGRAM_API_URL: 'not a url' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HERALD_PORT/);
    expect(problems).toMatch(/HERALD_OK_API_URL must be an http\(s\) URL, got "ftp:\/\/ok.ru"/);
    expect(problems).toMatch(/HERALD_TELEGRAM_API_URL/);
    expect(() => loadNetworksConfig({ HERALD_VK_ID_URL: 'id.vk.com' })).toThrow(/HERALD_VK_ID_URL/);
  });
});
