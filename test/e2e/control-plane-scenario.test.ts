/**
 * Issue 3's "Done" list end to end: `k8ts up --sim-nodes 5` (apiserver, controller-manager,
 * scheduler, five simulated nodes; no kubelet, no proxy) driven only by the real kubectl 1.35.
 * Deployments (50 replicas, rolling update checked with a kubectl watch, undo, scale), deletion
 * with each propagation policy, DaemonSet vs a tainted node, Job, namespace deletion, CronJob,
 * a silent node tainted and its pods evicted and recreated, drain vs a PDB, kill -9 of the
 * controller-manager mid-rollout, and leader election failover with a second controller-manager
 * and a second scheduler.
 *
 * The node-heartbeat case waits out the controller-manager's 40 s grace period; it runs in the
 * background while the Job/namespace/deletion/drain cases go on, to keep the file short.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clientEnv, kubectl, kubectlOk, kubectlPath } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;
const SIM_NODES = ['sim-0', 'sim-1', 'sim-2', 'sim-3', 'sim-4'];

interface Meta {
  name: string;
  namespace?: string;
  deletionTimestamp?: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  labels?: Record<string, string>;
}
interface Pod {
  metadata: Meta;
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A child process whose combined output is kept (bounded) for assertions and failure messages. */
interface Proc {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<void>;
}

const procs = new Set<Proc>();

function startProc(args: readonly string[], env: NodeJS.ProcessEnv, keep = 400_000): Proc {
  const child = spawn(k8ts, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-keep);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p: Proc = { child, output: () => out, exited };
  procs.add(p);
  void exited.then(() => procs.delete(p));
  return p;
}

async function stopProc(p: Proc, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    return;
  }
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** GET over HTTPS without verifying the (self-signed) serving certificate: status and body. */
function getInsecure(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}

let diagnostics = (): string => '';

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${diagnostics().slice(-8000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * A real `kubectl get pods -w` for one label selector: keeps the latest state of every pod it
 * has seen, and records the fewest Ready-and-not-terminating pods and the most not-terminating
 * pods observed once `arm()` was called.
 */
function podWatch(env: ClientEnv, selector: string): { arm(): void; ready(): number; live(): number; minReady(): number; maxLive(): number; stop(): Promise<void> } {
  const tpl = '{.type} {.object.metadata.name} {.object.metadata.deletionTimestamp} {.object.status.conditions[?(@.type=="Ready")].status}{"\\n"}';
  const child = spawn(kubectlPath, ['get', 'pods', '-l', selector, '-w', '--output-watch-events', '-o', `jsonpath=${tpl}`], {
    env: { PATH: process.env.PATH ?? '', HOME: env.home, KUBECONFIG: env.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = new Map<string, { deleting: boolean; ready: boolean }>();
  let armed = false;
  let minReady = Infinity;
  let maxLive = 0;
  const count = (): { ready: number; live: number } => {
    let ready = 0;
    let live = 0;
    for (const s of state.values()) {
      live += s.deleting ? 0 : 1;
      ready += !s.deleting && s.ready ? 1 : 0;
    }
    return { ready, live };
  };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // "<TYPE> <name> <deletionTimestamp?> <Ready status?>" (empty fields collapse to extra spaces).
      const [type, name, deletion, ready] = line.split(' ');
      if (name === undefined || name === '') {
        continue;
      }
      if (type === 'DELETED') {
        state.delete(name);
      } else {
        state.set(name, { deleting: deletion !== '', ready: ready === 'True' });
      }
      if (armed) {
        const c = count();
        minReady = Math.min(minReady, c.ready);
        maxLive = Math.max(maxLive, c.live);
      }
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    arm: () => {
      armed = true;
      const c = count();
      minReady = c.ready;
      maxLive = c.live;
    },
    ready: () => count().ready,
    live: () => count().live,
    minReady: () => minReady,
    maxLive: () => maxLive,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('control plane scenario: k8ts up --sim-nodes 5 with real kubectl', { timeout: 6 * 60_000 }, () => {
  let tmp = '';
  let env: ClientEnv;
  let up: Proc | undefined;
  let dataDir = '';
  const json = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await kubectlOk(env, [...args, '-o', 'json'])) as T;
  const podsOf = async (selector: string, ns = 'default'): Promise<Pod[]> => (await json<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', selector])).items;
  const apply = (yaml: string): Promise<string> => kubectlOk(env, ['apply', '-f', '-'], { stdin: yaml });
  const rollout = (what: string, ns = 'default'): Promise<string> => kubectlOk(env, ['rollout', 'status', what, '-n', ns, '--timeout=120s'], { timeoutMs: 130_000 });
  const upPid = (component: string): number => {
    const all = [...(up?.output() ?? '').matchAll(new RegExp(`up: started ${component} \\(pid (\\d+)\\)`, 'g'))];
    return Number(all.at(-1)?.[1]);
  };

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'k8ts-scenario-'));
    dataDir = join(tmp, 'data');
    const port = await freePort();
    up = startProc(['up', '--data-dir', dataDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--sim-nodes', String(SIM_NODES.length), '--no-kubelet', '--no-proxy'], {
      PATH: process.env.PATH ?? '',
      HOME: tmp,
      KUBECONFIG: join(tmp, 'user.kubeconfig'),
    }, 4_000_000);
    diagnostics = () => up?.output() ?? '';
    env = clientEnv(join(dataDir, 'admin.kubeconfig'));
    await until('k8ts up reports the cluster up', async () => (/k8ts cluster is up/.test(up?.output() ?? '') ? true : undefined), 90_000);
    await until('five Ready simulated nodes', async () => {
      const r = await kubectl(env, ['get', 'nodes', '--no-headers']);
      return r.code === 0 && r.stdout.split('\n').filter((l) => / Ready /.test(l)).length === SIM_NODES.length ? true : undefined;
    }, 90_000);
    await until('the default ServiceAccount', async () => ((await kubectl(env, ['get', 'sa', 'default'])).code === 0 ? true : undefined));
    // Created first: the CronJob fires at the next minute boundary, checked near the end.
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {sim.k8ts.dev/exit-after-seconds: "1"}}
        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
  });

  after(async () => {
    for (const p of [...procs]) {
      if (p !== up) {
        await stopProc(p, 'SIGKILL', 5_000);
      }
    }
    if (up !== undefined) {
      // up stops its components in order; SIGKILL of the whole lot only if it hangs.
      await stopProc(up, 'SIGTERM', 40_000);
    }
    env?.cleanup();
    if (tmp !== '') {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test('create deployment --replicas=50 → 50 Running; set image keeps availability ≥ 50 - maxUnavailable; undo; scale', async () => {
    await kubectlOk(env, ['create', 'deployment', 'web', '--image=nginx:1.26', '--replicas=50']);
    await rollout('deployment/web');
    const first = await podsOf('app=web');
    assert.equal(first.length, 50);
    assert.ok(first.every((p) => p.status?.phase === 'Running'), 'every pod Running');
    assert.equal(new Set(first.map((p) => p.spec.nodeName)).size, SIM_NODES.length, 'spread over every node');

    // Default strategy: maxUnavailable 25% of 50 → 12 (rounded down), maxSurge 25% → 13 (rounded up).
    const watch = podWatch(env, 'app=web');
    try {
      await until('the watch lists 50 ready pods', async () => (watch.ready() === 50 ? true : undefined));
      watch.arm();
      await kubectlOk(env, ['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
      await rollout('deployment/web');
      await until('old pods gone from the watch', async () => (watch.live() === 50 && watch.ready() === 50 ? true : undefined));
    } finally {
      await watch.stop();
    }
    assert.ok(watch.minReady() >= 38, `ready pods dropped to ${watch.minReady()} (bound 38)`);
    assert.ok(watch.maxLive() <= 63, `live pods rose to ${watch.maxLive()} (bound 63)`);
    const updated = await podsOf('app=web');
    assert.equal(updated.filter((p) => p.metadata.deletionTimestamp === undefined && p.spec.containers[0].image === 'nginx:1.27').length, 50);

    await kubectlOk(env, ['rollout', 'undo', 'deployment/web']);
    await rollout('deployment/web');
    const d = await json<{ metadata: Meta & { annotations?: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } }>(['get', 'deployment', 'web']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.match(await kubectlOk(env, ['rollout', 'history', 'deployment/web']), /^2\s[\s\S]*^3\s/m);

    await kubectlOk(env, ['scale', 'deployment/web', '--replicas=10']);
    await rollout('deployment/web');
    await until('10 pods after scale down', async () => ((await podsOf('app=web')).length === 10 ? true : undefined));
  });

  test('a DaemonSet lands one pod per schedulable node and skips the tainted one', async () => {
    await kubectlOk(env, ['taint', 'node', 'sim-4', 'dedicated=infra:NoSchedule']);
    await apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: busybox}]}
`);
    await rollout('daemonset/agent');
    const ds = await podsOf('app=agent');
    assert.deepEqual(ds.map((p) => p.spec.nodeName).sort(), ['sim-0', 'sim-1', 'sim-2', 'sim-3']);
    assert.ok(ds.every((p) => p.status?.phase === 'Running'));
  });

  // The silent node (chosen below) is cordoned before it goes quiet, so pods of the cases that run
  // meanwhile are not placed on a kubelet that never starts them; the eviction is the point.
  let heartbeat: Promise<void> | undefined;
  let silent = '';

  test('stopping a node\'s heartbeat: taint and eviction start (checked later)', async () => {
    await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: tol}
spec:
  replicas: 8
  selector: {matchLabels: {app: tol}}
  template:
    metadata: {labels: {app: tol}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      containers: [{name: c, image: nginx}]
`);
    await rollout('deployment/tol');
    const byNode = new Map<string, number>();
    for (const p of await podsOf('app=tol')) {
      byNode.set(p.spec.nodeName ?? '', (byNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
    }
    silent = [...byNode].sort((a, b) => b[1] - a[1])[0][0];
    assert.ok(silent !== '' && silent !== 'sim-4');
    const victims = (await podsOf('app=tol')).filter((p) => p.spec.nodeName === silent).map((p) => p.metadata.name);
    await kubectlOk(env, ['cordon', silent]);
    await kubectlOk(env, ['label', 'node', silent, 'sim.k8ts.dev/paused=true']);
    heartbeat = (async () => {
      await until(`${silent} tainted unreachable:NoExecute`, async () => {
        const n = await json<{ spec: { taints?: { key: string; effect: string }[] } }>(['get', 'node', silent]);
        return n.spec.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') === true ? true : undefined;
      }, 120_000);
      const ready = await json<{ status: { conditions: { type: string; status: string }[] } }>(['get', 'node', silent]);
      assert.equal(ready.status.conditions.find((c) => c.type === 'Ready')?.status, 'Unknown');
      await until('the silent node\'s pods evicted and 8 ready elsewhere', async () => {
        const ps = await podsOf('app=tol');
        const evicted = victims.every((v) => ps.find((p) => p.metadata.name === v)?.metadata.deletionTimestamp !== undefined || !ps.some((p) => p.metadata.name === v));
        const elsewhere = ps.filter((p) => p.metadata.deletionTimestamp === undefined && p.spec.nodeName !== silent && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
        return evicted && elsewhere.length === 8 ? true : undefined;
      }, 60_000);
    })();
    // Observed by the later test; a failure before then must not become an unhandled rejection.
    heartbeat.catch(() => {});
  });

  test('a Job with completions=5 completes', async () => {
    await apply(`apiVersion: batch/v1
kind: Job
metadata: {name: five}
spec:
  completions: 5
  parallelism: 2
  template:
    metadata: {annotations: {sim.k8ts.dev/exit-after-seconds: "1"}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
    await kubectlOk(env, ['wait', '--for=condition=Complete', 'job/five', '--timeout=90s'], { timeoutMs: 100_000 });
    const job = await json<{ status: { succeeded?: number } }>(['get', 'job', 'five']);
    assert.equal(job.status.succeeded, 5);
    assert.equal((await podsOf('job-name=five')).filter((p) => p.status?.phase === 'Succeeded').length, 5);
  });

  test('deleting a non-empty namespace empties and removes it', async () => {
    await kubectlOk(env, ['create', 'namespace', 'doomed']);
    await kubectlOk(env, ['create', 'deployment', 'app', '--image=nginx', '--replicas=3', '-n', 'doomed']);
    await kubectlOk(env, ['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'doomed']);
    await rollout('deployment/app', 'doomed');
    await kubectlOk(env, ['delete', 'namespace', 'doomed', '--timeout=90s'], { timeoutMs: 100_000 });
    const r = await kubectl(env, ['get', 'namespace', 'doomed']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NotFound|not found/);
  });

  test('delete with each propagation policy (Background, Foreground, Orphan)', async () => {
    for (const name of ['bg', 'fg', 'orph']) {
      await kubectlOk(env, ['create', 'deployment', name, '--image=nginx', '--replicas=3']);
    }
    for (const name of ['bg', 'fg', 'orph']) {
      await rollout(`deployment/${name}`);
    }
    await kubectlOk(env, ['delete', 'deployment', 'bg', '--cascade=background']);
    await until('background: replica set and pods gone', async () => ((await podsOf('app=bg')).length === 0 && (await json<{ items: unknown[] }>(['get', 'rs', '-l', 'app=bg'])).items.length === 0 ? true : undefined));

    await kubectlOk(env, ['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal((await json<{ items: unknown[] }>(['get', 'rs', '-l', 'app=fg'])).items.length, 0, 'foreground: dependents deleted before the owner');
    assert.equal((await podsOf('app=fg')).filter((p) => p.metadata.deletionTimestamp === undefined).length, 0);

    await kubectlOk(env, ['delete', 'deployment', 'orph', '--cascade=orphan', '--timeout=60s'], { timeoutMs: 70_000 });
    await until('orphan: the replica set stays, without owner', async () => {
      const items = (await json<{ items: { metadata: Meta }[] }>(['get', 'rs', '-l', 'app=orph'])).items;
      return items.length === 1 && (items[0].metadata.ownerReferences ?? []).length === 0 ? true : undefined;
    });
    assert.equal((await podsOf('app=orph')).filter((p) => p.metadata.deletionTimestamp === undefined).length, 3, 'pods stay with their replica set');
    await kubectlOk(env, ['delete', 'rs', '-l', 'app=orph']);
  });

  test('kubectl drain respects a PodDisruptionBudget', async () => {
    await kubectlOk(env, ['create', 'deployment', 'guarded', '--image=nginx', '--replicas=2']);
    await rollout('deployment/guarded');
    await kubectlOk(env, ['create', 'pdb', 'guarded', '--selector=app=guarded', '--min-available=2']);
    await until('the PDB allows no disruption', async () => {
      const pdb = await json<{ status?: { currentHealthy?: number; disruptionsAllowed?: number; observedGeneration?: number } }>(['get', 'pdb', 'guarded']);
      return pdb.status?.currentHealthy === 2 && pdb.status.disruptionsAllowed === 0 ? true : undefined;
    });
    const target = (await podsOf('app=guarded'))[0];
    const node = target.spec.nodeName ?? '';
    assert.ok(node !== '' && node !== silent);
    const blocked = await kubectl(env, ['drain', node, '--ignore-daemonsets', '--timeout=8s'], { timeoutMs: 60_000 });
    assert.notEqual(blocked.code, 0, 'drain cannot finish while the budget forbids the eviction');
    assert.match(blocked.stdout + blocked.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    const still = (await podsOf('app=guarded')).find((p) => p.metadata.name === target.metadata.name);
    assert.equal(still?.metadata.deletionTimestamp, undefined, 'the guarded pod was not evicted');

    await kubectlOk(env, ['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
    await until('the PDB allows one disruption', async () => ((await json<{ status?: { disruptionsAllowed?: number } }>(['get', 'pdb', 'guarded'])).status?.disruptionsAllowed === 1 ? true : undefined));
    await kubectlOk(env, ['drain', node, '--ignore-daemonsets', '--timeout=90s'], { timeoutMs: 100_000 });
    await rollout('deployment/guarded');
    const after = (await podsOf('app=guarded')).filter((p) => p.metadata.deletionTimestamp === undefined);
    assert.equal(after.length, 2);
    assert.ok(after.every((p) => p.spec.nodeName !== node), 'the replacement runs elsewhere');
    await kubectlOk(env, ['uncordon', node]);
  });

  test('the CronJob fired: a Job owned by it ran to completion', async () => {
    const job = await until('a Job created by the CronJob', async () => {
      const jobs = (await json<{ items: { metadata: Meta; status?: { succeeded?: number } }[] }>(['get', 'jobs'])).items;
      return jobs.find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick' && o.controller === true));
    }, 90_000);
    assert.match(job.metadata.name, /^tick-\d+$/);
    await kubectlOk(env, ['wait', '--for=condition=Complete', `job/${job.metadata.name}`, '--timeout=60s'], { timeoutMs: 70_000 });
    const cj = await json<{ status?: { lastScheduleTime?: string } }>(['get', 'cronjob', 'tick']);
    assert.ok(cj.status?.lastScheduleTime !== undefined);
    assert.equal(new Date(cj.status.lastScheduleTime).getUTCSeconds(), 0, 'scheduled on a minute boundary');
    await kubectlOk(env, ['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
  });

  test('the silent node was tainted and its pods recreated elsewhere; it recovers when heartbeats resume', async () => {
    assert.ok(heartbeat !== undefined);
    await heartbeat;
    await kubectlOk(env, ['label', 'node', silent, 'sim.k8ts.dev/paused-']);
    await until(`${silent} Ready again without the unreachable taints`, async () => {
      const n = await json<{ spec: { taints?: { key: string }[] }; status: { conditions: { type: string; status: string }[] } }>(['get', 'node', silent]);
      return n.status.conditions.find((c) => c.type === 'Ready')?.status === 'True' && !(n.spec.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/unreachable')) ? true : undefined;
    }, 60_000);
    await kubectlOk(env, ['uncordon', silent]);
    await until('the evicted pods finish terminating', async () => ((await podsOf('app=tol')).length === 8 ? true : undefined), 60_000);
  });

  test('two controller-managers and two schedulers: one leader each; kill -9 mid-rollout fails over and converges with no extra pods', async () => {
    const leaseHolder = async (name: string): Promise<string> => (await kubectlOk(env, ['get', 'lease', '-n', 'kube-system', name, '-o', 'jsonpath={.spec.holderIdentity}'])).trim();
    const childEnv = { PATH: process.env.PATH ?? '', HOME: tmp };
    const [cmPort, schedPort] = [await freePort(), await freePort()];
    const serve = (port: number): string[] => ['--secure-port', String(port), '--bind-address', '127.0.0.1'];
    const cm2 = startProc(['controller-manager', '--kubeconfig', join(dataDir, 'controller-manager.kubeconfig'), ...serve(cmPort)], childEnv);
    const sched2 = startProc(['scheduler', '--kubeconfig', join(dataDir, 'scheduler.kubeconfig'), ...serve(schedPort)], childEnv);
    const leaderGauge = async (port: number, lease: string): Promise<string | undefined> => {
      const m = await getInsecure(`https://127.0.0.1:${port}/metrics`);
      assert.equal(m.status, 200);
      return new RegExp(`^leader_election_master_status\\{name="${lease}"\\} (\\d)`, 'm').exec(m.body)?.[1];
    };
    await until('both standbys see the current leaders', async () => (/new leader elected/.test(cm2.output()) && /new leader elected/.test(sched2.output()) ? true : undefined));
    const cmLeader = await leaseHolder('kube-controller-manager');
    const schedLeader = await leaseHolder('kube-scheduler');
    await new Promise((r) => setTimeout(r, 3000));
    assert.doesNotMatch(cm2.output(), /successfully acquired lease/, 'the second controller-manager waits');
    assert.doesNotMatch(sched2.output(), /successfully acquired lease/, 'the second scheduler waits');
    assert.equal(await leaseHolder('kube-controller-manager'), cmLeader);
    assert.equal(await leaseHolder('kube-scheduler'), schedLeader);
    // Both standbys serve /healthz and /metrics (upstream's 10257/10259, here on free ports).
    for (const port of [cmPort, schedPort]) {
      const h = await getInsecure(`https://127.0.0.1:${port}/healthz`);
      assert.deepEqual(h, { status: 200, body: 'ok' });
      assert.match((await getInsecure(`https://127.0.0.1:${port}/healthz?verbose`)).body, /\[\+\]ping ok\nhealthz check passed/);
      assert.match((await getInsecure(`https://127.0.0.1:${port}/metrics`)).body, /^process_resident_memory_bytes \d+/m);
    }
    assert.notEqual(await leaderGauge(cmPort, 'kube-controller-manager'), '1', 'a standby does not report itself leader');

    // 10 replicas: maxSurge 3, maxUnavailable 2.
    const watch = podWatch(env, 'app=web');
    const cmPid = upPid('controller-manager');
    const schedPid = upPid('scheduler');
    assert.ok(cmPid > 0 && schedPid > 0);
    try {
      await until('the watch lists 10 ready pods', async () => (watch.ready() === 10 && watch.live() === 10 ? true : undefined));
      watch.arm();
      await kubectlOk(env, ['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
      await until('rollout under way', async () => ((await podsOf('app=web')).some((p) => p.spec.containers[0].image === 'nginx:1.28') ? true : undefined));
      process.kill(cmPid, 'SIGKILL');
      process.kill(schedPid, 'SIGKILL');
      await until('the second controller-manager leads', async () => (/successfully acquired lease/.test(cm2.output()) ? true : undefined), 60_000);
      await until('the second scheduler leads', async () => (/successfully acquired lease/.test(sched2.output()) ? true : undefined), 60_000);
      await rollout('deployment/web');
      await until('old pods gone from the watch', async () => (watch.live() === 10 && watch.ready() === 10 ? true : undefined));
    } finally {
      await watch.stop();
    }
    assert.ok(watch.maxLive() <= 13, `live pods rose to ${watch.maxLive()} (bound 13)`);
    assert.ok(watch.minReady() >= 8, `ready pods dropped to ${watch.minReady()} (bound 8)`);
    const live = (await podsOf('app=web')).filter((p) => p.metadata.deletionTimestamp === undefined);
    assert.equal(live.length, 10);
    assert.ok(live.every((p) => p.spec.containers[0].image === 'nginx:1.28'));
    const rs = (await json<{ items: { spec: { replicas: number } }[] }>(['get', 'rs', '-l', 'app=web'])).items;
    assert.equal(rs.reduce((n, r) => n + r.spec.replicas, 0), 10, 'replica sets add up to the deployment');

    const cmNow = await leaseHolder('kube-controller-manager');
    const schedNow = await leaseHolder('kube-scheduler');
    assert.notEqual(cmNow, cmLeader);
    assert.notEqual(schedNow, schedLeader);
    assert.equal(await leaderGauge(cmPort, 'kube-controller-manager'), '1');
    assert.equal(await leaderGauge(schedPort, 'kube-scheduler'), '1');
    assert.match((await getInsecure(`https://127.0.0.1:${schedPort}/metrics`)).body, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/m);
    // up restarted the killed ones; they are candidates now, not leaders.
    await until('up restarted both', async () => (upPid('controller-manager') !== cmPid && upPid('scheduler') !== schedPid ? true : undefined));
    assert.equal((up?.output().match(/\[controller-manager\] .*successfully acquired lease/g) ?? []).length, 1);
    assert.equal((up?.output().match(/\[scheduler\] .*successfully acquired lease/g) ?? []).length, 1);
  });
});
