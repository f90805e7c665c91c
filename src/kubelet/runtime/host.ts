/**
 * Facts about the node the runtime needs: which capabilities this host can grant (this
 * machine lacks CAP_SYS_RESOURCE, RUNTIME.md §0), and the cgroup v1 hierarchies to read and
 * clean (memory OOM counters, empty pod parents left behind by `runc delete`).
 */
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

const capNames = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** The capability names in this process's bounding set. */
export async function hostCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  const mask = BigInt(`0x${hex}`);
  return capNames.filter((_, bit) => (mask & (1n << BigInt(bit))) !== 0n);
}

const cgroupRoot = '/sys/fs/cgroup';

/**
 * The start time (clock ticks since boot, /proc/<pid>/stat field 22) of a live process, or
 * undefined when it is gone or a zombie. A pid plus its start time names one process for good
 * (pids are reused, start times of a reused pid differ), so liveness checks need no `runc state`
 * process: on this machine every spawned process costs 30–100 ms (RUNTIME.md §1).
 */
export async function processStartTime(pid: number | undefined): Promise<string | undefined> {
  if (pid === undefined || pid <= 0) {
    return undefined;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}

/** How many times the memory cgroup's OOM killer fired (cgroup v1 `memory.oom_control`). */
export async function oomKillCount(cgroupsPath: string): Promise<number> {
  const text = await readFile(join(cgroupRoot, 'memory', cgroupsPath, 'memory.oom_control'), 'utf8').catch(() => '');
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** Removes a cgroup directory (and empty children) in every hierarchy; missing or busy ones are skipped. */
export async function removeCgroup(cgroupsPath: string): Promise<void> {
  const hierarchies = await readdir(cgroupRoot).catch(() => [] as string[]);
  for (const h of hierarchies) {
    await removeTree(join(cgroupRoot, h, cgroupsPath));
  }
}

async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      await removeTree(join(dir, e.name));
    }
  }
  await rmdir(dir).catch(() => undefined);
}
