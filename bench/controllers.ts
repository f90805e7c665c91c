/**
 * Controller-manager end to end: `k8ts up --sim-nodes N` (apiserver, controller-manager,
 * scheduler, simulated nodes), then one Deployment of R replicas created through the API; reports
 * the time until the Deployment reports every replica available (and until all pods exist, are
 * bound, and are Running), and the peak and final RSS of each component process (from /proc).
 * Usage: node bench/controllers.ts [--replicas 1000] [--nodes 20]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/rest.ts';
import { silentLogger } from '../src/client/log.ts';
import { startCluster } from '../test/e2e/control-plane-cluster.ts';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '1000' }, nodes: { type: 'string', default: '20' } } });
const replicas = Number(values.replicas);
const nodes = Number(values.nodes);
const COMPONENTS = ['apiserver', 'controller-manager', 'scheduler', 'sim-nodes'] as const;

function rssMiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Math.round(Number(m[1]) / 1024);
  } catch {
    return 0;
  }
}

const cluster = await startCluster(nodes);
try {
  const client = await RestClient.fromKubeconfig(join(cluster.dataDir, 'admin.kubeconfig'), { qps: 0, logger: silentLogger });
  const pids = Object.fromEntries(COMPONENTS.map((c) => [c, cluster.upPid(c)]));
  const peak: Record<string, number> = Object.fromEntries(COMPONENTS.map((c) => [c, rssMiB(pids[c])]));
  const idle = { ...peak };
  const deployments = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default' } as const;
  const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
  const t0 = performance.now();
  await client.create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'big' },
    spec: { replicas, selector: { matchLabels: { app: 'big' } }, template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } },
  });
  const marks: Record<string, number> = {};
  const mark = (what: string, cond: boolean): void => {
    if (cond && marks[what] === undefined) {
      marks[what] = +((performance.now() - t0) / 1000).toFixed(2);
    }
  };
  for (;;) {
    for (const c of COMPONENTS) {
      peak[c] = Math.max(peak[c], rssMiB(pids[c]));
    }
    const list = await client.list<{ metadata: { name?: string }; spec?: { nodeName?: string }; status?: { phase?: string } }>(pods, { labelSelector: 'app=big' });
    mark('allCreated', list.items.length >= replicas);
    mark('allBound', list.items.filter((p) => (p.spec?.nodeName ?? '') !== '').length >= replicas);
    mark('allRunning', list.items.filter((p) => p.status?.phase === 'Running').length >= replicas);
    const d = await client.get<{ metadata: { name?: string }; status?: { availableReplicas?: number } }>({ ...deployments, name: 'big' });
    mark('deploymentAvailable', (d.status?.availableReplicas ?? 0) >= replicas);
    if (marks.deploymentAvailable !== undefined) {
      break;
    }
    if (performance.now() - t0 > 20 * 60_000) {
      throw new Error(`not available after 20 minutes: ${JSON.stringify(marks)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const final = Object.fromEntries(COMPONENTS.map((c) => [c, rssMiB(pids[c])]));
  console.log(JSON.stringify({ replicas, nodes, secondsUntil: marks, rssMiB: { idle, peak, final } }));
  client.close();
} finally {
  await cluster.stop();
}
