import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { podQosClass } from './strategy.ts';

const pod = (...resources: Record<string, Record<string, string>>[]): KubeObject => ({ metadata: {}, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } });

test('pod QoS class follows upstream: BestEffort, Guaranteed (equal quantities in any unit), Burstable', () => {
  assert.equal(podQosClass(pod({})), 'BestEffort');
  assert.equal(podQosClass(pod({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  assert.equal(podQosClass(pod({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed', 'requests default to limits');
  assert.equal(podQosClass(pod({ limits: { cpu: '1', memory: '1Gi' } }, {})), 'Burstable', 'one container without limits');
  assert.equal(podQosClass(pod({ requests: { cpu: '100m' } })), 'Burstable');
});
