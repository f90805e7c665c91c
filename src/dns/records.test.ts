import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterDnsIndex, reverseName } from './records.ts';
import type { EndpointSlice, Service } from './types.ts';

const svc = (name: string, spec: Service['spec'], ns = 'default'): Service => ({ metadata: { name, namespace: ns }, spec });
const slice = (svcName: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'] = [], ns = 'default'): EndpointSlice => ({
  metadata: { name: `${svcName}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  endpoints,
  ports,
});

function index(): ClusterDnsIndex {
  const i = new ClusterDnsIndex('cluster.local');
  i.upsertService(svc('web', { clusterIP: '10.96.5.5', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { port: 81 }] }));
  i.upsertSlice(slice('db', [{ addresses: ['10.244.1.7'], hostname: 'db-0', conditions: { ready: true } }, { addresses: ['10.244.2.8'], hostname: 'db-1', conditions: { ready: false } }], [{ name: 'pg', protocol: 'TCP', port: 5432 }]));
  i.upsertService(svc('db', { clusterIP: 'None', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }));
  i.upsertService(svc('ext', { type: 'ExternalName', externalName: 'example.org' }));
  return i;
}

test('a ClusterIP service resolves to its cluster IP, case-insensitively, with the trailing dot', () => {
  assert.deepEqual(index().lookup('WEB.default.svc.cluster.local.', 'A'), { kind: 'answer', records: [{ type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, data: '10.96.5.5' }] });
  assert.deepEqual(index().lookup('web.default.svc.cluster.local', 'AAAA'), { kind: 'nodata' });
  assert.deepEqual(index().lookup('nope.default.svc.cluster.local', 'A'), { kind: 'nxdomain' });
  assert.deepEqual(index().lookup('default.svc.cluster.local', 'A'), { kind: 'nodata' });
  assert.deepEqual(index().lookup('example.com', 'A'), { kind: 'not-ours' });
});

test('headless services list ready endpoints and their hostnames', () => {
  const i = index();
  const all = i.lookup('db.default.svc.cluster.local', 'A');
  assert.equal(all.kind, 'answer');
  assert.deepEqual(all.kind === 'answer' ? all.records.map((r) => r.data) : [], ['10.244.1.7']);
  const host = i.lookup('db-0.db.default.svc.cluster.local', 'A');
  assert.deepEqual(host.kind === 'answer' ? host.records.map((r) => r.data) : host, ['10.244.1.7']);
  assert.deepEqual(i.lookup('db-1.db.default.svc.cluster.local', 'A'), { kind: 'nxdomain' });
  i.upsertService(svc('db', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }));
  const both = i.lookup('db.default.svc.cluster.local', 'A');
  assert.deepEqual(both.kind === 'answer' ? both.records.map((r) => r.data).sort() : both, ['10.244.1.7', '10.244.2.8']);
});

test('SRV records for named ports, PTR for cluster and endpoint IPs, CNAME for ExternalName, pod names', () => {
  const i = index();
  const srv = i.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(srv.kind === 'answer' ? srv.records[0].data : srv, { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
  const hsrv = i.lookup('_pg._tcp.db.default.svc.cluster.local', 'SRV');
  assert.deepEqual(hsrv.kind === 'answer' ? hsrv.records.map((r) => r.data) : hsrv, [{ priority: 0, weight: 100, port: 5432, target: 'db-0.db.default.svc.cluster.local' }]);
  assert.deepEqual(i.lookup(reverseName('10.96.5.5'), 'PTR'), { kind: 'answer', records: [{ type: 'PTR', name: '5.5.96.10.in-addr.arpa', ttl: 5, data: 'web.default.svc.cluster.local' }] });
  const ptr = i.lookup('7.1.244.10.in-addr.arpa', 'PTR');
  assert.deepEqual(ptr.kind === 'answer' ? ptr.records[0].data : ptr, 'db-0.db.default.svc.cluster.local');
  assert.deepEqual(i.lookup('ext.default.svc.cluster.local', 'A'), { kind: 'answer', records: [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', ttl: 5, data: 'example.org' }] });
  assert.deepEqual(i.lookup('10-244-1-7.default.pod.cluster.local', 'A'), { kind: 'answer', records: [{ type: 'A', name: '10-244-1-7.default.pod.cluster.local', ttl: 5, data: '10.244.1.7' }] });
});

test('deleting a service removes its names; its slices wait for it to come back', () => {
  const i = index();
  i.deleteService('default', 'db');
  assert.deepEqual(i.lookup('db.default.svc.cluster.local', 'A'), { kind: 'nxdomain' });
  i.upsertService(svc('db', { clusterIP: 'None' }));
  const back = i.lookup('db.default.svc.cluster.local', 'A');
  assert.deepEqual(back.kind === 'answer' ? back.records.map((r) => r.data) : back, ['10.244.1.7']);
});

test('reverse names for IPv4 and IPv6', () => {
  assert.equal(reverseName('10.0.0.1'), '1.0.0.10.in-addr.arpa');
  assert.equal(reverseName('fd00::1'), `1.${'0.'.repeat(29)}d.f.ip6.arpa`);
});
