import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota, UsageInputs } from './usage.ts';
import { computeUsage } from './usage.ts';

const pod = (name: string, cpu: string | undefined, mem: string | undefined, phase = 'Running'): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', resources: cpu === undefined ? {} : { requests: { cpu, ...(mem !== undefined ? { memory: mem } : {}) }, limits: { cpu, ...(mem !== undefined ? { memory: mem } : {}) } } }] },
  status: { phase },
});
const inputs = (pods: Pod[]): UsageInputs => ({ pods, pvcs: [{ metadata: { name: 'c1' }, spec: { resources: { requests: { storage: '1Gi' } } } }], services: [{ metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ nodePort: 30000 }] } }], count: (r) => (r === 'configmaps' ? 4 : undefined) });

test('counts and compute usage for the hard keys only', () => {
  const q: ResourceQuota = { metadata: { name: 'q' }, spec: { hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', configmaps: '5', 'count/deployments.apps': '3', 'requests.storage': '10Gi', 'services.nodeports': '2' } } };
  const used = computeUsage(q, inputs([pod('a', '500m', '1Gi'), pod('b', '1', '512Mi'), pod('done', '2', '1Gi', 'Succeeded')]));
  assert.deepEqual(used, { pods: '2', 'requests.cpu': '1500m', 'limits.memory': '1536Mi', configmaps: '4', 'requests.storage': '1Gi', 'services.nodeports': '1' });
});

test('scopes select pods', () => {
  const q: ResourceQuota = { metadata: { name: 'q' }, spec: { hard: { pods: '10' }, scopes: ['BestEffort'] } };
  assert.deepEqual(computeUsage(q, inputs([pod('a', '1', undefined), pod('b', undefined, undefined)])), { pods: '1' });
});
