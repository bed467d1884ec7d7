/**
 * Users, workspaces and tokens through the CLI, against a fresh embedded SQLite database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { multiProcessTestTimeoutMs, runCli, tempHome } from './cli-harness';

const home = tempHome();
afterAll(() => home.cleanup());

describe('herald user / workspace / token', () => {
  it('workspace list before any user says how to create the owner', async () => {
    const r = await runCli(['workspace', 'list'], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('herald user create --owner');
  });

  it('user create --owner (password from stdin), then workspace list --json shows the first workspace', async () => {
    const created = await runCli(
      ['user', 'create', '--owner', '--email', 'Owner@Example.com', '--name', 'Olga Owner', '--password-stdin', '--workspace', 'Acme', '--timezone', 'europe/berlin'],
      { env: home.env, input: 'correct horse battery staple\n' },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created user owner@example.com');
    expect(created.stdout).toContain('workspace:    Acme');

    const list = await runCli(['workspace', 'list', '--json'], { env: home.env });
    expect(list.code).toBe(0);
    const items = JSON.parse(list.stdout) as Array<{ id: string; name: string; timezone: string; role: string }>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: 'Acme', timezone: 'Europe/Berlin', role: 'owner' });
  });

  it('the same e-mail twice is refused with a plain message (exit 1), and a short password too', async () => {
    const dup = await runCli(['user', 'create', '--email', 'owner@example.com', '--name', 'X', '--password', 'another long password'], { env: home.env });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const short = await runCli(['user', 'create', '--email', 'short@example.com', '--name', 'X', '--password', 'abc'], { env: home.env });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least \d+ characters/);
    expect(dup.stderr + short.stderr).not.toMatch(/\n\s+at /);
  });

  it('missing password is a usage error (exit 2)', async () => {
    const r = await runCli(['user', 'create', '--email', 'p@example.com', '--name', 'P'], { env: home.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--password-stdin');
  });

  it('workspace create, then --workspace picks by name; token create prints the token once', async () => {
    const ws = await runCli(['workspace', 'create', '--name', 'Second', '--timezone', 'UTC', '--json'], { env: home.env });
    expect(ws.code).toBe(0);
    expect(JSON.parse(ws.stdout)).toMatchObject({ name: 'Second', role: 'owner' });

    const ambiguous = await runCli(['token', 'create', '--name', 'CI'], { env: home.env });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('--workspace');

    const token = await runCli(['token', 'create', '--name', 'CI', '--workspace', 'second', '--as', 'owner@example.com', '--json'], { env: home.env });
    expect(token.code).toBe(0);
    const t = JSON.parse(token.stdout) as { token: string; name: string };
    expect(t.token).toMatch(/^hrld_/);
    const list = await runCli(['token', 'list', '--workspace', 'Second', '--json'], { env: home.env });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(t.token);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'CI' })]);
  }, multiProcessTestTimeoutMs);

  it('--as with an unknown user is refused', async () => {
    const r = await runCli(['workspace', 'list', '--as', 'nobody@example.com'], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no user with the e-mail address "nobody@example.com"');
  });
});
