/**
 * Pod status as the kubelet computes it from what the runtime reports: container statuses
 * (state, lastState, restartCount, imageID, containerID, ready, started), the phase by
 * upstream's rules, the conditions (PodReadyToStartContainers, Initialized, Ready,
 * ContainersReady, PodScheduled) with lastTransitionTime kept while a status holds, IPs,
 * qosClass and startTime.
 */
import type { ContainerStatus as RuntimeContainer } from '../runtime/types.ts';
import { ContainerState } from '../runtime/types.ts';
import { RUNTIME_NAME } from '../node/node-agent.ts';
import type { ContainerSpec, Pod } from '../pods/types.ts';

/** A waiting reason the worker decided (image pull errors, backoff, config errors). */
export interface Waiting {
  readonly reason: string;
  readonly message?: string;
}

/** Everything known about one container of the spec. */
export interface ContainerView {
  readonly spec: ContainerSpec;
  /** Runtime containers of this name, newest attempt first. */
  readonly attempts: readonly RuntimeContainer[];
  /** Set when the worker holds the container back (CrashLoopBackOff, ErrImagePull, …). */
  readonly waiting?: Waiting;
  /** Readiness as the probes say (true when there is no readiness probe). */
  readonly probeReady: boolean;
  /** Startup probe passed (true when there is none). */
  readonly probeStarted: boolean;
}

/** The input of a status computation. */
export interface PodStatusInput {
  readonly pod: Pod;
  readonly podIp: string;
  readonly hostIp: string;
  readonly sandboxReady: boolean;
  readonly init: readonly ContainerView[];
  readonly containers: readonly ContainerView[];
  /** Ephemeral containers (`kubectl debug`): reported, never counted for readiness or phase. */
  readonly ephemeral?: readonly ContainerView[];
  /** All init containers have completed. */
  readonly initialized: boolean;
  readonly startTime: string;
  readonly now: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function terminated(c: RuntimeContainer): Record<string, unknown> {
  const t: Record<string, unknown> = { exitCode: c.exitCode, reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error') };
  if (c.message !== '') {
    t.message = c.message;
  }
  t.startedAt = iso(c.startedAt || c.createdAt);
  t.finishedAt = iso(c.finishedAt || Date.now());
  t.containerID = `${RUNTIME_NAME}://${c.id}`;
  return { terminated: t };
}

/** One entry of containerStatuses / initContainerStatuses. */
export function containerStatusOf(view: ContainerView, pendingReason: string): Record<string, unknown> {
  const [latest, previous] = view.attempts;
  const status: Record<string, unknown> = { name: view.spec.name, image: view.spec.image, imageID: latest?.imageRef ?? '' };
  let state: Record<string, unknown>;
  let lastState: Record<string, unknown> = previous !== undefined && previous.state === ContainerState.Exited ? terminated(previous) : {};
  let running = false;
  if (view.waiting !== undefined) {
    state = { waiting: { reason: view.waiting.reason, ...(view.waiting.message === undefined ? {} : { message: view.waiting.message }) } };
    if (latest !== undefined && latest.state === ContainerState.Exited) {
      lastState = terminated(latest);
    }
  } else if (latest === undefined || latest.state === ContainerState.Created) {
    state = { waiting: { reason: pendingReason } };
  } else if (latest.state === ContainerState.Running) {
    state = { running: { startedAt: iso(latest.startedAt) } };
    running = true;
  } else {
    state = terminated(latest);
  }
  if (latest !== undefined) {
    status.containerID = `${RUNTIME_NAME}://${latest.id}`;
  }
  status.lastState = lastState;
  status.ready = running && view.probeReady && view.probeStarted;
  status.restartCount = latest?.metadata.attempt ?? 0;
  status.started = running && view.probeStarted;
  status.state = state;
  return status;
}

/** The pod phase by the kubelet's rules (getPhase). */
export function podPhase(pod: Pod, initialized: boolean, statuses: readonly Record<string, unknown>[]): string {
  if (!initialized) {
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    const state = s.state as { running?: unknown; waiting?: unknown; terminated?: { exitCode: number } };
    const last = s.lastState as { terminated?: unknown };
    if (state.running !== undefined) {
      running++;
    } else if (state.terminated !== undefined) {
      stopped++;
      if (state.terminated.exitCode === 0) {
        succeeded++;
      }
    } else if (last.terminated !== undefined) {
      stopped++;
    } else {
      waiting++;
    }
  }
  if (waiting > 0) {
    return 'Pending';
  }
  if (running > 0) {
    return 'Running';
  }
  if (stopped === 0) {
    return 'Pending';
  }
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Always') {
    return 'Running';
  }
  if (stopped === succeeded) {
    return 'Succeeded';
  }
  return policy === 'OnFailure' ? 'Running' : 'Failed';
}

/** Guaranteed, Burstable or BestEffort by the upstream rules. */
export function qosClass(pod: Pod): string {
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...c.resources?.requests };
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) {
        any = true;
      }
      if (limits[r] === undefined || requests[r] !== limits[r]) {
        guaranteed = false;
      }
    }
  }
  if (!any) {
    return 'BestEffort';
  }
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** The whole status the kubelet writes. */
export function computePodStatus(input: PodStatusInput): Record<string, unknown> {
  const { pod } = input;
  const old = (pod.status ?? {}) as { conditions?: readonly Condition[] };
  const initStatuses = input.init.map((v) => containerStatusOf(v, 'PodInitializing'));
  const statuses = input.containers.map((v) => containerStatusOf(v, input.initialized ? 'ContainerCreating' : 'PodInitializing'));
  const phase = podPhase(pod, input.initialized, statuses);
  const notReady = statuses.filter((s) => s.ready !== true).map((s) => s.name as string);
  const incompleteInit = input.init.filter((v, i) => {
    const st = initStatuses[i].state as { terminated?: { exitCode: number } };
    return st.terminated?.exitCode !== 0;
  }).map((v) => v.spec.name);
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const prev = old.conditions?.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : input.now };
    if (!ok && reason !== undefined) {
      c.reason = reason;
      c.message = message;
    }
    return c;
  };
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const initialized = input.initialized || (input.init.length > 0 && incompleteInit.length === 0);
  const conditions: Condition[] = [
    cond('PodReadyToStartContainers', input.sandboxReady),
    input.init.length > 0 && terminal && initialized
      ? { ...cond('Initialized', true), reason: 'PodCompleted' }
      : cond('Initialized', initialized, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
    cond('Ready', notReady.length === 0 && !terminal, readyReason, readyMessage),
    cond('ContainersReady', notReady.length === 0 && !terminal, readyReason, readyMessage),
  ];
  const owned = new Set(conditions.map((c) => c.type));
  for (const c of old.conditions ?? []) {
    if (!owned.has(c.type)) {
      conditions.push(c);
    }
  }
  if (!conditions.some((c) => c.type === 'PodScheduled')) {
    conditions.push(cond('PodScheduled', true));
  }
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: input.hostIp,
    hostIPs: [{ ip: input.hostIp }],
    startTime: input.startTime,
    containerStatuses: statuses,
    qosClass: qosClass(pod),
  };
  const ip = pod.spec.hostNetwork === true ? input.hostIp : input.podIp;
  if (ip !== '') {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  if (input.init.length > 0) {
    status.initContainerStatuses = initStatuses;
  }
  if ((input.ephemeral ?? []).length > 0) {
    // No probes and no readiness for ephemeral containers: upstream reports them never ready.
    status.ephemeralContainerStatuses = (input.ephemeral ?? []).map((v) => {
      const s = containerStatusOf(v, 'ContainerCreating');
      delete s.started;
      return { ...s, ready: false };
    });
  }
  return status;
}
