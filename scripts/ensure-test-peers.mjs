#!/usr/bin/env node
// Installs the local test peers (test-peers/: the AT Protocol dev network) when they are missing, so
// `npm test` and `npm run demo` work right after `npm ci` on a fresh machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Returns 0 when the peers are (now) installed, else npm's exit code. */
export function ensureTestPeers() {
  if (existsSync(join(root, 'test-peers/node_modules/@atproto/dev-env'))) return 0;
  console.log('Installing the local test peers (test-peers/, first time only, about two minutes)…');
  const r = spawnSync('npm', ['ci', '--prefix', 'test-peers', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureTestPeers());
