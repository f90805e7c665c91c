/**
 * `k8ts sim-nodes` against a real apiserver, checked with real kubectl 1.35: simulated nodes
 * register and stay Ready with renewed Leases; a pod bound to one runs with an IP from the
 * node's podCIDR (or the fallback range) and is Ready; deletion completes; an exit annotation
 * completes a pod; pausing a node stops its Lease renewals and resuming restarts them.
 * With K8TS_SIM_BENCH=1, also measures a 5,000-node fleet's RSS and CPU for a minute.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseCidr, cidrContains } from '../../src/simnodes/cidr.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { until } from '../util/wait.ts';

const simNodesModule = new URL('../../src/cmd/sim-nodes.ts', import.meta.url).pathname;

/** A sim-nodes child process (started through its module's main(), like `k8ts sim-nodes` would). */
interface SimProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) {
    c.kill('SIGKILL');
  }
});

function startSimNodes(args: readonly string[]): SimProcess {
  const script = `const m = await import(${JSON.stringify(simNodesModule)}); process.exitCode = await m.main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

async function renewTime(env: ClientEnv, node: string): Promise<string> {
  return (await kubectlOk(env, ['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'jsonpath={.spec.renewTime}'])).trim();
}

const unknownReady = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }] } });

async function readyStatus(env: ClientEnv, node: string): Promise<string> {
  return kubectlOk(env, ['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
}

/** Waits until `node`'s lease has been renewed `times` more times. */
async function renewals(env: ClientEnv, node: string, times: number): Promise<void> {
  let last = await renewTime(env, node);
  for (let i = 0; i < times; i++) {
    const prev = last;
    last = await until(`a renewal of ${node}'s lease`, async () => {
      const t = await renewTime(env, node);
      return t !== prev ? t : undefined;
    });
  }
}

describe('k8ts sim-nodes', () => {
  let server: TestApiServer;
  let env: ClientEnv;
  let sim: SimProcess;

  before(async () => {
    server = await startApiServer();
    env = clientEnv(server.kubeconfig);
    // Short leases (renewal every second) keep the test quick; a long status report period shows that status is re-posted on a difference, not by the clock.
    sim = startSimNodes(['--kubeconfig', server.kubeconfig, '--count', '3', '--name-prefix', 'e2e-sim-', '--node-lease-duration-seconds', '4', '--node-status-report-frequency', '10m', '--pod-termination-delay', '200ms']);
  });
  after(async () => {
    await sim?.stop();
    env?.cleanup();
    await server?.stop();
  });

  test('three nodes register, turn Ready and keep their leases renewed', async () => {
    const names = await until('three simulated nodes', async () => {
      const r = await kubectl(env, ['get', 'nodes', '-l', 'sim.k8ts.dev/node=true', '-o', 'name']);
      const lines = r.stdout.trim().split('\n').filter((l) => l !== '');
      return lines.length === 3 ? lines : undefined;
    });
    assert.deepEqual(names.sort(), ['node/e2e-sim-0', 'node/e2e-sim-1', 'node/e2e-sim-2']);
    await kubectlOk(env, ['wait', '--for=condition=Ready', 'node', '-l', 'sim.k8ts.dev/node=true', '--timeout=60s']);
    const node = JSON.parse(await kubectlOk(env, ['get', 'node', 'e2e-sim-1', '-o', 'json'])) as {
      status: { nodeInfo: Record<string, string>; capacity: Record<string, string>; allocatable: Record<string, string>; addresses: { type: string; address: string }[] };
    };
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.35.0-k8ts');
    assert.ok(node.status.nodeInfo.containerRuntimeVersion !== '');
    assert.deepEqual([node.status.capacity.cpu, node.status.capacity.memory, node.status.capacity.pods], ['32', '256Gi', '110']);
    assert.ok('ephemeral-storage' in node.status.allocatable);
    assert.ok(node.status.addresses.some((a) => a.type === 'InternalIP' && a.address.startsWith('127.')));
    const lease = JSON.parse(await kubectlOk(env, ['get', 'lease', '-n', 'kube-node-lease', 'e2e-sim-1', '-o', 'json'])) as { spec: { holderIdentity: string; leaseDurationSeconds: number }; metadata: { ownerReferences: { kind: string; name: string }[] } };
    assert.equal(lease.spec.holderIdentity, 'e2e-sim-1');
    assert.equal(lease.spec.leaseDurationSeconds, 4);
    assert.deepEqual(lease.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`), ['Node/e2e-sim-1']);
    await renewals(env, 'e2e-sim-1', 2);
    assert.equal(await readyStatus(env, 'e2e-sim-1'), 'True');
  });

  test('a pod bound to a node runs with an IP from the node CIDR, turns Ready, and its deletion completes', async () => {
    await kubectlOk(env, ['patch', 'node', 'e2e-sim-1', '--type=merge', '-p', '{"spec":{"podCIDR":"10.244.7.0/24","podCIDRs":["10.244.7.0/24"]}}']);
    await until('the simulator to see the podCIDR', async () => ((await kubectlOk(env, ['get', 'node', 'e2e-sim-1', '-o', 'jsonpath={.spec.podCIDR}'])) === '10.244.7.0/24' ? true : undefined));
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'e2e-sim-1', containers: [{ name: 'nginx', image: 'nginx', resources: { limits: { cpu: '100m', memory: '64Mi' } } }] },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    await kubectlOk(env, ['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s']);
    const pod = JSON.parse(await kubectlOk(env, ['get', 'pod', 'web', '-o', 'json'])) as {
      status: { phase: string; podIP: string; hostIP: string; startTime: string; qosClass: string; conditions: { type: string; status: string }[]; containerStatuses: { ready: boolean; started: boolean; restartCount: number; imageID: string; containerID: string; state: { running?: unknown } }[] };
    };
    assert.equal(pod.status.phase, 'Running');
    assert.ok(cidrContains(parseCidr('10.244.7.0/24')!, pod.status.podIP), `pod IP ${pod.status.podIP} in the node's CIDR`);
    assert.ok(pod.status.hostIP.startsWith('127.'));
    assert.equal(pod.status.qosClass, 'Guaranteed');
    assert.ok(pod.status.startTime !== undefined);
    const conds = Object.fromEntries(pod.status.conditions.map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
    const [c] = pod.status.containerStatuses;
    assert.ok(c.ready && c.started && c.restartCount === 0 && c.state.running !== undefined);
    assert.match(c.imageID, /@sha256:/);
    assert.match(c.containerID, /:\/\//);
    const wide = await kubectlOk(env, ['get', 'pod', 'web', '-o', 'wide', '--no-headers']);
    assert.match(wide, /1\/1\s+Running/);

    // A node without podCIDR: the per-process fallback range (node index 2 → 100.64.2.0/24).
    await kubectlOk(env, ['run', 'fallback', '--image=busybox', '--restart=Never', '--overrides', '{"spec":{"nodeName":"e2e-sim-2"}}', '--', 'sleep', '1d']);
    await kubectlOk(env, ['wait', '--for=condition=Ready', 'pod/fallback', '--timeout=60s']);
    const ip = await kubectlOk(env, ['get', 'pod', 'fallback', '-o', 'jsonpath={.status.podIP}']);
    assert.ok(cidrContains(parseCidr('100.64.2.0/24')!, ip), `fallback IP ${ip}`);

    // kubectl delete waits for the pod to be gone: the simulated kubelet must finish the deletion.
    await kubectlOk(env, ['delete', 'pod', 'web', 'fallback', '--timeout=60s']);
    const gone = await kubectl(env, ['get', 'pod', 'web']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  test('the exit annotation completes a pod (Never → Succeeded) or fails it', async () => {
    const pod = (name: string, code: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', annotations: { 'sim.k8ts.dev/exit-after-seconds': '1', 'sim.k8ts.dev/exit-code': code } },
      spec: { nodeName: 'e2e-sim-0', restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
    });
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: `${JSON.stringify(pod('done', '0'))}\n---\n${JSON.stringify(pod('broken', '2'))}\n` });
    await kubectlOk(env, ['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/done', '--timeout=60s']);
    await kubectlOk(env, ['wait', '--for=jsonpath={.status.phase}=Failed', 'pod/broken', '--timeout=60s']);
    const t = JSON.parse(await kubectlOk(env, ['get', 'pod', 'broken', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated}'])) as { exitCode: number; reason: string };
    assert.deepEqual([t.exitCode, t.reason], [2, 'Error']);
    const table = await kubectlOk(env, ['get', 'pod', 'done', '--no-headers']);
    assert.match(table, /Completed/);
    await kubectlOk(env, ['delete', 'pod', 'done', 'broken', '--timeout=60s']);
  });

  test('pausing a node stops its lease renewals; resuming restarts them', async () => {
    await kubectlOk(env, ['label', 'node', 'e2e-sim-0', 'sim.k8ts.dev/paused=true']);
    // Two renewals of a healthy node show time passing and the label having reached the simulator.
    await renewals(env, 'e2e-sim-2', 2);
    const frozen = await renewTime(env, 'e2e-sim-0');
    await renewals(env, 'e2e-sim-2', 3);
    assert.equal(await renewTime(env, 'e2e-sim-0'), frozen, 'a paused node does not renew its lease');
    // What the node lifecycle controller does to a silent node; a paused kubelet does not answer it.
    await kubectlOk(env, ['patch', 'node', 'e2e-sim-0', '--subresource=status', '--type=strategic', '-p', unknownReady]);
    await renewals(env, 'e2e-sim-2', 2);
    assert.equal(await readyStatus(env, 'e2e-sim-0'), 'Unknown');
    await kubectlOk(env, ['label', 'node', 'e2e-sim-0', 'sim.k8ts.dev/paused-']);
    await renewals(env, 'e2e-sim-0', 1);
    await kubectlOk(env, ['wait', '--for=condition=Ready', 'node/e2e-sim-0', '--timeout=60s']);
  });

  test('a running node answers a Ready condition it does not report by posting its status again', async () => {
    await kubectlOk(env, ['patch', 'node', 'e2e-sim-1', '--subresource=status', '--type=strategic', '-p', unknownReady]);
    await kubectlOk(env, ['wait', '--for=condition=Ready', 'node/e2e-sim-1', '--timeout=60s']);
  });

  test('the process stops cleanly on SIGTERM', async () => {
    await sim.stop();
    assert.equal(sim.child.exitCode, 0, sim.output());
  });
});

describe('k8ts sim-nodes at scale', { skip: process.env.K8TS_SIM_BENCH !== '1' && 'set K8TS_SIM_BENCH=1 to measure 5,000 nodes' }, () => {
  test('5,000 nodes: RSS and CPU over a minute', { timeout: 15 * 60_000 }, async () => {
    const server = await startApiServer();
    const env = clientEnv(server.kubeconfig);
    const sim = startSimNodes(['--kubeconfig', server.kubeconfig, '--count', '5000', '--name-prefix', 'bench-']);
    try {
      await until('5,000 registered nodes', async () => (/5000\/5000 nodes registered/.test(sim.output()) ? true : undefined), { timeoutMs: 10 * 60_000 });
      const stat = (): { cpuTicks: number; rssKb: number } => {
        const fields = readFileSync(`/proc/${sim.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        const status = readFileSync(`/proc/${sim.child.pid}/status`, 'utf8');
        return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) };
      };
      const start = stat();
      const t0 = Date.now();
      let peakRss = start.rssKb;
      while (Date.now() - t0 < 60_000) {
        await new Promise((r) => setTimeout(r, 5000));
        peakRss = Math.max(peakRss, stat().rssKb);
      }
      const end = stat();
      const cpuPct = ((end.cpuTicks - start.cpuTicks) / 100 / ((Date.now() - t0) / 1000)) * 100;
      const ready = (await kubectlOk(env, ['get', 'nodes', '--no-headers'], { timeoutMs: 120_000 })).split('\n').filter((l) => / Ready /.test(l)).length;
      process.stdout.write(`# sim-nodes 5000: RSS ${Math.round(end.rssKb / 1024)} MiB (peak ${Math.round(peakRss / 1024)} MiB), CPU ${cpuPct.toFixed(1)}% of one core over 60 s, ${ready} nodes Ready\n`);
      assert.equal(ready, 5000);
    } finally {
      await sim.stop();
      env.cleanup();
      await server.stop();
    }
  });
});
