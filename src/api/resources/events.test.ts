import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { coreEventToEventsV1, eventsV1ToCoreEvent } from './events.ts';

test('core and events.k8s.io events convert both ways', () => {
  const core: KubeObject = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Pulled image', source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:01:00Z', count: 2, reportingComponent: 'kubelet', reportingInstance: 'n1',
    reason: 'Pulled', type: 'Normal', eventTime: null,
  };
  const v1 = coreEventToEventsV1(core);
  assert.deepEqual(v1, {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: core.metadata, regarding: { kind: 'Pod', name: 'web-1' }, note: 'Pulled image',
    deprecatedSource: { component: 'kubelet', host: 'n1' }, deprecatedFirstTimestamp: '2026-01-01T00:00:00Z', deprecatedLastTimestamp: '2026-01-01T00:01:00Z',
    deprecatedCount: 2, reportingController: 'kubelet', reportingInstance: 'n1', reason: 'Pulled', type: 'Normal', eventTime: null,
  });
  assert.deepEqual(eventsV1ToCoreEvent(v1), core);
});
