#!/usr/bin/env node
// `npm run bench`: runs every bench/*.ts with tsx, one after the other (never side by side: they
// measure the machine), and prints their figures. Exit code 1 when any bench missed its targets or
// failed.
//
//   npm run bench                                  every bench with its defaults (the issue's numbers)
//   npm run bench -- publish-lateness --targets 1000 --accounts 100 --modes sqlite/1
//                                                  only benches whose name contains the first word;
//                                                  the rest of the arguments go to them
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const filter = args[0] && !args[0].startsWith('-') ? args.shift() : null;
// bench/*.ts plus bench/web/*.ts (the web figures: bundle size, calendar, month API).
const benches = [...readdirSync(join(root, 'bench')), ...readdirSync(join(root, 'bench', 'web')).map((f) => `web/${f}`)]
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (benches.length === 0) {
  console.error(filter ? `no bench matches "${filter}"` : 'no benches in bench/');
  process.exit(2);
}

const outcomes = [];
for (const file of benches) {
  console.log(`\n=== bench/${file} ===`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file), ...args], { cwd: root, stdio: 'inherit' });
  const code = r.status ?? (r.signal ? `signal ${r.signal}` : 1);
  outcomes.push({ file, code, seconds: Math.round((Date.now() - started) / 1000) });
  if (r.signal === 'SIGINT') break;
}

console.log('\n=== benches ===');
for (const o of outcomes) console.log(`${o.code === 0 ? 'ok  ' : 'MISS'}  bench/${o.file}  (${o.seconds} s${o.code === 0 ? '' : `, exit ${o.code}`})`);
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1);
