import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, CycleState } from '../../framework/interface.ts';
import { handleOf, makeNode, makePod, nodeInfo } from '../testing.ts';
import { newImageLocality, normalizedImageName } from './imagelocality.ts';

test('ImageLocality: nodes holding the (large) image score higher', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('reg:5000/app'), 'reg:5000/app:latest');
  assert.equal(normalizedImageName('app@sha256:abc'), 'app@sha256:abc');
  const p = newImageLocality();
  const has = nodeInfo(makeNode('a', { images: [{ names: ['nginx:latest'], sizeBytes: 500 * 1024 * 1024 }] }));
  const hasnt = nodeInfo(makeNode('b'));
  const pod = makePod('p');
  const st = new CycleState();
  p.preScore(st, pod, [has, hasnt], handleOf([has, hasnt]));
  assert.ok(p.score(st, pod, has) > 0);
  assert.equal(p.score(st, pod, hasnt), 0);
});

test('ImageLocality: PreScore skips when no node holds any of the pod images (every score would be 0)', () => {
  const p = newImageLocality();
  const a = nodeInfo(makeNode('a', { images: [{ names: ['redis:latest'], sizeBytes: 500 * 1024 * 1024 }] }));
  const b = nodeInfo(makeNode('b'));
  assert.equal(p.preScore(new CycleState(), makePod('p'), [a, b], handleOf([a, b]))?.code, Code.Skip);
  const st = new CycleState();
  const redis = makePod('r', { containers: [{ name: 'c', image: 'redis' }] });
  assert.equal(p.preScore(st, redis, [a, b], handleOf([a, b])), undefined);
  assert.ok(p.score(st, redis, a) > 0);
});
