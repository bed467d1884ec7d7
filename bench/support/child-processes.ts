/**
 * Child processes of a bench: TypeScript entries run with `node --import tsx`, an IPC channel for
 * "ready"/"done" messages, output to a log file. Every child is tracked so that a bench that fails or
 * is interrupted still leaves no process behind (each is stopped by its own pid, never by name).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/support/../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const live = new Set<ChildProcess>();

/** A started child and its first IPC message. */
export interface BenchChild {
  proc: ChildProcess;
  name: string;
  /** Resolves with the child's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `node --import tsx <entry> ...args` with its stdout/stderr appended to `logPath` and waits
 * for its first IPC message of type `ready` (rejects if it exits first or takes longer than `timeoutMs`).
 */
export async function startChild(name: string, entry: string, args: string[], logPath: string, opts: { nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<BenchChild> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const fd = openSync(logPath, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', entry, ...args], { cwd: repoRoot, stdio: ['ignore', fd, fd, 'ipc'] });
  } finally {
    closeSync(fd);
  }
  live.add(proc);
  const exited = new Promise<number | null>((resolveExit) => {
    proc.once('exit', (code) => {
      live.delete(proc);
      resolveExit(code);
    });
  });
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not report ready within ${timeoutMs} ms (log: ${logPath})`)), timeoutMs);
    proc.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolveReady();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready (log: ${logPath})`));
    });
  });
  return { proc, name, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stopChild(child: BenchChild, graceMs = 20_000): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.proc.exitCode;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}

/** Kills every child still running (used on failure and on SIGINT). */
export function killAllChildren(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

process.once('exit', killAllChildren);
