/**
 * Pod status as a kubelet would write it for a simulated pod, as pure functions of the pod and
 * the moment: started (Running, IPs, conditions, container statuses), exited (terminated
 * containers, terminal phase or a restart), and stopped for deletion. Patches are strategic
 * merge patches for pods/status: conditions merge by type, container status lists are replaced.
 */
import { createHash } from 'node:crypto';
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { EXIT_AFTER_ANNOTATION, EXIT_CODE_ANNOTATION, RUNTIME_TYPE } from './config.ts';

/** The pod fields the simulator reads. */
export interface PodLike extends KubeObject {
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    restartPolicy?: string;
    containers?: readonly ContainerLike[];
    initContainers?: readonly ContainerLike[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    qosClass?: string;
    conditions?: readonly { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: readonly ContainerStatus[];
  };
}

/** The container fields the simulator reads. */
export interface ContainerLike {
  readonly name: string;
  readonly image?: string;
  readonly restartPolicy?: string;
}

/** A container status as the API carries it. */
export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: Record<string, unknown>;
  lastState: Record<string, unknown>;
}

/** When and how a pod's containers exit, from its annotations (undefined: they run forever). */
export interface ExitPlan {
  readonly afterMs: number;
  readonly code: number;
}

/** Reads `sim.k8ts.dev/exit-after-seconds` and `sim.k8ts.dev/exit-code`; malformed values are ignored. */
export function exitPlanOf(pod: DeepReadonly<PodLike>): ExitPlan | undefined {
  const after = pod.metadata.annotations?.[EXIT_AFTER_ANNOTATION];
  if (after === undefined || !/^\d+(\.\d+)?$/.test(after.trim())) {
    return undefined;
  }
  const codeText = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION]?.trim() ?? '0';
  const code = /^-?\d+$/.test(codeText) ? Number(codeText) : 1;
  return { afterMs: Number(after) * 1000, code };
}

/** `docker.io/library/nginx:latest` for `nginx`, as the runtime normalises image references. */
export function normalizeImage(image: string): string {
  let ref = image;
  const firstSlash = ref.indexOf('/');
  const first = firstSlash < 0 ? '' : ref.slice(0, firstSlash);
  if (firstSlash < 0) {
    ref = `docker.io/library/${ref}`;
  } else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') {
    ref = `docker.io/${ref}`;
  }
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !ref.includes('@')) {
    ref = `${ref}:latest`;
  }
  return ref;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The image's digest reference (`repo@sha256:…`), made up deterministically from the reference. */
export function imageIdOf(image: string): string {
  const ref = normalizeImage(image);
  if (ref.includes('@')) {
    return ref;
  }
  const repo = ref.slice(0, ref.lastIndexOf(':'));
  return `${repo}@sha256:${sha256(`image:${ref}`)}`;
}

/** A stable container ID per pod UID, container and restart. */
export function containerIdOf(podUid: string, container: string, restartCount: number): string {
  return `${RUNTIME_TYPE}://${sha256(`${podUid}/${container}/${restartCount}`)}`;
}

/** Whether a container in initContainers is a sidecar (restartPolicy Always): it keeps running. */
function isSidecar(c: ContainerLike): boolean {
  return c.restartPolicy === 'Always';
}

function runningStatus(pod: DeepReadonly<PodLike>, c: ContainerLike, startedAt: string, restartCount: number, lastState: Record<string, unknown>): ContainerStatus {
  const image = c.image ?? '';
  return {
    name: c.name,
    image: normalizeImage(image),
    imageID: imageIdOf(image),
    containerID: containerIdOf(pod.metadata.uid ?? pod.metadata.name ?? '', c.name, restartCount),
    ready: true,
    started: true,
    restartCount,
    state: { running: { startedAt } },
    lastState,
  };
}

function terminated(exitCode: number, startedAt: string, finishedAt: string, containerID: string | undefined): Record<string, unknown> {
  const t: Record<string, unknown> = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt };
  if (containerID !== undefined) {
    t.containerID = containerID;
  }
  return { terminated: t };
}

function condition(type: string, status: 'True' | 'False', pod: DeepReadonly<PodLike>, now: string, reason?: string): Record<string, unknown> {
  const old = pod.status?.conditions?.find((c) => c.type === type);
  const transition = old !== undefined && old.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
  const c: Record<string, unknown> = { type, status, lastProbeTime: null, lastTransitionTime: transition };
  if (reason !== undefined) {
    c.reason = reason;
  }
  if (pod.metadata.generation !== undefined) {
    c.observedGeneration = pod.metadata.generation;
  }
  return c;
}

function withGeneration(pod: DeepReadonly<PodLike>, status: Record<string, unknown>): Record<string, unknown> {
  return pod.metadata.generation === undefined ? status : { observedGeneration: pod.metadata.generation, ...status };
}

/** Where the pod runs: the node's address and the pod's own (the node's for hostNetwork pods). */
export interface Placement {
  readonly hostIP: string;
  readonly podIP: string;
}

/** The status patch that takes a pod from Pending to Running and Ready on its node. */
export function startedPatch(pod: DeepReadonly<PodLike>, where: Placement, now: string): Record<string, unknown> {
  const spec = pod.spec ?? {};
  const inits = spec.initContainers ?? [];
  const initStatuses = inits.map((c): ContainerStatus => {
    if (isSidecar(c)) {
      return runningStatus(pod, c, now, 0, {});
    }
    const image = c.image ?? '';
    const id = containerIdOf(pod.metadata.uid ?? '', c.name, 0);
    return { name: c.name, image: normalizeImage(image), imageID: imageIdOf(image), containerID: id, ready: true, started: false, restartCount: 0, state: terminated(0, now, now, id), lastState: {} };
  });
  const conditions = [
    condition('PodReadyToStartContainers', 'True', pod, now),
    condition('Initialized', 'True', pod, now),
    condition('Ready', 'True', pod, now),
    condition('ContainersReady', 'True', pod, now),
  ];
  if (pod.status?.conditions?.some((c) => c.type === 'PodScheduled') !== true) {
    // A pod created with spec.nodeName never met the scheduler; the kubelet reports it scheduled.
    conditions.push(condition('PodScheduled', 'True', pod, now));
  }
  const status: Record<string, unknown> = {
    phase: 'Running',
    conditions,
    hostIP: where.hostIP,
    hostIPs: [{ ip: where.hostIP }],
    podIP: where.podIP,
    podIPs: [{ ip: where.podIP }],
    startTime: pod.status?.startTime ?? now,
    containerStatuses: (spec.containers ?? []).map((c) => runningStatus(pod, c, now, 0, {})),
  };
  if (inits.length > 0) {
    status.initContainerStatuses = initStatuses;
  }
  if (pod.status?.qosClass === undefined) {
    status.qosClass = 'BestEffort';
  }
  return { metadata: { uid: pod.metadata.uid }, status: withGeneration(pod, status) };
}

/** The latest moment any container of the pod (re)started, from its statuses. */
export function lastStartOf(pod: DeepReadonly<PodLike>): number | undefined {
  let latest: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    const running = (s.state as { running?: { startedAt?: string } }).running;
    const t = running?.startedAt === undefined ? NaN : Date.parse(running.startedAt);
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) {
      latest = t;
    }
  }
  return latest;
}

/** True when every regular container reports a terminated state. */
export function allTerminated(pod: DeepReadonly<PodLike>): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((s) => (s.state as { terminated?: unknown }).terminated !== undefined);
}

/** The phase after the containers exit with `code`, or undefined when the restart policy restarts them. */
export function phaseAfterExit(restartPolicy: string | undefined, code: number): 'Succeeded' | 'Failed' | undefined {
  if (restartPolicy === 'Never') {
    return code === 0 ? 'Succeeded' : 'Failed';
  }
  if (restartPolicy === 'OnFailure') {
    return code === 0 ? 'Succeeded' : undefined;
  }
  return undefined;
}

/** The kubelet's crash-loop back-off before restart number `restartCount + 1`: 10 s doubling, at most 5 min. */
export function crashLoopBackOffMs(restartCount: number): number {
  return Math.min(10_000 * 2 ** Math.min(restartCount, 10), 300_000);
}

function notReadyConditions(pod: DeepReadonly<PodLike>, now: string, reason: string): Record<string, unknown>[] {
  return [condition('Ready', 'False', pod, now, reason), condition('ContainersReady', 'False', pod, now, reason)];
}

/**
 * Status patch for containers that exited with `code`: a terminal phase when the restart policy
 * says so, else each container waits in CrashLoopBackOff (lastState terminated) until
 * `restartedPatch` starts it again.
 */
export function exitedPatch(pod: DeepReadonly<PodLike>, code: number, now: string): Record<string, unknown> {
  const phase = phaseAfterExit(pod.spec?.restartPolicy, code);
  if (phase !== undefined) {
    return stoppedPatch(pod, code, phase, now);
  }
  const byName = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const statuses = (pod.spec?.containers ?? []).map((c): ContainerStatus => {
    const old = byName.get(c.name);
    const restarts = old?.restartCount ?? 0;
    const oldStart = (old?.state as { running?: { startedAt?: string } } | undefined)?.running?.startedAt ?? now;
    const message = `back-off ${crashLoopBackOffMs(restarts) / 1000}s restarting failed container=${c.name} pod=${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
    const image = c.image ?? '';
    return {
      name: c.name,
      image: old?.image ?? normalizeImage(image),
      imageID: old?.imageID ?? imageIdOf(image),
      containerID: old?.containerID,
      ready: false,
      started: false,
      restartCount: restarts,
      state: { waiting: { reason: 'CrashLoopBackOff', message } },
      lastState: terminated(code, oldStart, now, old?.containerID),
    };
  });
  return { metadata: { uid: pod.metadata.uid }, status: withGeneration(pod, { conditions: notReadyConditions(pod, now, 'ContainersNotReady'), containerStatuses: statuses }) };
}

/** When a crash-looping pod's containers may restart (ms since epoch), or undefined if none waits in back-off. */
export function backOffDueOf(pod: DeepReadonly<PodLike>): number | undefined {
  let due: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    if ((s.state as { waiting?: { reason?: string } }).waiting?.reason !== 'CrashLoopBackOff') {
      continue;
    }
    const finished = Date.parse((s.lastState as { terminated?: { finishedAt?: string } }).terminated?.finishedAt ?? '');
    const t = (Number.isNaN(finished) ? 0 : finished) + crashLoopBackOffMs(s.restartCount);
    due = due === undefined ? t : Math.max(due, t);
  }
  return due;
}

/** Status patch that restarts crash-looped containers: running again, restartCount + 1, Ready. */
export function restartedPatch(pod: DeepReadonly<PodLike>, now: string): Record<string, unknown> {
  const byName = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const statuses = (pod.spec?.containers ?? []).map((c) => {
    const old = byName.get(c.name);
    const restarts = (old?.restartCount ?? 0) + 1;
    return runningStatus(pod, c, now, restarts, old?.lastState ?? {});
  });
  const conditions = [condition('Ready', 'True', pod, now), condition('ContainersReady', 'True', pod, now)];
  return { metadata: { uid: pod.metadata.uid }, status: withGeneration(pod, { conditions, containerStatuses: statuses }) };
}

/**
 * Status patch that puts back Ready/ContainersReady=True on a pod whose containers all run, when
 * something else (the node lifecycle controller's MarkPodsNotReady while the node was silent)
 * wrote them False: the kubelet's status manager likewise overwrites an apiserver status that
 * differs from its own. Undefined when nothing needs reconciling.
 */
export function reconciledReadyPatch(pod: DeepReadonly<PodLike>, now: string): Record<string, unknown> | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const allRunning = statuses.length > 0 && statuses.every((s) => (s.state as { running?: unknown }).running !== undefined);
  const notReady = ['Ready', 'ContainersReady'].some((t) => pod.status?.conditions?.find((c) => c.type === t)?.status !== 'True');
  if (!allRunning || !notReady) {
    return undefined;
  }
  const conditions = [condition('Ready', 'True', pod, now), condition('ContainersReady', 'True', pod, now)];
  return { metadata: { uid: pod.metadata.uid }, status: withGeneration(pod, { conditions }) };
}

/**
 * Status patch for a pod whose containers have all stopped for good (terminal phase, or killed
 * for deletion): containers terminated with `code`, Ready and ContainersReady False.
 */
export function stoppedPatch(pod: DeepReadonly<PodLike>, code: number, phase: 'Succeeded' | 'Failed', now: string): Record<string, unknown> {
  const byName = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const statuses = (pod.spec?.containers ?? []).map((c): ContainerStatus => {
    const old = byName.get(c.name);
    const image = c.image ?? '';
    const oldState = old?.state as { running?: { startedAt?: string }; terminated?: Record<string, unknown> } | undefined;
    const state = oldState?.terminated !== undefined ? { terminated: oldState.terminated } : terminated(code, oldState?.running?.startedAt ?? now, now, old?.containerID);
    return {
      name: c.name,
      image: old?.image ?? normalizeImage(image),
      imageID: old?.imageID ?? imageIdOf(image),
      containerID: old?.containerID,
      ready: false,
      started: false,
      restartCount: old?.restartCount ?? 0,
      state,
      lastState: old?.lastState ?? {},
    };
  });
  const conditions = [condition('Ready', 'False', pod, now, 'PodCompleted'), condition('ContainersReady', 'False', pod, now, 'PodCompleted'), condition('PodReadyToStartContainers', 'False', pod, now)];
  return { metadata: { uid: pod.metadata.uid }, status: withGeneration(pod, { phase, conditions, containerStatuses: statuses }) };
}
