/**
 * The pod printer: READY, STATUS (init progress, waiting/terminated reasons, Completed,
 * Terminating, SchedulingGated, ...), RESTARTS with the last restart's age, and the wide
 * IP / NODE / NOMINATED NODE / READINESS GATES columns, as upstream's printPod computes them.
 */
import type { KubeObject } from '../object.ts';
import { ageColumn, arr, col, get, int, nameColumn, parseTime, rec, since, str } from './format.ts';
import type { TableConvertor } from './types.ts';

type Rec = Record<string, unknown>;

const isRestartable = (c: Rec | undefined): boolean => c !== undefined && c.restartPolicy === 'Always';

function hasCondition(conditions: unknown, type: string): boolean {
  return arr(conditions).some((c) => rec(c).type === type && rec(c).status === 'True');
}

/** The later of `current` and a container's last termination time. */
function laterRestart(current: number | undefined, status: Rec): number | undefined {
  const finished = parseTime(get(status, 'lastState.terminated.finishedAt'));
  if (finished === undefined) {
    return current;
  }
  return current === undefined || finished > current ? finished : current;
}

/** STATUS reason text for a terminated container without a reason. */
function exitText(terminated: Rec, prefix: string): string {
  const signal = int(terminated.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${int(terminated.exitCode)}`;
}

/** Cells for one pod (all columns, wide included). */
export function podCells(pod: KubeObject, now: Date): unknown[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = arr(spec.initContainers).map(rec);
  const initByName = new Map(initSpecs.map((c) => [str(c.name), c]));
  const totalContainers = arr(spec.containers).length + initSpecs.filter((c) => isRestartable(c)).length;
  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const phase = str(status.phase);
  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const c of arr(status.conditions).map(rec)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') {
      reason = 'SchedulingGated';
    }
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses).map(rec);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const restartable = isRestartable(initByName.get(str(cs.name)));
    restarts += int(cs.restartCount);
    lastRestart = laterRestart(lastRestart, cs);
    if (restartable) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = laterRestart(lastSidecarRestart, cs);
    }
    const terminated = get(cs, 'state.terminated');
    const waitingReason = str(get(cs, 'state.waiting.reason'));
    if (terminated !== undefined && int(rec(terminated).exitCode) === 0) {
      continue;
    }
    if (restartable && cs.started === true) {
      if (cs.ready === true) {
        readyContainers++;
      }
      continue;
    }
    if (terminated !== undefined) {
      const t = rec(terminated);
      reason = str(t.reason) === '' ? exitText(t, 'Init:') : `Init:${str(t.reason)}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(rec);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += int(cs.restartCount);
      lastRestart = laterRestart(lastRestart, cs);
      const waitingReason = str(get(cs, 'state.waiting.reason'));
      const terminated = get(cs, 'state.terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== undefined && str(rec(terminated).reason) !== '') {
        reason = str(rec(terminated).reason);
      } else if (terminated !== undefined) {
        reason = exitText(rec(terminated), '');
      } else if (cs.ready === true && get(cs, 'state.running') !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another still runs is Running (or NotReady), not Completed.
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);

  const podIPs = arr(status.podIPs).map(rec);
  let podIP = podIPs.length > 0 ? str(podIPs[0]?.ip) : str(status.podIP);
  if (podIP === '') {
    podIP = '<none>';
  }
  const nodeName = str(spec.nodeName) === '' ? '<none>' : str(spec.nodeName);
  const nominated = str(status.nominatedNodeName) === '' ? '<none>' : str(status.nominatedNodeName);
  let readinessGates = '<none>';
  const gates = arr(spec.readinessGates).map(rec);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const cond = arr(status.conditions).map(rec).find((c) => c.type === gate.conditionType);
      if (cond?.status === 'True') {
        trueConditions++;
      }
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  return [pod.metadata.name ?? '', `${readyContainers}/${totalContainers}`, reason, restartsText, since(pod.metadata.creationTimestamp, now), podIP, nodeName, nominated, readinessGates];
}

/** pods: NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE READINESS GATES]. */
export const podTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
    col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
    col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
    col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  cells: podCells,
};
