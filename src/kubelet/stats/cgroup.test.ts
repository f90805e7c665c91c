import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupOfProcess, detectCgroupHost, readCgroupUsage, readMachineUsage, statValue } from './cgroup.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-cgroup-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

test('statValue reads flat-keyed files and meminfo lines', () => {
  assert.equal(statValue('cache 10\ntotal_inactive_file 4096\n', 'total_inactive_file'), 4096n);
  assert.equal(statValue('inactive_file 1\ntotal_inactive_file 2\n', 'inactive_file'), 1n);
  assert.equal(statValue('MemTotal:       16384 kB\nInactive(file):   512 kB\n', 'Inactive(file)'), 512n);
  assert.equal(statValue('usage_usec 5\n', 'user_usec'), undefined);
});

test('cgroup v1: cpuacct.usage and usage_in_bytes minus total_inactive_file, paths from /proc/<pid>/cgroup', async () => {
  await withDir(async (dir) => {
    const root = join(dir, 'cg');
    const proc = join(dir, 'proc');
    await put(join(proc, '42', 'cgroup'), '9:name=systemd:/\n4:memory:/k8ts/podU/c1\n2:cpuacct:/k8ts/podU/c1\n1:cpu:/k8ts/podU/c1\n0::/\n');
    await put(join(root, 'cpuacct', 'k8ts/podU/c1', 'cpuacct.usage'), '2500000000\n');
    await put(join(root, 'memory', 'k8ts/podU/c1', 'memory.usage_in_bytes'), '10000\n');
    await put(join(root, 'memory', 'k8ts/podU/c1', 'memory.stat'), 'inactive_file 1\ntotal_inactive_file 3000\n');
    await put(join(root, 'cpuacct', 'cpuacct.usage'), '900\n');
    await put(join(root, 'memory', 'memory.usage_in_bytes'), '100\n');
    await put(join(root, 'memory', 'memory.stat'), 'total_inactive_file 400\n');
    const host = await detectCgroupHost(root, proc);
    assert.equal(host.version, 1);
    const paths = await cgroupOfProcess(host, 42);
    assert.deepEqual(paths, { cpu: '/k8ts/podU/c1', memory: '/k8ts/podU/c1' });
    const u = await readCgroupUsage(host, paths);
    assert.equal(u.cpuNanos, 2500000000n);
    assert.equal(u.workingSetBytes, 7000);
    assert.ok(u.timestampMs > 0);
    // More inactive cache than usage: the working set is 0, never negative.
    const machine = await readMachineUsage(host);
    assert.equal(machine.cpuNanos, 900n);
    assert.equal(machine.workingSetBytes, 0);
  });
});

test('cgroup v2: cpu.stat usage_usec, memory.current minus inactive_file; the machine from /proc/meminfo', async () => {
  await withDir(async (dir) => {
    const root = join(dir, 'cg');
    const proc = join(dir, 'proc');
    await put(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
    await put(join(proc, '7', 'cgroup'), '0::/k8ts/podU/c2\n');
    await put(join(root, 'k8ts/podU/c2', 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
    await put(join(root, 'k8ts/podU/c2', 'memory.current'), '8192\n');
    await put(join(root, 'k8ts/podU/c2', 'memory.stat'), 'anon 4096\ninactive_file 1024\n');
    await put(join(root, 'cpu.stat'), 'usage_usec 77\n');
    await put(join(proc, 'meminfo'), 'MemTotal:       1000 kB\nMemFree:         400 kB\nInactive(file):  100 kB\n');
    const host = await detectCgroupHost(root, proc);
    assert.equal(host.version, 2);
    const u = await readCgroupUsage(host, await cgroupOfProcess(host, 7));
    assert.equal(u.cpuNanos, 1500000n);
    assert.equal(u.workingSetBytes, 7168);
    const machine = await readMachineUsage(host);
    assert.equal(machine.cpuNanos, 77000n);
    assert.equal(machine.workingSetBytes, 500 * 1024);
  });
});

test('a missing or malformed file is an error, not a zero', async () => {
  await withDir(async (dir) => {
    const host = { root: dir, proc: dir, version: 1 as const };
    await put(join(dir, 'cpuacct', 'x', 'cpuacct.usage'), 'garbage\n');
    await assert.rejects(readCgroupUsage(host, { cpu: '/x', memory: '/x' }));
    await assert.rejects(cgroupOfProcess(host, 1));
  });
});
