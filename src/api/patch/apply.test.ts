import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../errors.ts';
import type { StatusError } from '../errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../object.ts';
import { LAST_APPLIED_ANNOTATION, serverSideApply, updateManagedFields } from './apply.ts';

const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };

function config(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'demo', namespace: 'default', ...metadata }, spec };
}

/** What the registry does after an apply creates the object. */
function stored(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, uid: 'uid-1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' } };
}

function entry(o: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return o.metadata.managedFields?.find((e) => e.manager === manager);
}

function containers(o: KubeObject): Record<string, unknown>[] {
  return (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers;
}

const template = (cs: unknown[]) => ({ metadata: { labels: { app: 'demo' } }, spec: { containers: cs } });

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) {
      return e;
    }
    throw e;
  }
  assert.fail('expected a StatusError');
}

test('apply creates the object and records upstream-shaped FieldsV1 for the applier', () => {
  const { object } = serverSideApply(gvk, undefined, config({ replicas: 2, selector: { matchLabels: { app: 'demo' } }, template: template([{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }]) }, { labels: { app: 'demo' } }), 'kubectl', false);
  assert.equal((object.spec as { replicas: number }).replicas, 2);
  const e = entry(object, 'kubectl');
  assert.equal(object.metadata.managedFields?.length, 1);
  assert.equal(e?.operation, 'Apply');
  assert.equal(e?.apiVersion, 'apps/v1');
  assert.equal(e?.fieldsType, 'FieldsV1');
  assert.match(e?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(e?.subresource, undefined);
  assert.deepEqual(e?.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:name': {},
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  });
});

test('re-applying without a field removes it; a field another manager owns stays', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 2, paused: false, template: template([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]) }, { labels: { x: '1', y: '2' } }), 'mgr', false).object);
  // Another writer (an Update) takes label y.
  const touched = structuredClone(first);
  (touched.metadata.labels as Record<string, string>).y = 'changed';
  touched.metadata.managedFields = updateManagedFields(gvk, first, touched, 'other');
  const { object } = serverSideApply(gvk, touched, config({ replicas: 2, template: template([{ name: 'a', image: 'a' }]) }, { labels: { x: '1' } }), 'mgr', false);
  assert.equal((object.spec as Record<string, unknown>).paused, undefined, 'dropped field is pruned');
  assert.deepEqual(containers(object).map((c) => c.name), ['a'], 'dropped container is pruned');
  assert.deepEqual(object.metadata.labels, { x: '1', y: 'changed' }, 'label owned by another manager survives');
  assert.equal(object.metadata.uid, 'uid-1');
});

test('two appliers: changing the other manager’s field is a 409 with upstream’s message; force takes it over', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 1 }), 'kubectl-client', false).object);
  const err = conflictOf(() => serverSideApply(gvk, first, config({ replicas: 3 }), 'helm', false));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client": .spec.replicas');
  assert.deepEqual(err.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client"', field: '.spec.replicas' }]);

  const forced = serverSideApply(gvk, first, config({ replicas: 3 }), 'helm', true).object;
  assert.equal((forced.spec as { replicas: number }).replicas, 3);
  assert.deepEqual(entry(forced, 'helm')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entry(forced, 'kubectl-client'), undefined, 'the loser, left with nothing, is dropped');
});

test('the same value applied by two managers is shared, not a conflict', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 1 }), 'a', false).object);
  const { object } = serverSideApply(gvk, first, config({ replicas: 1 }), 'b', false);
  assert.deepEqual(entry(object, 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(entry(object, 'b')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('conflicts with an Update manager name its version; several conflicts are listed per manager', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 1, paused: false }), 'a', false).object);
  const updated = structuredClone(first);
  Object.assign(updated.spec as object, { replicas: 4, minReadySeconds: 5 });
  updated.metadata.managedFields = updateManagedFields(gvk, first, updated, 'kube-controller-manager');
  const err = conflictOf(() => serverSideApply(gvk, updated, config({ replicas: 1, minReadySeconds: 1 }), 'a', false));
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "kube-controller-manager" using apps/v1:\n- .spec.minReadySeconds\n- .spec.replicas');
  assert.equal(err.details?.causes?.length, 2);
});

test('map-keyed lists merge by key: another manager’s container survives and keeps its place', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ template: template([{ name: 'app', image: 'app:1' }]) }), 'a', false).object);
  const second = stored(serverSideApply(gvk, first, config({ template: template([{ name: 'sidecar', image: 'proxy' }]) }), 'b', false).object);
  assert.deepEqual(containers(second), [{ name: 'app', image: 'app:1' }, { name: 'sidecar', image: 'proxy' }]);
  const third = serverSideApply(gvk, second, config({ template: template([{ name: 'app', image: 'app:2' }]) }), 'a', false).object;
  assert.deepEqual(containers(third), [{ name: 'app', image: 'app:2' }, { name: 'sidecar', image: 'proxy' }]);
});

test('updateManagedFields: a create records every field against the kind’s zero value, like upstream', () => {
  const obj: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'd' } },
    spec: { replicas: 1, strategy: { rollingUpdate: { maxSurge: 1 } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'E', value: 'v' }] }] } } },
  };
  const mf = updateManagedFields(gvk, undefined, obj, 'kubectl-create');
  assert.equal(mf.length, 1);
  assert.equal(mf[0]?.operation, 'Update');
  // Containers present in Go's zero value (strategy, template, containers) get no "." of their own.
  assert.deepEqual(mf[0]?.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} } },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"E"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {} } } },
      },
    },
  });
});

test('updateManagedFields: a custom resource create marks spec itself', () => {
  const crGvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const mf = updateManagedFields(crGvk, undefined, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } }, 'kubectl-create');
  assert.deepEqual(mf[0]?.fieldsV1, { 'f:spec': { '.': {}, 'f:size': {} } });
});

test('updateManagedFields: an update takes changed fields from the applier and drops removed ones', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 1, paused: true }), 'a', false).object);
  const next = structuredClone(first);
  const spec = next.spec as Record<string, unknown>;
  spec.replicas = 2;
  delete spec.paused;
  const mf = updateManagedFields(gvk, first, next, 'scaler');
  assert.equal(mf.find((e) => e.manager === 'a'), undefined, 'applier lost all its fields');
  assert.deepEqual(mf.find((e) => e.manager === 'scaler')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(updateManagedFields(gvk, first, structuredClone(first), 'noop'), first.metadata.managedFields, 'a no-op write changes nothing');
  const reset = structuredClone(next);
  reset.metadata.managedFields = [];
  assert.deepEqual(updateManagedFields(gvk, first, reset, 'x'), []);
});

test('status written through the main resource is not owned; /status writes are recorded per subresource', () => {
  const obj = config({ replicas: 1 });
  (obj as Record<string, unknown>).status = { replicas: 1 };
  const main = serverSideApply(gvk, undefined, obj, 'a', false).object;
  assert.deepEqual(entry(main, 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const before = stored(main);
  const after = structuredClone(before);
  (after as Record<string, unknown>).status = { replicas: 2, readyReplicas: 1 };
  const mf = updateManagedFields(gvk, before, after, 'kube-controller-manager', 'status');
  const st = mf.find((e) => e.subresource === 'status');
  assert.deepEqual(st?.fieldsV1, { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } });
});

test('kubectl --server-side after client-side apply: last-applied fields do not conflict and the annotation follows', () => {
  const lastApplied = JSON.stringify(config({ replicas: 1 }, { annotations: {} }));
  const created = config({ replicas: 1 }, { annotations: { [LAST_APPLIED_ANNOTATION]: `${lastApplied}\n` } });
  created.metadata.managedFields = updateManagedFields(gvk, undefined, created, 'kubectl-client-side-apply');
  const live = stored(created);
  const { object } = serverSideApply(gvk, live, config({ replicas: 3 }), 'kubectl', false);
  assert.equal((object.spec as { replicas: number }).replicas, 3);
  const annotation = object.metadata.annotations?.[LAST_APPLIED_ANNOTATION] ?? '';
  assert.deepEqual(JSON.parse(annotation), config({ replicas: 3 }));
  assert.ok(annotation.endsWith('\n'));
  assert.deepEqual(entry(object, 'kubectl')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  // Any other manager name gets the plain conflict.
  const err = conflictOf(() => serverSideApply(gvk, live, config({ replicas: 3 }), 'helm', false));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
});

test('objects without managedFields: existing fields belong to before-first-apply', () => {
  const live = stored(config({ replicas: 1, selector: { matchLabels: { a: 'b' } } }));
  const sel = conflictOf(() => serverSideApply(gvk, live, config({ replicas: 1, selector: { matchLabels: { a: 'c' } } }), 'a', false));
  assert.equal(sel.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.selector');
  const err = conflictOf(() => serverSideApply(gvk, live, config({ replicas: 2 }), 'a', false));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('malformed apply configurations are 400s with upstream’s messages', () => {
  const wrongVersion = { ...config({}), apiVersion: 'apps/v1beta1' };
  assert.equal(conflictOf(() => serverSideApply(gvk, undefined, wrongVersion, 'a', false)).message, 'invalid object type: apps/v1beta1, Kind=Deployment');
  const withManaged = config({}, { managedFields: [{ manager: 'x' }] });
  const err = conflictOf(() => serverSideApply(gvk, undefined, withManaged, 'a', false));
  assert.equal(err.code, 400);
  assert.equal(err.message, 'metadata.managedFields must be nil');
});

test('set lists (finalizers) are owned per value and merged as a union', () => {
  const cmGvk = { group: '', version: 'v1', kind: 'ConfigMap' };
  const cm = (finalizers: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers }, data: { k: 'v' } });
  const first = stored(serverSideApply(cmGvk, undefined, cm(['a/x']), 'a', false).object);
  const { object } = serverSideApply(cmGvk, first, cm(['b/y']), 'b', false);
  assert.deepEqual(object.metadata.finalizers, ['a/x', 'b/y']);
  assert.deepEqual(entry(object, 'b')?.fieldsV1, { 'f:data': { 'f:k': {} }, 'f:metadata': { 'f:finalizers': { 'v:"b/y"': {} } } });
  assert.deepEqual(entry(object, 'a')?.fieldsV1, { 'f:data': { 'f:k': {} }, 'f:metadata': { 'f:finalizers': { 'v:"a/x"': {} } } });
});

test('updates to an object that has no managedFields stay untracked until its first apply', () => {
  const live = stored(config({ replicas: 1 }));
  const next = structuredClone(live);
  (next.spec as { replicas: number }).replicas = 2;
  assert.deepEqual(updateManagedFields(gvk, live, next, 'kubectl-edit'), []);
});

test('more than ten Update managers: the oldest merge into ancient-changes', () => {
  let obj = stored(config({ replicas: 1 }));
  obj.metadata.managedFields = updateManagedFields(gvk, undefined, obj, 'creator');
  for (let i = 0; i < 11; i++) {
    const next = structuredClone(obj);
    (next.spec as Record<string, unknown>)[`f${i}`] = i;
    next.metadata.managedFields = updateManagedFields(gvk, obj, next, `writer-${String(i).padStart(2, '0')}`);
    obj = next;
  }
  const entries = obj.metadata.managedFields ?? [];
  assert.equal(entries.filter((e) => e.operation === 'Update').length, 10);
  const ancient = entries.find((e) => e.manager === 'ancient-changes');
  assert.ok(ancient !== undefined, 'a bucket entry exists');
  assert.equal(entries.find((e) => e.manager === 'creator'), undefined);
});

test('custom resources own status through the main resource unless they have a status subresource', () => {
  const crGvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { ok: true } };
  const plain = serverSideApply(crGvk, undefined, cr, 'a', false).object;
  assert.deepEqual(entry(plain, 'a')?.fieldsV1, { 'f:spec': { 'f:size': {} }, 'f:status': { 'f:ok': {} } });
  const withStatus = serverSideApply(crGvk, undefined, cr, 'a', false, undefined, { statusSubresource: true }).object;
  assert.deepEqual(entry(withStatus, 'a')?.fieldsV1, { 'f:spec': { 'f:size': {} } });
});

test('apply configurations with duplicate list keys fail like upstream ("failed to create typed patch object")', () => {
  const dup = config({ template: template([{ name: 'app', image: 'a', env: [{ name: 'X', value: '1' }, { name: 'X', value: '2' }] }]) });
  const err = conflictOf(() => serverSideApply(gvk, undefined, dup, 'helm', false));
  assert.equal(err.code, 500);
  assert.equal(err.message, 'failed to create typed patch object (default/demo; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].env: duplicate entries for key [name="X"]');
  const noKey = config({ template: template([{ image: 'a' }]) });
  assert.match(conflictOf(() => serverSideApply(gvk, undefined, noKey, 'helm', false)).message, /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/);
});

test('a no-op apply keeps the applier’s time; a co-owner added without a change gets none', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 1 }), 'a', false).object);
  const firstEntry = structuredClone(entry(first, 'a'));
  (firstEntry as ManagedFieldsEntry).time = '2020-01-01T00:00:00Z';
  first.metadata.managedFields = [firstEntry as ManagedFieldsEntry];
  const again = serverSideApply(gvk, first, config({ replicas: 1 }), 'a', false).object;
  assert.equal(entry(again, 'a')?.time, '2020-01-01T00:00:00Z');
  const shared = serverSideApply(gvk, first, config({ replicas: 1 }), 'b', false).object;
  assert.equal(entry(shared, 'b')?.time, undefined);
  assert.deepEqual(entry(shared, 'b')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('prune follows upstream: emptied maps vanish, structs stay, fields shared only with an Update manager go', () => {
  const first = stored(serverSideApply(gvk, undefined, config({ replicas: 2, strategy: { rollingUpdate: { maxSurge: 1 } } }, { labels: { a: '1' } }), 'app', false).object);
  // An Update manager writes the same replicas value: no change, so it gains nothing; make it own paused instead.
  const edited = structuredClone(first);
  (edited.spec as Record<string, unknown>).paused = true;
  edited.metadata.managedFields = updateManagedFields(gvk, first, edited, 'editor');
  const applied = stored(serverSideApply(gvk, edited, config({ replicas: 2, paused: true }), 'app', false).object);
  assert.deepEqual(entry(applied, 'app')?.fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  assert.equal(applied.metadata.labels, undefined, 'the emptied labels map is gone');
  assert.deepEqual((applied.spec as Record<string, unknown>).strategy, { rollingUpdate: {} }, 'structs stay (defaulting refills them)');
  const dropped = serverSideApply(gvk, applied, config({ replicas: 2 }), 'app', false).object;
  assert.equal((dropped.spec as Record<string, unknown>).paused, undefined, 'an Update co-owner does not protect a field from pruning');
});

test('a write that only replaces managedFields (kubectl’s client-side → server-side upgrade) keeps the sent entries', () => {
  const live = stored(config({ replicas: 1 }));
  live.metadata.managedFields = updateManagedFields(gvk, undefined, live, 'kubectl-client-side-apply');
  const upgraded = structuredClone(live);
  upgraded.metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  assert.deepEqual(updateManagedFields(gvk, live, upgraded, 'kubectl'), upgraded.metadata.managedFields);
});

test('updateManagedFields: a create takes the short path, with the same entry the general set algebra gives', () => {
  const podGvk = { group: '', version: 'v1', kind: 'Pod' };
  const pod = (): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u', labels: { app: 'a' }, annotations: { note: 'n' }, finalizers: ['x/y'] },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'img',
          ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090, protocol: 'UDP' }],
          env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { requests: { cpu: '100m' } },
          readinessProbe: { httpGet: { path: '/', port: 8080 } },
          volumeMounts: [{ name: 'v', mountPath: '/v' }],
        },
      ],
      volumes: [{ name: 'v', configMap: { name: 'cm' } }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
      nodeSelector: { disk: 'ssd' },
      securityContext: {},
    },
    status: { phase: 'Pending' },
  });
  const withoutTime = (es: ManagedFieldsEntry[]) => es.map(({ time: _t, ...e }) => e);
  const both = (g: typeof podGvk, make: () => KubeObject, options: { statusSubresource?: boolean } = {}) => {
    const short = updateManagedFields(g, undefined, make(), 'creator', undefined, options);
    // A requested entry that owns nothing sends the same create through the general path.
    const viaGeneral = make();
    viaGeneral.metadata.managedFields = [{ manager: 'nobody', operation: 'Update', apiVersion: viaGeneral.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} }];
    const general = updateManagedFields(g, undefined, viaGeneral, 'creator', undefined, options);
    assert.deepEqual(withoutTime(short), withoutTime(general));
    assert.equal(JSON.stringify(withoutTime(short)), JSON.stringify(withoutTime(general)), 'same key order too');
    return short;
  };
  const short = both(podGvk, pod);
  assert.equal(short.length, 1);
  const fields = short[0]?.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.ok(fields['f:spec']?.['f:containers'] !== undefined && fields['f:status'] === undefined && fields['f:metadata']?.['.'] === undefined);
  // Zero values with nested templates, a Service's status, a schema-less custom resource, nulls, nothing but metadata.
  both(gvk, () => config({ replicas: 2, selector: { matchLabels: { app: 'd' } }, template: template([{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }]) }, { labels: { a: 'b' } }));
  both({ group: '', version: 'v1', kind: 'Service' }, () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], selector: { app: 'a' } }, status: { loadBalancer: {} } }));
  const crGvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
  const cr = (): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', annotations: {} }, spec: { size: 1, list: [{ a: 1 }], none: null }, status: { ready: true } });
  both(crGvk, cr);
  both(crGvk, cr, { statusSubresource: true });
  assert.deepEqual(both(podGvk, () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare' } })), []);
  // Two containers with one name: the general path merges them (the short one steps aside).
  both(podGvk, () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dup' }, spec: { containers: [{ name: 'c', image: 'a' }, { name: 'c', command: ['x'] }] } }));
});
