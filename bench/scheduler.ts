/**
 * Scheduler throughput end to end, shaped like upstream scheduler_perf's SchedulingBasic:
 * a real apiserver (child process), N Node objects created through the API (4 CPU, 32Gi,
 * 110 pods), the scheduler running against it, and P pods (100m CPU, 500Mi) created through
 * the API while it runs. Reports pods/s (average of per-second samples of bound pods, as the
 * throughput collector does, plus overall), p50/p90/p99 of the scheduling attempt duration
 * (pop → binding written), and p99 of creation → bound.
 * Usage: node bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--create-concurrency 64] [--precreate]
 */
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/rest.ts';
import { silentLogger } from '../src/client/log.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { defaultProfiles } from '../src/scheduler/config.ts';
import { startApiServer } from '../test/util/apiserver.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000,5000' },
    pods: { type: 'string', default: '10000' },
    'create-concurrency': { type: 'string', default: '64' },
    // Create every pod before the scheduler starts: measures scheduling + binding alone.
    precreate: { type: 'boolean', default: false },
  },
});
const nodeCounts = values.nodes.split(',').map(Number);
const podCount = Number(values.pods);
const concurrency = Number(values['create-concurrency']);
const precreate = values.precreate;

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
        createSeconds: +((created - start) / 1000).toFixed(2),
        precreate,
        totalSeconds: +((end - start) / 1000).toFixed(2),
        podsPerSecondOverall: Math.round(podCount / ((end - (precreate ? scheduleStart : start)) / 1000)),
        podsPerSecondAvgOfWindows: Math.round(avg),
        attemptMs: { p50: +pct(attempt, 50).toFixed(1), p90: +pct(attempt, 90).toFixed(1), p99: +pct(attempt, 99).toFixed(1) },
        createToBoundMs: { p50: +pct(e2e, 50).toFixed(1), p99: +pct(e2e, 99).toFixed(1) },
      }),
    );
    await sched.stop();
    schedClient.close();
    client.close();
  } finally {
    await api.stop();
  }
}

for (const n of nodeCounts) {
  await runOnce(n);
}
