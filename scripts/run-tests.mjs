#!/usr/bin/env node
// `npm test`: installs the test peers if missing (so `npm ci && npm test` works on a fresh machine),
// type-checks, then runs every vitest suite. Exit code is the first failure's.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestPeers } from './ensure-test-peers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
};

const peers = ensureTestPeers();
if (peers !== 0) process.exit(peers);

const tsc = run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.']) || run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'web']);
if (tsc !== 0) {
  console.error('Type check failed.');
  process.exit(tsc);
}
process.exit(run(join(root, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)]));
