/**
 * Issue 3's "Done" list, part 1, end to end: `k8ts up --sim-nodes 5` (apiserver,
 * controller-manager, scheduler, five simulated nodes; no kubelet, no proxy) driven only by the
 * real kubectl 1.35: a 50-replica Deployment (rolling update checked with a kubectl watch, undo,
 * scale), a DaemonSet vs a tainted node, a Job, namespace deletion, deletion with each
 * propagation policy, a CronJob. Part 2 (node heartbeat, drain, failover) is
 * control-plane-failover.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { kubectl, kubectlOk } from '../util/kubectl.ts';
import { SIM_NODES, podWatch, startCluster, until } from './control-plane-cluster.ts';
import type { Cluster, Meta } from './control-plane-cluster.ts';

describe('control plane scenario: k8ts up --sim-nodes 5 with real kubectl', { timeout: 6 * 60_000 }, () => {
  let cl: Cluster;

  before(async () => {
    cl = await startCluster();
    // Created first: the CronJob fires at the next minute boundary, checked last.
    await cl.apply(`apiVersion: batch/v1
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
    await cl?.stop();
  });

  test('create deployment --replicas=50 → 50 Running; set image keeps availability ≥ 50 - maxUnavailable; undo; scale', async () => {
    await kubectlOk(cl.env, ['create', 'deployment', 'web', '--image=nginx:1.26', '--replicas=50']);
    await cl.rollout('deployment/web');
    const first = await cl.podsOf('app=web');
    assert.equal(first.length, 50);
    assert.ok(first.every((p) => p.status?.phase === 'Running'), 'every pod Running');
    assert.equal(new Set(first.map((p) => p.spec.nodeName)).size, SIM_NODES.length, 'spread over every node');

    // Default strategy: maxUnavailable 25% of 50 → 12 (rounded down), maxSurge 25% → 13 (rounded up).
    const watch = podWatch(cl.env, 'app=web');
    try {
      await until('the watch lists 50 ready pods', async () => (watch.ready() === 50 ? true : undefined));
      watch.arm();
      await kubectlOk(cl.env, ['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
      await cl.rollout('deployment/web');
      await until('old pods gone from the watch', async () => (watch.live() === 50 && watch.ready() === 50 ? true : undefined));
    } finally {
      await watch.stop();
    }
    assert.ok(watch.minReady() >= 38, `ready pods dropped to ${watch.minReady()} (bound 38)`);
    assert.ok(watch.maxLive() <= 63, `live pods rose to ${watch.maxLive()} (bound 63)`);
    const updated = await cl.podsOf('app=web');
    assert.equal(updated.filter((p) => p.metadata.deletionTimestamp === undefined && p.spec.containers[0].image === 'nginx:1.27').length, 50);

    await kubectlOk(cl.env, ['rollout', 'undo', 'deployment/web']);
    await cl.rollout('deployment/web');
    const d = await cl.json<{ metadata: Meta & { annotations?: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } }>(['get', 'deployment', 'web']);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.match(await kubectlOk(cl.env, ['rollout', 'history', 'deployment/web']), /^2\s[\s\S]*^3\s/m);

    await kubectlOk(cl.env, ['scale', 'deployment/web', '--replicas=10']);
    await cl.rollout('deployment/web');
    await until('10 pods after scale down', async () => ((await cl.podsOf('app=web')).length === 10 ? true : undefined));
  });

  test('a DaemonSet lands one pod per schedulable node and skips the tainted one', async () => {
    await kubectlOk(cl.env, ['taint', 'node', 'sim-4', 'dedicated=infra:NoSchedule']);
    await cl.apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: busybox}]}
`);
    await cl.rollout('daemonset/agent');
    const ds = await cl.podsOf('app=agent');
    assert.deepEqual(ds.map((p) => p.spec.nodeName).sort(), ['sim-0', 'sim-1', 'sim-2', 'sim-3']);
    assert.ok(ds.every((p) => p.status?.phase === 'Running'));
  });

  test('a Job with completions=5 completes', async () => {
    await cl.apply(`apiVersion: batch/v1
kind: Job
metadata: {name: five}
spec:
  completions: 5
  parallelism: 2
  template:
    metadata: {annotations: {sim.k8ts.dev/exit-after-seconds: "1"}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`);
    await kubectlOk(cl.env, ['wait', '--for=condition=Complete', 'job/five', '--timeout=90s'], { timeoutMs: 100_000 });
    const job = await cl.json<{ status: { succeeded?: number } }>(['get', 'job', 'five']);
    assert.equal(job.status.succeeded, 5);
    assert.equal((await cl.podsOf('job-name=five')).filter((p) => p.status?.phase === 'Succeeded').length, 5);
  });

  test('create cronjob, then create job --from=cronjob: kubectl posts the Job as protobuf with the full defaulted pod template', async () => {
    await kubectlOk(cl.env, ['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'sh', '-c', 'date']);
    // A richer template (volumes, probes, security contexts, affinity), defaulted by the server, all of which
    // kubectl's typed client sends back inside the protobuf Job.
    const container = {
      name: 'nightly', image: 'busybox', command: ['sh', '-c', 'date'], volumeMounts: [{ name: 'data', mountPath: '/data' }],
      livenessProbe: { exec: { command: ['true'] }, periodSeconds: 5 }, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      resources: { limits: { memory: '64Mi' } },
    };
    const template = {
      metadata: { annotations: { 'sim.k8ts.dev/exit-after-seconds': '1' } },
      spec: {
        restartPolicy: 'OnFailure', containers: [container], volumes: [{ name: 'data', emptyDir: {} }], securityContext: { runAsNonRoot: false },
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] } }] } },
      },
    };
    await kubectlOk(cl.env, ['patch', 'cronjob', 'nightly', '--type=merge', '-p', JSON.stringify({ spec: { jobTemplate: { spec: { template } } } })]);
    await kubectlOk(cl.env, ['create', 'job', 'nightly-now', '--from=cronjob/nightly']);
    type PodTemplate = { spec: { volumes?: unknown[]; containers: { livenessProbe?: unknown; terminationMessagePath?: string }[] } };
    const cj = await cl.json<{ spec: { jobTemplate: { spec: { template: PodTemplate } } } }>(['get', 'cronjob', 'nightly']);
    const job = await cl.json<{ metadata: Meta & { annotations?: Record<string, string> }; spec: { template: PodTemplate } }>(['get', 'job', 'nightly-now']);
    assert.equal(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.ok(job.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'nightly' && o.controller === true));
    assert.deepEqual(job.spec.template.spec, cj.spec.jobTemplate.spec.template.spec);
    assert.deepEqual(job.spec.template.spec.volumes, [{ name: 'data', emptyDir: {} }]);
    assert.equal(job.spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.ok(job.spec.template.spec.containers[0].livenessProbe !== undefined);
    await kubectlOk(cl.env, ['wait', '--for=condition=Complete', 'job/nightly-now', '--timeout=90s'], { timeoutMs: 100_000 });
  });

  test('deleting a non-empty namespace empties and removes it', async () => {
    await kubectlOk(cl.env, ['create', 'namespace', 'doomed']);
    await kubectlOk(cl.env, ['create', 'deployment', 'app', '--image=nginx', '--replicas=3', '-n', 'doomed']);
    await kubectlOk(cl.env, ['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'doomed']);
    await cl.rollout('deployment/app', 'doomed');
    await kubectlOk(cl.env, ['delete', 'namespace', 'doomed', '--timeout=90s'], { timeoutMs: 100_000 });
    const r = await kubectl(cl.env, ['get', 'namespace', 'doomed']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NotFound|not found/);
  });

  test('delete with each propagation policy (Background, Foreground, Orphan)', async () => {
    for (const name of ['bg', 'fg', 'orph']) {
      await kubectlOk(cl.env, ['create', 'deployment', name, '--image=nginx', '--replicas=3']);
    }
    for (const name of ['bg', 'fg', 'orph']) {
      await cl.rollout(`deployment/${name}`);
    }
    await kubectlOk(cl.env, ['delete', 'deployment', 'bg', '--cascade=background']);
    await until('background: replica set and pods gone', async () => ((await cl.podsOf('app=bg')).length === 0 && (await cl.json<{ items: unknown[] }>(['get', 'rs', '-l', 'app=bg'])).items.length === 0 ? true : undefined));

    await kubectlOk(cl.env, ['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal((await cl.json<{ items: unknown[] }>(['get', 'rs', '-l', 'app=fg'])).items.length, 0, 'foreground: dependents deleted before the owner');
    assert.equal((await cl.podsOf('app=fg')).filter((p) => p.metadata.deletionTimestamp === undefined).length, 0);

    await kubectlOk(cl.env, ['delete', 'deployment', 'orph', '--cascade=orphan', '--timeout=60s'], { timeoutMs: 70_000 });
    await until('orphan: the replica set stays, without owner', async () => {
      const items = (await cl.json<{ items: { metadata: Meta }[] }>(['get', 'rs', '-l', 'app=orph'])).items;
      return items.length === 1 && (items[0].metadata.ownerReferences ?? []).length === 0 ? true : undefined;
    });
    assert.equal((await cl.podsOf('app=orph')).filter((p) => p.metadata.deletionTimestamp === undefined).length, 3, 'pods stay with their replica set');
    await kubectlOk(cl.env, ['delete', 'rs', '-l', 'app=orph']);
  });

  test('the CronJob fired: a Job owned by it ran to completion', async () => {
    const job = await until('a Job created by the CronJob', async () => {
      const jobs = (await cl.json<{ items: { metadata: Meta; status?: { succeeded?: number } }[] }>(['get', 'jobs'])).items;
      return jobs.find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick' && o.controller === true));
    }, 90_000);
    assert.match(job.metadata.name, /^tick-\d+$/);
    await kubectlOk(cl.env, ['wait', '--for=condition=Complete', `job/${job.metadata.name}`, '--timeout=60s'], { timeoutMs: 70_000 });
    const cj = await cl.json<{ status?: { lastScheduleTime?: string } }>(['get', 'cronjob', 'tick']);
    assert.ok(cj.status?.lastScheduleTime !== undefined);
    assert.equal(new Date(cj.status.lastScheduleTime).getUTCSeconds(), 0, 'scheduled on a minute boundary');
    await kubectlOk(cl.env, ['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
  });
});
