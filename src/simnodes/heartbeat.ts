/**
 * What a kubelet does for its Node object, for a whole fleet: register it, keep its Lease in
 * kube-node-lease renewed (PUT with the last resourceVersion, as the kubelet's lease
 * controller), and re-post its status. Every call goes through one QPS-limited client and a
 * concurrency cap; a paused or deleted node is skipped.
 */
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.ts';
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { microTime, PatchType } from '../client/index.ts';
import type { Lister, RestClient, ResourceRef } from '../client/index.ts';
import { NODE_LEASE_NAMESPACE } from './config.ts';
import { rfc3339Now } from '../api/time.ts';
import type { Semaphore, ThrottledLog } from './limits.ts';
import { newNode, nodeStatus } from './node-status.ts';
import type { NodeCondition, NodeShape } from './node-status.ts';
import type { SimNode } from './sim-node.ts';

const nodesRef: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: NODE_LEASE_NAMESPACE };

/** What the heartbeats need from the rest of the fleet. */
export interface HeartbeatDeps {
  readonly client: RestClient;
  /** The node informer's lister (for the conditions last reported). */
  readonly nodes: Lister<KubeObject>;
  readonly shape: NodeShape;
  readonly leaseDurationSeconds: number;
  readonly gate: Semaphore;
  readonly log: ThrottledLog;
}

/** Registration, lease renewal and status reports for simulated nodes. */
export class NodeHeartbeats {
  private readonly deps: HeartbeatDeps;
  /** Counters for the report and tests. */
  readonly stats = { leaseRenewals: 0, leaseFailures: 0, statusReports: 0, statusFailures: 0 };

  constructor(deps: HeartbeatDeps) {
    this.deps = deps;
  }

  /** Creates the Node (or adopts an existing one), posts its status and its Lease. Throws when the API refuses. */
  async register(n: SimNode): Promise<void> {
    const { client, shape, gate } = this.deps;
    // A node this process (or an earlier run) registered is already in the informer cache: adopt it.
    const node = this.deps.nodes.get('', n.name) ?? await gate.run(async () => {
      try {
        return await client.create(nodesRef, newNode(n.name, shape, n.hostIp, rfc3339Now()));
      } catch (e) {
        if (!isAlreadyExists(e)) {
          throw e;
        }
        return await client.get({ ...nodesRef, name: n.name });
      }
    });
    n.uid = node.metadata.uid;
    n.gone = false;
    n.registered = true;
    await this.reportStatus(n, node);
    await this.renewLease(n);
  }

  /** One lease renewal (skipped while a previous one is in flight or the node is paused/gone). */
  async renewLease(n: SimNode): Promise<void> {
    if (n.leaseBusy || n.paused || n.gone || !n.registered) {
      return;
    }
    n.leaseBusy = true;
    try {
      await this.deps.gate.run(() => this.writeLease(n));
      this.stats.leaseRenewals++;
    } catch (e) {
      this.stats.leaseFailures++;
      this.deps.log.warn('node lease renewal', `${n.name}: ${(e as Error).message}`);
    } finally {
      n.leaseBusy = false;
    }
  }

  private leaseBody(n: SimNode): KubeObject {
    const metadata: KubeObject['metadata'] = { name: n.name, namespace: NODE_LEASE_NAMESPACE };
    if (n.leaseRv !== undefined) {
      metadata.resourceVersion = n.leaseRv;
    }
    if (n.uid !== undefined) {
      // As the kubelet: the Node owns its Lease, so deleting the Node collects the Lease.
      metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: n.uid }];
    }
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: { holderIdentity: n.name, leaseDurationSeconds: this.deps.leaseDurationSeconds, renewTime: microTime() },
    };
  }

  /**
   * PUT with the resourceVersion we last wrote; without one (first renewal, or after a
   * conflict) an unconditional PUT, which saves the GET a restart would otherwise cost per
   * node; 404 → create.
   */
  private async writeLease(n: SimNode): Promise<void> {
    const { client } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        const updated = await client.update({ ...leasesRef, name: n.name }, this.leaseBody(n));
        n.leaseRv = updated.metadata.resourceVersion;
        return;
      } catch (e) {
        n.leaseRv = undefined;
        if (isNotFound(e)) {
          const created = await client.create(leasesRef, this.leaseBody(n));
          n.leaseRv = created.metadata.resourceVersion;
          return;
        }
        // Someone else wrote the lease: overwrite it once more, as the kubelet retries.
        if (attempt >= 1 || !isConflict(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * True when the cached Node shows something other than what this kubelet reports (Ready not
   * True, e.g. set Unknown by the node lifecycle controller): the kubelet compares every
   * nodeStatusUpdateFrequency and posts at once on a difference, not only every report period.
   */
  statusDiffers(n: SimNode): boolean {
    const cached = this.deps.nodes.get('', n.name);
    if (cached === undefined) {
      return false; // not in the cache yet (or deleted): registration and the delete handler deal with it
    }
    const conditions = (cached.status as { conditions?: readonly NodeCondition[] } | undefined)?.conditions ?? [];
    return conditions.find((c) => c.type === 'Ready')?.status !== 'True';
  }

  /** Posts the node's full status (conditions Ready with a fresh heartbeat); `known` saves a cache lookup. */
  async reportStatus(n: SimNode, known?: DeepReadonly<KubeObject>): Promise<void> {
    if (n.statusBusy || n.paused || n.gone || !n.registered) {
      return;
    }
    n.statusBusy = true;
    try {
      const cached = known ?? this.deps.nodes.get('', n.name);
      const previous = (cached?.status as { conditions?: NodeCondition[] } | undefined)?.conditions;
      const status = nodeStatus(n.name, this.deps.shape, n.hostIp, previous, rfc3339Now());
      await this.deps.gate.run(() => this.deps.client.patch({ ...nodesRef, name: n.name, subresource: 'status' }, { status }, PatchType.StrategicMerge));
      this.stats.statusReports++;
    } catch (e) {
      this.stats.statusFailures++;
      if (isNotFound(e)) {
        n.gone = true;
      }
      this.deps.log.warn('node status update', `${n.name}: ${(e as Error).message}`);
    } finally {
      n.statusBusy = false;
    }
  }
}
