/**
 * Workload controllers (part B) against a real apiserver and a real `controller-manager`
 * process: a Job with completions=5 completes (pods succeed through pods/status), a DaemonSet
 * lands one pod per schedulable untainted node, a StatefulSet creates ordered pods and PVCs,
 * PodDisruptionBudget status gates pods/eviction, ResourceQuota usage, a CronJob fires.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/object.ts';
import { PatchType, RestClient } from '../../src/client/rest.ts';
import { silentLogger } from '../../src/client/log.ts';
import { startApiServer } from '../util/apiserver.ts';
import type { TestApiServer } from '../util/apiserver.ts';
import { clientEnv, kubectl, kubectlOk } from '../util/kubectl.ts';
import type { ClientEnv } from '../util/kubectl.ts';
import { until } from '../util/wait.ts';

const CONTROLLERS = 'job-controller,daemonset-controller,statefulset-controller,cronjob-controller,disruption-controller,resourcequota-controller,ttl-after-finished-controller,garbage-collector-controller,service-lb-controller,horizontal-pod-autoscaler-controller';
const cmEntry = new URL('../../src/cmd/controller-manager.ts', import.meta.url).pathname;

/** Starts the controller-manager as its own process (until the lead registers the subcommand, via its module's main). */
function startControllerManager(kubeconfig: string): { child: ChildProcess; output: () => string } {
  const script = `import { main } from ${JSON.stringify(cmEntry)}; process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', `--kubeconfig=${kubeconfig}`, '--leader-elect=false', `--controllers=${CONTROLLERS}`, '--horizontal-pod-autoscaler-sync-period=1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { child, output: () => out };
}

let lastOutput = (): string => '';

const pods = { group: '', version: 'v1', resource: 'pods' } as const;
const nodes = { group: '', version: 'v1', resource: 'nodes' } as const;

interface Pod extends KubeObject {
  spec?: { nodeName?: string; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { values?: string[] }[] }[] } } } };
  status?: { phase?: string };
}

describe('workload controllers (part B) with a real controller-manager', () => {
  let server: TestApiServer;
  let client: RestClient;
  let env: ClientEnv;
  let cm: { child: ChildProcess; output: () => string } | undefined;
  before(async () => {
    server = await startApiServer();
    client = await RestClient.fromKubeconfig(server.kubeconfig, { logger: silentLogger });
    env = clientEnv(server.kubeconfig);
    cm = startControllerManager(server.kubeconfig);
    lastOutput = cm.output;
    // Created first so its (up to a minute) wait for the next activation overlaps the other tests.
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } } };
    await client.create({ group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'default' }, cron);
  });
  after(async () => {
    if (cm !== undefined && cm.child.exitCode === null) {
      const done = new Promise((r) => cm?.child.once('exit', r));
      cm.child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      cm.child.kill('SIGKILL');
    }
    client?.close();
    env?.cleanup();
    await server?.stop();
  });

  test('a Job with completions=5 completes', async () => {
    const manifest = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'five', namespace: 'default' }, spec: { completions: 5, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    let maxActive = 0;
    const succeededPods = new Set<string>();
    await until('job five to complete', async () => {
      const job = await client.get<KubeObject & { status?: { active?: number; conditions?: { type: string; status: string }[] } }>({ group: 'batch', version: 'v1', resource: 'jobs', namespace: 'default', name: 'five' });
      if (job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true) {
        return true;
      }
      const list = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'job-name=five' });
      const running = list.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.metadata.deletionTimestamp === undefined);
      maxActive = Math.max(maxActive, running.length);
      // "Run" each pod to success through the status subresource, as a kubelet would.
      for (const p of running) {
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        await client.update({ ...pods, namespace: 'default', name: p.metadata.name, subresource: 'status' }, { ...p, status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } }] } });
        succeededPods.add(p.metadata.name ?? '');
      }
      return undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.ok(maxActive <= 2, `parallelism honoured (saw ${maxActive} active)`);
    assert.equal(succeededPods.size, 5, 'exactly five pods were created and run');
    const out = await kubectlOk(env, ['get', 'job', 'five', '-o', 'jsonpath={.status.succeeded} {.status.conditions[*].type} {.status.completionTime}']);
    assert.match(out, /^5 SuccessCriteriaMet Complete \d{4}-/);
    await kubectlOk(env, ['wait', '--for=condition=complete', 'job/five', '--timeout=10s']);
    // Every pod lost the tracking finalizer once counted.
    const left = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'job-name=five' });
    assert.ok(left.items.every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')));
    const desc = await kubectl(env, ['describe', 'job', 'five']);
    assert.match(desc.stdout, /Pods Statuses:\s+0 Active .* 5 Succeeded \/ 0 Failed/);
  });

  test('a finished Job with ttlSecondsAfterFinished=0 is deleted', async () => {
    const manifest = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'brief', namespace: 'default' }, spec: { ttlSecondsAfterFinished: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const p = await until('the job pod', async () => (await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'job-name=brief' })).items[0], { context: () => `controller-manager output:\n${lastOutput()}` });
    await client.update({ ...pods, namespace: 'default', name: p.metadata.name, subresource: 'status' }, { ...p, status: { phase: 'Succeeded' } });
    await until('the job to be deleted', async () => {
      const r = await kubectl(env, ['get', 'job', 'brief', '-o', 'name']);
      return r.code !== 0 && /NotFound|not found/.test(r.stderr) ? true : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
  });

  test('a DaemonSet lands one pod per schedulable untainted node', async () => {
    for (const [name, taints] of [['n1', []], ['n2', []], ['n3', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]]] as const) {
      await client.create(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: { taints } });
    }
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(ds) });
    const placed = await until('two daemon pods', async () => {
      const list = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=agent' });
      const targets = list.items.map((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] ?? '?').sort();
      return targets.length >= 2 ? targets : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.deepEqual(placed, ['n1', 'n2']);
    const status = await until('daemonset status', async () => {
      const out = await kubectlOk(env, ['get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}/{.status.currentNumberScheduled}/{.status.observedGeneration}']);
      return out === '2/2/1' ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(status, '2/2/1');
    const revs = await kubectlOk(env, ['get', 'controllerrevisions', '-o', 'name']);
    assert.match(revs, /controllerrevision.apps\/agent-[a-z0-9]+/);
    // A new node gets its daemon.
    await client.create(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n4' } });
    await until('a daemon pod for n4', async () => {
      const list = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=agent' });
      return list.items.length === 3 ? true : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(cm?.child.exitCode, null, `controller-manager still running:\n${cm?.output() ?? ''}`);
  });

  test('an HPA keeps its target within minReplicas..maxReplicas without a metrics API, and says why it cannot do more', async () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'auto', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'auto' } }, template: { metadata: { labels: { app: 'auto' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(dep) });
    await kubectlOk(env, ['autoscale', 'deployment', 'auto', '--min', '3', '--max', '5', '--cpu=50%']);
    await until('the Deployment scaled up to minReplicas', async () => ((await kubectlOk(env, ['get', 'deployment', 'auto', '-o', 'jsonpath={.spec.replicas}'])).trim() === '3' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    const events = await until('the SuccessfulRescale event', async () => {
      const got = await kubectlOk(env, ['get', 'events', '--field-selector', 'involvedObject.name=auto,involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
      return /SuccessfulRescale/.test(got) ? got : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.match(events, /SuccessfulRescale: New size: 3; reason: Current number of replicas below Spec.MinReplicas/);
    // Within the bounds nothing scales: no metrics API, so ScalingActive is False as with upstream without metrics-server.
    const conditions = await until('ScalingActive=False', async () => {
      const hpa = JSON.parse(await kubectlOk(env, ['get', 'hpa', 'auto', '-o', 'json'])) as { status?: { desiredReplicas?: number; conditions?: { type: string; status: string; reason: string }[] } };
      const c = hpa.status?.conditions ?? [];
      return c.some((x) => x.type === 'ScalingActive' && x.status === 'False') && hpa.status?.desiredReplicas === 3 ? c : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.deepEqual(conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['AbleToScale=True/SucceededGetScale', 'ScalingActive=False/FailedGetResourceMetric']);
    assert.match(await kubectlOk(env, ['get', 'hpa', 'auto']), /auto\s+Deployment\/auto\s+cpu: <unknown>\/50%\s+3\s+5\s+/);
  });

  test('autoscaling/v1 serves the same HPAs: CPU target as targetCPUUtilizationPercentage, the rest kept through a v1 write', async () => {
    const v1 = JSON.parse(await kubectlOk(env, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'auto', '-o', 'json'])) as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.deepEqual(v1.spec, { scaleTargetRef: { kind: 'Deployment', name: 'auto', apiVersion: 'apps/v1' }, minReplicas: 3, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    assert.equal(v1.status.desiredReplicas, 3);
    assert.match(v1.metadata?.annotations?.['autoscaling.alpha.kubernetes.io/conditions'] ?? '', /"type":"ScalingActive","status":"False"/);
    // A v2 HPA with what v1 cannot say: a memory target and a behavior.
    const multi = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'multi', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'auto' }, minReplicas: 3, maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }, { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(multi) });
    const specOf = async (): Promise<Record<string, unknown>> => (JSON.parse(await kubectlOk(env, ['get', 'hpa', 'multi', '-o', 'json'])) as { spec: Record<string, unknown> }).spec;
    const before = await specOf();
    assert.equal((before.behavior as { scaleDown: { stabilizationWindowSeconds: number } }).scaleDown.stabilizationWindowSeconds, 60);
    await kubectlOk(env, ['label', 'horizontalpodautoscalers.v1.autoscaling', 'multi', 'written=through-v1']);
    const v1Multi = JSON.parse(await kubectlOk(env, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'multi', '-o', 'json'])) as KubeObject & { spec: Record<string, unknown> };
    assert.equal(v1Multi.spec.targetCPUUtilizationPercentage, 70);
    assert.deepEqual(JSON.parse(v1Multi.metadata?.annotations?.['autoscaling.alpha.kubernetes.io/metrics'] ?? '[]'), [{ type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } }]);
    // The CPU target comes back last, as upstream's conversion orders it; nothing else changed.
    const after = await specOf();
    assert.deepEqual(after.behavior, before.behavior);
    assert.deepEqual(after.metrics, before.metrics);
    assert.equal(JSON.parse(await kubectlOk(env, ['get', 'hpa', 'multi', '-o', 'jsonpath={.metadata.labels}'])).written, 'through-v1');
    await kubectlOk(env, ['delete', 'hpa', 'multi']);
  });

  test('a LoadBalancer Service gets the Ready nodes\' addresses (no pool); it is cleared when the type changes', async () => {
    const services = { group: '', version: 'v1', resource: 'services', namespace: 'default' } as const;
    const ingressOf = async (): Promise<string> => (await kubectlOk(env, ['get', 'service', 'edge', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).trim();
    await kubectlOk(env, ['create', 'service', 'loadbalancer', 'edge', '--tcp=8080:80']);
    // No Ready node yet: nothing to hand out, the Service stays pending.
    assert.equal(await ingressOf(), '');
    for (const [name, ip] of [['lb-a', '192.0.2.21'], ['lb-b', '192.0.2.20']] as const) {
      await client.create(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await client.patch({ ...nodes, name, subresource: 'status' }, { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }], addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } }, PatchType.Merge);
    }
    const ips = await until('node addresses on the Service', async () => {
      const got = await ingressOf();
      return got === '192.0.2.20 192.0.2.21' ? got : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(ips, '192.0.2.20 192.0.2.21');
    assert.match(await kubectlOk(env, ['get', 'service', 'edge']), /192\.0\.2\.20,192\.0\.2\.21/, 'kubectl shows the external IPs, not <pending>');
    const events = await kubectlOk(env, ['get', 'events', '--field-selector', 'involvedObject.name=edge', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /EnsuredLoadBalancer/);
    // Every LoadBalancer answers on the same node addresses: a later one on the same port stays
    // pending (as with k3s's servicelb), with a Warning saying why.
    await kubectlOk(env, ['create', 'service', 'loadbalancer', 'edge-twin', '--tcp=8080:80']);
    const why = await until('a port conflict warning', async () => {
      const got = await kubectlOk(env, ['get', 'events', '--field-selector', 'involvedObject.name=edge-twin', '-o', 'jsonpath={.items[?(@.reason=="SyncLoadBalancerFailed")].message}']);
      return got.trim() === '' ? undefined : got.trim();
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(why, 'Error syncing load balancer: failed to ensure load balancer: port 8080/TCP is already used by LoadBalancer Service default/edge on the node addresses');
    assert.equal((await kubectlOk(env, ['get', 'service', 'edge-twin', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).trim(), '');
    await kubectlOk(env, ['delete', 'service', 'edge-twin']);
    // A node that goes NotReady stops being offered.
    await client.patch({ ...nodes, name: 'lb-b', subresource: 'status' }, { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }, PatchType.Merge);
    await until('only the Ready node', async () => ((await ingressOf()) === '192.0.2.21' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    await client.patch({ ...services, name: 'edge' }, { spec: { type: 'ClusterIP' } }, PatchType.Merge);
    await until('ingress cleared once the Service is no LoadBalancer', async () => ((await ingressOf()) === '' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
  });

  test('a StatefulSet creates ordered pods with stable names and claims', async () => {
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(sts) });
    const seen: string[] = [];
    for (let ordinal = 0; ordinal < 3; ordinal++) {
      const name = `web-${ordinal}`;
      const p = await until(`pod ${name}`, async () => {
        const list = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=web' });
        seen.push(...list.items.map((x) => x.metadata.name ?? '').filter((n) => !seen.includes(n)));
        return list.items.find((x) => x.metadata.name === name);
      }, { context: () => `controller-manager output:\n${lastOutput()}` });
      // OrderedReady: the next ordinal must not exist while this one is not ready.
      const list = await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=web' });
      assert.equal(list.items.length, ordinal + 1, `only web-0..web-${ordinal} exist before web-${ordinal} is ready`);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await client.update({ ...pods, namespace: 'default', name, subresource: 'status' }, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } });
    }
    assert.deepEqual(seen, ['web-0', 'web-1', 'web-2']);
    const claims = await kubectlOk(env, ['get', 'pvc', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(claims, 'data-web-0 data-web-1 data-web-2');
    await until('statefulset status 3 ready', async () => {
      const out = await kubectlOk(env, ['get', 'sts', 'web', '-o', 'jsonpath={.status.replicas}/{.status.readyReplicas}/{.status.updatedReplicas}/{.status.observedGeneration}']);
      return out === '3/3/3/1' ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    const rollout = await kubectl(env, ['rollout', 'status', 'sts/web', '--timeout=20s']);
    assert.equal(rollout.code, 0, rollout.stderr);
  });

  test('PodDisruptionBudget status gates evictions', async () => {
    for (const name of ['g1', 'g2']) {
      const p = await client.create<Pod>({ ...pods, namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      await client.update({ ...pods, namespace: 'default', name, subresource: 'status' }, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(pdb) });
    const status = await until('pdb status', async () => {
      const out = await kubectlOk(env, ['get', 'pdb', 'guard', '-o', 'jsonpath={.status.expectedPods}/{.status.currentHealthy}/{.status.desiredHealthy}/{.status.disruptionsAllowed}/{.status.observedGeneration}']);
      return out === '2/2/1/1/1' ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(status, '2/2/1/1/1');
    const evict = (name: string): Promise<unknown> => client.subresource('POST', { ...pods, namespace: 'default', name, subresource: 'eviction' }, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
    await evict('g1');
    await assert.rejects(evict('g2'), /disruption budget/);
    await until('pdb recount', async () => {
      const out = await kubectlOk(env, ['get', 'pdb', 'guard', '-o', 'jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}']);
      return out === '1/0' ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
  });

  test('orphans matching a Job or StatefulSet are adopted (ControllerRefManager); a pod that stops matching is released', async () => {
    const bare = (name: string, app: string): Promise<Pod> => client.create<Pod>({ ...pods, namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
    await bare('stray', 'adopt-job');
    await bare('db-0', 'db');
    await bare('db-extra', 'db');
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'adopter', namespace: 'default' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'adopt-job' } }, completions: 1, parallelism: 1, template: { metadata: { labels: { app: 'adopt-job' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    for (const o of [job, sts]) {
      await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(o) });
    }
    const controllerOf = async (name: string): Promise<string | undefined> => {
      const p = await client.get<Pod>({ ...pods, namespace: 'default', name });
      const ref = p.metadata.ownerReferences?.find((r) => r.controller === true);
      return ref === undefined ? undefined : `${ref.kind}/${ref.name}`;
    };
    await until('the Job adopts the stray pod', async () => ((await controllerOf('stray')) === 'Job/adopter' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    const stray = await client.get<Pod>({ ...pods, namespace: 'default', name: 'stray' });
    assert.ok(stray.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking'), 'an adopted Job pod gets the tracking finalizer');
    await until('the Job counts the adopted pod as active and creates none', async () => {
      const out = await kubectlOk(env, ['get', 'job', 'adopter', '-o', 'jsonpath={.status.active}']);
      return out === '1' ? true : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal((await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=adopt-job' })).items.length, 1);
    await until('the StatefulSet adopts db-0', async () => ((await controllerOf('db-0')) === 'StatefulSet/db' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(await controllerOf('db-extra'), undefined, 'a pod not named like a member is left alone');

    // Relabelled out of the selector: released (no ownerReference left); the Job makes a new pod.
    await client.patch({ ...pods, namespace: 'default', name: 'stray' }, { metadata: { labels: { app: 'elsewhere' } } }, PatchType.Merge);
    await until('the Job releases the relabelled pod', async () => ((await client.get<Pod>({ ...pods, namespace: 'default', name: 'stray' })).metadata.ownerReferences === undefined ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    await until('a replacement pod for the Job', async () => ((await client.list<Pod>({ ...pods, namespace: 'default' }, { labelSelector: 'app=adopt-job' })).items.length === 1 ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
  });

  test('ResourceQuota usage is tracked', async () => {
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota' } });
    await client.create({ ...pods, namespace: 'quota' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '250m', memory: '64Mi' } } }] } });
    const rq = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'quota' }, spec: { hard: { pods: '5', 'requests.cpu': '2', 'requests.memory': '1Gi', configmaps: '10' } } };
    await kubectlOk(env, ['apply', '-f', '-'], { stdin: JSON.stringify(rq) });
    const used = await until('quota usage', async () => {
      const out = await kubectlOk(env, ['get', 'resourcequota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}/{.status.used.requests\\.cpu}/{.status.used.requests\\.memory}/{.status.hard.pods}']);
      return out.startsWith('1/250m/64Mi/5') ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(used, '1/250m/64Mi/5');
    // Admission enforces it: a pod without requests is refused, and so is one past the CPU limit.
    const noRequests = await kubectl(env, ['run', 'bare', '--image=nginx', '-n', 'quota']);
    assert.equal(noRequests.code, 1);
    assert.match(noRequests.stderr, /pods "bare" is forbidden: failed quota: q: must specify requests\.cpu,requests\.memory/);
    const big = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'quota' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1800m', memory: '64Mi' } } }] } };
    const refused = await kubectl(env, ['create', '-f', '-'], { stdin: JSON.stringify(big) });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pods "big" is forbidden: exceeded quota: q, requested: requests\.cpu=1800m, used: requests\.cpu=250m, limited: requests\.cpu=2/);
    // Within the quota a create is charged at once, before the controller recounts.
    await kubectlOk(env, ['create', '-f', '-'], { stdin: JSON.stringify({ ...big, metadata: { ...big.metadata, name: 'fits' }, spec: { containers: [{ ...big.spec.containers[0], resources: { requests: { cpu: '1', memory: '64Mi' } } }] } }) });
    const charged = await kubectlOk(env, ['get', 'resourcequota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}/{.status.used.requests\\.cpu}']);
    assert.equal(charged, '2/1250m');
    // Deleting gives it back (the controller recounts on deletes, upstream's replenishment).
    await kubectlOk(env, ['delete', 'pod', 'fits', '-n', 'quota', '--grace-period=0', '--force']);
    await until('the quota replenished', async () => ((await kubectlOk(env, ['get', 'resourcequota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}/{.status.used.requests\\.cpu}'])) === '1/250m' ? true : undefined), { context: () => `controller-manager output:\n${lastOutput()}` });
    // Counts too: configmaps up to the limit, then a refusal naming it.
    const before = Number(await kubectlOk(env, ['get', 'resourcequota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.configmaps}']));
    for (let i = before; i < 10; i++) {
      await kubectlOk(env, ['create', 'configmap', `c${i}`, '-n', 'quota']);
    }
    const over = await kubectl(env, ['create', 'configmap', 'c-over', '-n', 'quota']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /configmaps "c-over" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=10, limited: configmaps=10/);
  });

  test('a CronJob fires at the next minute with a job named after the scheduled minute', async () => {
    const jobName = await until('the cronjob to create a job', async () => {
      const list = await client.list({ group: 'batch', version: 'v1', resource: 'jobs', namespace: 'default' });
      return list.items.map((j) => j.metadata.name ?? '').find((n) => n.startsWith('tick-'));
    }, { timeoutMs: 90_000, context: () => `controller-manager output:\n${lastOutput()}` });
    const minutes = Number(jobName.slice('tick-'.length));
    assert.ok(Number.isInteger(minutes) && Math.abs(minutes * 60_000 - Date.now()) < 120_000, `job name carries the scheduled minute: ${jobName}`);
    const last = await until('lastScheduleTime', async () => {
      const out = await kubectlOk(env, ['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}|{.status.active[*].name}']);
      return out.includes('|') && out.split('|')[0] !== '' ? out : undefined;
    }, { context: () => `controller-manager output:\n${lastOutput()}` });
    assert.equal(last.split('|')[0], new Date(minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'));
  });
});
