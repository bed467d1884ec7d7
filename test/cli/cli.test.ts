/**
 * The `herald` executable itself: help, exit codes, the `validate --json` contract and configuration
 * errors. Runs the real bin/herald.mjs in child processes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './cli-harness';

const home = tempHome();
afterAll(() => home.cleanup());

describe('herald CLI', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await runCli(['--help'], { env: home.env });
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'migrate', 'user', 'workspace', 'account', 'post', 'queue', 'validate', 'token', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    }
  });

  it('serve --help documents roles and the migration rule', async () => {
    const r = await runCli(['serve', '--help'], { env: home.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--role');
    expect(r.stdout).toContain('--migrate');
    expect(r.stdout).toContain('herald migrate');
  });

  it('an unknown command or option is a usage error (exit 2) without a stack trace', async () => {
    const a = await runCli(['frobnicate'], { env: home.env });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("unknown command 'frobnicate'");
    const b = await runCli(['serve', '--role', 'cook'], { env: home.env });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('unknown role "cook"');
    expect(a.stderr + b.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate --json prints exactly the connector result and exits 0 for a valid text', async () => {
    const r = await runCli(['validate', '--network', 'bluesky', '--json'], { env: home.env, input: 'Hello from Herald 👋🏽\n' });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['errors', 'length', 'max', 'network', 'unit', 'valid']);
    // 19 graphemes: the skin-toned wave is one; the trailing newline from the pipe is not counted.
    expect(out).toEqual({ network: 'bluesky', length: 19, max: 300, unit: 'graphemes', valid: true, errors: [] });
  });

  it('validate --json reports a 301-grapheme text as invalid with exit code 1', async () => {
    const text = 'é'.repeat(150) + '👨‍👩‍👧' + 'a'.repeat(150);
    const r = await runCli(['validate', '--network', 'bluesky', '--json'], { env: home.env, input: text });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout.trim()) as { network: string; length: number; max: number; valid: boolean; errors: Array<{ code: string; message: string }> };
    expect(out.network).toBe('bluesky');
    expect(out.length).toBe(301);
    expect(out.max).toBe(300);
    expect(out.valid).toBe(false);
    expect(out.errors.length).toBeGreaterThan(0);
    expect(out.errors[0]!.message).toMatch(/\S/);
  });

  it('validate with an unknown network is a usage error', async () => {
    const r = await runCli(['validate', '--network', 'myspace', '--json'], { env: home.env, input: 'hi' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown network "myspace"');
  });

  it('a bad configuration lists every problem at once, exit 1, no stack trace', async () => {
    const r = await runCli(['serve'], { env: { ...home.env, HERALD_PORT: 'abc', HERALD_DATABASE_URL: 'mysql://localhost/herald' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HERALD_PORT');
    expect(r.stderr).toContain('"abc"');
    expect(r.stderr).toContain('HERALD_DATABASE_URL');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
