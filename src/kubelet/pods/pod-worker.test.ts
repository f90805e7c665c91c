import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsFor } from './pod-worker.ts';
import type { Pod } from './types.ts';

const pod = (spec: Partial<Pod['spec']>): Pod => ({ metadata: { name: 'p', namespace: 'team' }, spec: { containers: [], ...spec } });

test('ClusterFirst: cluster DNS, namespace search path, ndots:5', () => {
  assert.deepEqual(dnsFor(pod({}), ['10.96.0.10'], 'cluster.local'), {
    servers: ['10.96.0.10'], searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'],
  });
});

test('hostNetwork with ClusterFirst falls back to the node resolv.conf; ClusterFirstWithHostNet does not', () => {
  assert.equal(dnsFor(pod({ hostNetwork: true }), ['10.96.0.10'], 'cluster.local'), undefined);
  assert.deepEqual(dnsFor(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), ['10.96.0.10'], 'cluster.local')?.servers, ['10.96.0.10']);
  assert.equal(dnsFor(pod({ dnsPolicy: 'Default' }), ['10.96.0.10'], 'cluster.local'), undefined);
});

test('None uses dnsConfig only; dnsConfig options override by name', () => {
  assert.deepEqual(dnsFor(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x'], options: [{ name: 'ndots', value: '2' }] } }), [], 'cluster.local'), {
    servers: ['1.1.1.1'], searches: ['x'], options: ['ndots:2'],
  });
  assert.deepEqual(dnsFor(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] } }), ['10.96.0.10'], 'cluster.local')?.options, ['ndots:1', 'edns0']);
});
