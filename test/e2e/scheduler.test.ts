/**
 * `k8ts scheduler` end to end: a real apiserver, Node objects created through the API, and
 * scheduler processes started with their flags: pods get bound with Scheduled events, an
 * unfittable pod gets upstream's FailedScheduling message, a higher-priority pod preempts,
 * and with --leader-elect two schedulers elect one leader that a survivor replaces after kill -9.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../src/client/rest.ts';
import { silentLogger } from '../../src/client/log.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { until } from '../util/wait.ts';

const root = new URL('../..', import.meta.url).pathname;
const nodeBin = `${root}node_modules/node/bin/node`;

interface SchedulerProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) {
    c.kill('SIGKILL');
  }
});

/** Starts `k8ts scheduler` (through its command module, whether or not main.ts lists it yet). */
function startScheduler(args: readonly string[]): SchedulerProcess {
  const code = `const { main } = await import(${JSON.stringify(`${root}src/cmd/scheduler.ts`)}); process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(nodeBin, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', code, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  return {
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      await exited;
    },
  };
}

interface Pod extends KubeObject {
  spec: { nodeName?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; nominatedNodeName?: string };
}
interface CoreEvent extends KubeObject {
  reason: string;
  message: string;
  type: string;
  involvedObject: { name?: string };
  source?: { component?: string };
}

const podsRef = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;

function pod(name: string, cpu: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu } } }], ...extra },
  };
}

describe('k8ts scheduler', { timeout: 300_000 }, () => {
  let api: TestApiServer;
  let client: RestClient;

  const boundNode = (name: string) =>
    until(`pod ${name} bound`, async () => {
      const p = await client.get<Pod>({ ...podsRef, name });
      return p.spec.nodeName === undefined || p.spec.nodeName === '' ? undefined : p.spec.nodeName;
    }, { ignoreErrors: true });
  const eventFor = (name: string, reason: string) =>
    until(`${reason} event for ${name}`, async () => {
      const evs = await client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
      return evs.items.find((e) => e.involvedObject.name === name && e.reason === reason);
    }, { ignoreErrors: true });
  const deleteAllPods = async () => {
    const list = await client.list<Pod>(podsRef);
    await Promise.all(list.items.map((p) => client.delete({ ...podsRef, name: p.metadata.name }, { gracePeriodSeconds: 0 }).catch(() => undefined)));
    await until('pods gone', async () => ((await client.list(podsRef)).items.length === 0 ? true : undefined), { ignoreErrors: true });
  };

  before(async () => {
    api = await startApiServer();
    client = await RestClient.fromKubeconfig(api.kubeconfig, { logger: silentLogger, qps: 0 });
    const nodes = [
      { name: 'n1', cpu: '2' },
      { name: 'n2', cpu: '2' },
      { name: 'n3', cpu: '8', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] },
    ];
    for (const n of nodes) {
      const allocatable = { cpu: n.cpu, memory: '4Gi', pods: '110' };
      await client.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { taints: n.taints }, status: { allocatable, capacity: allocatable } });
      // Node status may be dropped on create: set it through the status subresource as a kubelet would.
      await client.patch({ group: '', version: 'v1', resource: 'nodes', name: n.name, subresource: 'status' }, { status: { allocatable, capacity: allocatable } }, 'application/merge-patch+json');
    }
  });

  after(async () => {
    client?.close();
    await api?.stop();
  });

  describe('one scheduler', () => {
    let sched: SchedulerProcess;
    before(() => {
      sched = startScheduler(['--kubeconfig', api.kubeconfig, '--leader-elect=false']);
    });
    after(async () => {
      await sched.stop();
      await deleteAllPods();
    });

    test('binds a pod and records Scheduled', async () => {
      await client.create(podsRef, pod('small', '500m'));
      const node = await boundNode('small');
      assert.ok(node === 'n1' || node === 'n2', `bound to untainted node, got ${node}`);
      const ev = await eventFor('small', 'Scheduled');
      assert.equal(ev.message, `Successfully assigned default/small to ${node}`);
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.source?.component, 'default-scheduler');
    });

    test('an unfittable pod gets FailedScheduling with upstream message and PodScheduled=False', async () => {
      await client.create(podsRef, pod('huge', '3'));
      const ev = await eventFor('huge', 'FailedScheduling');
      const want =
        '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
      assert.equal(ev.message, want);
      assert.equal(ev.type, 'Warning');
      const cond = await until('PodScheduled condition', async () => (await client.get<Pod>({ ...podsRef, name: 'huge' })).status?.conditions?.find((c) => c.type === 'PodScheduled'), { ignoreErrors: true });
      assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', want]);
      await deleteAllPods();
    });

    test('a higher-priority pod preempts a lower-priority one', async () => {
      await client.create({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' }, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
      for (const name of ['low-1', 'low-2', 'low-3', 'low-4']) {
        await client.create(podsRef, pod(name, '1'));
        await boundNode(name);
      }
      await client.create(podsRef, pod('vip', '1', { priorityClassName: 'high' }));
      const node = await boundNode('vip');
      const left = (await client.list<Pod>(podsRef)).items.filter((p) => p.metadata.name?.startsWith('low-') && p.metadata.deletionTimestamp === undefined);
      assert.equal(left.length, 3, 'exactly one victim');
      const ev = await eventFor('vip', 'Scheduled');
      assert.equal(ev.message, `Successfully assigned default/vip to ${node}`);
      const victims = (await client.list<CoreEvent>({ group: '', version: 'v1', resource: 'events', namespace: 'default' })).items.filter((e) => e.reason === 'Preempted');
      assert.equal(victims.length, 1);
      assert.match(victims[0].message, new RegExp(`^Preempted by pod [0-9a-f-]+ on node ${node}$`));
    });
  });

  test('profiles by schedulerName (--config): each profile binds its own pods, others are left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-sched-config-'));
    const config = join(dir, 'scheduler.yaml');
    await writeFile(
      config,
      ['apiVersion: kubescheduler.config.k8s.io/v1', 'kind: KubeSchedulerConfiguration', 'leaderElection:', '  leaderElect: false', 'profiles:', '- schedulerName: default-scheduler', '- schedulerName: no-scoring', '  plugins:', '    score:', '      disabled:', '      - name: "*"', ''].join('\n'),
    );
    const sched = startScheduler(['--kubeconfig', api.kubeconfig, '--config', config]);
    try {
      await client.create(podsRef, pod('prof-a', '100m', { schedulerName: 'no-scoring' }));
      await client.create(podsRef, pod('prof-other', '100m', { schedulerName: 'someone-else' }));
      await client.create(podsRef, pod('prof-default', '100m'));
      await boundNode('prof-a');
      await boundNode('prof-default');
      const ev = await eventFor('prof-a', 'Scheduled');
      assert.equal(ev.source?.component, 'no-scoring');
      const other = await client.get<Pod>({ ...podsRef, name: 'prof-other' });
      assert.equal(other.spec.nodeName, undefined, 'a pod for another scheduler stays pending');
    } finally {
      await sched.stop();
      await deleteAllPods();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('two schedulers with --leader-elect: one leads and binds; the other takes over after kill -9', async () => {
    const leArgs = ['--kubeconfig', api.kubeconfig, '--leader-elect', '--leader-elect-lease-duration=4s', '--leader-elect-renew-deadline=3s', '--leader-elect-retry-period=1s'];
    const a = startScheduler(leArgs);
    const b = startScheduler(leArgs);
    try {
      const leader = await until('a leader', async () => {
        const leading = [a, b].filter((s) => s.output().includes('scheduler: started leading'));
        return leading.length > 0 ? leading : undefined;
      }, { ignoreErrors: true });
      assert.equal(leader.length, 1, 'exactly one leader');
      const first = leader[0];
      const second = first === a ? b : a;
      const lease = await client.get<KubeObject & { spec: { holderIdentity: string; leaseTransitions?: number } }>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' });
      assert.ok(first.output().includes(lease.spec.holderIdentity), 'the lease names the leading process');
      await client.create(podsRef, pod('le-1', '100m'));
      await boundNode('le-1');
      assert.ok(!second.output().includes('scheduler: started leading'), 'the standby never started scheduling');

      await first.stop('SIGKILL');
      await client.create(podsRef, pod('le-2', '100m'));
      await boundNode('le-2');
      assert.ok(second.output().includes('scheduler: started leading'), 'the standby took over');
      const after = await client.get<KubeObject & { spec: { holderIdentity: string; leaseTransitions?: number } }>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' });
      assert.notEqual(after.spec.holderIdentity, lease.spec.holderIdentity);
      assert.equal(after.spec.leaseTransitions, (lease.spec.leaseTransitions ?? 0) + 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
