import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, podDesc, podRef } from './events.ts';
import type { Pod } from './types.ts';

test('durations print as Go time.Duration truncated to milliseconds', () => {
  assert.equal(goDuration(523.9), '523ms');
  assert.equal(goDuration(1203), '1.203s');
  assert.equal(goDuration(2000), '2s');
  assert.equal(goDuration(123_500), '2m3.5s');
  assert.equal(goDuration(3_723_000), '1h2m3s');
});

test('container references carry the fieldPath kubectl describe shows', () => {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'x' }], initContainers: [{ name: 'init', image: 'x' }] } };
  assert.equal(podRef(pod, 'app').fieldPath, 'spec.containers{app}');
  assert.equal(podRef(pod, 'init').fieldPath, 'spec.initContainers{init}');
  assert.equal(podRef(pod).fieldPath, undefined);
  assert.equal(podDesc(pod), 'p_ns(u1)');
});
