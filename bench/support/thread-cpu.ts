/**
 * CPU time of this process's main thread alone (Linux: /proc/self/task/<pid>/stat), for benches whose
 * work is split between the main thread and worker threads: `process.cpuUsage()` adds up every thread.
 * Null where /proc is not available.
 */
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100;

/** Milliseconds of CPU (user + system) the main thread has used so far, or null. */
export function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): state is field 3,
    // utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}
