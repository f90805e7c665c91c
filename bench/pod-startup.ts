/**
 * Pod startup latency: create → Running as seen by a watch (image present), for 1, 10 and 50
 * pods created at once, p50/p99; side by side with the bare runtime floor (netns + CNI + pause
 * + container through RuncRuntime, no apiserver, no kubelet) and `podman run` when podman is
 * installed. Also the kubelet's RSS with 0 and N pods and the teardown time (delete → gone).
 *
 *   node bench/pod-startup.ts [--counts 1,10,50]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/index.ts';
import { Watch } from '../src/client/watch.ts';
import { importArchive } from '../src/kubelet/images/archive.ts';
import { startKubeletTestbed } from '../src/kubelet/testing/kubelet-fixture.ts';
import { createRuntimeFixture } from '../src/kubelet/testing/runtime-fixture.ts';
import { startApiServer } from '../test/util/apiserver.ts';

const IMAGE = 'k8ts.local/bench/busybox:1';
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
const podsRef = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function summary(ms: readonly number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(0)} ms, p99 ${percentile(s, 99).toFixed(0)} ms`;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

interface PodEvent {
  metadata: { name?: string };
  status?: { phase?: string; containerStatuses?: { state?: { running?: unknown } }[] };
}

async function kubeletRun(counts: readonly number[]): Promise<void> {
  const bed = await startKubeletTestbed('bench', IMAGE, () => startApiServer());
  const client = await RestClient.fromKubeconfig(bed.api.kubeconfig, { component: 'bench', qps: 500, burst: 1000 });
  try {
    // Wait for the node to be registered and the kubelet ready to run pods.
    for (;;) {
      const node = await client.get({ group: '', version: 'v1', resource: 'nodes', name: bed.kubelet.nodeName }).catch(() => undefined);
      if (node !== undefined) {
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`kubelet RSS with 0 pods: ${rssMiB(bed.kubelet.pid()).toFixed(0)} MiB`);
    let round = 0;
    for (const n of counts) {
      round++;
      const names = Array.from({ length: n }, (_, i) => `bench-${round}-${i}`);
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
      const lat = names.map((name) => (running.get(name) ?? NaN) - (created.get(name) ?? NaN));
      console.log(`kubelet ${n} pod(s): create → Running (watch) ${summary(lat)}; kubelet RSS ${rssMiB(bed.kubelet.pid()).toFixed(0)} MiB`);
      const t0 = performance.now();
      await Promise.all(names.map((name) => client.delete({ ...podsRef, name })));
      for (;;) {
        const left = ((await client.list(podsRef)) as { items: unknown[] }).items.length;
        if (left === 0) {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`kubelet ${n} pod(s): teardown (delete → gone from the API, containers/netns removed) ${(performance.now() - t0).toFixed(0)} ms`);
    }
  } finally {
    client.close();
    await bed.stop();
  }
}

async function bareRuntime(counts: readonly number[], archive: string): Promise<void> {
  const fx = await createRuntimeFixture();
  try {
    await importArchive(fx.images, archive);
    let round = 0;
    for (const n of counts) {
      round++;
      const lat = await Promise.all(Array.from({ length: n }, async (_, i) => {
        const t0 = performance.now();
        const sb = await fx.runtime.runPodSandbox({ metadata: { name: `bare-${round}-${i}`, namespace: 'default', uid: `bare-${round}-${i}-${process.pid}` } });
        const id = await fx.runtime.createContainer(sb, { metadata: { name: 'main' }, image: IMAGE, command: COMMAND });
        await fx.runtime.startContainer(id);
        return performance.now() - t0;
      }));
      console.log(`bare runtime ${n} pod(s): sandbox (netns + CNI + pause) + container started ${summary(lat)}`);
      const t0 = performance.now();
      await Promise.all((await fx.runtime.listPodSandboxes()).map((s) => fx.runtime.removePodSandbox(s.id)));
      console.log(`bare runtime ${n} pod(s): teardown ${(performance.now() - t0).toFixed(0)} ms`);
    }
  } finally {
    await fx.dispose();
  }
}

const { values } = parseArgs({ options: { counts: { type: 'string', default: '1,10,50' } } });
const counts = values.counts.split(',').map(Number).filter((n) => n > 0);
console.log(`pod startup benchmark, counts ${counts.join(', ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
let podman = '';
try {
  podman = execFileSync('podman', ['--version'], { encoding: 'utf8' }).trim();
} catch {
  podman = '';
}
await kubeletRun(counts);
const { buildBusyboxImage } = await import('../src/kubelet/testing/build-image.ts');
const img = await buildBusyboxImage({ ref: IMAGE });
try {
  await bareRuntime(counts, img.archivePath);
} finally {
  const { rm } = await import('node:fs/promises');
  await rm(img.dir, { recursive: true, force: true });
}
console.log(podman === '' ? 'podman: not installed on this machine (no baseline)' : `podman: ${podman} present but not measured by this script`);
