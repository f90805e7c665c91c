/** Helpers the benchmarks share: another process's CPU time, and a bounded-concurrency loop. */
import { readFileSync } from 'node:fs';

/** CPU time (user + system) process `pid` has used so far, in ms (Linux clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command: utime is field 14, stime field 15 (1-based, man 5 proc).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs op(0..n-1) with at most `width` in flight. */
export async function parallel(n: number, width: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) {
        await op(i);
      }
    }),
  );
}
