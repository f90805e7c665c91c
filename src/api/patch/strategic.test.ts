import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { applyStrategicMergePatch } from './strategic.ts';

const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
const pod = { group: '', version: 'v1', kind: 'Pod' };

function deploy(containers: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', labels: { app: 'demo' } },
    spec: { replicas: 1, template: { metadata: { labels: { app: 'demo' } }, spec: { containers, ...extra } } },
  };
}

function containersOf(o: KubeObject): { name: string; [k: string]: unknown }[] {
  return ((o.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers);
}

function podSpec(o: KubeObject): Record<string, unknown> {
  return (o.spec as { template: { spec: Record<string, unknown> } }).template.spec;
}

test('kubectl set image: containers merge by name, other containers and fields are kept', () => {
  const live = deploy([
    { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  const out = applyStrategicMergePatch(deployment, live, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } } },
  });
  assert.deepEqual(containersOf(out), [
    { name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80 }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  assert.equal(containersOf(live)[0]?.image, 'nginx:1.27', 'the input object is not mutated');
});

test('client-side apply patch: scalar change and annotation merge keep the rest', () => {
  const live = deploy([{ name: 'nginx', image: 'nginx' }]);
  const out = applyStrategicMergePatch(deployment, live, { metadata: { annotations: { a: 'b' } }, spec: { replicas: 3 } });
  assert.equal((out.spec as { replicas: number }).replicas, 3);
  assert.deepEqual(out.metadata, { name: 'demo', labels: { app: 'demo' }, annotations: { a: 'b' } });
  assert.equal(containersOf(out).length, 1);
});

test('$setElementOrder reorders merged items and new items land where the order says', () => {
  const live = deploy([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
  const out = applyStrategicMergePatch(deployment, live, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }], containers: [{ name: 'c', image: 'c' }] } } },
  });
  assert.deepEqual(containersOf(out).map((c) => c.name), ['c', 'b', 'a']);
});

test('$patch: delete removes a list item by merge key; null deletes a map key', () => {
  const live = deploy([{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }, { name: 'b', image: 'b' }]);
  const out = applyStrategicMergePatch(deployment, live, {
    metadata: { labels: { app: null } },
    spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }, { name: 'a', env: [{ name: 'X', $patch: 'delete' }] }] } } },
  });
  assert.deepEqual(containersOf(out), [{ name: 'a', image: 'a', env: [{ name: 'Y', value: '2' }] }]);
  assert.deepEqual(out.metadata.labels, {});
});

test('$patch: replace on a map and on a list', () => {
  const live = deploy([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
  const replacedList = applyStrategicMergePatch(deployment, live, { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(containersOf(replacedList), [{ name: 'z', image: 'z' }]);
  const replacedMap = applyStrategicMergePatch(deployment, live, { metadata: { labels: { other: 'x', $patch: 'replace' } } });
  assert.deepEqual(replacedMap.metadata.labels, { other: 'x' });
});

test('$retainKeys clears fields not listed (deployment strategy switch)', () => {
  const live: KubeObject = { metadata: { name: 'd' }, spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = applyStrategicMergePatch(deployment, live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual((out.spec as { strategy: unknown }).strategy, { type: 'Recreate' });
  assert.throws(
    () => applyStrategicMergePatch(deployment, live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }),
    (e: unknown) => isStatusError(e) && e.code === 400 && e.message === 'invalid patch format of retainKeys',
  );
});

test('primitive merge lists union; $deleteFromPrimitiveList removes values', () => {
  const live: KubeObject = { metadata: { name: 'p', finalizers: ['a', 'b'] } };
  const added = applyStrategicMergePatch(pod, live, { metadata: { finalizers: ['c', 'a'] } });
  assert.deepEqual(added.metadata.finalizers, ['a', 'b', 'c']);
  const removed = applyStrategicMergePatch(pod, live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
  assert.deepEqual(removed.metadata.finalizers, ['b']);
});

test('lists without a merge strategy are replaced (tolerations, args)', () => {
  const live = deploy([{ name: 'a', image: 'a', args: ['1', '2'] }], { tolerations: [{ key: 'k1', operator: 'Exists' }] });
  const out = applyStrategicMergePatch(deployment, live, {
    spec: { template: { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }], containers: [{ name: 'a', args: ['3'] }] } } },
  });
  assert.deepEqual(podSpec(out).tolerations, [{ key: 'k2', operator: 'Exists' }]);
  assert.deepEqual(containersOf(out)[0]?.args, ['3']);
});

test('ports merge by containerPort, volumes and volumeMounts by their keys', () => {
  const live = deploy([{ name: 'a', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ mountPath: '/a', name: 'v1' }] }], { volumes: [{ name: 'v1', emptyDir: {} }] });
  const out = applyStrategicMergePatch(deployment, live, {
    spec: {
      template: {
        spec: {
          volumes: [{ name: 'v2', configMap: { name: 'cm' } }],
          containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }], volumeMounts: [{ mountPath: '/b', name: 'v2' }] }],
        },
      },
    },
  });
  const c = containersOf(out)[0];
  assert.deepEqual(c?.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);
  assert.deepEqual(c?.volumeMounts, [{ mountPath: '/a', name: 'v1' }, { mountPath: '/b', name: 'v2' }]);
  assert.deepEqual(podSpec(out).volumes, [{ name: 'v1', emptyDir: {} }, { name: 'v2', configMap: { name: 'cm' } }]);
});

test('a merge-list item without its merge key is a plain 500 like upstream (kubectl: "Error from server: map: ...")', () => {
  const live = deploy([{ name: 'a' }]);
  assert.throws(
    () => applyStrategicMergePatch(deployment, live, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    (e: unknown) => isStatusError(e) && e.code === 500 && e.toStatus().reason === '' && e.message === 'map: map[image:x] does not contain declared merge key: name',
  );
});

test('$patch: delete on a map empties it; new values lose directive maps and nulls', () => {
  const live: KubeObject = { metadata: { name: 'd', labels: { a: '1' } }, spec: { replicas: 1 } };
  const out = applyStrategicMergePatch(deployment, live, {
    metadata: { labels: { $patch: 'delete' }, annotations: { x: '1', y: null } },
    spec: { strategy: { type: 'Recreate', rollingUpdate: { $patch: 'delete' } } },
  });
  assert.deepEqual(out.metadata, { name: 'd', labels: {}, annotations: { x: '1' } });
  assert.deepEqual((out.spec as Record<string, unknown>).strategy, { type: 'Recreate' });
  assert.throws(
    () => applyStrategicMergePatch(deployment, live, { metadata: { labels: { $patch: 'bogus' } } }),
    (e: unknown) => isStatusError(e) && e.code === 500 && e.message === 'unknown patch type: bogus in map: map[$patch:bogus]',
  );
});

test('custom resources are refused with 415 listing the accepted patch types', () => {
  assert.throws(
    () => applyStrategicMergePatch({ group: 'example.com', version: 'v1', kind: 'Widget' }, { metadata: { name: 'w' } }, { spec: {} }),
    (e: unknown) =>
      isStatusError(e) &&
      e.code === 415 &&
      e.message === 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );
});

test('rollout restart annotation lands in the pod template', () => {
  const live = deploy([{ name: 'a' }]);
  const out = applyStrategicMergePatch(deployment, live, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } } } });
  assert.deepEqual((out.spec as { template: { metadata: unknown } }).template.metadata, { labels: { app: 'demo' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } });
});

test('$setElementOrder keeps server-only items where they were relative to patched ones', () => {
  const live = deploy([{ name: 'a' }, { name: 'server-only' }, { name: 'b' }]);
  const out = applyStrategicMergePatch(deployment, live, {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', image: 'b2' }] } } },
  });
  // Upstream's mergeSortedSlice: a server-only item goes before the next patched item if it came
  // before it in the live list (server-only was before b), else after.
  assert.deepEqual(containersOf(out).map((c) => c.name), ['server-only', 'b', 'a']);
  const later = applyStrategicMergePatch(deployment, deploy([{ name: 'a' }, { name: 'b' }, { name: 'server-only' }]), {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', image: 'b2' }] } } },
  });
  assert.deepEqual(containersOf(later).map((c) => c.name), ['b', 'a', 'server-only']);
});

test('Service ports merge by port; finalizer order directive reorders primitives', () => {
  const svc = { group: '', version: 'v1', kind: 'Service' };
  const live: KubeObject = { metadata: { name: 's', finalizers: ['x', 'y'] }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  const out = applyStrategicMergePatch(svc, live, {
    metadata: { '$setElementOrder/finalizers': ['y', 'x'] },
    spec: { ports: [{ port: 443, name: 'https' }] },
  });
  assert.deepEqual((out.spec as { ports: unknown }).ports, [{ port: 80, targetPort: 8080 }, { port: 443, name: 'https' }]);
  assert.deepEqual(out.metadata.finalizers, ['y', 'x']);
});
