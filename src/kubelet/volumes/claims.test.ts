import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/object.ts';
import { claimVolumePath } from './claims.ts';
import type { ClaimObjectReader } from './claims.ts';

test('a bound claim resolves to its volume path (DirectoryOrCreate made); an unbound or missing one keeps the pod waiting', async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-claims-'));
  try {
    const objects: Record<string, KubeObject> = {
      'persistentvolumeclaims/ns/bound': { metadata: { name: 'bound' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } },
      'persistentvolumeclaims/ns/pending': { metadata: { name: 'pending' }, spec: {}, status: { phase: 'Pending' } },
      'persistentvolumeclaims/ns/static': { metadata: { name: 'static' }, spec: { volumeName: 'pv2' }, status: { phase: 'Bound' } },
      'persistentvolumes//pv1': { metadata: { name: 'pv1', annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } }, spec: { hostPath: { path: join(root, 'pvc-1_ns_bound'), type: 'DirectoryOrCreate' } } },
      'persistentvolumes//pv2': { metadata: { name: 'pv2' }, spec: { local: { path: join(root, 'missing') } } },
    };
    const read: ClaimObjectReader = (resource, ns, name) => Promise.resolve(objects[`${resource}/${ns}/${name}`]);
    const path = await claimVolumePath('ns', 'bound', read);
    assert.equal(path, join(root, 'pvc-1_ns_bound'));
    assert.equal((await stat(path)).mode & 0o777, 0o777, 'local-path directories are world-writable');
    await assert.rejects(claimVolumePath('ns', 'pending', read), /PVC ns\/pending: PVC is not bound/);
    await assert.rejects(claimVolumePath('ns', 'nope', read), /persistentvolumeclaims "nope" not found/);
    await assert.rejects(claimVolumePath('ns', 'static', read), /path ".*missing" does not exist/, 'a local volume is never created');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
