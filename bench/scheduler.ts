/**
 * Scheduler throughput end to end, shaped like upstream scheduler_perf's SchedulingBasic:
 * a real apiserver (child process), N Node objects created through the API (4 CPU, 32Gi,
 * 110 pods), the scheduler running against it, and P pods (100m CPU, 500Mi) created through
 * the API while it runs. Reports pods/s (average of per-second samples of bound pods, as the
 * throughput collector does, plus overall), p50/p90/p99 of the scheduling attempt duration
 * (pop → binding written), and p99 of creation → bound.
 * `--algorithm-only` runs just the scheduling cycles in memory (cache + framework, assume, no
 * API): the ceiling the scheduler itself could reach if the API server kept up.
 * Usage: node bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--create-concurrency 64] [--bind-concurrency 32] [--precreate] [--algorithm-only]
 * Also reports the apiserver's own CPU time (/proc/<pid>/stat) per pod created and per pod bound,
 * and the load average: on a shared machine CPU per write is steadier than wall-clock rates.
 * Clients run without a QPS limit, as scheduler_perf raises the scheduler's client QPS (upstream's default 50 would cap it at 50 bindings/s).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/rest.ts';
import { silentLogger } from '../src/client/log.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { defaultProfiles } from '../src/scheduler/config.ts';
import { startApiServer } from '../test/util/apiserver.ts';
import { SchedulerCache } from '../src/scheduler/cache.ts';
import { Framework } from '../src/scheduler/framework/runtime.ts';
import { defaultPlugins, inTreeRegistry } from '../src/scheduler/plugins/registry.ts';
import { schedulePod } from '../src/scheduler/algorithm.ts';
import type { RNode, RPod } from '../src/scheduler/types.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000,5000' },
    pods: { type: 'string', default: '10000' },
    'create-concurrency': { type: 'string', default: '64' },
    // Binding calls the scheduler keeps in flight (SchedulerOptions.maxInFlightBindings).
    'bind-concurrency': { type: 'string', default: '32' },
    // Create every pod before the scheduler starts: measures scheduling + binding alone.
    precreate: { type: 'boolean', default: false },
    'algorithm-only': { type: 'boolean', default: false },
  },
});
const nodeCounts = values.nodes.split(',').map(Number);
const podCount = Number(values.pods);
const concurrency = Number(values['create-concurrency']);
const precreate = values.precreate;

/** CPU time (user + system) process `pid` has used so far, in ms (Linux clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function parallel(n: number, width: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) {
        await op(i);
      }
    }),
  );
}

function pct(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runOnce(nodes: number): Promise<void> {
  const api = await startApiServer();
  try {
    const client = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger });
    const nodesRef = { group: '', version: 'v1', resource: 'nodes' } as const;
    const t0 = performance.now();
    await parallel(nodes, 32, async (i) => {
      const name = `node-${i}`;
      await client.create(nodesRef, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
        status: { capacity: { cpu: '4', memory: '32Gi', pods: '110' }, allocatable: { cpu: '4', memory: '32Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    });
    const sample = await client.get<{ metadata: { name?: string }; status?: { allocatable?: Record<string, string> } }>({ ...nodesRef, name: 'node-0' });
    if (sample.status?.allocatable?.cpu === undefined) {
      await parallel(nodes, 32, (i) => client.patch({ ...nodesRef, name: `node-${i}`, subresource: 'status' }, { status: { capacity: { cpu: '4', memory: '32Gi', pods: '110' }, allocatable: { cpu: '4', memory: '32Gi', pods: '110' } } }, 'application/merge-patch+json'));
    }
    process.stderr.write(`  ${nodes} nodes created in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const attempt: number[] = [];
    const e2e: number[] = [];
    const createdAt = new Map<string, number>();
    const boundAt: number[] = [];
    let done!: () => void;
    const allBound = new Promise<void>((resolve) => {
      done = resolve;
    });
    const schedClient = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger, component: 'scheduler' });
    const sched = new Scheduler({
      client: schedClient,
      profiles: defaultProfiles(),
      logger: silentLogger,
      maxInFlightBindings: Number(values['bind-concurrency']),
      onBound: (pod, _node, ms) => {
        const now = performance.now();
        attempt.push(ms);
        boundAt.push(now);
        const c = createdAt.get(pod.metadata.name ?? '');
        if (c !== undefined) {
          e2e.push(now - c);
        }
        if (boundAt.length === podCount) {
          done();
        }
      },
    });
    const podsRef = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
    if (!precreate) {
      await sched.start();
    }
    const start = performance.now();
    const cpuAtStart = cpuMs(api.pid);
    await parallel(podCount, concurrency, async (i) => {
      const name = `pod-${i}`;
      createdAt.set(name, performance.now());
      await client.create(podsRef, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'bench' } },
        spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }] },
      });
    });
    const created = performance.now();
    const cpuAfterCreate = cpuMs(api.pid);
    if (precreate) {
      await sched.start();
      // Latency from creation makes no sense when creation came first: measure from scheduler start.
      const now = performance.now();
      for (const k of createdAt.keys()) {
        createdAt.set(k, now);
      }
    }
    const scheduleStart = performance.now();
    await allBound;
    const end = performance.now();
    const cpuAtEnd = cpuMs(api.pid);
    // Throughput collector: bound pods per 1 s window, from the first binding to the last.
    const first = boundAt[0];
    const windows: number[] = [];
    for (const t of boundAt) {
      const w = Math.floor((t - first) / 1000);
      windows[w] = (windows[w] ?? 0) + 1;
    }
    const full = windows.slice(0, Math.max(1, windows.length - 1)).map((v) => v ?? 0);
    const avg = full.reduce((a, b) => a + b, 0) / full.length;
    attempt.sort((a, b) => a - b);
    e2e.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        nodes,
        pods: podCount,
        bindConcurrency: Number(values['bind-concurrency']),
        createSeconds: +((created - start) / 1000).toFixed(2),
        precreate,
        totalSeconds: +((end - start) / 1000).toFixed(2),
        podsPerSecondOverall: Math.round(podCount / ((end - (precreate ? scheduleStart : start)) / 1000)),
        podsPerSecondAvgOfWindows: Math.round(avg),
        attemptMs: { p50: +pct(attempt, 50).toFixed(1), p90: +pct(attempt, 90).toFixed(1), p99: +pct(attempt, 99).toFixed(1) },
        createToBoundMs: { p50: +pct(e2e, 50).toFixed(1), p99: +pct(e2e, 99).toFixed(1) },
        // With --precreate the two phases are apart: CPU per create, then per binding.
        apiserverCpuMsPerPod: precreate
          ? { create: +((cpuAfterCreate - cpuAtStart) / podCount).toFixed(2), bind: +((cpuAtEnd - cpuAfterCreate) / podCount).toFixed(2) }
          : { createAndBind: +((cpuAtEnd - cpuAtStart) / podCount).toFixed(2) },
        load: loadavg().map((l) => +l.toFixed(1)),
      }),
    );
    await sched.stop();
    schedClient.close();
    client.close();
  } finally {
    await api.stop();
  }
}

/** Scheduling cycles only: the same nodes and pods, no API server. */
function algorithmOnly(nodes: number): void {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) {
    const name = `node-${i}`;
    cache.setNode(Object.freeze({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } }, status: { allocatable: { cpu: '4', memory: '32Gi', pods: '110' } } }) as RNode);
  }
  const fwk = new Framework({ schedulerName: 'default-scheduler', plugins: defaultPlugins }, inTreeRegistry(), () => Promise.resolve());
  const snapshot = {
    nodes: () => cache.nodeList(),
    node: (n: string) => cache.getNode(n),
    nodesWithAffinityPods: () => cache.nodesWithAffinityPods(),
    imageNodeCount: (img: string) => cache.imageNodeCount(img),
    namespaceLabels: () => undefined,
    claim: () => undefined,
    nominatedPods: () => undefined,
  };
  const pos = { nextStartNodeIndex: 0, percentageOfNodesToScore: 0 };
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < podCount; i++) {
    const pod = Object.freeze({
      metadata: { name: `pod-${i}`, namespace: 'default', uid: `uid-${i}`, labels: { app: 'bench' } },
      spec: { priority: 0, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
    }) as RPod;
    const s = performance.now();
    const r = schedulePod(fwk, fwk.newCycleState(), pod, snapshot, pos);
    cache.assumePod({ ...pod, spec: { ...pod.spec, nodeName: r.nodeName } } as RPod, r.nodeName);
    lat.push(performance.now() - s);
  }
  const ms = performance.now() - t0;
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ mode: 'algorithm-only', nodes, pods: podCount, podsPerSecond: Math.round(podCount / (ms / 1000)), cycleMs: { p50: +pct(lat, 50).toFixed(3), p99: +pct(lat, 99).toFixed(3) } }));
}

for (const n of nodeCounts) {
  if (values['algorithm-only']) {
    algorithmOnly(n);
  } else {
    await runOnce(n);
  }
}
