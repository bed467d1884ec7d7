/**
 * `herald demo` (npm run demo) end to end: its own local network, a post published 10 s after start
 * and read back from the PDS, then Ctrl-C removes everything and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { testPeersInstalled } from '../support/bluesky-network';
import { requireAll } from '../support/databases';
import { heraldBin, waitFor } from './cli-harness';

const installed = testPeersInstalled();
if (!installed && requireAll) throw new Error('the demo test needs test-peers (HERALD_TEST_REQUIRE_ALL=1): run `npm --prefix test-peers ci`');

describe.skipIf(!installed)('herald demo', () => {
  it('publishes the scheduled mention post, prints the record, and cleans up on SIGINT', async () => {
    const child = spawn(process.execPath, [heraldBin, 'demo', '--port', '0'], { cwd: tmpdir(), env: { HERALD_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitFor(async () => stdout.includes('Press Ctrl-C') || child.exitCode !== null, { timeoutMs: 90_000, intervalMs: 250, what: 'the demo to publish' });
      expect(child.exitCode, stderr).toBeNull();
      expect(stdout).toMatch(/Owner: +owner@herald-demo\.test +password: \S+/);
      expect(stdout).toContain('Connected: alice.test');
      expect(stdout).toContain('Connected: bob.test');
      const uri = /Published: (at:\/\/did:plc:[a-z0-9]+\/app\.bsky\.feed\.post\/[a-z2-7]{13})/.exec(stdout)?.[1];
      expect(uri, stdout).toBeDefined();
      expect(stdout).toContain(`"uri": "${uri}"`);
      expect(stdout).toContain('"text": "Hello @bob.test!');
      expect(stdout).toContain('app.bsky.richtext.facet#mention');
      const url = /Herald is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      const dataDir = /\(data in (\S+)\)/.exec(stdout)?.[1];
      expect(dataDir && existsSync(dataDir)).toBe(true);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toContain('Stopped; the demo data was removed.');
      expect(existsSync(dataDir!)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
