import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiObjectReference, podReferences } from './pod-references.ts';

const pod = (name: string, node: string | undefined, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'app' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }], ...spec },
});

test('podReferences: volumes, projected sources, env, envFrom, image pull secrets, CSI secrets, ephemeral claims, the service account', () => {
  const refs = podReferences(pod('web', 'n1', {
    serviceAccountName: 'builder',
    imagePullSecrets: [{ name: 'pull' }],
    initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'init-env' } }] }],
    containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }], envFrom: [{ secretRef: { name: 'all' } }] }],
    volumes: [
      { name: 'a', secret: { secretName: 'vol-secret' } },
      { name: 'b', configMap: { name: 'vol-cm' } },
      { name: 'c', projected: { sources: [{ secret: { name: 'proj' } }, { configMap: { name: 'proj-cm' } }] } },
      { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'e', csi: { driver: 'x', nodePublishSecretRef: { name: 'csi' } } },
      { name: 'f', ephemeral: { volumeClaimTemplate: {} } },
    ],
  }));
  assert.deepEqual(refs.sort(), [
    'configmaps/app/init-env', 'configmaps/app/proj-cm', 'configmaps/app/vol-cm',
    'persistentvolumeclaims/app/data', 'persistentvolumeclaims/app/web-f',
    'secrets/app/all', 'secrets/app/csi', 'secrets/app/env-secret', 'secrets/app/proj', 'secrets/app/pull', 'secrets/app/vol-secret',
    'serviceaccounts/app/builder',
  ]);
});

test('apiObjectReference: what a static or mirror pod may not name, in upstream\'s order and words', () => {
  const ref = (spec: Record<string, unknown>): string | undefined => apiObjectReference(pod('s', 'n1', spec));
  assert.equal(ref({ volumes: [{ name: 'h', hostPath: { path: '/x' } }, { name: 'e', emptyDir: {} }, { name: 'd', projected: { sources: [{ downwardAPI: { items: [] } }] } }] }), undefined);
  assert.equal(ref({ serviceAccountName: 'sa', volumes: [{ name: 'a', secret: { secretName: 's' } }] }), 'serviceaccounts');
  assert.equal(ref({ imagePullSecrets: [{ name: 'pull' }], volumes: [{ name: 'b', configMap: { name: 'c' } }] }), 'secrets');
  assert.equal(ref({ containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'env' } }] }] }), 'configmaps');
  assert.equal(ref({ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }), 'serviceaccounts (via projected volumes)');
  assert.equal(ref({ volumes: [{ name: 'p', persistentVolumeClaim: { claimName: 'data' } }] }), 'persistentvolumeclaims');
  assert.equal(ref({ volumes: [{ name: 'c', csi: { driver: 'x' } }] }), 'csidrivers (via CSI volumes)');
  assert.equal(ref({ resourceClaims: [{ name: 'gpu' }] }), 'resourceclaims');
  assert.throws(() => ref({ volumes: [{ name: 'x', madeUp: {} }] }), /unknown volume type for volume {2}"x"/);
});
