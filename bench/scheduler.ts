/**
 * Scheduler throughput end to end, shaped like upstream scheduler_perf's SchedulingBasic:
 * a real apiserver (child process), N Node objects created through the API (4 CPU, 32Gi,
 * 110 pods), the scheduler running against it, `--init-pods` pods created and scheduled first
 * (not measured; upstream's 5000Nodes_10000Pods has 1,000), then P measured pods (100m CPU,
 * 500Mi) created through the API while it runs. Throughput as upstream's throughputCollector:
 * bound measured pods sampled every second from the start of the measured creates, the first
 * non-empty sample skipped, an interval without progress merged into the next, the unfinished
 * last interval dropped; the average of the samples is the headline (upstream's "Average"),
 * plus overall pods/s, p50/p90/p99 of the scheduling attempt duration (pop → binding written),
 * and p99 of creation → bound.
 * `--algorithm-only` runs just the scheduling cycles in memory (cache + framework, assume, no
 * API): the ceiling the scheduler itself could reach if the API server kept up.
 * Usage: node bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--create-concurrency 64] [--bind-concurrency 32] [--transport h2|h1] [--precreate] [--algorithm-only]
 * `--transport` is the HTTP version of the scheduler's and the pod creator's clients (default h2,
 * as the scheduler component runs, and as upstream's harness and scheduler talk to the apiserver).
 * Also reports CPU time per measured pod of the apiserver (/proc/<pid>/stat) and of this process
 * (scheduler + pod creator; process.cpuUsage), and the load average: on a shared machine CPU per
 * pod is steadier than wall-clock rates. The creator, like upstream's harness, is not the system
 * under test: it sends each pod and ignores the answer (read, neither decoded nor parsed).
 * Clients run without a QPS limit, as scheduler_perf raises the scheduler's client QPS (upstream's default 50 would cap it at 50 bindings/s).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathFor } from '../src/client/paths.ts';
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
import { cpuMs, parallel } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000,5000' },
    pods: { type: 'string', default: '10000' },
    // Pods created and scheduled before the measured ones (upstream SchedulingBasic's initPods).
    'init-pods': { type: 'string', default: '1000' },
    'create-concurrency': { type: 'string', default: '64' },
    // Binding calls the scheduler keeps in flight (SchedulerOptions.maxInFlightBindings).
    'bind-concurrency': { type: 'string', default: '32' },
    // Create every pod before the scheduler starts: measures scheduling + binding alone.
    precreate: { type: 'boolean', default: false },
    transport: { type: 'string', default: 'h2' },
    // The scheduler's client alone (default: --transport).
    'scheduler-transport': { type: 'string' },
    'algorithm-only': { type: 'boolean', default: false },
  },
});
const nodeCounts = values.nodes.split(',').map(Number);
const podCount = Number(values.pods);
const concurrency = Number(values['create-concurrency']);
const precreate = values.precreate;
const initPods = Number(values['init-pods']);
if (values.transport !== 'h1' && values.transport !== 'h2') {
  throw new Error(`--transport: h1 or h2, not ${values.transport}`);
}
const transport = values.transport;
const schedulerTransport = values['scheduler-transport'] === 'h1' ? 'h1' : values['scheduler-transport'] === 'h2' ? 'h2' : transport;

/** This process's CPU time so far, in ms. */
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Upstream's throughputCollector over bound timestamps: a sample every second from `start`;
 * no sample until something is bound, the first non-empty one skipped, intervals without
 * progress merged into the next, the interval after the last tick dropped (pods/s each).
 */
function throughputSamples(boundAt: readonly number[], start: number): number[] {
  const sorted = [...boundAt].sort((x, y) => x - y);
  const samples: number[] = [];
  const last = sorted[sorted.length - 1] ?? start;
  let started = false;
  let lastCount = 0;
  let lastTick = start;
  let i = 0;
  // The collector stops once every pod is bound: no tick at or after the last binding.
  for (let tick = start + 1000; tick < last; tick += 1000) {
    while (i < sorted.length && sorted[i] <= tick) {
      i++;
    }
    if (i === 0) {
      continue;
    }
    if (!started) {
      started = true;
      lastCount = i;
      lastTick = tick;
      continue;
    }
    if (i === lastCount) {
      continue;
    }
    samples.push(((i - lastCount) * 1000) / (tick - lastTick));
    lastCount = i;
    lastTick = tick;
  }
  return samples;
}



function pct(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runOnce(nodes: number): Promise<void> {
  const api = await startApiServer();
  try {
    const client = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger, transport });
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
    let initBound = 0;
    let initDone!: () => void;
    const allInitBound = new Promise<void>((resolve) => {
      initDone = resolve;
    });
    let done!: () => void;
    const allBound = new Promise<void>((resolve) => {
      done = resolve;
    });
    const schedClient = await RestClient.fromKubeconfig(api.kubeconfig, { qps: 0, logger: silentLogger, component: 'scheduler', transport: schedulerTransport });
    const sched = new Scheduler({
      client: schedClient,
      profiles: defaultProfiles(),
      logger: silentLogger,
      maxInFlightBindings: Number(values['bind-concurrency']),
      onBound: (pod, _node, ms) => {
        const now = performance.now();
        if (pod.metadata.name?.startsWith('init-') === true) {
          if (++initBound === initPods) {
            initDone();
          }
          return;
        }
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
    const podsPath = pathFor({ group: '', version: 'v1', resource: 'pods', namespace: 'default' });
    // The pod template of upstream's pod-default.yaml.
    // The answer (the created pod) is read but not kept: a failure still throws its StatusError.
    const createPod = (name: string): Promise<void> =>
      client.requestWithoutResult({
        method: 'POST',
        path: podsPath,
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { app: 'bench' } },
          spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }] },
        },
      });
    if (!precreate) {
      await sched.start();
      if (initPods > 0) {
        await parallel(initPods, concurrency, (i) => createPod(`init-${i}`));
        await allInitBound;
      }
    }
    const start = performance.now();
    const cpuAtStart = cpuMs(api.pid);
    const ownCpuAtStart = ownCpuMs();
    await parallel(podCount, concurrency, async (i) => {
      const name = `pod-${i}`;
      createdAt.set(name, performance.now());
      await createPod(name);
    });
    const created = performance.now();
    const cpuAfterCreate = cpuMs(api.pid);
    const ownCpuAfterCreate = ownCpuMs();
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
    const ownCpuAtEnd = ownCpuMs();
    const samples = throughputSamples(boundAt, precreate ? scheduleStart : start);
    const avg = samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
    const sortedSamples = [...samples].sort((a, b) => a - b);
    attempt.sort((a, b) => a - b);
    e2e.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        nodes,
        pods: podCount,
        bindConcurrency: Number(values['bind-concurrency']),
        transport,
        schedulerTransport,
        createSeconds: +((created - start) / 1000).toFixed(2),
        precreate,
        totalSeconds: +((end - start) / 1000).toFixed(2),
        podsPerSecondOverall: Math.round(podCount / ((end - (precreate ? scheduleStart : start)) / 1000)),
        initPods: precreate ? 0 : initPods,
        podsPerSecondAvgOfSamples: Math.round(avg),
        throughputSamples: { count: samples.length, p50: Math.round(pct(sortedSamples, 50)), p90: Math.round(pct(sortedSamples, 90)), p99: Math.round(pct(sortedSamples, 99)) },
        attemptMs: { p50: +pct(attempt, 50).toFixed(1), p90: +pct(attempt, 90).toFixed(1), p99: +pct(attempt, 99).toFixed(1) },
        createToBoundMs: { p50: +pct(e2e, 50).toFixed(1), p99: +pct(e2e, 99).toFixed(1) },
        // With --precreate the two phases are apart: CPU per create, then per binding.
        apiserverCpuMsPerPod: precreate
          ? { create: +((cpuAfterCreate - cpuAtStart) / podCount).toFixed(2), bind: +((cpuAtEnd - cpuAfterCreate) / podCount).toFixed(2) }
          : { createAndBind: +((cpuAtEnd - cpuAtStart) / podCount).toFixed(2) },
        // This process: the scheduler (informers, cycles, bindings, events) and the pod creator.
        benchProcessCpuMsPerPod: precreate
          ? { create: +((ownCpuAfterCreate - ownCpuAtStart) / podCount).toFixed(2), schedule: +((ownCpuAtEnd - ownCpuAfterCreate) / podCount).toFixed(2) }
          : { createAndSchedule: +((ownCpuAtEnd - ownCpuAtStart) / podCount).toFixed(2) },
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
