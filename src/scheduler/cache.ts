/**
 * The scheduler cache (upstream internal/cache): NodeInfos for every node with the pods bound
 * to them, plus pods the scheduler has assumed (placed in memory before the binding is
 * written). An assumed pod is confirmed when the informer shows it bound, and forgotten if
 * the binding fails. The cache is only changed between cycles (one thread), so the node list
 * a cycle reads is a consistent snapshot without copying.
 */
import { NodeInfo, podInfoOf } from './framework/nodeinfo.ts';
import type { RNode, RPod } from './types.ts';

interface PodState {
  pod: RPod;
  nodeName: string;
  assumed: boolean;
}

/** Nodes and the pods placed on them, bound or assumed. */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private list: NodeInfo[] = [];
  private readonly withAffinity = new Set<NodeInfo>();
  private readonly imageCounts = new Map<string, number>();
  private listDirty = true;

  private uid(pod: RPod): string {
    return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  }

  private nodeInfo(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (n === undefined) {
      // Pods can arrive before their node: keep them on a node-less NodeInfo (not listed).
      n = new NodeInfo(name);
      this.nodes.set(name, n);
    }
    return n;
  }

  private countImages(n: NodeInfo, by: number): void {
    for (const img of n.images.keys()) {
      const c = (this.imageCounts.get(img) ?? 0) + by;
      if (c <= 0) {
        this.imageCounts.delete(img);
      } else {
        this.imageCounts.set(img, c);
      }
    }
  }

  private trackAffinity(n: NodeInfo): void {
    if (n.podsWithAffinity.length > 0) {
      this.withAffinity.add(n);
    } else {
      this.withAffinity.delete(n);
    }
  }

  /** Adds or replaces a node. */
  setNode(node: RNode): void {
    const n = this.nodeInfo(node.metadata.name ?? '');
    if (n.node === undefined) {
      this.listDirty = true;
    } else {
      this.countImages(n, -1);
    }
    n.setNode(node);
    this.countImages(n, 1);
  }

  /** Nodes with pods that carry (anti-)affinity terms. */
  nodesWithAffinityPods(): Iterable<NodeInfo> {
    return this.withAffinity;
  }

  /** Number of nodes holding `image`. */
  imageNodeCount(image: string): number {
    return this.imageCounts.get(image) ?? 0;
  }

  /** Removes a node (its pods' bookkeeping stays until they are deleted). */
  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (n === undefined) {
      return;
    }
    this.countImages(n, -1);
    n.unsetNode();
    if (n.pods.length === 0) {
      this.nodes.delete(name);
    }
    this.listDirty = true;
  }

  /** The nodes a cycle may choose from, in a stable order. */
  nodeList(): readonly NodeInfo[] {
    if (this.listDirty) {
      this.list = [...this.nodes.values()].filter((n) => n.node !== undefined);
      this.listDirty = false;
    }
    return this.list;
  }

  /** One listed node. */
  getNode(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node === undefined ? undefined : n;
  }

  /** Number of nodes with a Node object. */
  nodeCount(): number {
    return this.nodeList().length;
  }

  /** Places a pod on `nodeName` in memory before its binding is written. */
  assumePod(pod: RPod, nodeName: string): void {
    const key = this.uid(pod);
    if (this.pods.has(key)) {
      throw new Error(`pod ${key} is in the cache, so can't be assumed`);
    }
    const n = this.nodeInfo(nodeName);
    n.addPod(podInfoOf(pod));
    this.trackAffinity(n);
    this.pods.set(key, { pod, nodeName, assumed: true });
  }

  /** Undoes assumePod (the binding failed). */
  forgetPod(pod: RPod): void {
    const key = this.uid(pod);
    const st = this.pods.get(key);
    if (st?.assumed === true) {
      this.detach(st);
      this.pods.delete(key);
    }
  }

  /** True while the pod is assumed and not yet seen bound. */
  isAssumed(pod: RPod): boolean {
    return this.pods.get(this.uid(pod))?.assumed === true;
  }

  /** A bound pod appeared or changed (informer): confirm an assumed pod, or (re)place it. */
  addOrUpdatePod(pod: RPod): void {
    const nodeName = pod.spec.nodeName ?? '';
    const key = this.uid(pod);
    const st = this.pods.get(key);
    if (st !== undefined) {
      this.detach(st);
    }
    const n = this.nodeInfo(nodeName);
    n.addPod(podInfoOf(pod));
    this.trackAffinity(n);
    this.pods.set(key, { pod, nodeName, assumed: false });
  }

  /** A bound pod went away. */
  removePod(pod: RPod): void {
    const key = this.uid(pod);
    const st = this.pods.get(key);
    if (st === undefined) {
      return;
    }
    this.detach(st);
    this.pods.delete(key);
  }

  private detach(st: PodState): void {
    const n = this.nodes.get(st.nodeName);
    if (n === undefined) {
      return;
    }
    n.removePod(st.pod);
    this.trackAffinity(n);
    if (n.node === undefined && n.pods.length === 0) {
      this.nodes.delete(st.nodeName);
      this.withAffinity.delete(n);
    }
  }

  /** Number of pods known (bound + assumed). */
  podCount(): number {
    return this.pods.size;
  }
}
