import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../pods/types.ts';
import type { ContainerStatus } from '../runtime/types.ts';
import { computePodStatus, podPhase, qosClass } from './pod-status.ts';

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { containers: [{ name: 'a', image: 'busybox' }], ...spec },
});

function runtimeContainer(state: ContainerStatus['state'], attempt: number, exitCode = 0): ContainerStatus {
  return {
    id: `id${attempt}`, sandboxId: 's', metadata: { name: 'a', attempt }, image: 'busybox', imageRef: 'sha256:abc', state,
    createdAt: 1000, startedAt: 2000, finishedAt: state === 'CONTAINER_EXITED' ? 3000 : 0, exitCode,
    reason: state === 'CONTAINER_EXITED' ? (exitCode === 0 ? 'Completed' : 'Error') : '', message: '', pid: 1, logPath: '/x', labels: {}, annotations: {},
  };
}

test('phase follows the kubelet rules for restart policies', () => {
  const terminated = (code: number) => ({ state: { terminated: { exitCode: code } }, lastState: {} });
  assert.equal(podPhase(pod(), false, []), 'Pending');
  assert.equal(podPhase(pod(), true, [{ state: { waiting: {} }, lastState: {} }]), 'Pending');
  assert.equal(podPhase(pod(), true, [{ state: { waiting: {} }, lastState: { terminated: {} } }]), 'Running');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), true, [terminated(0)]), 'Succeeded');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), true, [terminated(1)]), 'Failed');
  assert.equal(podPhase(pod({ restartPolicy: 'OnFailure' }), true, [terminated(1)]), 'Running');
  assert.equal(podPhase(pod({ restartPolicy: 'Always' }), true, [terminated(0)]), 'Running');
});

test('qosClass', () => {
  assert.equal(qosClass(pod()), 'BestEffort');
  assert.equal(qosClass(pod({ containers: [{ name: 'a', image: 'b', resources: { limits: { cpu: '1', memory: '1Gi' } } }] })), 'Guaranteed');
  assert.equal(qosClass(pod({ containers: [{ name: 'a', image: 'b', resources: { requests: { cpu: '100m' } } }] })), 'Burstable');
});

test('a crash-looping container: waiting CrashLoopBackOff with the last termination and restartCount', () => {
  const status = computePodStatus({
    pod: pod(), podIp: '10.0.0.5', hostIp: '192.168.1.2', sandboxReady: true, initialized: true, startTime: 't0', now: 't1', init: [],
    containers: [{
      spec: { name: 'a', image: 'busybox' }, attempts: [runtimeContainer('CONTAINER_EXITED', 2, 3), runtimeContainer('CONTAINER_EXITED', 1, 3)],
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' }, probeReady: true, probeStarted: true,
    }],
  });
  assert.equal(status.phase, 'Running');
  assert.equal(status.podIP, '10.0.0.5');
  const [cs] = status.containerStatuses as { state: { waiting?: { reason: string } }; lastState: { terminated?: { exitCode: number; containerID: string } }; restartCount: number; ready: boolean; containerID: string }[];
  assert.equal(cs.state.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState.terminated?.exitCode, 3);
  assert.equal(cs.lastState.terminated?.containerID, 'k8ts://id2');
  assert.equal(cs.restartCount, 2);
  assert.equal(cs.ready, false);
  const ready = (status.conditions as { type: string; status: string; reason?: string; message?: string }[]).find((c) => c.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'ContainersNotReady', 'containers with unready status: [a]']);
});

test('condition transition times are kept while the status holds', () => {
  const p = pod();
  p.status = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'then' }, { type: 'PodScheduled', status: 'True', lastTransitionTime: 'sched' }] };
  const status = computePodStatus({
    pod: p, podIp: '10.0.0.5', hostIp: 'h', sandboxReady: true, initialized: true, startTime: 't0', now: 'now', init: [],
    containers: [{ spec: { name: 'a', image: 'busybox' }, attempts: [runtimeContainer('CONTAINER_RUNNING', 0)], probeReady: true, probeStarted: true }],
  });
  const conds = status.conditions as { type: string; status: string; lastTransitionTime: string }[];
  assert.deepEqual(conds.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  assert.equal(conds.find((c) => c.type === 'Ready')?.lastTransitionTime, 'then');
  assert.equal(conds.find((c) => c.type === 'ContainersReady')?.lastTransitionTime, 'now');
  assert.equal(conds.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, 'sched');
});
