/**
 * The kubelet's part for pods bound to simulated nodes, as a level-triggered controller: pod
 * events become keys on a work queue; `sync(key)` re-reads the pod from the informer cache and
 * moves it one step (Pending → Running, Running → exited after its exit annotation, deleting →
 * containers terminated → removed with grace 0). Every step is a write the next event checks.
 */
import { isConflict, isNotFound } from '../api/errors.ts';
import type { DeepReadonly } from '../api/object.ts';
import { isTombstone, objectKey, PatchType, runWorkers, splitKey, WorkQueue } from '../client/index.ts';
import type { ClientLogger, RestClient, SharedInformer } from '../client/index.ts';
import { rfc3339Now } from '../api/time.ts';
import type { PodIpam } from './ipam.ts';
import type { ThrottledLog } from './limits.ts';
import { allTerminated, backOffDueOf, exitedPatch, exitPlanOf, lastStartOf, reconciledReadyPatch, restartedPatch, startedPatch, stoppedPatch } from './pod-status.ts';
import type { PodLike } from './pod-status.ts';
import type { SimNode } from './sim-node.ts';

/** Index of the pod informer: simulated node name → pods bound to it (only our nodes are filed). */
export const SIM_NODE_INDEX = 'simNodeName';

/** Exit code of containers stopped because their pod is being deleted (SIGTERM, as most programs report). */
export const KILLED_EXIT_CODE = 143;

/** What the pod controller works with. */
export interface PodSimulatorDeps {
  readonly client: RestClient;
  readonly pods: SharedInformer<PodLike>;
  readonly nodes: ReadonlyMap<string, SimNode>;
  readonly ipam: PodIpam;
  /** Pause between marking a deleted pod's containers terminated and removing the pod. */
  readonly terminationDelayMs: number;
  readonly log: ThrottledLog;
  readonly logger: ClientLogger;
}

/** Index function for the pod informer: files a pod under its node when that node is one of ours. */
export function simNodeIndex(nodes: ReadonlyMap<string, SimNode>): (pod: DeepReadonly<PodLike>) => string[] {
  return (pod) => {
    const node = pod.spec?.nodeName;
    return node !== undefined && nodes.has(node) ? [node] : [];
  };
}

const podsRef = { group: '', version: 'v1', resource: 'pods' } as const;

/** Plays the kubelet for every pod bound to a simulated node. */
export class PodSimulator {
  readonly queue = new WorkQueue<string>({ name: 'sim-pods' });
  private readonly deps: PodSimulatorDeps;
  /** When this process marked a deleting pod's containers terminated (key → ms). */
  private readonly stoppedAt = new Map<string, number>();
  /**
   * The last step written per pod (`start:<uid>`, `exit:<uid>:<start>`): the informer cache can
   * lag our own write, and a sync on the stale copy must not write the same step twice.
   */
  private readonly lastStep = new Map<string, string>();
  private readonly warnedFallback = new Set<string>();

  constructor(deps: PodSimulatorDeps) {
    this.deps = deps;
    deps.pods.addEventHandler({
      onAdd: (pod) => {
        if (this.ours(pod) !== undefined) {
          this.adoptIp(pod);
          this.queue.add(objectKey(pod.metadata));
        }
      },
      onUpdate: (oldPod, pod) => {
        if (this.ours(pod) !== undefined || this.ours(oldPod) !== undefined) {
          this.queue.add(objectKey(pod.metadata));
        }
      },
      onDelete: (obj) => {
        const pod = isTombstone(obj) ? obj.obj : obj;
        if (this.ours(pod) !== undefined) {
          this.queue.add(objectKey(pod.metadata));
        }
      },
    });
  }

  private ours(pod: DeepReadonly<PodLike>): SimNode | undefined {
    const name = pod.spec?.nodeName;
    return name === undefined ? undefined : this.deps.nodes.get(name);
  }

  /** A pod that already runs (this process restarted) keeps its IP: record it before handing out new ones. */
  private adoptIp(pod: DeepReadonly<PodLike>): void {
    const node = this.ours(pod);
    const ip = pod.status?.podIP;
    if (node === undefined || ip === undefined || pod.spec?.hostNetwork === true || pod.status?.phase !== 'Running') {
      return;
    }
    const range = this.deps.ipam.rangeFor(node.index, node.podCidrs);
    this.deps.ipam.reserve(objectKey(pod.metadata), range.cidr, ip);
  }

  /** Queues every pod bound to `nodeName` (after the node is registered or unpaused). */
  enqueueNode(nodeName: string): void {
    for (const pod of this.deps.pods.store.byIndex(SIM_NODE_INDEX, nodeName)) {
      this.queue.add(objectKey(pod.metadata));
    }
  }

  /** Runs `workers` sync loops until the queue shuts down. */
  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.deps.logger });
  }

  /** Stops handing out keys (in-flight syncs finish). */
  stop(): void {
    this.queue.shutDown();
  }

  /** Moves one pod a step towards what its simulated kubelet would report. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.deps.pods.lister.get(namespace, name);
    const node = pod === undefined ? undefined : this.ours(pod);
    if (pod === undefined || node === undefined) {
      this.deps.ipam.release(key);
      this.stoppedAt.delete(key);
      this.lastStep.delete(key);
      return;
    }
    if (node.paused || node.gone || !node.registered) {
      return; // a silent kubelet does nothing; enqueueNode() brings the pods back
    }
    if (pod.metadata.deletionTimestamp !== undefined) {
      await this.syncDeleting(key, pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.deps.ipam.release(key); // the sandbox is gone; the status keeps the address it had
      return;
    }
    const uid = pod.metadata.uid ?? '';
    const backOffDue = phase === 'Running' ? backOffDueOf(pod) : undefined;
    if (backOffDue !== undefined) {
      await this.restartAfterBackOff(key, pod, backOffDue);
      return;
    }
    const lastStart = lastStartOf(pod);
    if (phase !== 'Running' || lastStart === undefined) {
      if (this.lastStep.get(key) !== `start:${uid}`) {
        await this.start(key, pod, node);
        this.lastStep.set(key, `start:${uid}`);
      }
      return;
    }
    const reconciled = reconciledReadyPatch(pod, rfc3339Now());
    if (reconciled !== undefined) {
      await this.patchStatus(pod, reconciled);
    }
    const plan = exitPlanOf(pod);
    if (plan === undefined) {
      return;
    }
    // startedAt has whole seconds: count from the end of that second so a container never exits early.
    const wait = lastStart + 1000 + plan.afterMs - Date.now();
    if (wait > 0) {
      this.queue.addAfter(key, wait + 5);
      return;
    }
    const step = `exit:${uid}:${lastStart}`;
    if (this.lastStep.get(key) !== step) {
      await this.patchStatus(pod, exitedPatch(pod, plan.code, rfc3339Now()));
      this.lastStep.set(key, step);
    }
  }

  private async restartAfterBackOff(key: string, pod: DeepReadonly<PodLike>, due: number): Promise<void> {
    const wait = due - Date.now();
    if (wait > 0) {
      this.queue.addAfter(key, wait + 5);
      return;
    }
    const restarts = pod.status?.containerStatuses?.[0]?.restartCount ?? 0;
    const step = `restart:${pod.metadata.uid ?? ''}:${restarts}`;
    if (this.lastStep.get(key) !== step) {
      await this.patchStatus(pod, restartedPatch(pod, rfc3339Now()));
      this.lastStep.set(key, step);
    }
  }

  private async start(key: string, pod: DeepReadonly<PodLike>, node: SimNode): Promise<void> {
    let podIP = node.hostIp;
    if (pod.spec?.hostNetwork !== true) {
      const range = this.deps.ipam.rangeFor(node.index, node.podCidrs);
      if (!range.fromNodeSpec && !this.warnedFallback.has(node.name)) {
        this.warnedFallback.add(node.name);
        this.deps.logger('info', `node ${node.name} has no spec.podCIDR; its pod IPs come from ${range.cidr} (this process's fallback range)`);
      }
      const ip = this.deps.ipam.assign(key, range.cidr);
      if (ip === undefined) {
        throw new Error(`no free pod IP left in ${range.cidr} on node ${node.name}`);
      }
      podIP = ip;
    }
    await this.patchStatus(pod, startedPatch(pod, { hostIP: node.hostIp, podIP }, rfc3339Now()));
  }

  private async syncDeleting(key: string, pod: DeepReadonly<PodLike>): Promise<void> {
    if (pod.metadata.deletionGracePeriodSeconds === 0) {
      return; // already deleted with grace 0: only finalizers keep it
    }
    const started = (pod.status?.containerStatuses?.length ?? 0) > 0;
    const delay = Math.min(this.deps.terminationDelayMs, (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000);
    const since = this.stoppedAt.get(key);
    if (since === undefined && started && !allTerminated(pod)) {
      await this.patchStatus(pod, stoppedPatch(pod, KILLED_EXIT_CODE, 'Failed', rfc3339Now()));
      this.stoppedAt.set(key, Date.now());
      this.queue.addAfter(key, delay);
      return;
    }
    if (since !== undefined && Date.now() - since < delay) {
      this.queue.addAfter(key, delay - (Date.now() - since));
      return;
    }
    try {
      await this.deps.client.delete({ ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      // Gone already, or a new pod of the same name (uid precondition): nothing left for us.
      if (!isNotFound(e) && !isConflict(e)) {
        throw e;
      }
    }
    this.stoppedAt.delete(key);
    this.lastStep.delete(key);
    this.deps.ipam.release(key);
  }

  private async patchStatus(pod: DeepReadonly<PodLike>, patch: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.client.patch({ ...podsRef, namespace: pod.metadata.namespace, name: pod.metadata.name, subresource: 'status' }, patch, PatchType.StrategicMerge);
    } catch (e) {
      if (isNotFound(e)) {
        return; // deleted meanwhile; the delete event brings us back
      }
      this.deps.log.warn('pod status update', `${objectKey(pod.metadata)}: ${(e as Error).message}`);
      throw e;
    }
  }
}
