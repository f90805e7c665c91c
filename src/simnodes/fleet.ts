/**
 * A fleet of simulated kubelets in one process (like KWOK): registers `count` Nodes, keeps
 * their Leases and statuses fresh on spread-out timers, and plays the kubelet for pods bound
 * to them. One node informer (label sim.k8ts.dev/node=true) and one pod informer (all pods,
 * indexed by our node names) feed everything; one QPS-limited client carries every write.
 */
import type { KubeObject } from '../api/object.ts';
import { isTombstone, RestClient, SharedInformer, stderrLogger } from '../client/index.ts';
import { leaseRenewIntervalMs, SIM_NODE_LABEL } from './config.ts';
import type { SimNodesOptions } from './config.ts';
import { NodeHeartbeats } from './heartbeat.ts';
import { PodIpam } from './ipam.ts';
import { Semaphore, ThrottledLog } from './limits.ts';
import { hostIpFor } from './node-status.ts';
import type { PodLike } from './pod-status.ts';
import { PodSimulator, SIM_NODE_INDEX, simNodeIndex } from './pods.ts';
import { Rotation } from './rotation.ts';
import { isPausedNode, newSimNode, podCidrsOf } from './sim-node.ts';
import type { SimNode } from './sim-node.ts';

/** At most this many heartbeat/registration calls in flight at once (the QPS limit paces them further). */
const MAX_IN_FLIGHT = 64;

/** A running fleet: `stop()` ends it (Nodes and Leases stay, as when kubelets stop). */
export interface SimFleet {
  readonly nodes: ReadonlyMap<string, SimNode>;
  readonly heartbeats: NodeHeartbeats;
  /** Resolves once every node is registered (or its registration failed and was logged). */
  readonly registered: Promise<void>;
  stop(): Promise<void>;
}

/** Node names of the fleet: `<prefix>0` … `<prefix>(count-1)`. */
export function fleetNodeNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/** Starts the fleet; resolves once the informers have synced and heartbeats are scheduled. */
export async function startSimFleet(opts: SimNodesOptions): Promise<SimFleet> {
  const logger = opts.logger ?? stderrLogger;
  const log = new ThrottledLog(logger);
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'sim-nodes', qps: opts.qps, burst: opts.burst, logger });
  const nodes = new Map<string, SimNode>();
  fleetNodeNames(opts.namePrefix, opts.count).forEach((name, i) => nodes.set(name, newSimNode(name, i, hostIpFor(opts.namePrefix, i))));

  const nodeInformer = new SharedInformer<KubeObject>({ client, resource: { group: '', version: 'v1', resource: 'nodes' }, labelSelector: `${SIM_NODE_LABEL}=true`, logger });
  const podInformer = new SharedInformer<PodLike>({
    client,
    resource: { group: '', version: 'v1', resource: 'pods' },
    indexers: { [SIM_NODE_INDEX]: simNodeIndex(nodes) },
    logger,
  });
  const gate = new Semaphore(MAX_IN_FLIGHT);
  const heartbeats = new NodeHeartbeats({ client, nodes: nodeInformer.lister, shape: opts, leaseDurationSeconds: opts.leaseDurationSeconds, gate, log });
  const pods = new PodSimulator({ client, pods: podInformer, nodes, ipam: new PodIpam(opts.fallbackPodCidr), terminationDelayMs: opts.terminationDelayMs, log, logger });

  nodeInformer.addEventHandler({
    onAdd: (obj) => observeNode(obj),
    onUpdate: (_old, obj) => observeNode(obj),
    onDelete: (obj) => {
      const node = nodes.get((isTombstone(obj) ? obj.obj : obj).metadata.name ?? '');
      if (node !== undefined && node.registered) {
        logger('warning', `node ${node.name} was deleted; its simulated kubelet stops (restart sim-nodes to register it again)`);
        node.gone = true;
      }
    },
  });
  function observeNode(obj: Parameters<typeof isPausedNode>[0]): void {
    const node = nodes.get(obj.metadata.name ?? '');
    if (node === undefined) {
      return;
    }
    node.uid = obj.metadata.uid;
    node.podCidrs = podCidrsOf(obj);
    const paused = isPausedNode(obj);
    if (paused !== node.paused) {
      node.paused = paused;
      logger('info', `node ${node.name}: heartbeats ${paused ? 'paused' : 'resumed'}`);
      if (!paused) {
        // Back to life: heartbeat now rather than at the next slot, and catch up on its pods.
        void heartbeats.renewLease(node);
        void heartbeats.reportStatus(node);
        pods.enqueueNode(node.name);
      }
    }
  }

  nodeInformer.start();
  podInformer.start();
  const stopInformers = async (): Promise<void> => {
    await Promise.all([nodeInformer.stop(), podInformer.stop()]);
    client.close();
  };
  if (!(await nodeInformer.waitForSync()) || !(await podInformer.waitForSync())) {
    await stopInformers();
    throw new Error('sim-nodes: informers stopped before syncing');
  }

  /** Registers a node (again after a failure); true when it is registered. */
  const register = async (n: SimNode): Promise<boolean> => {
    if (n.registering || n.registered) {
      return n.registered;
    }
    n.registering = true;
    try {
      await heartbeats.register(n);
      pods.enqueueNode(n.name);
    } catch (e) {
      log.warn('node registration', `${n.name}: ${(e as Error).message}`);
    } finally {
      n.registering = false;
    }
    return n.registered;
  };
  // A node whose registration failed is retried on its lease slot.
  // Each lease slot (10 s) is also the kubelet's nodeStatusUpdateFrequency check: post status at once when it differs.
  const leases = new Rotation<SimNode>(leaseRenewIntervalMs(opts.leaseDurationSeconds), 100, (n) => {
    if (!n.registered) {
      void register(n);
      return;
    }
    void heartbeats.renewLease(n);
    if (!n.paused && heartbeats.statusDiffers(n)) {
      void heartbeats.reportStatus(n);
    }
  });
  const statuses = new Rotation<SimNode>(opts.statusReportFrequencyMs, 1000, (n) => void heartbeats.reportStatus(n));
  for (const n of nodes.values()) {
    leases.add(n, n.index);
    statuses.add(n, n.index);
  }
  const workersDone = pods.run(opts.workers);
  const registered = Promise.all([...nodes.values()].map(register)).then(() => {
    const ok = [...nodes.values()].filter((n) => n.registered).length;
    logger('info', `sim-nodes: ${ok}/${nodes.size} nodes registered`);
  });
  leases.start();
  statuses.start();

  let stopped: Promise<void> | undefined;
  return {
    nodes,
    heartbeats,
    registered,
    stop() {
      stopped ??= (async () => {
        leases.stop();
        statuses.stop();
        pods.stop();
        await workersDone;
        await stopInformers();
      })();
      return stopped;
    },
  };
}
