import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { cidrBounds, dropTypeDependentFields } from './services.ts';
import { fileHarness } from './testing/harness.ts';

const h = fileHarness();
const opts = { timeout: 20_000 };

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec: { ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name }, ...spec } });

test('cidrBounds excludes the network and broadcast addresses', () => {
  assert.deepEqual(cidrBounds('10.96.0.0/30'), { first: (10 << 24) + (96 << 16) + 1, last: (10 << 24) + (96 << 16) + 2 });
});

test('services get a ClusterIP from the range; a taken or foreign one is refused like upstream', opts, async () => {
  const d = h.desc('', 'services');
  const fixed = await h.registry.create(d, 'default', svc('fixed', { clusterIP: '10.96.0.10' }), h.ctx());
  assert.deepEqual((fixed.spec as { clusterIPs: string[] }).clusterIPs, ['10.96.0.10']);
  const auto = await h.registry.create(d, 'default', svc('auto', {}), h.ctx());
  const ip = (auto.spec as { clusterIP: string }).clusterIP;
  assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  assert.notEqual(ip, '10.96.0.10');
  await assert.rejects(h.registry.create(d, 'default', svc('dup', { clusterIP: '10.96.0.10' }), h.ctx()), (e: unknown) => {
    assert.equal((e as StatusError).code, 422);
    assert.equal((e as StatusError).message, 'Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    return true;
  });
  await assert.rejects(h.registry.create(d, 'default', svc('far', { clusterIP: '192.168.1.1' }), h.ctx()), /not in the valid range. The range of valid IPs is 10.96.0.0\/12/);
  const headless = await h.registry.create(d, 'default', svc('headless', { clusterIP: 'None' }), h.ctx());
  assert.equal((headless.spec as { clusterIP: string }).clusterIP, 'None');
  // An update that leaves the ClusterIP out keeps it.
  const upd = await h.registry.update(d, 'default', 'auto', { metadata: { name: 'auto' }, spec: { ports: [{ port: 81, protocol: 'TCP' }], selector: { app: 'auto' } } }, h.ctx());
  assert.equal((upd.object.spec as { clusterIP: string }).clusterIP, ip);
});

test('NodePort services get free node ports; a taken one is refused', opts, async () => {
  const d = h.desc('', 'services');
  const a = await h.registry.create(d, 'default', svc('np1', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), h.ctx());
  assert.equal((a.spec as { ports: { nodePort: number }[] }).ports[0].nodePort, 30080);
  const b = await h.registry.create(d, 'default', svc('np2', { type: 'NodePort' }), h.ctx());
  const port = (b.spec as { ports: { nodePort: number }[] }).ports[0].nodePort;
  assert.ok(port >= 30000 && port <= 32767 && port !== 30080);
  await assert.rejects(h.registry.create(d, 'default', svc('np3', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] }), h.ctx()), (e: unknown) => {
    assert.match((e as StatusError).message, /spec.ports\[0\].nodePort: Invalid value: 30080: provided port is already allocated/);
    return true;
  });
});

test('dropTypeDependentFields: LoadBalancer → ClusterIP drops node ports, traffic policy, class and LB status; user-changed fields stay', () => {
  const old = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, loadBalancerClass: 'x', allocateLoadBalancerNodePorts: true, ports: [{ port: 80, nodePort: 30080 }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } };
  const next = structuredClone(old) as typeof old & { spec: { type: string } };
  next.spec.type = 'ClusterIP';
  dropTypeDependentFields(next, old);
  assert.deepEqual(next.spec, { type: 'ClusterIP', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ports: [{ port: 80 }] });
  assert.deepEqual(next.status, { loadBalancer: {} });
  // A node port the user adds in the same request is not silently dropped: validation answers it.
  const added = structuredClone(old);
  added.spec.type = 'ClusterIP';
  added.spec.ports = [{ port: 80, nodePort: 30099 }];
  dropTypeDependentFields(added, old);
  assert.equal(added.spec.ports[0]?.nodePort, 30099);
});

test('dropTypeDependentFields: → ExternalName releases the cluster IP the user left unchanged', () => {
  const old = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80 }] } };
  const next = structuredClone(old) as typeof old & { spec: { externalName?: string } };
  next.spec.type = 'ExternalName';
  next.spec.externalName = 'example.com';
  dropTypeDependentFields(next, old);
  assert.deepEqual(next.spec, { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] });
});
