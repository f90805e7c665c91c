import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatCidr, parseCidr, subnetAt } from './cidr.ts';
import { PodIpam } from './ipam.ts';

test('parseCidr clears host bits and rejects IPv6 and junk', () => {
  assert.equal(formatCidr(parseCidr('10.244.3.7/24')!), '10.244.3.0/24');
  assert.equal(parseCidr('fd00::/64'), undefined);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.256/8'), undefined);
});

test('subnetAt carves /24s in order and wraps around', () => {
  const c = parseCidr('100.64.0.0/22')!;
  assert.equal(formatCidr(subnetAt(c, 24, 0)), '100.64.0.0/24');
  assert.equal(formatCidr(subnetAt(c, 24, 3)), '100.64.3.0/24');
  assert.equal(formatCidr(subnetAt(c, 24, 4)), '100.64.0.0/24');
  assert.throws(() => subnetAt(c, 16, 0));
});

test('a node with spec.podCIDR uses it; without, a per-node fallback /24', () => {
  const ipam = new PodIpam('100.64.0.0/10');
  assert.deepEqual(ipam.rangeFor(5, ['10.244.7.0/24']), { cidr: '10.244.7.0/24', fromNodeSpec: true });
  assert.deepEqual(ipam.rangeFor(5, ['fd00::/64', '10.244.7.0/24']), { cidr: '10.244.7.0/24', fromNodeSpec: true });
  assert.deepEqual(ipam.rangeFor(5, []), { cidr: '100.64.5.0/24', fromNodeSpec: false });
  assert.deepEqual(ipam.rangeFor(300, []), { cidr: '100.65.44.0/24', fromNodeSpec: false });
});

test('assign skips network and gateway, is stable per pod, and reuses released addresses last', () => {
  const ipam = new PodIpam('100.64.0.0/10');
  const a = ipam.assign('ns/a', '10.244.1.0/24');
  assert.equal(a, '10.244.1.2');
  assert.equal(ipam.assign('ns/a', '10.244.1.0/24'), a, 'same pod, same IP');
  assert.equal(ipam.assign('ns/b', '10.244.1.0/24'), '10.244.1.3');
  ipam.release('ns/a');
  assert.equal(ipam.assign('ns/c', '10.244.1.0/24'), '10.244.1.4', 'host-local style: next after the last given');
  assert.equal(ipam.size, 2);
});

test('a full range gives no address; broadcast is never handed out', () => {
  const ipam = new PodIpam('100.64.0.0/10');
  const got = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const ip = ipam.assign(`ns/p${i}`, '10.0.0.0/24');
    if (ip !== undefined) {
      got.add(ip);
    }
  }
  assert.equal(got.size, 253); // .2 … .254
  assert.ok(!got.has('10.0.0.255') && !got.has('10.0.0.0') && !got.has('10.0.0.1'));
  assert.ok([...got].every((ip) => cidrContains(parseCidr('10.0.0.0/24')!, ip)));
});

test('reserve adopts an address a running pod reports, so it is not handed out twice', () => {
  const ipam = new PodIpam('100.64.0.0/10');
  assert.equal(ipam.reserve('ns/old', '10.244.1.0/24', '10.244.1.2'), true);
  assert.equal(ipam.reserve('ns/x', '10.244.1.0/24', '10.9.9.9'), false);
  assert.equal(ipam.assign('ns/new', '10.244.1.0/24'), '10.244.1.3');
  assert.equal(ipam.ipOf('ns/old'), '10.244.1.2');
});

test('the fallback range must hold /24 subnets', () => {
  assert.throws(() => new PodIpam('10.0.0.0/25'), /24 or larger/);
});
