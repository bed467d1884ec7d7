/**
 * The poll, thread and network-option flags of `herald post create` and `herald validate`: parsing
 * (unit), the validate --json contract with declaration checks (real executable), and post create
 * storing them for a connected account (real executable against the local Bluesky PDS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromFlags, parseDurationSeconds, pollFromOptions } from '../../src/cli/commands/post.command';
import { UsageError } from '../../src/cli/cli-support';
import { createTestAccount, requireBlueskyPds, uniqueAccountName } from '../support/bluesky-network';
import { runCli, tempHome } from './cli-harness';

describe('poll, thread and option flags (parsing)', () => {
  it('builds a poll from the flags and refuses half a poll', () => {
    expect(pollFromOptions({})).toBeUndefined();
    expect(pollFromOptions({ pollOption: ['Soup', 'Salad'], pollQuestion: 'Lunch?', pollMultiple: true, pollDuration: '3d', pollCorrect: '2' })).toEqual({
      options: ['Soup', 'Salad'],
      question: 'Lunch?',
      multiple: true,
      durationSeconds: 259_200,
      correctOptionIndex: 1,
    });
    expect(() => pollFromOptions({ pollOption: ['only'] })).toThrow(new UsageError('a poll needs at least 2 answers: repeat --poll-option'));
    expect(() => pollFromOptions({ pollQuestion: 'Why?' })).toThrow(/need the answers as --poll-option/);
    expect(() => pollFromOptions({ pollOption: ['a', 'b'], pollCorrect: '3' })).toThrow('--poll-correct is the number of one of the 2 answers (1-2)');
  });

  it('reads durations in seconds or with a unit', () => {
    expect(parseDurationSeconds('3600')).toBe(3600);
    expect(parseDurationSeconds('90m')).toBe(5400);
    expect(parseDurationSeconds('2h')).toBe(7200);
    expect(parseDurationSeconds('1D')).toBe(86_400);
    for (const bad of ['0', '-5', '1w', 'soon', '']) expect(() => parseDurationSeconds(bad)).toThrow(UsageError);
  });

  it('turns --option name=value into declared types', () => {
    const fields = [
      { name: 'silent', label: 'Silent', type: 'boolean' as const },
      { name: 'visibility', label: 'Visibility', type: 'select' as const, choices: [{ value: 'unlisted', label: 'Unlisted' }] },
    ];
    expect(optionsFromFlags(undefined, fields)).toBeUndefined();
    expect(optionsFromFlags(['silent=yes', 'visibility=unlisted', 'spoiler=a=b'], fields)).toEqual({ silent: true, visibility: 'unlisted', spoiler: 'a=b' });
    expect(optionsFromFlags(['silent=off'], fields)).toEqual({ silent: false });
    expect(() => optionsFromFlags(['silent=maybe'], fields)).toThrow('--option silent is true or false, got "maybe"');
    expect(() => optionsFromFlags(['=x'], fields)).toThrow('--option takes name=value, got "=x"');
  });
});

describe('herald validate with poll, thread and options', () => {
  const home = tempHome();
  afterAll(() => home.cleanup());

  it('keeps the --json contract and names what the network does not take', async () => {
    const r = await runCli(['validate', '--network', 'bluesky', '--json', '--poll-option', 'Yes', '--poll-option', 'No', '--thread', 'part two', '--option', 'silent=true'], {
      env: home.env,
      input: 'Vote!\n',
    });
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { valid: boolean; errors: Array<{ code: string; message: string; field?: string }> } & Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['errors', 'length', 'max', 'network', 'unit', 'valid']);
    expect(out).toMatchObject({ network: 'bluesky', length: 5, max: 300, unit: 'graphemes', valid: false });
    expect(out.errors).toEqual([
      { code: 'polls_unsupported', message: 'Bluesky posts cannot have a poll; remove the poll for this account', field: 'poll' },
      { code: 'threads_unsupported', message: 'Bluesky does not publish threads; remove the follow-up parts for this account', field: 'thread' },
      { code: 'unknown_option', message: 'Bluesky has no post options; remove "silent"', field: 'options' },
    ]);
  });

  it('refuses half a poll as a usage error and documents the flags', async () => {
    const r = await runCli(['validate', '--network', 'bluesky', '--poll-option', 'only'], { env: home.env, input: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a poll needs at least 2 answers');
    for (const cmd of [['validate'], ['post', 'create']]) {
      const help = await runCli([...cmd, '--help'], { env: home.env });
      expect(help.code).toBe(0);
      for (const flag of ['--poll-option <text>', '--poll-question <text>', '--poll-multiple', '--poll-duration <time>', '--poll-correct <n>', '--thread <text>', '--option <name=value>']) {
        expect(help.stdout).toContain(flag);
      }
    }
  });
});

const pdsUrl = requireBlueskyPds();

describe.skipIf(!pdsUrl)('herald post create with poll, thread and options (local Bluesky PDS)', () => {
  const home = tempHome({ HERALD_LOG_LEVEL: 'warn' });
  let env: Record<string, string>;
  let handle: string;
  beforeAll(async () => {
    const alice = await createTestAccount(pdsUrl!, uniqueAccountName('clix'));
    handle = alice.handle;
    env = { ...home.env, HERALD_BLUESKY_DEFAULT_SERVICE: pdsUrl! };
    const owner = await runCli(['user', 'create', '--owner', '--email', 'x@example.com', '--name', 'X', '--password-stdin'], { env, input: 'a long enough password' });
    expect(owner.code, owner.stderr).toBe(0);
    const connect = await runCli(['account', 'connect', 'bluesky', '--identifier', alice.handle, '--app-password-stdin', '--service', pdsUrl!], { env, input: alice.appPassword });
    expect(connect.code, connect.stderr).toBe(0);
  });
  afterAll(() => home.cleanup());

  it('stores them on a draft, and refuses to schedule what the network cannot publish', async () => {
    const draft = await runCli(['post', 'create', '--account', handle, '--text', 'Lunch?', '--poll-option', 'Soup', '--poll-option', 'Salad', '--poll-duration', '1d', '--thread', 'More soon', '--json'], {
      env,
    });
    expect(draft.code, draft.stderr).toBe(0);
    const post = JSON.parse(draft.stdout) as { id: string; targets: Array<{ state: string; poll: unknown; thread: string[]; options: unknown }> };
    expect(post.targets[0]).toMatchObject({ state: 'draft', poll: { options: ['Soup', 'Salad'], durationSeconds: 86_400 }, thread: ['More soon'], options: {} });
    const shown = await runCli(['post', 'show', post.id], { env });
    expect(shown.stdout).toContain('poll: [Soup | Salad]');
    expect(shown.stdout).toContain('thread: 1 follow-up part(s)');

    const now = await runCli(['post', 'create', '--account', handle, '--text', 'Lunch?', '--poll-option', 'Soup', '--poll-option', 'Salad', '--now'], { env });
    expect(now.code).not.toBe(0);
    expect(now.stderr).toContain('Bluesky posts cannot have a poll');

    const option = await runCli(['post', 'create', '--account', handle, '--text', 'hi', '--option', 'silent=true'], { env });
    expect(option.code).not.toBe(0);
    expect(option.stderr).toContain('No network of this post has an option "silent"');
  });

  it('account list shows the token expiry (none for an app password)', async () => {
    const json = await runCli(['account', 'list', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ handle, tokenExpiresAt: null, expiresInDays: null, expiry: 'none', networkLimits: null })]);
    const table = await runCli(['account', 'list'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NETWORK\s+HANDLE\s+STATUS\s+EXPIRES\s+HELDPOSTS\s+STATUSREASON$/);
  });
});
