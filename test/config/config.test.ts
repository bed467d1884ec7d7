import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingDocs } from '../../src/config/config';
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
});
