/**
 * Reads CPU and memory usage from cgroup files, as cAdvisor does for the kubelet's resource
 * metrics: cumulative CPU time and the memory working set (usage minus inactive page cache,
 * which the kernel can reclaim at once). cgroup v1 (`cpuacct.usage`, `memory.usage_in_bytes`,
 * `total_inactive_file`) and v2 (`cpu.stat usage_usec`, `memory.current`, `inactive_file`) are
 * both supported; which one is chosen at run time from what the host mounts.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the cgroup hierarchies live and which version they are. */
export interface CgroupHost {
  /** Usually /sys/fs/cgroup. */
  readonly root: string;
  /** Usually /proc (for /proc/<pid>/cgroup and /proc/meminfo). */
  readonly proc: string;
  readonly version: 1 | 2;
}

/** One reading of a cgroup (or of the machine). */
export interface UsageSample {
  /** Cumulative CPU time in nanoseconds. */
  readonly cpuNanos: bigint;
  /** Working set in bytes. */
  readonly workingSetBytes: number;
  /** When it was read, ms since the epoch. */
  readonly timestampMs: number;
}

const exists = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined)) !== undefined;

/**
 * Which cgroup version this host uses for CPU and memory: v2 when the unified hierarchy is
 * mounted at the root (it has `cgroup.controllers`), else v1 (also the hybrid layout, where v2
 * sits at `<root>/unified` without the cpu and memory controllers).
 */
export async function detectCgroupHost(root = '/sys/fs/cgroup', proc = '/proc'): Promise<CgroupHost> {
  const v2 = await exists(join(root, 'cgroup.controllers'));
  return { root, proc, version: v2 ? 2 : 1 };
}

/** The value of `key` in a flat-keyed file (`memory.stat`, `cpu.stat`, `/proc/meminfo`), or undefined. */
export function statValue(text: string, key: string): bigint | undefined {
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/[\s:]+/, 2);
    if (k === key && v !== undefined && /^\d+$/.test(v)) {
      return BigInt(v);
    }
  }
  return undefined;
}

async function readBigint(path: string): Promise<bigint> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^\d+$/.test(text)) {
    throw new Error(`${path}: not a number: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return BigInt(text);
}

function required(value: bigint | undefined, what: string): bigint {
  if (value === undefined) {
    throw new Error(`${what} not found`);
  }
  return value;
}

const workingSet = (usage: bigint, inactiveFile: bigint): number => Number(usage > inactiveFile ? usage - inactiveFile : 0n);

/**
 * The cgroup path (relative to the hierarchy root) that holds a process's CPU accounting and
 * memory: from `/proc/<pid>/cgroup`, the `cpuacct` line on v1, the `0::` line on v2.
 */
export async function cgroupOfProcess(host: CgroupHost, pid: number): Promise<{ cpu: string; memory: string }> {
  const text = await readFile(join(host.proc, String(pid), 'cgroup'), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '').map((l) => {
    const first = l.indexOf(':');
    const second = l.indexOf(':', first + 1);
    return { controllers: l.slice(first + 1, second).split(','), path: l.slice(second + 1) };
  });
  if (host.version === 2) {
    const unified = lines.find((l) => l.controllers.length === 1 && l.controllers[0] === '');
    if (unified === undefined) {
      throw new Error(`process ${pid} has no cgroup v2 entry`);
    }
    return { cpu: unified.path, memory: unified.path };
  }
  const cpu = lines.find((l) => l.controllers.includes('cpuacct'))?.path;
  const memory = lines.find((l) => l.controllers.includes('memory'))?.path;
  if (cpu === undefined || memory === undefined) {
    throw new Error(`process ${pid} has no cpuacct or memory cgroup`);
  }
  return { cpu, memory };
}

/** CPU time and working set of one cgroup, given its paths as in /proc/<pid>/cgroup. */
export async function readCgroupUsage(host: CgroupHost, paths: { cpu: string; memory: string }): Promise<UsageSample> {
  const timestampMs = Date.now();
  if (host.version === 2) {
    const dir = join(host.root, paths.cpu);
    const [cpuStat, memoryStat, current] = await Promise.all([readFile(join(dir, 'cpu.stat'), 'utf8'), readFile(join(dir, 'memory.stat'), 'utf8'), readBigint(join(dir, 'memory.current'))]);
    return {
      cpuNanos: required(statValue(cpuStat, 'usage_usec'), 'cpu.stat usage_usec') * 1000n,
      workingSetBytes: workingSet(current, statValue(memoryStat, 'inactive_file') ?? 0n),
      timestampMs,
    };
  }
  const memoryDir = join(host.root, 'memory', paths.memory);
  const [cpuNanos, usage, memoryStat] = await Promise.all([
    readBigint(join(host.root, 'cpuacct', paths.cpu, 'cpuacct.usage')),
    readBigint(join(memoryDir, 'memory.usage_in_bytes')),
    readFile(join(memoryDir, 'memory.stat'), 'utf8'),
  ]);
  return { cpuNanos, workingSetBytes: workingSet(usage, statValue(memoryStat, 'total_inactive_file') ?? 0n), timestampMs };
}

/**
 * The whole machine, as cAdvisor's root container: the root cgroup's CPU time; memory from the
 * root memory cgroup on v1, and on v2 (whose root has no `memory.current`) from /proc/meminfo
 * as used memory (MemTotal − MemFree) minus inactive file pages.
 */
export async function readMachineUsage(host: CgroupHost): Promise<UsageSample> {
  if (host.version === 1) {
    return readCgroupUsage(host, { cpu: '/', memory: '/' });
  }
  const timestampMs = Date.now();
  const [cpuStat, meminfo] = await Promise.all([readFile(join(host.root, 'cpu.stat'), 'utf8'), readFile(join(host.proc, 'meminfo'), 'utf8')]);
  const kib = (key: string): bigint => required(statValue(meminfo, key), `meminfo ${key}`) * 1024n;
  return {
    cpuNanos: required(statValue(cpuStat, 'usage_usec'), 'cpu.stat usage_usec') * 1000n,
    workingSetBytes: workingSet(kib('MemTotal') - kib('MemFree'), kib('Inactive(file)')),
    timestampMs,
  };
}
