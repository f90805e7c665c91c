import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { fileHarness } from './testing/harness.ts';

const h = fileHarness();
const opts = { timeout: 20_000 };

interface PodSpec {
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: string;
  volumes?: { name: string; projected?: unknown }[];
  containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
}

const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const specOf = (o: KubeObject): PodSpec => o.spec as PodSpec;

test('pods get the kube-api-access projected token volume and mount unless they opt out', opts, async () => {
  const pods = h.desc('', 'pods');
  const p = specOf(await h.registry.create(pods, 'default', pod('sa'), h.ctx()));
  const vol = p.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, 'token volume added');
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(p.containers[0].volumeMounts, [{ name: vol.name, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);
  const off = specOf(await h.registry.create(pods, 'default', pod('off', { automountServiceAccountToken: false }), h.ctx()));
  assert.equal(off.volumes, undefined);
  assert.equal(off.containers[0].volumeMounts, undefined);
  await h.registry.create(h.desc('', 'serviceaccounts'), 'default', { metadata: { name: 'quiet' }, automountServiceAccountToken: false }, h.ctx());
  const quiet = specOf(await h.registry.create(pods, 'default', pod('quiet', { serviceAccountName: 'quiet' }), h.ctx()));
  assert.equal(quiet.volumes, undefined, 'the ServiceAccount opts out');
});

test('priorityClassName resolves to priority and preemptionPolicy; a missing class is 403', opts, async () => {
  const pods = h.desc('', 'pods');
  await h.registry.create(h.desc('scheduling.k8s.io', 'priorityclasses'), undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'gentle' }, value: 1000, preemptionPolicy: 'Never' }, h.ctx());
  const gentle = specOf(await h.registry.create(pods, 'default', pod('gentle', { priorityClassName: 'gentle' }), h.ctx()));
  assert.deepEqual([gentle.priority, gentle.preemptionPolicy], [1000, 'Never']);
  const critical = specOf(await h.registry.create(pods, 'default', pod('critical', { priorityClassName: 'system-node-critical' }), h.ctx()));
  assert.deepEqual([critical.priority, critical.preemptionPolicy], [2000001000, 'PreemptLowerPriority']);
  const plain = specOf(await h.registry.create(pods, 'default', pod('plain'), h.ctx()));
  assert.deepEqual([plain.priority, plain.preemptionPolicy], [0, 'PreemptLowerPriority']);
  await assert.rejects(h.registry.create(pods, 'default', pod('lost', { priorityClassName: 'nope' }), h.ctx()), (e: unknown) => (e as StatusError).code === 403 && (e as StatusError).message === 'pods "lost" is forbidden: no PriorityClass with name nope was found');
  await assert.rejects(h.registry.create(pods, 'default', pod('forced', { priorityClassName: 'gentle', priority: 5 }), h.ctx()), (e: unknown) => (e as StatusError).code === 403 && /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000/.test((e as StatusError).message));
});

test('a Job created with generateName carries its real name in the job-name labels', opts, async () => {
  const jobs = h.desc('batch', 'jobs');
  const job = await h.registry.create(jobs, 'default', { metadata: { generateName: 'batch-' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, h.ctx());
  const name = job.metadata.name ?? '';
  assert.match(name, /^batch-[a-z0-9]{5}$/);
  const labels = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
  assert.equal(labels['batch.kubernetes.io/job-name'], name);
  assert.equal(labels['job-name'], name);
  const stored = await h.registry.get(jobs, 'default', name);
  assert.equal(stored.metadata.uid, job.metadata.uid);
});

test('new claims and volumes get the protection finalizers, created by POST or by server-side apply', opts, async () => {
  const claims = h.desc('', 'persistentvolumeclaims');
  const volumes = h.desc('', 'persistentvolumes');
  const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' };
  const posted = await h.registry.create(claims, 'default', { metadata: { name: 'posted', finalizers: ['example.com/keep'] }, spec }, h.ctx());
  assert.deepEqual(posted.metadata.finalizers, ['example.com/keep', 'kubernetes.io/pvc-protection']);
  const applied = await h.registry.patch(claims, 'default', 'applied', 'application/apply-patch+yaml', JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'applied' }, spec }), h.ctx({ fieldManager: 'me' }), { force: false });
  assert.deepEqual(applied.object.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = await h.registry.create(volumes, undefined, { metadata: { name: 'pv', finalizers: ['kubernetes.io/pv-protection'] }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } } }, h.ctx());
  assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection'], 'added once');
});
