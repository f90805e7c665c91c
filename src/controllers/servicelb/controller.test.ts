import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingressChanges, nodeAddresses, nodePortConflicts } from './controller.ts';

type Svc = Parameters<typeof ingressChanges>[0] extends Iterable<infer S> ? S : never;

const svc = (name: string, type: string, ips: string[] = [], extra: { cls?: string; want?: string } = {}): Svc => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'default', resourceVersion: '7' },
  spec: { type, loadBalancerClass: extra.cls, loadBalancerIP: extra.want },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

const node = (name: string, ready: string, addresses: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready }], addresses: Object.entries(addresses).map(([type, address]) => ({ type, address })) },
});

test('nodeAddresses: Ready nodes only, ExternalIP before InternalIP, sorted and unique', () => {
  assert.deepEqual(nodeAddresses([
    node('b', 'True', { InternalIP: '10.0.0.2', Hostname: 'b' }),
    node('a', 'True', { InternalIP: '10.0.0.9', ExternalIP: '192.0.2.1' }),
    node('down', 'Unknown', { InternalIP: '10.0.0.3' }),
    node('v6', 'True', { InternalIP: 'fd00::1' }),
  ]), ['10.0.0.2', '192.0.2.1']);
});

test('node-address mode: LoadBalancer Services get the node addresses; other classes untouched; a former LoadBalancer is cleared', () => {
  const got = ingressChanges([
    svc('new', 'LoadBalancer'),
    svc('done', 'LoadBalancer', ['10.0.0.1', '10.0.0.2']),
    svc('stale', 'LoadBalancer', ['10.0.0.1']),
    svc('metal', 'LoadBalancer', [], { cls: 'metallb.io/l2' }),
    svc('was-lb', 'ClusterIP', ['10.0.0.1']),
    svc('plain', 'ClusterIP'),
  ], [], ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(got.map((c) => `${c.name}=${c.ips.join(',')}`).sort(), ['new=10.0.0.1,10.0.0.2', 'stale=10.0.0.1,10.0.0.2', 'was-lb=']);
  assert.ok(got.every((c) => c.resourceVersion === '7'), 'every write carries the resourceVersion it was computed from');
});

test('node-address mode with no Ready node changes nothing (a rebooting node must not flap Services to <pending>)', () => {
  assert.deepEqual(ingressChanges([svc('a', 'LoadBalancer', ['10.0.0.1']), svc('b', 'LoadBalancer')], [], []), []);
});

test('pool mode: one pool address per Service, held ones kept, node addresses replaced by a pool address', () => {
  const got = ingressChanges([
    svc('held', 'LoadBalancer', ['10.1.0.1']),
    svc('from-node-mode', 'LoadBalancer', ['10.0.0.5']),
    svc('asks', 'LoadBalancer', [], { want: '10.1.0.3' }),
  ], ['10.1.0.1', '10.1.0.2', '10.1.0.3'], ['10.0.0.5']);
  assert.deepEqual(got.map((c) => `${c.name}=${c.ips.join(',')}`).sort(), ['asks=10.1.0.3', 'from-node-mode=10.1.0.2']);
});

test('node-address mode: a later LoadBalancer on a port an older one uses gets no address (k3s), and loses one it had', () => {
  const at = (s: Svc, created: string, port: number): Svc => ({ ...s, metadata: { ...s.metadata, creationTimestamp: created }, spec: { ...s.spec, ports: [{ port }] } });
  const services = [
    at(svc('newer', 'LoadBalancer', ['10.0.0.1']), '2026-02-01T00:00:00Z', 80),
    at(svc('older', 'LoadBalancer'), '2026-01-01T00:00:00Z', 80),
    at(svc('other-port', 'LoadBalancer'), '2026-03-01T00:00:00Z', 443),
  ];
  assert.deepEqual(ingressChanges(services, [], ['10.0.0.1']).map((c) => `${c.name}=${c.ips.join(',')}`).sort(), ['newer=', 'older=10.0.0.1', 'other-port=10.0.0.1']);
  assert.deepEqual([...nodePortConflicts(services)], [['default/newer', 'port 80/TCP is already used by LoadBalancer Service default/older on the node addresses']]);
});
