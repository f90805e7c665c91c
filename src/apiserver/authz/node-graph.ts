/**
 * The object graph behind the Node authorizer (upstream's node graph, reduced to what k8ts
 * serves): which secrets, configmaps, PVCs, PVs and service accounts each node's pods use. A
 * kubelet may read an object only when a pod bound to its node references it, so one
 * compromised node cannot read every secret in the cluster. Fed by watches on the apiserver's
 * own registry (pods and PVCs), like the RBAC policy cache: the authorizer never reads the store.
 */
import type { KubeObject } from '../../api/object.ts';
import type { Registry, WatchEventType } from '../registry/types.ts';
import { RegistryMirror } from './registry-mirror.ts';
import { podReferences } from '../../api/pod-references.ts';
import type { PodRef } from '../../api/pod-references.ts';

type Ref = PodRef;

const ref = (resource: string, namespace: string, name: string): Ref => `${resource}/${namespace}/${name}`;

/** Per-node reference counts, kept current from pod and PVC events. */
export class NodeGraph {
  /** pod key → [node, refs] as last indexed. */
  readonly #pods = new Map<string, { uid: string | undefined; node: string; refs: Ref[] }>();
  /** node → ref → number of that node's pods holding it. */
  readonly #byNode = new Map<string, Map<Ref, number>>();
  /** `namespace/claim` → bound PersistentVolume name. */
  readonly #claimVolume = new Map<string, string>();
  readonly #mirror = new RegistryMirror();

  /** Whether a pod bound to `node` references `resource` `namespace/name` (PVs: through a bound claim). */
  references(node: string, resource: string, namespace: string, name: string): boolean {
    const refs = this.#byNode.get(node);
    if (refs === undefined) {
      return false;
    }
    if (resource !== 'persistentvolumes') {
      return refs.has(ref(resource, namespace, name));
    }
    for (const r of refs.keys()) {
      if (r.startsWith('persistentvolumeclaims/')) {
        const [, ns = '', claim = ''] = r.split('/');
        if (this.#claimVolume.get(`${ns}/${claim}`) === name) {
          return true;
        }
      }
    }
    return false;
  }

  /** Applies one pod event. */
  applyPod(type: WatchEventType, obj: KubeObject): void {
    const pod = obj as KubeObject & { spec?: { nodeName?: string } };
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const before = this.#pods.get(key);
    const node = pod.spec?.nodeName ?? '';
    // What a pod references is immutable once it exists, so, as upstream's graph populator, only a
    // new pod (uid) or a binding changes the graph: every status write skips the walk.
    if (type === 'MODIFIED' && before !== undefined && before.uid === pod.metadata.uid && before.node === node) {
      return;
    }
    if (before !== undefined) {
      this.#count(before.node, before.refs, -1);
      this.#pods.delete(key);
    }
    if (type === 'DELETED') {
      return;
    }
    // Unbound pods are kept too (node ''), so "bound to no node" differs from "not seen yet".
    const refs = node === '' ? [] : podReferences(pod);
    this.#pods.set(key, { uid: pod.metadata.uid, node, refs });
    this.#count(node, refs, 1);
  }

  /** The node a pod is bound to ('' when unbound), or undefined when the graph has not seen the pod. */
  podNode(namespace: string, name: string): string | undefined {
    return this.#pods.get(`${namespace}/${name}`)?.node;
  }

  /** Applies one PersistentVolumeClaim event. */
  applyClaim(type: WatchEventType, claim: KubeObject): void {
    const key = `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
    const volume = (claim as { spec?: { volumeName?: string } }).spec?.volumeName ?? '';
    if (type === 'DELETED' || volume === '') {
      this.#claimVolume.delete(key);
    } else {
      this.#claimVolume.set(key, volume);
    }
  }

  #count(node: string, refs: readonly Ref[], delta: number): void {
    if (refs.length === 0) {
      return;
    }
    let m = this.#byNode.get(node);
    if (m === undefined) {
      m = new Map();
      this.#byNode.set(node, m);
    }
    for (const r of refs) {
      const n = (m.get(r) ?? 0) + delta;
      if (n > 0) {
        m.set(r, n);
      } else {
        m.delete(r);
      }
    }
    if (m.size === 0) {
      this.#byNode.delete(node);
    }
  }

  /** Loads pods and claims and keeps them current; resolves once the initial lists are in. */
  async start(registry: Registry): Promise<void> {
    await Promise.all([
      this.#mirror.mirror(registry, '', 'v1', 'pods', { reset: () => { this.#pods.clear(); this.#byNode.clear(); }, apply: (t, o) => this.applyPod(t, o) }),
      this.#mirror.mirror(registry, '', 'v1', 'persistentvolumeclaims', { reset: () => this.#claimVolume.clear(), apply: (t, o) => this.applyClaim(t, o) }),
    ]);
  }

  close(): void {
    this.#mirror.close();
  }
}
