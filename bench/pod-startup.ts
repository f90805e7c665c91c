/**
 * Pod startup latency for 1, 10 and 50 pods created at once, p50/p99, three ways side by side
 * in one run (each count runs the three back to back, so load changes hit all of them alike):
 *  - kubelet: pod create call → a watch shows phase Running with the container running;
 *  - bare runtime: RuncRuntime's netns + CNI + pause + container create/start, no apiserver, no kubelet;
 *  - podman: `podman run -d` (Debian podman, runc, cgroupfs, the CNI bridge network; flags per
 *    RUNTIME.md §6) inside a private netns, with the same image (`podman load` of the same archive).
 * Also the kubelet's RSS with 0 and N pods, its CPU time per round, and each way's teardown time.
 *
 *   node bench/pod-startup.ts [--counts 1,10,50] [--no-podman] [--trace]
 *
 * --trace sets K8TS_TRACE (inherited by the kubelet): each command's wall time and each pod's
 * startup steps, printed after the 1-pod rounds.
 *
 * CPU per pod: the benchmark moves itself into a cpuacct cgroup of its own, which every process it
 * starts inherits (apiserver, kubelet, spawn helper, runc, conmon, CNI plugins, podman), and reports
 * that cgroup's CPU time per way and round. On a shared, loaded machine wall times mostly measure
 * the other load; CPU time measures the work (the containers' own cgroups are not counted).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/index.ts';
import { Watch } from '../src/client/watch.ts';
import { importArchive } from '../src/kubelet/images/archive.ts';
import { mustRun, runCommand } from '../src/kubelet/runtime/command.ts';
import { removeCgroup } from '../src/kubelet/runtime/host.ts';
import { buildBusyboxImage } from '../src/kubelet/testing/build-image.ts';
import { startKubeletTestbed } from '../src/kubelet/testing/kubelet-fixture.ts';
import { createRuntimeFixture } from '../src/kubelet/testing/runtime-fixture.ts';
import { startApiServer } from '../test/util/apiserver.ts';

const IMAGE = 'k8ts.local/bench/busybox:1';
// Exits at once on SIGTERM (sh's `wait` is interrupted by a trapped signal), so teardown measures the node, not the workload.
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
const podsRef = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function p50p99(ms: readonly number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `${percentile(s, 50).toFixed(0)} / ${percentile(s, 99).toFixed(0)} ms`;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** user+system CPU of a process in ms (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

const cpuacctRoot = '/sys/fs/cgroup/cpuacct';

/** Moves this process into a fresh cpuacct cgroup (inherited by its children); undefined without cgroup v1 cpuacct. */
function enterCpuacct(): string | undefined {
  const dir = join(cpuacctRoot, `k8ts-bench-${process.pid}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
    return dir;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) used so far by every process in the cgroup, the ones gone included. */
function cgroupCpuMs(dir: string | undefined): number {
  return dir === undefined ? NaN : Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6;
}

/** Moves whatever is left in the cgroup (this process, a spawn helper) back to the root and removes it. */
function leaveCpuacct(dir: string | undefined): void {
  if (dir === undefined) {
    return;
  }
  for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '')) {
    try {
      writeFileSync(join(cpuacctRoot, 'cgroup.procs'), pid);
    } catch {
      // exited meanwhile
    }
  }
  try {
    rmdirSync(dir);
  } catch (e) {
    console.error(`cleanup: ${(e as Error).message}`);
  }
}

interface PodEvent {
  metadata: { name?: string };
  status?: { phase?: string; containerStatuses?: { state?: { running?: unknown } }[] };
}

/** One way of starting pods: start n at once (latency per pod), then remove them all (total ms). */
interface Way {
  readonly name: string;
  start(round: number, n: number): Promise<number[]>;
  teardown(): Promise<number>;
  dispose(): Promise<void>;
  note?(): string;
}

async function kubeletWay(): Promise<Way & { pid(): number }> {
  const bed = await startKubeletTestbed('bench', IMAGE, () => startApiServer());
  const client = await RestClient.fromKubeconfig(bed.api.kubeconfig, { component: 'bench', qps: 500, burst: 1000 });
  let names: string[] = [];
  let cpuBefore = 0;
  let cpuRound = 0;
  for (;;) {
    const node = await client.get({ group: '', version: 'v1', resource: 'nodes', name: bed.kubelet.nodeName }).catch(() => undefined);
    if (node !== undefined) {
      break;
    }
    await sleep(200);
  }
  await sleep(2000);
  console.log(`kubelet RSS with 0 pods: ${rssMiB(bed.kubelet.pid()).toFixed(0)} MiB`);
  return {
    name: 'kubelet (create → Running in a watch)',
    pid: () => bed.kubelet.pid(),
    async start(round, n) {
      cpuBefore = await cpuMs(bed.kubelet.pid());
      names = Array.from({ length: n }, (_, i) => `bench-${round}-${i}`);
      const created = new Map<string, number>();
      const running = new Map<string, number>();
      const watch = await Watch.open(client, podsRef, {});
      const allRunning = (async () => {
        for await (const ev of watch) {
          const p = ev.object as unknown as PodEvent;
          const name = p.metadata.name ?? '';
          if (created.has(name) && !running.has(name) && p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running !== undefined) {
            running.set(name, performance.now());
            if (running.size === n) {
              return;
            }
          }
        }
      })();
      await Promise.all(names.map(async (name) => {
        created.set(name, performance.now());
        await client.create(podsRef, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: bed.kubelet.nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'Never', command: COMMAND }] } });
      }));
      await allRunning;
      watch.stop();
      cpuRound = (await cpuMs(bed.kubelet.pid())) - cpuBefore;
      console.log(`  kubelet RSS with ${n} pods: ${rssMiB(bed.kubelet.pid()).toFixed(0)} MiB; kubelet CPU for the starts: ${cpuRound} ms`);
      if (n === 1 && process.env.K8TS_TRACE !== undefined) {
        console.log(bed.kubelet.log().split('\n').filter((l) => l.startsWith('trace ')).map((l) => `  kubelet ${l}`).join('\n'));
      }
      return names.map((name) => (running.get(name) ?? NaN) - (created.get(name) ?? NaN));
    },
    async teardown() {
      const t0 = performance.now();
      await Promise.all(names.map((name) => client.delete({ ...podsRef, name })));
      for (;;) {
        const left = ((await client.list(podsRef)) as { items: unknown[] }).items.length;
        if (left === 0) {
          break;
        }
        await sleep(100);
      }
      return performance.now() - t0;
    },
    async dispose() {
      client.close();
      await bed.stop();
    },
  };
}

async function bareWay(archive: string): Promise<Way> {
  const fx = await createRuntimeFixture();
  await importArchive(fx.images, archive);
  return {
    name: 'bare runtime (netns + CNI + pause + container)',
    async start(round, n) {
      return Promise.all(Array.from({ length: n }, async (_, i) => {
        const t0 = performance.now();
        const sb = await fx.runtime.runPodSandbox({ metadata: { name: `bare-${round}-${i}`, namespace: 'default', uid: `bare-${round}-${i}-${process.pid}` } });
        const id = await fx.runtime.createContainer(sb, { metadata: { name: 'main' }, image: IMAGE, command: COMMAND });
        await fx.runtime.startContainer(id);
        return performance.now() - t0;
      }));
    },
    async teardown() {
      const t0 = performance.now();
      await Promise.all((await fx.runtime.listPodSandboxes()).map((s) => fx.runtime.removePodSandbox(s.id)));
      return performance.now() - t0;
    },
    dispose: () => fx.dispose(),
  };
}

/** `podman run -d` in a private netns with a private CNI config, storage and cgroup parent; undefined without podman. */
async function podmanWay(archive: string): Promise<Way | undefined> {
  let version: string;
  try {
    version = execFileSync('podman', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const tag = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-bench-podman-'));
  const netns = `k8ts-pm${tag}`;
  const network = `k8ts-bench-${tag}`;
  const cgroupParent = `k8ts-bench-pm-${tag}`;
  const subnet = `10.${200 + (randomBytes(1)[0] % 55)}.${randomBytes(1)[0]}`;
  // Podman's own default conflist (87-podman-bridge.conflist), with a private bridge, subnet and IPAM dir.
  await mkdir(join(dir, 'cni'), { recursive: true });
  await writeFile(join(dir, 'cni', `${network}.conflist`), JSON.stringify({
    cniVersion: '0.4.0', name: network, plugins: [
      { type: 'bridge', bridge: `k8tspm${tag}`, isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: `${subnet}.0/24`, gateway: `${subnet}.1` }]], dataDir: join(dir, 'ipam') } },
      { type: 'portmap', capabilities: { portMappings: true } }, { type: 'firewall' }, { type: 'tuning' },
    ],
  }));
  await mustRun('ip', ['netns', 'add', netns]);
  await mustRun('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  // RUNTIME.md §6: runc (crun refuses this cgroup layout), cgroupfs, file events, ulimits within the host's hard limits.
  const podman = (args: readonly string[]): Promise<string> => mustRun('nsenter', [`--net=/run/netns/${netns}`, 'podman', '--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp'),
    '--cgroup-manager=cgroupfs', '--events-backend=file', '--runtime', 'runc', '--cni-config-dir', join(dir, 'cni'), ...args], { timeoutMs: 600_000 });
  let names: string[] = [];
  const dispose = async (): Promise<void> => {
    await podman(['rm', '-a', '-f', '-t', '0']).catch(() => undefined);
    await podman(['rmi', '-a', '-f']).catch(() => undefined);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(dir));
    for (const m of mounts.sort().reverse()) {
      await runCommand('umount', ['-l', m]);
    }
    await runCommand('ip', ['netns', 'delete', netns]);
    await removeCgroup(`/${cgroupParent}`);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await podman(['load', '-q', '-i', archive]);
  } catch (e) {
    await dispose();
    throw e;
  }
  return {
    name: `podman run -d (${version}, CNI bridge network)`,
    async start(round, n) {
      names = Array.from({ length: n }, (_, i) => `pm-${round}-${i}`);
      return Promise.all(names.map(async (name) => {
        const t0 = performance.now();
        await podman(['run', '-d', '--name', name, '--network', network, '--cgroup-parent', `/${cgroupParent}`,
          '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768', IMAGE, ...COMMAND]);
        return performance.now() - t0;
      }));
    },
    async teardown() {
      const t0 = performance.now();
      await podman(['rm', '-f', '-t', '1', ...names]);
      return performance.now() - t0;
    },
    dispose,
  };
}

const { values } = parseArgs({ options: { counts: { type: 'string', default: '1,10,50' }, 'no-podman': { type: 'boolean', default: false }, trace: { type: 'boolean', default: false } } });
if (values.trace) {
  process.env.K8TS_TRACE = '1';
}
const counts = values.counts.split(',').map(Number).filter((n) => n > 0);
console.log(`pod startup benchmark, counts ${counts.join(', ')}; load average ${load()}; ${new Date().toISOString()}`);
const cgroup = enterCpuacct();
const img = await buildBusyboxImage({ ref: IMAGE });
const ways: Way[] = [];
const rows: string[] = [];
try {
  ways.push(await kubeletWay());
  ways.push(await bareWay(img.archivePath));
  const pm = values['no-podman'] ? undefined : await podmanWay(img.archivePath);
  if (pm === undefined) {
    console.log('podman: not installed or --no-podman (no podman row)');
  } else {
    ways.push(pm);
  }
  let round = 0;
  for (const n of counts) {
    round++;
    for (const way of ways) {
      const before = load();
      const cpu0 = cgroupCpuMs(cgroup);
      const lat = await way.start(round, n);
      const cpu1 = cgroupCpuMs(cgroup);
      const down = await way.teardown();
      const cpu2 = cgroupCpuMs(cgroup);
      const cpu = `CPU per pod start ${((cpu1 - cpu0) / n).toFixed(0)} ms, teardown ${((cpu2 - cpu1) / n).toFixed(0)} ms`;
      const line = `${n} pod(s) | ${way.name} | p50 / p99 ${p50p99(lat)} | teardown ${(down / 1000).toFixed(2)} s | ${cpu} | load ${before}`;
      console.log(line);
      rows.push(line);
    }
  }
  console.log(`\nsummary (${new Date().toISOString()}):\n${rows.join('\n')}`);
} finally {
  for (const way of ways.reverse()) {
    await way.dispose().catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
  }
  await rm(img.dir, { recursive: true, force: true });
  leaveCpuacct(cgroup);
}
