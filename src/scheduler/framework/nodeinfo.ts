/**
 * NodeInfo: what the scheduler knows about one node — the Node object, the pods on it
 * (bound or assumed), their summed requests, host ports in use, and image sizes.
 */
import type { DeepReadonly } from '../../api/object.ts';
import type { RNode, RPod, Taint } from '../types.ts';
import { addResource, cloneResource, emptyResource, podRequests, resourceFromList } from './resource.ts';
import type { PodRequests, Resource } from './resource.ts';

/** One pod placed on a node, with its requests computed once. */
export interface PodInfo {
  readonly pod: RPod;
  readonly req: PodRequests;
  readonly hasAffinity: boolean;
  readonly hasRequiredAntiAffinity: boolean;
  /** Host ports the pod takes (worked out once: the pod is added and removed again as it is confirmed). */
  readonly ports: readonly HostPort[];
}

/** Wraps a pod with its precomputed scheduling facts. */
export function podInfoOf(pod: RPod): PodInfo {
  const a = pod.spec.affinity;
  const anti = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  const hasAffinity = a !== undefined && (a.podAffinity !== undefined || a.podAntiAffinity !== undefined);
  return { pod, req: podRequests(pod), hasAffinity, hasRequiredAntiAffinity: anti, ports: hostPortsOf(pod) };
}

/** A host port in use: protocol, IP ('0.0.0.0' = all) and port. */
export interface HostPort {
  readonly protocol: string;
  readonly ip: string;
  readonly port: number;
}

/** Aggregated state of one node, updated incrementally as pods come and go. */
export class NodeInfo {
  readonly name: string;
  node: RNode | undefined;
  allocatable: Resource = emptyResource();
  readonly pods: PodInfo[] = [];
  /** Pods with any (anti-)affinity, for InterPodAffinity. */
  readonly podsWithAffinity: PodInfo[] = [];
  readonly requested: Resource = emptyResource();
  /** Requests with missing CPU/memory defaulted, as scoring uses them. */
  readonly nonZeroRequested: Resource = emptyResource();
  readonly usedPorts: HostPort[] = [];
  /** Image name → size in bytes (from node.status.images). */
  images = new Map<string, number>();
  /** Bumped on every change. */
  generation = 0;
  /**
   * node.spec.unschedulable and node.spec.taints (undefined when none), kept on this object: the
   * per-node filters and scores read them here instead of reaching into the Node object each time.
   */
  unschedulable = false;
  taints: readonly DeepReadonly<Taint>[] | undefined = undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Sets (or replaces) the Node object. */
  setNode(node: RNode): void {
    this.node = node;
    this.unschedulable = node.spec?.unschedulable === true;
    const taints = node.spec?.taints;
    this.taints = taints !== undefined && taints.length > 0 ? taints : undefined;
    this.allocatable = resourceFromList(node.status?.allocatable);
    const images = new Map<string, number>();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) {
        images.set(n, img.sizeBytes ?? 0);
      }
    }
    this.images = images;
    this.generation++;
  }

  /** Forgets the Node object (deleted); pods stay until they go. */
  unsetNode(): void {
    this.node = undefined;
    this.unschedulable = false;
    this.taints = undefined;
    this.generation++;
  }

  /** Labels of the node ({} when unknown). */
  get labels(): Readonly<Record<string, string>> {
    return this.node?.metadata.labels ?? {};
  }

  /** Adds a pod's requests, ports and affinity bookkeeping. */
  addPod(info: PodInfo): void {
    this.pods.push(info);
    if (info.hasAffinity) {
      this.podsWithAffinity.push(info);
    }
    addResource(this.requested, info.req.requests);
    addResource(this.nonZeroRequested, info.req.nonZero);
    for (const p of info.ports) {
      this.usedPorts.push(p);
    }
    this.generation++;
  }

  /** Removes the pod with this uid (or namespace/name); false if it was not here. */
  removePod(pod: RPod): boolean {
    const uid = pod.metadata.uid;
    const i = this.pods.findIndex((p) => (uid !== undefined && uid !== '' ? p.pod.metadata.uid === uid : p.pod.metadata.name === pod.metadata.name && p.pod.metadata.namespace === pod.metadata.namespace));
    if (i < 0) {
      return false;
    }
    const [info] = this.pods.splice(i, 1);
    const j = this.podsWithAffinity.indexOf(info);
    if (j >= 0) {
      this.podsWithAffinity.splice(j, 1);
    }
    addResource(this.requested, info.req.requests, -1);
    addResource(this.nonZeroRequested, info.req.nonZero, -1);
    for (const p of info.ports) {
      const k = this.usedPorts.findIndex((u) => u.port === p.port && u.protocol === p.protocol && u.ip === p.ip);
      if (k >= 0) {
        this.usedPorts.splice(k, 1);
      }
    }
    this.generation++;
    return true;
  }

  /** An independent copy (preemption simulates removals on it). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.unschedulable = this.unschedulable;
    c.taints = this.taints;
    c.allocatable = this.allocatable;
    c.images = this.images;
    c.pods.push(...this.pods);
    c.podsWithAffinity.push(...this.podsWithAffinity);
    Object.assign(c.requested, cloneResource(this.requested));
    Object.assign(c.nonZeroRequested, cloneResource(this.nonZeroRequested));
    c.usedPorts.push(...this.usedPorts);
    c.generation = this.generation;
    return c;
  }
}

const noPorts: readonly HostPort[] = [];

/** The host ports a pod asks for (containers and init containers). */
export function hostPortsOf(pod: RPod): readonly HostPort[] {
  const out = containerHostPorts(pod.spec.containers, undefined);
  return (pod.spec.initContainers === undefined ? out : containerHostPorts(pod.spec.initContainers, out)) ?? noPorts;
}

function containerHostPorts(containers: RPod['spec']['containers'], into: HostPort[] | undefined): HostPort[] | undefined {
  let out = into;
  for (const c of containers) {
    if (c.ports === undefined) {
      continue;
    }
    for (const p of c.ports) {
      if (p.hostPort !== undefined && p.hostPort > 0) {
        out ??= [];
        out.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP === undefined || p.hostIP === '' ? '0.0.0.0' : p.hostIP, port: p.hostPort });
      }
    }
  }
  return out;
}
