/**
 * The scheduler: informers feed the cache (bound pods, nodes) and the queue (pending pods of
 * our profiles); one loop pops a pod, runs its profile's framework synchronously against the
 * cache, assumes the pod on the chosen node and binds it asynchronously. Failures record a
 * FailedScheduling event, set the PodScheduled condition and park the pod until a relevant
 * cluster event; preemption deletes victims and nominates a node.
 */
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { EventRecorder, EventType } from '../client/events.ts';
import { SharedInformerFactory } from '../client/factory.ts';
import { isTombstone } from '../client/informer.ts';
import type { DeletedFinalStateUnknown, SharedInformer } from '../client/informer.ts';
import { stderrLogger } from '../client/log.ts';
import type { ClientLogger } from '../client/log.ts';
import { pathFor } from '../client/paths.ts';
import { PatchType } from '../client/rest.ts';
import type { RestClient } from '../client/rest.ts';
import { FitError, schedulePod } from './algorithm.ts';
import type { SchedulerPosition, Snapshot } from './algorithm.ts';
import { SchedulerCache } from './cache.ts';
import type { ClusterEvent, DisruptionBudget, Status } from './framework/interface.ts';
import { Framework } from './framework/runtime.ts';
import type { ProfileConfig } from './framework/runtime.ts';
import { volumeBindingDeps } from './plugins/volumebinding/deps.ts';
import { inTreeRegistry } from './plugins/registry.ts';
import { SchedulingQueue, queueKey } from './queue.ts';
import type { QueuedPodInfo } from './queue.ts';
import { DEFAULT_SCHEDULER_NAME, podKey } from './types.ts';
import type { Node, Pod, RNode, RPod } from './types.ts';
import { assignedPodUpdateMatters, nodeChangeEvents } from './events.ts';

/** Scheduler settings. */
export interface SchedulerOptions {
  readonly client: RestClient;
  readonly profiles: readonly ProfileConfig[];
  /** 0 = adaptive (upstream default). */
  readonly percentageOfNodesToScore?: number;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
  readonly logger?: ClientLogger;
  /**
   * Binding calls in flight at once (default 32). Bounded so the client reuses its keep-alive
   * connections: unbounded HTTP/1.1 requests would each open a new TLS connection.
   */
  readonly maxInFlightBindings?: number;
  /** Called after each successful binding with the attempt's duration (ms): benchmarks and metrics. */
  readonly onBound?: (pod: RPod, nodeName: string, attemptMs: number) => void;
  /** Called when an attempt ends (bound, unschedulable, or failed with an error): metrics. */
  readonly onAttempt?: (result: 'scheduled' | 'unschedulable' | 'error', profile: string, attemptMs: number) => void;
}

type PodOrTombstone = DeepReadonly<Pod> | DeletedFinalStateUnknown<Pod>;

const pods = { group: '', version: 'v1', resource: 'pods' } as const;

/** Removes metadata.managedFields from a freshly decoded pod (the pod informer's transform). */
function dropManagedFields(pod: Pod): Pod {
  if (pod.metadata.managedFields !== undefined) {
    delete pod.metadata.managedFields;
  }
  return pod;
}

/** A running scheduler (call start(), then stop()). */
export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly logger: ClientLogger;
  private readonly factory: SharedInformerFactory;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly frameworks = new Map<string, Framework>();
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly nominated = new Map<string, Map<string, RPod>>();
  private readonly pos: SchedulerPosition;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly pdbInformer: SharedInformer<DisruptionBudget & KubeObject>;
  private readonly nsInformer: SharedInformer;
  private readonly pvcInformer: SharedInformer;
  private readonly snapshot: Snapshot;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly bindings = new Set<Promise<void>>();
  private bindSlots: number;
  private readonly bindWaiters: (() => void)[] = [];
  private readonly backlogWaiters: (() => void)[] = [];
  private readonly maxBindBacklog: number;

  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? stderrLogger;
    this.bindSlots = opts.maxInFlightBindings ?? 32;
    this.maxBindBacklog = this.bindSlots;
    this.pos = { nextStartNodeIndex: 0, percentageOfNodesToScore: opts.percentageOfNodesToScore ?? 0 };
    const registry = inTreeRegistry();
    const bind = async (namespace: string, name: string, uid: string | undefined, nodeName: string): Promise<void> => {
      await this.acquireBindSlot();
      try {
        // The answer is a Status nobody reads: not parsed.
        await this.opts.client.requestWithoutResult({
          method: 'POST',
          path: pathFor({ ...pods, namespace, name, subresource: 'binding' }),
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
        });
      } finally {
        this.releaseBindSlot();
      }
    };
    // Created before the frameworks: VolumeBinding registers its claim, volume and class informers on it.
    this.factory = new SharedInformerFactory(opts.client, { logger: this.logger });
    const volumeDeps = volumeBindingDeps(opts.client, this.factory);
    const pluginEvents = new Map<string, Set<ClusterEvent>>();
    for (const p of opts.profiles) {
      if (this.frameworks.has(p.schedulerName)) {
        throw new Error(`duplicate profile with scheduler name "${p.schedulerName}"`);
      }
      const fwk = new Framework(p, registry, bind, volumeDeps);
      this.frameworks.set(p.schedulerName, fwk);
      this.recorders.set(p.schedulerName, new EventRecorder({ client: opts.client, component: p.schedulerName, logger: this.logger }));
      for (const pl of fwk.plugins) {
        const set = pluginEvents.get(pl.name) ?? new Set<ClusterEvent>();
        for (const e of pl.events ?? []) {
          set.add(e);
        }
        pluginEvents.set(pl.name, set);
      }
    }
    this.queue = new SchedulingQueue({ initialBackoffMs: opts.podInitialBackoffMs, maxBackoffMs: opts.podMaxBackoffMs, pluginEvents });
    // As upstream's newPodInformer: non-terminal pods only, managedFields dropped before caching
    // (nothing here reads them; they are a large part of each pod to freeze and keep).
    this.podInformer = this.factory.informerFor<Pod>({ ...pods, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', transform: dropManagedFields });
    this.nodeInformer = this.factory.informerFor<Node>({ group: '', version: 'v1', resource: 'nodes' });
    this.pdbInformer = this.factory.informerFor<DisruptionBudget & KubeObject>({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' });
    this.nsInformer = this.factory.informerFor({ group: '', version: 'v1', resource: 'namespaces' });
    this.pvcInformer = this.factory.informerFor({ group: '', version: 'v1', resource: 'persistentvolumeclaims' });
    const cache = this.cache;
    this.snapshot = {
      nodes: () => cache.nodeList(),
      node: (name) => cache.getNode(name),
      nodesWithAffinityPods: () => cache.nodesWithAffinityPods(),
      imageNodeCount: (img) => cache.imageNodeCount(img),
      namespaceLabels: (ns) => this.nsInformer.lister.get('', ns)?.metadata.labels,
      claim: (ns, name) => {
        const c = this.pvcInformer.lister.get(ns, name) as { spec?: { volumeName?: string }; status?: { phase?: string } } | undefined;
        return c === undefined ? undefined : { phase: c.status?.phase ?? '', volumeName: c.spec?.volumeName ?? '' };
      },
      podDisruptionBudgets: () => this.pdbInformer.lister.list(),
      hasNominatedPods: () => this.nominated.size > 0,
      nominatedPods: (node) => {
        // Asked once per node per cycle: most cycles have no nominated pods anywhere.
        if (this.nominated.size === 0) {
          return undefined;
        }
        const m = this.nominated.get(node);
        return m === undefined ? undefined : [...m.values()];
      },
    };
    this.registerHandlers();
  }

  /** Starts informers, waits for their caches, then runs the scheduling loop. */
  async start(signal?: AbortSignal): Promise<boolean> {
    this.factory.start();
    const synced = await this.factory.waitForCacheSync(signal);
    if (!synced) {
      return false;
    }
    this.queue.run();
    this.loop = this.run();
    return true;
  }

  /** Stops the loop and informers and waits for in-flight bindings. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    for (const w of this.backlogWaiters.splice(0)) {
      w();
    }
    await this.loop;
    await Promise.allSettled([...this.bindings]);
    await this.factory.shutdown();
    for (const r of this.recorders.values()) {
      await r.shutdown();
    }
  }

  private acquireBindSlot(): Promise<void> {
    if (this.bindSlots > 0) {
      this.bindSlots--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.bindWaiters.push(resolve));
  }

  private releaseBindSlot(): void {
    this.backlogWaiters.shift()?.();
    const next = this.bindWaiters.shift();
    if (next !== undefined) {
      next();
    } else {
      this.bindSlots++;
    }
  }

  private responsible(pod: RPod): boolean {
    return this.frameworks.has(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  private setNominated(pod: RPod, nodeName: string | undefined): void {
    const key = queueKey(pod);
    for (const [n, m] of this.nominated) {
      if (m.delete(key) && m.size === 0) {
        this.nominated.delete(n);
      }
    }
    if (nodeName !== undefined && nodeName !== '') {
      let m = this.nominated.get(nodeName);
      if (m === undefined) {
        m = new Map();
        this.nominated.set(nodeName, m);
      }
      m.set(key, pod);
    }
  }

  private move(event: ClusterEvent): void {
    this.queue.moveAllToActiveOrBackoff(event);
  }

  private registerHandlers(): void {
    this.podInformer.addEventHandler({
      onAdd: (p) => this.onPod(undefined, p),
      onUpdate: (o, n) => this.onPod(o, n),
      onDelete: (p: PodOrTombstone) => {
        const pod = (isTombstone(p) ? p.obj : p) as RPod;
        if (pod.spec.nodeName !== undefined && pod.spec.nodeName !== '') {
          this.cache.removePod(pod);
          this.move('AssignedPodDelete');
        } else {
          this.queue.delete(pod);
        }
        this.setNominated(pod, undefined);
      },
    });
    this.nodeInformer.addEventHandler({
      onAdd: (n) => {
        this.cache.setNode(n as RNode);
        this.move('NodeAdd');
      },
      onUpdate: (o, n) => {
        this.cache.setNode(n as RNode);
        for (const e of nodeChangeEvents(o as RNode, n as RNode)) {
          this.move(e);
        }
      },
      onDelete: (n) => {
        const node = (isTombstone(n) ? n.obj : n) as RNode;
        this.cache.removeNode(node.metadata.name ?? '');
      },
    });
    this.pvcInformer.addEventHandler({ onAdd: () => this.move('PvcChange'), onUpdate: () => this.move('PvcChange') });
  }

  private onPod(old: RPod | undefined, pod: RPod): void {
    const assigned = pod.spec.nodeName !== undefined && pod.spec.nodeName !== '';
    if (assigned) {
      const wasPending = old === undefined || old.spec.nodeName === undefined || old.spec.nodeName === '';
      this.queue.delete(pod);
      this.setNominated(pod, undefined);
      this.cache.addOrUpdatePod(pod);
      if (wasPending) {
        this.move('AssignedPodAdd');
      } else if (assignedPodUpdateMatters(old, pod)) {
        this.move('AssignedPodUpdate');
      }
      return;
    }
    if (!this.responsible(pod)) {
      return;
    }
    if (pod.metadata.deletionTimestamp !== undefined) {
      this.queue.delete(pod);
      return;
    }
    if ((pod.spec.schedulingGates?.length ?? 0) > 0) {
      return;
    }
    const nominated = pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== '') {
      this.setNominated(pod, nominated);
    }
    if (old === undefined) {
      this.queue.add(pod);
    } else {
      this.queue.update(pod);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const info = this.queue.tryPop() ?? (await this.queue.pop());
      if (info === undefined) {
        break;
      }
      try {
        this.scheduleOne(info);
      } catch (e) {
        this.logger('error', `scheduler: unexpected error scheduling ${podKey(info.pod)}: ${(e as Error).stack ?? String(e)}`);
        this.queue.addUnschedulable(info, this.queue.schedulingCycle, false, this.queue.done(info.key));
      }
      // Let watch events and binding responses in between cycles.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Backpressure: when bindings queue up, wait for one to finish rather than deciding far
      // ahead of what the API server has accepted (decisions stay fresh, attempts stay short).
      while (this.bindWaiters.length >= this.maxBindBacklog && !this.stopped) {
        await new Promise<void>((resolve) => this.backlogWaiters.push(resolve));
      }
    }
  }

  /** One scheduling cycle for one pod (synchronous), then the binding cycle in the background. */
  private scheduleOne(info: QueuedPodInfo): void {
    const pod = info.pod;
    const started = performance.now();
    const cycle = this.queue.schedulingCycle;
    const fwk = this.frameworks.get(pod.spec.schedulerName ?? DEFAULT_SCHEDULER_NAME);
    if (fwk === undefined || pod.metadata.deletionTimestamp !== undefined) {
      this.queue.done(info.key);
      return;
    }
    const state = fwk.newCycleState();
    let nodeName: string;
    try {
      nodeName = schedulePod(fwk, state, pod, this.snapshot, this.pos).nodeName;
    } catch (e) {
      if (e instanceof FitError && fwk.postFilter.length > 0) {
        const r = fwk.runPostFilter(state, pod, e.diagnosis.nodeToStatus, this.snapshot);
        if (r !== undefined) {
          e.diagnosis.postFilterMsg = r.status.message();
          if (r.nominatedNodeName !== undefined) {
            this.preempt(fwk, pod, r.nominatedNodeName, r.victims ?? []);
          }
        }
      }
      this.opts.onAttempt?.(e instanceof FitError ? 'unschedulable' : 'error', fwk.profileName, performance.now() - started);
      this.failed(fwk, info, cycle, e);
      return;
    }
    const assumed = { ...pod, spec: { ...pod.spec, nodeName } } as RPod;
    this.cache.assumePod(assumed, nodeName);
    const rs: Status | undefined = fwk.runReserve(state, assumed, nodeName) ?? fwk.runPermit(state, assumed, nodeName);
    if (rs !== undefined) {
      fwk.runUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed);
      this.failed(fwk, info, cycle, new Error(`running ${rs.plugin} plugin: ${rs.message()}`));
      return;
    }
    this.setNominated(pod, undefined);
    const p = fwk.runBindingCycle(state, assumed, nodeName).then(
      (s) => {
        if (s !== undefined) {
          throw new Error(`binding rejected: running Bind plugin "${s.plugin}": ${s.message()}`);
        }
        this.queue.done(info.key);
        this.recorders.get(fwk.profileName)?.event(pod as DeepReadonly<Pod>, EventType.Normal, 'Scheduled', `Successfully assigned ${podKey(pod)} to ${nodeName}`);
        const ms = performance.now() - started;
        this.opts.onBound?.(pod, nodeName, ms);
        this.opts.onAttempt?.('scheduled', fwk.profileName, ms);
      },
    ).catch((e: unknown) => {
      fwk.runUnreserve(state, assumed, nodeName);
      this.cache.forgetPod(assumed);
      this.move('AssignedPodDelete');
      this.opts.onAttempt?.('error', fwk.profileName, performance.now() - started);
      this.failed(fwk, info, cycle, e);
    });
    this.bindings.add(p);
    void p.finally(() => this.bindings.delete(p));
  }

  /** Deletes the victims (recording Preempted events) and nominates the node for the preemptor. */
  private preempt(fwk: Framework, pod: RPod, nodeName: string, victims: readonly RPod[]): void {
    this.setNominated(pod, nodeName);
    const rec = this.recorders.get(fwk.profileName);
    for (const v of victims) {
      rec?.event(v as DeepReadonly<Pod>, EventType.Normal, 'Preempted', `Preempted by pod ${pod.metadata.uid ?? ''} on node ${nodeName}`);
      this.opts.client
        .delete({ ...pods, namespace: v.metadata.namespace, name: v.metadata.name }, { preconditions: { uid: v.metadata.uid } })
        .catch((e: unknown) => this.logger('warning', `scheduler: preempting ${podKey(v)}: ${(e as Error).message}`));
    }
    this.patchStatus(pod, { status: { nominatedNodeName: nodeName } });
  }

  private failed(fwk: Framework, info: QueuedPodInfo, cycle: number, e: unknown): void {
    const pod = info.pod;
    const latest = this.queue.done(info.key);
    const fit = e instanceof FitError;
    const msg = e instanceof Error ? e.message : String(e);
    if (fit) {
      info.unschedulablePlugins = e.diagnosis.unschedulablePlugins;
    } else {
      this.logger('warning', `scheduler: error scheduling pod ${podKey(pod)}: ${msg}`);
    }
    // A pod deleted or bound meanwhile is not re-queued.
    const current = this.podInformer.lister.get(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    if (current === undefined || current.metadata.uid !== pod.metadata.uid || (current.spec.nodeName ?? '') !== '') {
      return;
    }
    this.queue.addUnschedulable(info, cycle, fit || msg === 'no nodes available to schedule pods', latest);
    this.recorders.get(fwk.profileName)?.event(pod as DeepReadonly<Pod>, EventType.Warning, 'FailedScheduling', msg);
    const reason = fit || msg === 'no nodes available to schedule pods' ? 'Unschedulable' : 'SchedulerError';
    const cond = current.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.status !== 'False' || cond.reason !== reason || cond.message !== msg) {
      this.patchStatus(pod, {
        status: { conditions: [{ type: 'PodScheduled', status: 'False', reason, message: msg, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] },
      });
    }
  }

  private patchStatus(pod: RPod, patch: unknown): void {
    this.opts.client
      .patch({ ...pods, namespace: pod.metadata.namespace, name: pod.metadata.name, subresource: 'status' }, patch, PatchType.StrategicMerge)
      .catch((e: unknown) => this.logger('warning', `scheduler: updating status of ${podKey(pod)}: ${(e as Error).message}`));
  }
}
