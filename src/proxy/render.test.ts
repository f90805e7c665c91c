import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanupRuleset, renderRuleset } from './render.ts';
import type { EndpointSlice, Service } from './types.ts';

const svc = (name: string, spec: NonNullable<Service['spec']>, status?: Service['status']): Service => ({ metadata: { name, namespace: 'ns' }, spec, status });
const slice = (svcName: string, ports: EndpointSlice['ports'], endpoints: EndpointSlice['endpoints'], addressType = 'IPv4'): EndpointSlice => ({
  metadata: { name: `${svcName}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': svcName } },
  addressType,
  ports,
  endpoints,
});
const opts = { hostname: 'node-a', clusterCIDR: '10.244.0.0/16' };
const lineOf = (text: string, re: RegExp): string[] => text.split('\n').filter((l) => re.test(l)).map((l) => l.trim());

test('one file replaces the whole table atomically', () => {
  const { text } = renderRuleset([], [], opts);
  assert.ok(text.startsWith('add table ip k8ts-proxy\ndelete table ip k8ts-proxy\ntable ip k8ts-proxy {\n'));
  assert.match(text, /chain nat-prerouting \{\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump services\n\t\}/);
  // nft 1.0.6 rejects priority dstnat on the output hook.
  assert.match(text, /type nat hook output priority -100;/);
  assert.doesNotMatch(text, /elements = \{\s*\}/, 'empty maps carry no elements clause');
  assert.equal(cleanupRuleset(), 'add table ip k8ts-proxy\ndelete table ip k8ts-proxy\n');
});

test('ClusterIP with a named targetPort balances over ready endpoints only', () => {
  const s = svc('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] });
  const sl = slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [
    { addresses: ['10.244.0.3'] },
    { addresses: ['10.244.0.2'], conditions: { ready: true } },
    { addresses: ['10.244.0.9'], conditions: { ready: false, serving: true, terminating: true } },
  ]);
  const r = renderRuleset([s], [sl], opts);
  assert.equal(r.servicePorts, 1);
  assert.equal(r.endpoints, 2);
  assert.deepEqual(lineOf(r.text, /^\t\t\t10\.96\.0\.20 \./), [
    '10.96.0.20 . tcp . 80 : goto pick-2',
    '10.96.0.20 . tcp . 80 . 0 : 10.244.0.2 . 8080,',
    '10.96.0.20 . tcp . 80 . 1 : 10.244.0.3 . 8080',
  ], 'the cluster IP goes to the shared 2-endpoint chain; its endpoints are map elements, no chains of its own');
  assert.doesNotMatch(r.text, /chain (service|endpoint)-[0-9A-F]{8}-/);
  assert.match(r.text, /\tchain pick-2 \{\n\t\tip daddr @cluster-ips ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade\n\t\tdnat ip to ip daddr \. meta l4proto \. th dport \. numgen random mod 2 map @service-endpoints\n\t\}/, 'each endpoint gets 1/N; off-cluster sources masqueraded');
  assert.deepEqual(lineOf(r.text, /^\t\t\t10\.244\.0\.\d+ \. 10\.244/), ['10.244.0.2 . 10.244.0.2 . 10.96.0.20,', '10.244.0.3 . 10.244.0.3 . 10.96.0.20'], 'hairpin connections are masqueraded');
  assert.match(r.text, /chain masquerading \{\n\t\tip saddr \. ip daddr \. ct original ip daddr @hairpin-connections jump mark-for-masquerade\n/);
});

test('serving-terminating endpoints are used only when none is ready', () => {
  const s = svc('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] });
  const sl = slice('web', [{ port: 80 }], [
    { addresses: ['10.244.0.9'], conditions: { ready: false, serving: true, terminating: true } },
    { addresses: ['10.244.0.8'], conditions: { ready: false, serving: false, terminating: true } },
  ]);
  assert.deepEqual(lineOf(renderRuleset([s], [sl], opts).text, /^\t\t\t10\.96\.0\.20 \. tcp \. 80 \. /), ['10.96.0.20 . tcp . 80 . 0 : 10.244.0.9 . 80']);
});

test('no endpoints: rejected; headless, ExternalName and IPv6 slices ignored', () => {
  const s = svc('gone', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] });
  const headless = svc('hl', { clusterIP: 'None', ports: [{ port: 80 }] });
  const ext = svc('ext', { type: 'ExternalName', ports: [{ port: 80 }] });
  const v6 = slice('gone', [{ port: 53, protocol: 'UDP' }], [{ addresses: ['fd00::1'] }], 'IPv6');
  const { text } = renderRuleset([s, headless, ext], [v6], opts);
  assert.deepEqual(lineOf(text, /: goto reject-chain|: drop/), ['10.96.0.30 . udp . 53 : goto reject-chain', 'udp . 30053 : goto reject-chain']);
  assert.doesNotMatch(text, /dnat to|: 10\.244/, 'no endpoint elements');
  assert.deepEqual(lineOf(text, /^\t\t\t10\.96/), ['10.96.0.30', '10.96.0.30 . udp . 53 : goto reject-chain'], 'cluster-ips set and no-endpoint map only');
});

test('NodePort and LoadBalancer ingress go through the external chain, masqueraded', () => {
  const s = svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.40', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, protocol: 'SCTP', nodePort: 30081 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } });
  const sl = slice('lb', [{ name: 'a', port: 8080 }, { name: 'b', port: 9090, protocol: 'SCTP' }], [{ addresses: ['10.244.1.5'] }]);
  const { text } = renderRuleset([s], [sl], { ...opts, nodePortIPs: ['192.168.1.10'] });
  assert.deepEqual(lineOf(text, /^\t\t\t(tcp|sctp) \. 3008/), ['tcp . 30080 : goto nodeport-pick-1,', 'sctp . 30081 : goto nodeport-pick-1', 'tcp . 30080 . 0 : 10.244.1.5 . 8080,', 'sctp . 30081 . 0 : 10.244.1.5 . 9090']);
  assert.deepEqual(lineOf(text, /^\t\t\t192\.0\.2\.7 /), ['192.0.2.7 . tcp . 80 : goto external-pick-1,', '192.0.2.7 . sctp . 81 : goto external-pick-1', '192.0.2.7 . tcp . 80 . 0 : 10.244.1.5 . 8080,', '192.0.2.7 . sctp . 81 . 0 : 10.244.1.5 . 9090']);
  assert.match(text, /chain external-pick-1 \{\n\t\tjump mark-for-masquerade\n\t\tdnat ip to ip daddr \. meta l4proto \. th dport \. numgen random mod 1 map @service-endpoints\n/);
  assert.match(text, /chain nodeport-pick-1 \{\n\t\tjump mark-for-masquerade\n\t\tdnat ip to meta l4proto \. th dport \. numgen random mod 1 map @nodeport-endpoints\n/);
  assert.match(text, /ip daddr @nodeport-ips meta l4proto \. th dport vmap @service-nodeports/);
  assert.match(text, /set nodeport-ips \{\n\t\ttype ipv4_addr\n\t\telements = \{\n\t\t\t192\.168\.1\.10\n/);
});

test('externalTrafficPolicy Local: only local endpoints for outside traffic; none local → drop', () => {
  const s = svc('loc', { type: 'NodePort', externalTrafficPolicy: 'Local', clusterIP: '10.96.0.50', ports: [{ port: 80, nodePort: 30090 }] });
  const remote = slice('loc', [{ port: 80 }], [{ addresses: ['10.244.2.2'], nodeName: 'node-b' }]);
  const t1 = renderRuleset([s], [remote], opts).text;
  assert.deepEqual(lineOf(t1, /^\t\t\ttcp \. 30090/), ['tcp . 30090 : drop']);
  assert.equal(lineOf(t1, /^\t\t\t10\.96\.0\.50 \. tcp \. 80 : goto service-/).length, 1, 'cluster IP still balances cluster-wide');
  const both = slice('loc', [{ port: 80 }], [{ addresses: ['10.244.2.2'], nodeName: 'node-b' }, { addresses: ['10.244.0.7'], nodeName: 'node-a' }]);
  const t2 = renderRuleset([s], [both], opts).text;
  assert.match(t2, /chain local-[0-9A-F]{8}-ns\/loc\/tcp\/ \{\n\t\tgoto endpoint-[0-9A-F]{8}-ns\/loc\/tcp\/__10\.244\.0\.7\/80\n/);
  assert.match(t2, /chain external-\S+ \{\n\t\tfib saddr type local jump mark-for-masquerade\n\t\tfib saddr type local goto service-\S+\n\t\tip saddr 10\.244\.0\.0\/16 goto service-\S+\n\t\tgoto local-/);
});

test('internalTrafficPolicy Local sends the cluster IP to local endpoints, drops when none', () => {
  const s = svc('itp', { internalTrafficPolicy: 'Local', clusterIP: '10.96.0.60', ports: [{ port: 80 }] });
  const remote = slice('itp', [{ port: 80 }], [{ addresses: ['10.244.2.2'], nodeName: 'node-b' }]);
  assert.deepEqual(lineOf(renderRuleset([s], [remote], opts).text, /^\t\t\t10\.96\.0\.60 \./), ['10.96.0.60 . tcp . 80 : drop']);
  const local = slice('itp', [{ port: 80 }], [{ addresses: ['10.244.0.2'], nodeName: 'node-a' }]);
  assert.equal(lineOf(renderRuleset([s], [local], opts).text, /^\t\t\t10\.96\.0\.60 \. tcp \. 80 : goto local-/).length, 1);
});

test('sessionAffinity ClientIP: a timeout set per endpoint, checked before random choice', () => {
  const s = svc('aff', { clusterIP: '10.96.0.70', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] });
  const sl = slice('aff', [{ port: 80 }], [{ addresses: ['10.244.0.2'] }, { addresses: ['10.244.0.3'] }]);
  const { text } = renderRuleset([s], [sl], opts);
  assert.equal(lineOf(text, /^\s*timeout 60s$/).length, 2);
  assert.equal(lineOf(text, /^\s*flags dynamic,timeout$/).length, 2);
  assert.equal(lineOf(text, /^\s*update @affinity-\S+ \{ ip saddr \}$/).length, 2);
  const svcChain = text.slice(text.indexOf('chain service-'));
  assert.match(svcChain, /ip saddr @affinity-\S+ goto endpoint-\S+\n\t\tip saddr @affinity-\S+ goto endpoint-\S+\n\t\tnumgen random mod 2 == 0 goto/);
});

test('rendering is deterministic regardless of input order', () => {
  const a = svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 1 }] });
  const b = svc('b', { clusterIP: '10.96.0.2', ports: [{ port: 2 }] });
  const sa = slice('a', [{ port: 1 }], [{ addresses: ['10.244.0.1'] }, { addresses: ['10.244.0.10'] }]);
  assert.equal(renderRuleset([a, b], [sa], opts).text, renderRuleset([b, a], [sa], opts).text);
});
