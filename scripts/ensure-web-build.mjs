#!/usr/bin/env node
// Builds the web app (web/dist) when it is missing or older than its sources, so `npm start` works on
// a fresh clone. Uses the local vite binary (never npx: no network, no surprise versions).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const dist = join(web, 'dist', 'index.html');

/** Newest modification time under `path` (files only), 0 when absent. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const inputs = [join(web, 'src'), join(web, 'public'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'package-lock.json')];
const built = existsSync(dist) ? statSync(dist).mtimeMs : 0;
const sources = Math.max(...inputs.map(newest));

if (built && built >= sources) process.exit(0);

const vite = join(root, 'node_modules', '.bin', 'vite');
if (!existsSync(vite)) {
  console.error('The web app is not built and vite is not installed: run `npm ci` (with dev dependencies) first.');
  process.exit(1);
}
console.log(built ? 'Web app sources changed; rebuilding web/dist…' : 'Building the web app into web/dist…');
const r = spawnSync(vite, ['build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
