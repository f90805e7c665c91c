/** Test fixtures for plugin unit tests: pods, nodes, NodeInfos and a Handle over them. */
import type { Handle } from '../framework/interface.ts';
import { NodeInfo, podInfoOf } from '../framework/nodeinfo.ts';
import type { Node, Pod, PodSpec, RNode, RPod } from '../types.ts';

let seq = 0;

/** A pod with one container (requests optional) and the given spec overrides. */
export function makePod(name: string, spec: Partial<PodSpec> = {}, meta: { labels?: Record<string, string>; namespace?: string; requests?: Record<string, string> } = {}): RPod {
  const pod: Pod = {
    metadata: { name, namespace: meta.namespace ?? 'default', uid: `uid-${name}-${++seq}`, labels: meta.labels },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: meta.requests === undefined ? undefined : { requests: meta.requests } }], ...spec },
  };
  return pod as RPod;
}

/** A node with allocatable (default 4 CPU, 8Gi, 110 pods), labels and spec. */
export function makeNode(name: string, opts: { allocatable?: Record<string, string>; labels?: Record<string, string>; spec?: Node['spec']; images?: { names: string[]; sizeBytes: number }[] } = {}): RNode {
  const node: Node = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.spec ?? {},
    status: { allocatable: opts.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' }, images: opts.images },
  };
  return node as RNode;
}

/** A NodeInfo for `node` holding `pods` (their nodeName set). */
export function nodeInfo(node: RNode, pods: readonly RPod[] = []): NodeInfo {
  const n = new NodeInfo(node.metadata.name ?? '');
  n.setNode(node);
  for (const p of pods) {
    n.addPod(podInfoOf({ ...p, spec: { ...p.spec, nodeName: n.name } } as RPod));
  }
  return n;
}

/** A Handle over fixed NodeInfos. */
export function handleOf(nodes: readonly NodeInfo[], nsLabels: Record<string, Record<string, string>> = {}): Handle {
  return {
    nodes: () => nodes,
    node: (name) => nodes.find((n) => n.name === name),
    nodesWithAffinityPods: () => nodes.filter((n) => n.podsWithAffinity.length > 0),
    imageNodeCount: (img) => nodes.filter((n) => n.images.has(img)).length,
    namespaceLabels: (ns) => nsLabels[ns],
    claim: () => undefined,
  };
}
