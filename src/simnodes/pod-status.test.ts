import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from '../client/index.ts';
import { allTerminated, backOffDueOf, crashLoopBackOffMs, exitedPatch, exitPlanOf, imageIdOf, lastStartOf, normalizeImage, phaseAfterExit, reconciledReadyPatch, restartedPatch, startedPatch, stoppedPatch } from './pod-status.ts';
import type { ContainerStatus, PodLike } from './pod-status.ts';

const now = '2026-01-02T03:04:05Z';
const later = '2026-01-02T03:04:15Z';

function pod(extra: Partial<PodLike> = {}): PodLike {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1', generation: 1, annotations: {} },
    spec: { nodeName: 'sim-0', restartPolicy: 'Always', containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    ...extra,
  };
}

/** Applies a status patch the way the apiserver's strategic merge would for the fields used here. */
function apply(p: PodLike, patch: Record<string, unknown>): PodLike {
  const status = { ...(p.status ?? {}), ...(patch.status as object) } as NonNullable<PodLike['status']>;
  const conds = new Map((p.status?.conditions ?? []).map((c) => [c.type, c]));
  for (const c of ((patch.status as { conditions?: { type: string; status: string }[] }).conditions ?? [])) {
    conds.set(c.type, c);
  }
  status.conditions = [...conds.values()];
  return { ...p, status };
}

test('image references are normalised as the runtime does', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
  assert.equal(normalizeImage('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.match(imageIdOf('nginx'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(imageIdOf('nginx'), imageIdOf('docker.io/library/nginx:latest'));
});

test('exit annotations: seconds and code, malformed ones ignored', () => {
  const p = (a: Record<string, string>) => deepFreeze(pod({ metadata: { name: 'p', annotations: a } }));
  assert.equal(exitPlanOf(p({})), undefined);
  assert.deepEqual(exitPlanOf(p({ 'sim.k8ts.dev/exit-after-seconds': '2' })), { afterMs: 2000, code: 0 });
  assert.deepEqual(exitPlanOf(p({ 'sim.k8ts.dev/exit-after-seconds': '0.5', 'sim.k8ts.dev/exit-code': '3' })), { afterMs: 500, code: 3 });
  assert.equal(exitPlanOf(p({ 'sim.k8ts.dev/exit-after-seconds': 'soon' })), undefined);
});

test('started: Running with IPs, ready containers, kubelet conditions, scheduler condition kept', () => {
  const p = deepFreeze(pod({ spec: { nodeName: 'sim-0', containers: [{ name: 'c', image: 'nginx' }], initContainers: [{ name: 'init', image: 'busybox' }, { name: 'side', image: 'envoy', restartPolicy: 'Always' }] } }));
  const patch = startedPatch(p, { hostIP: '127.16.0.1', podIP: '10.244.0.2' }, now);
  const s = patch.status as Record<string, unknown>;
  assert.deepEqual(patch.metadata, { uid: 'u-1' });
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.244.0.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.2' }]);
  assert.deepEqual(s.hostIPs, [{ ip: '127.16.0.1' }]);
  assert.equal(s.startTime, now);
  assert.equal(s.observedGeneration, 1);
  assert.equal(s.qosClass, undefined, 'the apiserver set qosClass; the kubelet leaves it');
  const types = (s.conditions as { type: string; status: string }[]).map((c) => `${c.type}=${c.status}`);
  assert.deepEqual(types, ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True']);
  const [c] = s.containerStatuses as ContainerStatus[];
  assert.deepEqual(c.state, { running: { startedAt: now } });
  assert.equal(c.ready, true);
  assert.equal(c.started, true);
  assert.equal(c.restartCount, 0);
  assert.match(c.containerID ?? '', /^k8ts-sim:\/\/[0-9a-f]{64}$/);
  const inits = s.initContainerStatuses as ContainerStatus[];
  assert.equal((inits[0].state.terminated as { reason: string }).reason, 'Completed');
  assert.ok(inits[1].state.running !== undefined, 'a sidecar keeps running');
});

test('a pod created with spec.nodeName gets PodScheduled from the kubelet', () => {
  const p = deepFreeze(pod({ status: { phase: 'Pending' } }));
  const s = startedPatch(p, { hostIP: 'h', podIP: 'p' }, now).status as { conditions: { type: string }[]; qosClass?: string };
  assert.ok(s.conditions.some((c) => c.type === 'PodScheduled'));
  assert.equal(s.qosClass, 'BestEffort');
});

test('restart policy decides the phase after an exit', () => {
  assert.equal(phaseAfterExit('Never', 0), 'Succeeded');
  assert.equal(phaseAfterExit('Never', 1), 'Failed');
  assert.equal(phaseAfterExit('OnFailure', 0), 'Succeeded');
  assert.equal(phaseAfterExit('OnFailure', 2), undefined);
  assert.equal(phaseAfterExit('Always', 0), undefined);
  assert.equal(phaseAfterExit(undefined, 0), undefined);
});

test('Never: exit 0 completes the pod with terminated containers and Ready False', () => {
  let p = pod({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
  p = apply(p, startedPatch(deepFreeze(structuredClone(p)), { hostIP: 'h', podIP: 'i' }, now));
  assert.equal(lastStartOf(deepFreeze(structuredClone(p))), Date.parse(now));
  const done = apply(p, exitedPatch(deepFreeze(structuredClone(p)), 0, later));
  assert.equal(done.status?.phase, 'Succeeded');
  assert.ok(allTerminated(deepFreeze(done)));
  const t = done.status?.containerStatuses?.[0].state.terminated as { exitCode: number; reason: string; startedAt: string; finishedAt: string };
  assert.deepEqual([t.exitCode, t.reason, t.startedAt, t.finishedAt], [0, 'Completed', now, later]);
  assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
});

test('OnFailure with a failing exit: CrashLoopBackOff, then a restart with restartCount 1', () => {
  let p = pod({ spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } });
  p = apply(p, startedPatch(deepFreeze(structuredClone(p)), { hostIP: 'h', podIP: 'i' }, now));
  p = apply(p, exitedPatch(deepFreeze(structuredClone(p)), 3, later));
  assert.equal(p.status?.phase, 'Running');
  const waiting = p.status?.containerStatuses?.[0];
  assert.equal((waiting?.state.waiting as { reason: string }).reason, 'CrashLoopBackOff');
  assert.equal((waiting?.lastState.terminated as { exitCode: number }).exitCode, 3);
  assert.equal(backOffDueOf(deepFreeze(structuredClone(p))), Date.parse(later) + 10_000);
  p = apply(p, restartedPatch(deepFreeze(structuredClone(p)), later));
  const c = p.status?.containerStatuses?.[0];
  assert.equal(c?.restartCount, 1);
  assert.ok(c?.state.running !== undefined);
  assert.equal(backOffDueOf(deepFreeze(structuredClone(p))), undefined);
  assert.equal(crashLoopBackOffMs(1), 20_000);
  assert.equal(crashLoopBackOffMs(20), 300_000);
});

test('stopped for deletion: running containers terminate with the given code, earlier terminations are kept', () => {
  let p = pod();
  p = apply(p, startedPatch(deepFreeze(structuredClone(p)), { hostIP: 'h', podIP: 'i' }, now));
  const s = stoppedPatch(deepFreeze(structuredClone(p)), 143, 'Failed', later).status as { phase: string; containerStatuses: ContainerStatus[] };
  assert.equal(s.phase, 'Failed');
  assert.deepEqual((s.containerStatuses[0].state.terminated as { exitCode: number }).exitCode, 143);
  assert.equal(s.containerStatuses[0].ready, false);
});

test('a running pod marked not ready by someone else gets Ready back; an exited or ready one does not', () => {
  const running = apply(pod(), startedPatch(pod(), { hostIP: '127.1.0.1', podIP: '10.244.0.5' }, now));
  assert.equal(reconciledReadyPatch(running, later), undefined, 'nothing to do while Ready');
  // The node lifecycle controller's MarkPodsNotReady while the node was silent.
  const marked = apply(running, { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: later }] } });
  const patch = reconciledReadyPatch(deepFreeze(marked), later);
  assert.ok(patch !== undefined);
  const back = apply(marked, patch);
  assert.equal(back.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(back.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'True');
  const crashed = apply(running, exitedPatch(running, 1, later));
  assert.equal(reconciledReadyPatch(crashed, later), undefined, 'a container waiting in back-off stays not ready');
});
