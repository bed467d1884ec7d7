/**
 * Runs the real `herald` executable in child processes with a private environment (never the
 * developer's HERALD_* variables) and a private data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the executable under test. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const heraldBin = join(repoRoot, 'bin/herald.mjs');

/** A 32-byte test key (hex), as PostgreSQL deployments must configure. */
export const testSecretKey = 'a1'.repeat(32);

export type Env = Record<string, string>;

/** A temp data dir plus a base env pointing at it; `cleanup()` removes it. */
export function tempHome(extra: Env = {}): { dir: string; env: Env; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  return {
    dir,
    env: { HERALD_DATA_DIR: join(dir, 'data'), HERALD_HOST: '127.0.0.1', HERALD_LOG_LEVEL: 'info', ...extra },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `herald ...args` to completion. `cwd` defaults to the temp dir's parent to prove cwd independence. */
export function runCli(args: string[], opts: { env: Env; input?: string; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [heraldBin, ...args], {
      env: opts.env,
      cwd: opts.cwd ?? tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herald ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A running `herald serve` child. */
export interface ServeProcess {
  child: ChildProcess;
  url: string | null;
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `herald serve ...args` and resolves once its roles are up: the `listening` log line for the
 * api role, or `herald started` otherwise. Rejects (with the output) if the process exits first.
 */
export function startServe(args: string[], opts: { env: Env; timeoutMs?: number }): Promise<ServeProcess> {
  const child = spawn(process.execPath, [heraldBin, 'serve', ...args], { env: opts.env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return new Promise((resolveStart, reject) => {
    let url: string | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 90_000);
    const handle: ServeProcess = {
      child,
      get url() {
        return url;
      },
      output: () => ({ stdout, stderr }),
      exited,
      async stop(graceMs = 15_000) {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(killer);
        return r;
      },
    };
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line) as { msg?: string; url?: string };
          if (rec.msg === 'listening' && rec.url) url = rec.url;
          if (rec.msg === 'herald started') {
            clearTimeout(timer);
            resolveStart(handle);
          }
        } catch {
          // partial line; wait for the rest
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (code ${code}, signal ${signal})\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/**
 * Budget for tests that run several CLI processes: each spawn pays tsx start-up, which takes seconds
 * on a loaded two-core machine.
 */
export const multiProcessTestTimeoutMs = 240_000;

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
}
