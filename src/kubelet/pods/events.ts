/**
 * The kubelet's Events about pods, worded as upstream's kubelet words them (Pulling, Pulled,
 * Created, Started, Killing, BackOff, Unhealthy, Failed, FailedPostStartHook, ...), with the
 * container in `involvedObject.fieldPath` (`spec.containers{name}`), as `kubectl describe`
 * shows them. Source component `kubelet`, host = the node name (set on the recorder).
 */
import type { EventRecorder, EventType, ObjectReference } from '../../client/index.ts';
import type { Pod } from './types.ts';

/** `name_namespace(uid)`, upstream's format.Pod. */
export function podDesc(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

/** The ObjectReference for a pod, or one of its containers (with the fieldPath kubectl describe reads). */
export function podRef(pod: Pod, containerName?: string): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion };
  if (containerName === undefined) {
    return ref;
  }
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === containerName);
  return { ...ref, fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${containerName}}` };
}

/** A Go time.Duration string (`1.203s`, `523ms`, `2m3.5s`) truncated to milliseconds, as the Pulled message prints it. */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  if (whole < 1000) {
    return `${whole}ms`;
  }
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor((whole % 3_600_000) / 60_000);
  const s = (whole % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${sec}`;
}

/** Records pod and container events; a no-op without a recorder (unit tests). */
export class PodEvents {
  private readonly recorder: EventRecorder | undefined;

  constructor(recorder: EventRecorder | undefined) {
    this.recorder = recorder;
  }

  /** An event about one container of the pod. */
  container(pod: Pod, containerName: string, type: EventType, reason: string, message: string): void {
    this.recorder?.event(podRef(pod, containerName), type, reason, message);
  }

  /** An event about the pod itself. */
  pod(pod: Pod, type: EventType, reason: string, message: string): void {
    this.recorder?.event(podRef(pod), type, reason, message);
  }
}
