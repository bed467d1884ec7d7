/**
 * The whole core loop through the CLI against the real local Bluesky PDS: create the owner, connect
 * an account with an app password, schedule a post a few seconds ahead, watch it appear on the PDS
 * exactly once, read its state back with `post show`, and delete it (also from the PDS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAccount, getPostRecord, listPosts, requireBlueskyPds, uniqueAccountName, type BlueskyTestAccount } from '../support/bluesky-network';
import { multiProcessTestTimeoutMs, runCli, startServe, tempHome, waitFor, type ServeProcess } from './cli-harness';

const pdsUrl = requireBlueskyPds();

/** `instant` as an ISO time with the zone's offset, e.g. 2026-11-26T05:03:12+01:00. */
function isoInZone(instant: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offsetMin = Math.round((local - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

describe.skipIf(!pdsUrl)('core loop through the CLI (local Bluesky PDS)', () => {
  const home = tempHome({ HERALD_SCHEDULER_INTERVAL_MS: '500', HERALD_LOG_LEVEL: 'warn' });
  let server: ServeProcess;
  let alice: BlueskyTestAccount;
  let bob: BlueskyTestAccount;
  let env: Record<string, string>;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([createTestAccount(pdsUrl!, uniqueAccountName('clia')), createTestAccount(pdsUrl!, uniqueAccountName('clib'))]);
    env = { ...home.env, HERALD_BLUESKY_DEFAULT_SERVICE: pdsUrl! };
    server = await startServe(['--port', '0'], { env: { ...env, HERALD_LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await server?.stop(5_000);
    home.cleanup();
  });

  it('user create → account connect → post create --at → published once → post show → post delete', async () => {
    const owner = await runCli(['user', 'create', '--owner', '--email', 'cli@example.com', '--name', 'Cli Owner', '--password-stdin', '--timezone', 'Europe/Berlin'], {
      env,
      input: 'a long enough password',
    });
    expect(owner.code, owner.stderr).toBe(0);

    const connect = await runCli(['account', 'connect', 'bluesky', '--identifier', alice.handle, '--app-password-stdin', '--service', pdsUrl!, '--json'], {
      env,
      input: `${alice.appPassword}\n`,
    });
    expect(connect.code, connect.stderr).toBe(0);
    const account = JSON.parse(connect.stdout) as { id: string; handle: string; externalId: string; status: string };
    expect(account).toMatchObject({ handle: alice.handle, externalId: alice.did, status: 'ok' });
    // The app password never reaches the output.
    expect(connect.stdout + connect.stderr).not.toContain(alice.appPassword);

    const wrong = await runCli(['account', 'connect', 'bluesky', '--identifier', bob.handle, '--app-password', 'xxxx-xxxx-xxxx-xxxx'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/error: /);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);

    const list = await runCli(['account', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: account.id, handle: alice.handle })]);

    const before = await listPosts(pdsUrl!, alice.did);
    const text = `Hello @${bob.handle} from the Herald CLI ${Date.now()}`;
    const at = isoInZone(new Date(Date.now() + 3_000), 'Europe/Berlin');
    const created = await runCli(['post', 'create', '--account', `@${alice.handle}`, '--text', text, '--lang', 'en', '--at', at, '--timezone', 'Europe/Berlin', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const post = JSON.parse(created.stdout) as { id: string; timezone: string; targets: Array<{ state: string }> };
    expect(post.timezone).toBe('Europe/Berlin');
    // Due in 3 s: on a loaded machine the running worker may already have claimed it when the CLI answers.
    expect(post.targets).toHaveLength(1);
    expect(['scheduled', 'publishing', 'published']).toContain(post.targets[0]!.state);

    const published = await waitFor(
      async () => {
        const show = await runCli(['post', 'show', post.id, '--json'], { env });
        const view = JSON.parse(show.stdout) as { targets: Array<{ state: string; externalId: string | null; externalUrl: string | null }> };
        return view.targets[0]!.state === 'published' ? view.targets[0]! : null;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'the post to be published' },
    );
    expect(published.externalId).toMatch(new RegExp(`^at://${alice.did}/app\\.bsky\\.feed\\.post/[a-z2-7]{13}$`));

    // Exactly one new record, with our text and the mention facet pointing at bob.
    const after = await listPosts(pdsUrl!, alice.did);
    const fresh = after.filter((r) => !before.some((b) => b.uri === r.uri));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.uri).toBe(published.externalId);
    expect(fresh[0]!.value.text).toBe(text);
    expect(JSON.stringify(fresh[0]!.value.facets)).toContain(bob.did);

    const human = await runCli(['post', 'show', post.id], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${alice.handle}: published`);
    expect(human.stdout).toContain(published.externalId!);

    const rkey = published.externalId!.split('/').pop()!;
    const del = await runCli(['post', 'delete', post.id], { env });
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain('1 deleted on the network');
    expect(await getPostRecord(pdsUrl!, alice.did, rkey)).toBeNull();

    const gone = await runCli(['post', 'show', post.id], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('not found');
  }, multiProcessTestTimeoutMs);

  it('post create refuses a text over the network limit before anything is stored', async () => {
    const count = async () => (JSON.parse((await runCli(['post', 'list', '--json'], { env })).stdout) as { items: unknown[] }).items.length;
    const before = await count();
    const r = await runCli(['post', 'create', '--account', alice.handle, '--text', 'x'.repeat(301), '--now'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/300/);
    expect(await count()).toBe(before);
  }, multiProcessTestTimeoutMs);

  it('post create --draft, post schedule --at (wall time in a zone), post list --state, post cancel', async () => {
    const draft = await runCli(['post', 'create', '--account', alice.handle, '--text', 'A draft for later', '--draft', '--json'], { env });
    expect(draft.code, draft.stderr).toBe(0);
    const id = (JSON.parse(draft.stdout) as { id: string; targets: Array<{ state: string }> }).id;
    expect((JSON.parse(draft.stdout) as { targets: Array<{ state: string }> }).targets[0]!.state).toBe('draft');

    const next = new Date().getUTCFullYear() + 1;
    const scheduled = await runCli(['post', 'schedule', id, '--at', `${next}-07-01 09:30`, '--timezone', 'America/New_York', '--json'], { env });
    expect(scheduled.code, scheduled.stderr).toBe(0);
    const view = JSON.parse(scheduled.stdout) as { scheduledAt: string; scheduledLocal: string; timezone: string; targets: Array<{ state: string }> };
    // 09:30 EDT (UTC-4) in July.
    expect(view.scheduledAt).toBe(`${next}-07-01T13:30:00.000Z`);
    expect(view).toMatchObject({ scheduledLocal: `${next}-07-01T09:30`, timezone: 'America/New_York' });
    expect(view.targets[0]!.state).toBe('scheduled');

    const listed = await runCli(['post', 'list', '--state', 'scheduled', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { items: Array<{ id: string }> }).items.map((p) => p.id)).toContain(id);

    const badAt = await runCli(['post', 'schedule', id, '--at', 'tomorrow'], { env });
    expect(badAt.code).toBe(2);
    expect(badAt.stderr).toContain('YYYY-MM-DD HH:mm');

    const cancelled = await runCli(['post', 'cancel', id], { env });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`${alice.handle}: cancelled`);
  }, multiProcessTestTimeoutMs);
});
