import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeAuthorizer } from './node.ts';
import { NodeGraph } from './node-graph.ts';
import { Decision } from './types.ts';
import type { Attributes } from './types.ts';

const kubelet = (node: string) => ({ username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] });

function attrs(over: Partial<Attributes>): Attributes {
  return { user: kubelet('n1'), verb: 'get', namespace: 'app', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', name: '', resourceRequest: true, path: '', ...over };
}

const pod = (name: string, node: string | undefined, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'app' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }], ...spec },
});

test('Node authorizer with the graph: a kubelet reads only what its own pods use, and loses it when they go', () => {
  const graph = new NodeGraph();
  const node = new NodeAuthorizer(undefined, graph);
  const decide = (over: Partial<Attributes>): string => node.authorize(attrs(over)).decision;
  graph.applyPod('ADDED', pod('web', undefined, { volumes: [{ name: 'a', secret: { secretName: 'tls' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
  // Not bound yet: no node may read it.
  assert.equal(decide({ name: 'tls' }), Decision.NoOpinion);
  graph.applyPod('MODIFIED', pod('web', 'n1', { volumes: [{ name: 'a', secret: { secretName: 'tls' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
  assert.equal(decide({ name: 'tls' }), Decision.Allow);
  assert.equal(decide({ name: 'tls', verb: 'watch' }), Decision.Allow, 'a watch narrowed to the one name');
  assert.equal(decide({ name: 'tls', user: kubelet('n2') }), Decision.NoOpinion, 'another node');
  assert.match(node.authorize(attrs({ name: 'tls', user: kubelet('n2') })).reason, /no relationship found between node 'n2' and this object/);
  assert.equal(decide({ name: 'other' }), Decision.NoOpinion, 'a secret no pod of n1 uses');
  assert.equal(decide({ name: '' , verb: 'list' }), Decision.NoOpinion, 'never listed wholesale');
  assert.equal(decide({ name: 'default', resource: 'serviceaccounts', subresource: 'token', verb: 'create' }), Decision.Allow, 'token for the pod\'s service account');
  assert.equal(decide({ name: 'admin', resource: 'serviceaccounts', subresource: 'token', verb: 'create' }), Decision.NoOpinion);
  // A PV through the claim bound to it.
  assert.equal(decide({ namespace: '', resource: 'persistentvolumes', name: 'pv-1' }), Decision.NoOpinion);
  graph.applyClaim('MODIFIED', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' }, spec: { volumeName: 'pv-1' } } as never);
  assert.equal(decide({ namespace: '', resource: 'persistentvolumes', name: 'pv-1' }), Decision.Allow);
  assert.equal(decide({ name: 'data', resource: 'persistentvolumeclaims' }), Decision.Allow);
  // Two pods share the secret: it stays readable until the last one is gone.
  graph.applyPod('ADDED', pod('web-2', 'n1', { volumes: [{ name: 'a', secret: { secretName: 'tls' } }] }));
  graph.applyPod('DELETED', pod('web', 'n1'));
  assert.equal(decide({ name: 'tls' }), Decision.Allow);
  assert.equal(decide({ name: 'data', resource: 'persistentvolumeclaims' }), Decision.NoOpinion);
  graph.applyPod('DELETED', pod('web-2', 'n1'));
  assert.equal(decide({ name: 'tls' }), Decision.NoOpinion);
});

test('NodeRestriction by request: a node writes only its own Node, Lease and the pods bound to it', () => {
  const graph = new NodeGraph();
  const node = new NodeAuthorizer(undefined, graph);
  const decide = (over: Partial<Attributes>): string => node.authorize(attrs(over)).decision;
  graph.applyPod('ADDED', pod('mine', 'n1'));
  graph.applyPod('ADDED', pod('theirs', 'n2'));
  graph.applyPod('ADDED', pod('pending', undefined));
  assert.equal(decide({ resource: 'pods', subresource: 'status', verb: 'patch', name: 'mine' }), Decision.Allow);
  assert.equal(decide({ resource: 'pods', subresource: 'status', verb: 'patch', name: 'theirs' }), Decision.NoOpinion);
  assert.match(node.authorize(attrs({ resource: 'pods', subresource: 'status', verb: 'patch', name: 'theirs' })).reason, /node 'n1' can only update the status of pods with spec.nodeName set to itself/);
  assert.equal(decide({ resource: 'pods', verb: 'delete', name: 'pending' }), Decision.NoOpinion, 'an unbound pod is nobody\'s');
  assert.equal(decide({ resource: 'pods', verb: 'delete', name: 'mine' }), Decision.Allow);
  assert.equal(decide({ resource: 'pods', subresource: 'status', verb: 'patch', name: 'unseen' }), Decision.Allow, 'not in the graph yet: left to the registry');
  assert.equal(decide({ namespace: '', resource: 'nodes', subresource: 'status', verb: 'patch', name: 'n1' }), Decision.Allow);
  assert.equal(decide({ namespace: '', resource: 'nodes', subresource: 'status', verb: 'patch', name: 'n2' }), Decision.NoOpinion);
  assert.match(node.authorize(attrs({ namespace: '', resource: 'nodes', verb: 'update', name: 'n2' })).reason, /node 'n1' is not allowed to modify node 'n2'/);
  assert.equal(decide({ apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', resource: 'leases', verb: 'update', name: 'n1' }), Decision.Allow);
  assert.equal(decide({ apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease', resource: 'leases', verb: 'update', name: 'n2' }), Decision.NoOpinion);
});

test('status writes do not re-walk a pod: only a new uid or a binding changes what it references', () => {
  const graph = new NodeGraph();
  const withSecret = (uid: string, secret: string) => ({ ...pod('web', 'n1', { volumes: [{ name: 'a', secret: { secretName: secret } }] }), metadata: { name: 'web', namespace: 'app', uid } });
  graph.applyPod('ADDED', withSecret('u1', 'tls'));
  // A MODIFIED of the same pod (say its status) is skipped, whatever the rest of the object says.
  graph.applyPod('MODIFIED', withSecret('u1', 'other'));
  assert.equal(graph.references('n1', 'secrets', 'app', 'tls'), true);
  assert.equal(graph.references('n1', 'secrets', 'app', 'other'), false);
  // A pod recreated under the same name (new uid) is indexed afresh.
  graph.applyPod('MODIFIED', withSecret('u2', 'other'));
  assert.equal(graph.references('n1', 'secrets', 'app', 'tls'), false);
  assert.equal(graph.references('n1', 'secrets', 'app', 'other'), true);
});
