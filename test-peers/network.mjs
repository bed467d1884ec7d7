#!/usr/bin/env node
/**
 * A real, local AT Protocol network for Herald's tests and demo (@atproto/dev-env 0.3.215, Node 20).
 *
 *   node test-peers/network.mjs [--appview] [--port N]
 *
 * Default: PLC + one PDS (TestNetworkNoAppView). `--appview` starts the full TestNetwork (PLC, PDS,
 * Bluesky AppView, Ozone); it needs PostgreSQL (DB_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres) and Redis (REDIS_HOST, default 127.0.0.1:6379) and uses
 * a fresh letters-only schema name, dropped again on stop. `--port N` fixes the PDS port.
 *
 * When ready it prints exactly one JSON line to stdout: {"plcUrl","pdsUrl","appviewUrl"} (appviewUrl
 * null without --appview); everything else goes to stderr. It stops on SIGTERM/SIGINT, and when its
 * stdin pipe closes (so a parent that dies never leaves an orphan), removing its temp dir.
 */
import { mkdtempSync, rmSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const withAppview = args.includes('--appview');
const portIdx = args.indexOf('--port');
let pdsPort;
if (portIdx !== -1) {
  pdsPort = Number(args[portIdx + 1]);
  if (!Number.isInteger(pdsPort) || pdsPort < 1 || pdsPort > 65535) {
    process.stderr.write(`network.mjs: --port needs a port number (1-65535), got "${args[portIdx + 1] ?? ''}"\n`);
    process.exit(2);
  }
}
const unknown = args.filter((a, i) => a !== '--appview' && a !== '--port' && !(portIdx !== -1 && i === portIdx + 1));
if (unknown.length) {
  process.stderr.write(`network.mjs: unknown argument(s): ${unknown.join(' ')}\nusage: node test-peers/network.mjs [--appview] [--port N]\n`);
  process.exit(2);
}

// dev-env writes PDS data dirs and image caches under os.tmpdir() and never deletes them: give it a
// private TMPDIR (set before dev-env is loaded) and remove it on the way out.
const ownTmp = mkdtempSync(join(tmpdir(), 'herald-atproto-'));
process.env.TMPDIR = ownTmp;

// Libraries may print to stdout; keep stdout for the one JSON line.
const log = (...a) => process.stderr.write(a.map(String).join(' ') + '\n');
console.log = log;
console.info = log;
// Named so a parent that has to SIGKILL this process can still remove the directory.
log(`network.mjs: temp dir ${ownTmp}`);

const require = createRequire(import.meta.url);
let network = null;
let schemaToDrop = null;
let stopping = false;

async function dropSchemas(dbUrl, schema) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: dbUrl });
  try {
    await client.connect();
    for (const s of [`appview_${schema}`, `ozone_${schema}`, schema]) await client.query(`drop schema if exists "${s}" cascade`);
  } catch (e) {
    log(`network.mjs: could not drop schema ${schema}: ${e?.message ?? e}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  // A hung close must not keep the process (and the port) around forever.
  const guard = setTimeout(() => {
    rmSync(ownTmp, { recursive: true, force: true });
    process.exit(code || 1);
  }, 20_000);
  guard.unref();
  try {
    if (network) await network.close();
  } catch (e) {
    log(`network.mjs: close failed: ${e?.message ?? e}`);
  }
  if (schemaToDrop) await dropSchemas(schemaToDrop.url, schemaToDrop.schema);
  rmSync(ownTmp, { recursive: true, force: true });
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

// Watch stdin only when a parent handed us a pipe (or a terminal): a background job whose stdin is
// /dev/null must keep running.
let stdinKind = 'other';
try {
  const st = fstatSync(0);
  if (st.isFIFO() || st.isSocket()) stdinKind = 'pipe';
  else if (process.stdin.isTTY) stdinKind = 'tty';
} catch {
  stdinKind = 'none';
}
if (stdinKind === 'pipe' || stdinKind === 'tty') {
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => void stop(0));
  process.stdin.on('close', () => void stop(0));
  process.stdin.on('error', () => void stop(0));
  process.stdin.resume();
}

// Closed localhost URLs: the defaults (https://appview.invalid) make the PDS look names up off the machine.
const closedUrl = 'http://127.0.0.1:1';

try {
  const dev = require('@atproto/dev-env');
  let out;
  if (withAppview) {
    const dbUrl = process.env.DB_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    process.env.REDIS_HOST ||= '127.0.0.1:6379';
    // Letters only ([A-Za-z_]+), fresh per run: the PLC is in memory, old rows would be orphans.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let schema = 'herald';
    for (let i = 0; i < 10; i++) schema += letters[Math.floor(Math.random() * letters.length)];
    schemaToDrop = { url: dbUrl, schema };
    network = await dev.TestNetwork.create({
      dbPostgresUrl: dbUrl,
      dbPostgresSchema: schema,
      pds: pdsPort ? { port: pdsPort } : {},
    });
    out = { plcUrl: network.plc.url, pdsUrl: network.pds.url, appviewUrl: network.bsky.url };
  } else {
    network = await dev.TestNetworkNoAppView.create({
      pds: {
        ...(pdsPort ? { port: pdsPort } : {}),
        bskyAppViewUrl: closedUrl,
        modServiceUrl: closedUrl,
      },
    });
    out = { plcUrl: network.plc.url, pdsUrl: network.pds.url, appviewUrl: null };
  }
  if (stopping) {
    // A signal arrived while starting: close what was built.
    await network.close().catch(() => undefined);
  } else {
    process.stdout.write(JSON.stringify(out) + '\n');
  }
} catch (e) {
  log(`network.mjs: failed to start: ${e?.stack ?? e}`);
  await stop(1);
}
