#!/usr/bin/env node
// `npm test`: installs the test peers if missing (so `npm ci && npm test` works on a fresh machine),
// type-checks, then runs every vitest suite. Exit code is the first failure's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
};

if (!existsSync(join(root, 'test-peers/node_modules/@atproto/dev-env'))) {
  console.log('Installing the local test peers (test-peers/, first time only)…');
  const code = run('npm', ['ci', '--prefix', 'test-peers', '--no-audit', '--no-fund']);
  if (code !== 0) process.exit(code);
}

const tsc = run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.']);
if (tsc !== 0) {
  console.error('Type check failed.');
  process.exit(tsc);
}
process.exit(run(join(root, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)]));
