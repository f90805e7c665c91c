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

  /** Adds or replaces a node. */
  setNode(node: RNode): void {
    const n = this.nodeInfo(node.metadata.name ?? '');
    if (n.node === undefined) {
      this.listDirty = true;
    }
    n.setNode(node);
  }

  /** Removes a node (its pods' bookkeeping stays until they are deleted). */
  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (n === undefined) {
      return;
    }
    n.node = undefined;
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
    this.nodeInfo(nodeName).addPod(podInfoOf(pod));
    this.pods.set(key, { pod, nodeName, assumed: true });
  }

  /** Undoes assumePod (the binding failed). */
  forgetPod(pod: RPod): void {
    const key = this.uid(pod);
    const st = this.pods.get(key);
    if (st?.assumed === true) {
      this.nodes.get(st.nodeName)?.removePod(st.pod);
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
      this.nodes.get(st.nodeName)?.removePod(st.pod);
    }
    this.nodeInfo(nodeName).addPod(podInfoOf(pod));
    this.pods.set(key, { pod, nodeName, assumed: false });
  }

  /** A bound pod went away. */
  removePod(pod: RPod): void {
    const key = this.uid(pod);
    const st = this.pods.get(key);
    if (st === undefined) {
      return;
    }
    const n = this.nodes.get(st.nodeName);
    n?.removePod(st.pod);
    if (n !== undefined && n.node === undefined && n.pods.length === 0) {
      this.nodes.delete(st.nodeName);
    }
    this.pods.delete(key);
  }

  /** Number of pods known (bound + assumed). */
  podCount(): number {
    return this.pods.size;
  }
}
