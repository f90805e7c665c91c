import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from './cidrs.ts';

test('allocates /24s from 10.244.0.0/16 lowest first, skipping occupied ones and reusing released ones', () => {
  const s = new CidrSet('10.244.0.0/16', 24);
  assert.ok(s.occupy('10.244.1.0/24'));
  assert.equal(s.allocateNext(), '10.244.0.0/24');
  assert.equal(s.allocateNext(), '10.244.2.0/24');
  s.release('10.244.0.0/24');
  assert.equal(s.allocateNext(), '10.244.0.0/24');
  assert.equal(s.occupy('192.168.0.0/24'), false);
});

test('a full set allocates nothing', () => {
  const s = new CidrSet('10.0.0.0/23', 24);
  assert.equal(s.allocateNext(), '10.0.0.0/24');
  assert.equal(s.allocateNext(), '10.0.1.0/24');
  assert.equal(s.allocateNext(), undefined);
});
