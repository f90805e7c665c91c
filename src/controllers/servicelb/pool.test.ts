import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, parsePool } from './pool.ts';
import type { LbService } from './pool.ts';

const lb = (name: string, extra: { ip?: string; type?: string; want?: string; cls?: string } = {}): LbService => ({
  metadata: { name, namespace: 'default', resourceVersion: '5' },
  spec: { type: extra.type ?? 'LoadBalancer', loadBalancerIP: extra.want, loadBalancerClass: extra.cls },
  status: { loadBalancer: { ingress: extra.ip === undefined ? [] : [{ ip: extra.ip }] } },
});

test('pools: CIDRs and ranges in order; nonsense is refused', () => {
  assert.deepEqual(parsePool('10.0.0.4/31, 10.0.0.9-10.0.0.10'), ['10.0.0.4', '10.0.0.5', '10.0.0.9', '10.0.0.10']);
  assert.throws(() => parsePool('10.0.0.9-10.0.0.1'));
  assert.throws(() => parsePool('10.0.0.300/32'));
  assert.throws(() => parsePool('10.0.0.0/33'));
});

test('allocation: lowest free address, asked-for address honoured, held ones kept, other classes and types skipped', () => {
  const pool = parsePool('10.0.0.1-10.0.0.4');
  const got = allocate([lb('held', { ip: '10.0.0.1' }), lb('b'), lb('a', { want: '10.0.0.4' }), lb('c'), lb('np', { type: 'NodePort' }), lb('metal', { cls: 'metallb' })], pool);
  assert.deepEqual(got.map((g) => `${g.name}=${g.ip}`), ['a=10.0.0.4', 'b=10.0.0.2', 'c=10.0.0.3']);
  assert.equal(got[0]?.resourceVersion, '5');
});

test('allocation: an exhausted pool leaves the service pending', () => {
  assert.deepEqual(allocate([lb('a'), lb('b')], ['10.0.0.1']).map((g) => g.name), ['a']);
});

