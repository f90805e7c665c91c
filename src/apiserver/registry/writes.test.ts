import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { fileHarness } from './testing/harness.ts';
import { PatchType } from './types.ts';

const h = fileHarness();
const opts = { timeout: 20_000 };

async function rejectsWith(p: Promise<unknown>, code: number, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    const e = err as StatusError;
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') {
      assert.equal(e.message, message);
    } else if (message !== undefined) {
      assert.match(e.message, message);
    }
    return true;
  });
}

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  status: { replicas: 99 },
});

test('deployment: status reset on create, generation bumps on spec change only, status subresource keeps spec', opts, async () => {
  const d = h.desc('apps', 'deployments');
  const created = await h.registry.create(d, 'default', deployment('web', 1), h.ctx());
  assert.equal(created.metadata.generation, 1);
  assert.equal((created.status as { replicas?: number }).replicas, undefined);
  const labelled = await h.registry.patch(d, 'default', 'web', PatchType.Merge, { metadata: { labels: { a: 'b' } } }, h.ctx(), { force: false });
  assert.equal(labelled.object.metadata.generation, 1);
  const scaled = await h.registry.patch(d, 'default', 'web', PatchType.Strategic, JSON.stringify({ spec: { replicas: 3 }, status: { replicas: 7 } }), h.ctx(), { force: false });
  assert.equal(scaled.object.metadata.generation, 2);
  assert.equal((scaled.object.status as { replicas?: number }).replicas, undefined, 'main writes keep old status');
  const st = await h.registry.update(d, 'default', 'web', { ...scaled.object, spec: { ...(scaled.object.spec as object), replicas: 10 }, status: { replicas: 3, observedGeneration: 2 } }, h.ctx(), 'status');
  assert.equal((st.object.spec as { replicas: number }).replicas, 3, 'status writes keep old spec');
  assert.deepEqual(st.object.status, { replicas: 3, observedGeneration: 2 });
  assert.equal(st.object.metadata.generation, 2);
});

test('scale subresource: get, merge patch, and validation', opts, async () => {
  const d = h.desc('apps', 'deployments');
  await h.registry.create(d, 'default', deployment('sc', 2), h.ctx());
  const scale = await h.registry.get(d, 'default', 'sc', 'scale');
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.deepEqual(scale.spec, { replicas: 2 });
  assert.deepEqual(scale.status, { replicas: 0, selector: 'app=sc' });
  const patched = await h.registry.patch(d, 'default', 'sc', PatchType.Merge, { spec: { replicas: 4 } }, h.ctx(), { force: false, subresource: 'scale' });
  assert.deepEqual(patched.object.spec, { replicas: 4 });
  const after = await h.registry.get(d, 'default', 'sc');
  assert.equal((after.spec as { replicas: number }).replicas, 4);
  assert.equal(after.metadata.generation, 2);
  await rejectsWith(h.registry.update(d, 'default', 'sc', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sc' }, spec: { replicas: -1 } }, h.ctx(), 'scale'), 422, 'Scale.autoscaling "sc" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

test('patch: json patch, apply creates and needs a field manager, force only for apply', opts, async () => {
  const cm = h.desc('', 'configmaps');
  const applied = await h.registry.patch(cm, 'default', 'ap', PatchType.Apply, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ap"},"data":{"a":"1"}}', h.ctx({ fieldManager: 'kubectl' }), { force: false });
  assert.equal(applied.created, true);
  assert.deepEqual(applied.object.data, { a: '1' });
  const again = await h.registry.patch(cm, 'default', 'ap', PatchType.Apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { a: '2' } }, h.ctx({ fieldManager: 'kubectl' }), { force: false });
  assert.equal(again.created, false);
  assert.deepEqual(again.object.data, { a: '2' });
  const jp = await h.registry.patch(cm, 'default', 'ap', PatchType.Json, [{ op: 'add', path: '/data/b', value: 'x' }], h.ctx(), { force: false });
  assert.deepEqual(jp.object.data, { a: '2', b: 'x' });
  await rejectsWith(h.registry.patch(cm, 'default', 'ap', PatchType.Apply, { metadata: { name: 'ap' } }, { ...h.ctx(), fieldManager: undefined }, { force: false }), 422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  await rejectsWith(h.registry.patch(cm, 'default', 'ap', PatchType.Merge, {}, h.ctx(), { force: true }), 422, /force: Forbidden: may not be specified for non-apply patch/);
  await rejectsWith(h.registry.patch(cm, 'default', 'missing', PatchType.Merge, { data: { a: 'b' } }, h.ctx(), { force: false }), 404);
  await rejectsWith(h.registry.patch(cm, 'default', 'ap', PatchType.Merge, { metadata: { resourceVersion: '1' } }, h.ctx(), { force: false }), 409);
});

test('a JSON patch of only metadata.managedFields is written (kubectl apply --server-side drops the client-side-apply entry)', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(cm, 'default', { metadata: { name: 'csa' }, data: { a: '1' } }, h.ctx({ fieldManager: 'kubectl-client-side-apply' }));
  const applied = await h.registry.patch(cm, 'default', 'csa', PatchType.Apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'csa' }, data: { a: '1' } }, h.ctx({ fieldManager: 'kubectl' }), { force: false });
  const entries = applied.object.metadata.managedFields ?? [];
  assert.deepEqual(entries.map((e) => e.manager).sort(), ['kubectl', 'kubectl-client-side-apply']);
  const kept = entries.filter((e) => e.manager === 'kubectl');
  const patched = await h.registry.patch(cm, 'default', 'csa', PatchType.Json, [
    { op: 'test', path: '/metadata/resourceVersion', value: applied.object.metadata.resourceVersion },
    { op: 'replace', path: '/metadata/managedFields', value: kept },
  ], h.ctx({ fieldManager: 'kubectl' }), { force: false });
  assert.notEqual(patched.object.metadata.resourceVersion, applied.object.metadata.resourceVersion);
  const stored = await h.registry.get(cm, 'default', 'csa');
  assert.deepEqual((stored.metadata.managedFields ?? []).map((e) => e.manager), ['kubectl']);
});

test('fieldValidation: Strict rejects unknown fields, Warn warns and drops them', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await rejectsWith(h.registry.create(cm, 'default', { metadata: { name: 'fv' }, data: {}, bogus: 1 }, h.ctx()), 400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
  const ctx = h.ctx({ fieldValidation: 'Warn' });
  const created = await h.registry.create(cm, 'default', { metadata: { name: 'fv' }, bogus: 1 }, ctx);
  assert.deepEqual(ctx.warnings, ['unknown field "bogus"']);
  assert.equal(created.bogus, undefined);
  const dotted = { metadata: { name: 'dotted', labels: { 'app.kubernetes.io/name': 'x' } }, data: { 'a.b': '1' }, bogus: 1, extra: { deep: true } };
  await rejectsWith(h.registry.create(cm, 'default', dotted, h.ctx()), 400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus", unknown field "extra"');
  const kept = await h.registry.create(cm, 'default', dotted, h.ctx({ fieldValidation: 'Ignore' }));
  assert.deepEqual([kept.data, kept.metadata.labels, kept.bogus, kept.extra], [{ 'a.b': '1' }, { 'app.kubernetes.io/name': 'x' }, undefined, undefined]);
});

test('an unparsable quantity is upstream\'s 400 decode error, not a 422', opts, async () => {
  const pods = h.desc('', 'pods');
  const body = { metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: 'lots' } } }] } };
  await rejectsWith(h.registry.create(pods, 'default', body, h.ctx()), 400, /^Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression/);
});

test('pods: binding sets nodeName once; graceful delete waits for the kubelet; unbound pods go at once', opts, async () => {
  const pods = h.desc('', 'pods');
  const pod = (name: string): KubeObject => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const p = await h.registry.create(pods, 'default', pod('p1'), h.ctx());
  assert.equal((p.status as { phase: string }).phase, 'Pending');
  const bound = await h.registry.create(pods, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } }, h.ctx(), 'binding', 'p1');
  assert.equal((bound as unknown as { status: string }).status, 'Success');
  const got = await h.registry.get(pods, 'default', 'p1');
  assert.equal((got.spec as { nodeName: string }).nodeName, 'n1');
  assert.ok(((got.status as { conditions: { type: string; status: string }[] }).conditions).some((c) => c.type === 'PodScheduled' && c.status === 'True'));
  await rejectsWith(h.registry.create(pods, 'default', { metadata: { name: 'p1' }, target: { name: 'n2' } }, h.ctx(), 'binding', 'p1'), 409, 'Operation cannot be fulfilled on pods/binding "p1": pod p1 is already assigned to node "n1"');
  const pending = await h.registry.delete(pods, 'default', 'p1', {}, h.ctx());
  assert.equal(pending.finished, false);
  assert.equal(pending.object.metadata.deletionGracePeriodSeconds, 30);
  assert.ok(pending.object.metadata.deletionTimestamp);
  const done = await h.registry.delete(pods, 'default', 'p1', { gracePeriodSeconds: 0 }, h.ctx());
  assert.equal(done.finished, true);
  await rejectsWith(h.registry.get(pods, 'default', 'p1'), 404);
  await h.registry.create(pods, 'default', pod('p2'), h.ctx());
  assert.equal((await h.registry.delete(pods, 'default', 'p2', {}, h.ctx())).finished, true);
});

test('finalizers hold deletion until an update removes the last one; propagation policies add theirs', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(cm, 'default', { metadata: { name: 'fin', finalizers: ['example.com/x'] } }, h.ctx());
  const res = await h.registry.delete(cm, 'default', 'fin', { propagationPolicy: 'Foreground' }, h.ctx());
  assert.equal(res.finished, false);
  assert.deepEqual(res.object.metadata.finalizers, ['example.com/x', 'foregroundDeletion']);
  assert.ok(res.object.metadata.deletionTimestamp);
  await rejectsWith(h.registry.delete(cm, 'default', 'fin', { preconditions: { uid: 'nope' } }, h.ctx()), 409, /^Operation cannot be fulfilled on ConfigMap "fin": the UID in the precondition \(nope\) does not match the UID in record \(.+\)\. The object might have been deleted and then recreated$/);
  const upd = await h.registry.patch(cm, 'default', 'fin', PatchType.Merge, { metadata: { finalizers: ['foregroundDeletion'] } }, h.ctx(), { force: false });
  assert.deepEqual(upd.object.metadata.finalizers, ['foregroundDeletion']);
  await h.registry.patch(cm, 'default', 'fin', PatchType.Merge, { metadata: { finalizers: null } }, h.ctx(), { force: false });
  await rejectsWith(h.registry.get(cm, 'default', 'fin'), 404);
});

test('namespaces: Terminating on delete, creates refused, finalize purges', opts, async () => {
  const ns = h.desc('', 'namespaces');
  const cm = h.desc('', 'configmaps');
  const created = await h.registry.create(ns, undefined, { metadata: { name: 'doomed' } }, h.ctx());
  assert.deepEqual(created.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(created.status, { phase: 'Active' });
  const del = await h.registry.delete(ns, undefined, 'doomed', {}, h.ctx());
  assert.equal(del.finished, false);
  assert.equal((del.object.status as { phase: string }).phase, 'Terminating');
  await rejectsWith(h.registry.create(cm, 'doomed', { metadata: { name: 'x' } }, h.ctx()), 403, 'unable to create new content in namespace doomed because it is being terminated');
  await rejectsWith(h.registry.delete(ns, undefined, 'default', {}, h.ctx()), 403);
  await h.registry.update(ns, undefined, 'doomed', { ...del.object, spec: { finalizers: [] } }, h.ctx(), 'finalize');
  await rejectsWith(h.registry.get(ns, undefined, 'doomed'), 404);
});

test('deleteCollection deletes what the selector picks', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await h.registry.create(cm, 'default', { metadata: { name: 'dc1', labels: { dc: 'y' } } }, h.ctx());
  await h.registry.create(cm, 'default', { metadata: { name: 'dc2', labels: { dc: 'y' } } }, h.ctx());
  await h.registry.create(cm, 'default', { metadata: { name: 'dc3' } }, h.ctx());
  const res = await h.registry.deleteCollection(cm, 'default', { labelSelector: 'dc=y' }, {}, h.ctx());
  assert.deepEqual(res.items.map((i) => i.metadata.name), ['dc1', 'dc2']);
  const left = await h.registry.list(cm, 'default', { labelSelector: 'dc' });
  assert.equal(left.items.length, 0);
  await h.registry.get(cm, 'default', 'dc3');
});

test('subresources: unknown ones are 404; ephemeralcontainers and status change only their slice of a pod', opts, async () => {
  const cm = h.desc('', 'configmaps');
  const pods = h.desc('', 'pods');
  await h.registry.create(cm, 'default', { metadata: { name: 'sub' } }, h.ctx());
  await rejectsWith(h.registry.get(cm, 'default', 'sub', 'status'), 404, 'the server could not find the requested resource');
  await rejectsWith(h.registry.get(cm, 'default', 'sub', 'scale'), 404);
  const pod = await h.registry.create(pods, 'default', { metadata: { name: 'eph' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, h.ctx());
  const eph = await h.registry.patch(pods, 'default', 'eph', PatchType.Merge, { metadata: { labels: { ignored: 'yes' } }, spec: { ephemeralContainers: [{ name: 'debug', image: 'busybox' }] } }, h.ctx(), { force: false, subresource: 'ephemeralcontainers' });
  const spec = eph.object.spec as { ephemeralContainers: { name: string }[]; containers: unknown[] };
  assert.deepEqual(spec.ephemeralContainers.map((c) => c.name), ['debug']);
  assert.equal(eph.object.metadata.labels, undefined);
  const st = await h.registry.patch(pods, 'default', 'eph', PatchType.Merge, { status: { phase: 'Running' }, spec: { nodeName: 'sneaky' } }, h.ctx(), { force: false, subresource: 'status' });
  assert.equal((st.object.status as { phase: string }).phase, 'Running');
  assert.equal((st.object.spec as { nodeName?: string }).nodeName, undefined);
  assert.equal(st.object.metadata.uid, pod.metadata.uid);
});

test('create refuses a resourceVersion like upstream; update with no change keeps the resourceVersion', opts, async () => {
  const cm = h.desc('', 'configmaps');
  await rejectsWith(h.registry.create(cm, 'default', { metadata: { name: 'rv', resourceVersion: '12' } }, h.ctx()), 500, 'resourceVersion should not be set on objects to be created');
  const c = await h.registry.create(cm, 'default', { metadata: { name: 'rv' }, data: { a: 'b' } }, h.ctx());
  const same = await h.registry.update(cm, 'default', 'rv', c, h.ctx());
  assert.equal(same.object.metadata.resourceVersion, c.metadata.resourceVersion);
});

test('events.k8s.io/v1 and core/v1 Events share one storage, each served in its own shape', opts, async () => {
  const core = h.desc('', 'events');
  const ev = h.desc('events.k8s.io', 'events');
  const created = await h.registry.create(ev, 'default', {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' },
    eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'test', reportingInstance: 'test-1', action: 'Did', reason: 'Because', type: 'Normal',
    regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, note: 'hello',
  }, h.ctx({ fieldValidation: 'Ignore' }));
  assert.equal(created.apiVersion, 'events.k8s.io/v1');
  assert.equal(created.note, 'hello');
  const asCore = await h.registry.get(core, 'default', 'e1');
  assert.equal(asCore.apiVersion, 'v1');
  assert.equal(asCore.message, 'hello');
  assert.deepEqual(asCore.involvedObject, { kind: 'Pod', name: 'p', namespace: 'default' });
  const listed = await h.registry.list(ev, 'default', {});
  assert.equal(listed.items[0].note, 'hello');
  const stored = await h.storage.get('/registry/events/default/e1');
  assert.equal((JSON.parse(stored?.value ?? '{}') as KubeObject).apiVersion, 'v1');
});

test('eviction spends a PodDisruptionBudget disruption, then answers 429 when none is left', opts, async () => {
  const pods = h.desc('', 'pods');
  const pdbs = h.desc('policy', 'poddisruptionbudgets');
  const runningPod = async (name: string): Promise<void> => {
    await h.registry.create(pods, 'default', { metadata: { name, labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, h.ctx());
    await h.registry.patch(pods, 'default', name, PatchType.Merge, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, h.ctx(), { force: false, subresource: 'status' });
  };
  await runningPod('g1');
  await runningPod('g2');
  const pdb = await h.registry.create(pdbs, 'default', { metadata: { name: 'budget' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } }, h.ctx());
  await h.registry.patch(pdbs, 'default', 'budget', PatchType.Merge, { status: { observedGeneration: pdb.metadata.generation, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } }, h.ctx(), { force: false, subresource: 'status' });
  const ok = await h.registry.create(pods, 'default', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'g1' } }, h.ctx(), 'eviction', 'g1');
  assert.equal((ok as unknown as { status: string }).status, 'Success');
  await rejectsWith(h.registry.get(pods, 'default', 'g1'), 404);
  const spent = await h.registry.get(pdbs, 'default', 'budget');
  assert.equal((spent.status as { disruptionsAllowed: number }).disruptionsAllowed, 0);
  assert.ok((spent.status as { disruptedPods: Record<string, string> }).disruptedPods.g1);
  await assert.rejects(h.registry.create(pods, 'default', { metadata: { name: 'g2' } }, h.ctx(), 'eviction', 'g2'), (e: unknown) => {
    const err = e as StatusError;
    assert.equal(err.code, 429);
    assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget budget needs 1 healthy pods and has 2 currently' }]);
    return true;
  });
  await h.registry.get(pods, 'default', 'g2');
});
