/**
 * What upstream's admission plugins do to a new Pod that needs other objects: Priority
 * (priorityClassName → priority and preemptionPolicy, the global default class) and
 * ServiceAccount (the `kube-api-access-xxxxx` projected token volume and its mounts).
 */
import { randomInt } from 'node:crypto';
import { forbidden } from '../../api/errors.ts';
import { addServiceAccountTokenVolume } from '../../api/defaults/index.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { decodeObject, objectKey, resourcePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { apiObjectReference } from '../../api/pod-references.ts';

/** The classes upstream's scheduling bootstrap creates; resolved even before they exist. */
export const systemPriorityClasses: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** The PriorityClass objects of systemPriorityClasses, as upstream's bootstrap writes them. */
export function systemPriorityClassObjects(): KubeObject[] {
  return Object.entries(systemPriorityClasses).map(([name, value]) => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    description: name === 'system-node-critical' ? 'Used for system critical pods that must not be moved from their current node.' : 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    preemptionPolicy: 'PreemptLowerPriority',
  }));
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) {
    s += suffixAlphabet[randomInt(suffixAlphabet.length)];
  }
  return s;
}

/** An object as the (fresh) watch cache holds it, else straight from the store; undefined if absent. */
export async function readObject(core: RegistryCore, desc: ResourceDescription, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  const key = objectKey(desc, namespace, name);
  const cache = await core.freshCache(desc);
  return cache !== undefined ? cache.get(key) : core.storage.get(key).then((kv) => (kv === undefined ? undefined : decodeObject(kv)));
}

async function globalDefaultClass(core: RegistryCore, desc: ResourceDescription): Promise<KubeObject | undefined> {
  const cache = await core.freshCache(desc);
  const all = cache !== undefined ? cache.list(resourcePrefix(desc)) : (await core.storage.list(resourcePrefix(desc))).items.map(decodeObject).filter((o): o is KubeObject => o !== undefined);
  // Upstream picks the lowest value when several classes claim to be the default.
  return all.filter((pc) => pc.globalDefault === true).sort((a, b) => Number(a.value) - Number(b.value))[0];
}

interface PodSpecSlice {
  priorityClassName?: string;
  priority?: number | null;
  preemptionPolicy?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

function podForbidden(pod: KubeObject, message: string): never {
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  throw forbidden(`pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
}

/** Upstream's Priority admission: resolves priorityClassName (403 when the class is missing) or the global default. */
export async function admitPodPriority(core: RegistryCore, pod: KubeObject): Promise<void> {
  const spec = (pod.spec ??= {}) as PodSpecSlice;
  const desc = core.lookup('scheduling.k8s.io', 'priorityclasses');
  const className = spec.priorityClassName ?? '';
  let value: number;
  let policy = 'PreemptLowerPriority';
  if (className === '') {
    const def = desc === undefined ? undefined : await globalDefaultClass(core, desc);
    if (def === undefined) {
      value = 0;
    } else {
      spec.priorityClassName = def.metadata.name;
      value = Number(def.value ?? 0);
      policy = typeof def.preemptionPolicy === 'string' ? def.preemptionPolicy : policy;
    }
  } else {
    const pc = desc === undefined ? undefined : await readObject(core, desc, undefined, className);
    if (pc !== undefined) {
      value = Number(pc.value ?? 0);
      policy = typeof pc.preemptionPolicy === 'string' ? pc.preemptionPolicy : policy;
    } else if (className in systemPriorityClasses) {
      value = systemPriorityClasses[className];
    } else {
      podForbidden(pod, `no PriorityClass with name ${className} was found`);
    }
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    podForbidden(pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
    podForbidden(pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = policy;
}

/** Upstream's ServiceAccount admission mount: the token volume unless the pod or its ServiceAccount opts out. */
export async function admitPodServiceAccount(core: RegistryCore, pod: KubeObject): Promise<void> {
  const spec = (pod.spec ??= {}) as PodSpecSlice;
  if (spec.automountServiceAccountToken === undefined) {
    const saDesc = core.lookup('', 'serviceaccounts');
    const saName = spec.serviceAccountName === undefined || spec.serviceAccountName === '' ? 'default' : spec.serviceAccountName;
    const sa = saDesc === undefined ? undefined : await readObject(core, saDesc, pod.metadata.namespace, saName);
    if (sa?.automountServiceAccountToken === false) {
      return;
    }
  }
  addServiceAccountTokenVolume(pod as Parameters<typeof addServiceAccountTokenVolume>[0], randomSuffix());
}

/** True for the core/v1 pods description. */
export function isPods(desc: ResourceDescription): boolean {
  return desc.group === '' && desc.resource === 'pods';
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * Upstream's NodeRestriction for a pod a node creates: only mirror pods of static pods, bound to
 * the node itself, owned by nothing but its Node, and referencing no API object — otherwise a
 * node could name any secret in a pod and then read it through the Node authorizer's graph.
 */
export function admitNodePodCreate(node: string, pod: KubeObject): void {
  const spec = (pod.spec ?? {}) as PodSpecSlice & { nodeName?: string };
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] === undefined) {
    podForbidden(pod, `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
  }
  if (spec.nodeName !== node) {
    podForbidden(pod, `node "${node}" can only create pods with spec.nodeName set to itself`);
  }
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.some((o) => o.kind !== 'Node' || o.name !== node || o.apiVersion !== 'v1')) {
    podForbidden(pod, `node "${node}" can only create pods with an owner reference set to itself`);
  }
  let resource: string | undefined;
  try {
    resource = apiObjectReference(pod);
  } catch (e) {
    podForbidden(pod, `node "${node}" can not create pods that reference API objects: ${(e as Error).message}`);
  }
  if (resource !== undefined) {
    podForbidden(pod, `node "${node}" can not create pods that reference ${resource}`);
  }
}

/** Runs the Pod admission steps of a create (call before the write pipeline); `node` when a node identity creates it. */
export async function admitNewPod(core: RegistryCore, desc: ResourceDescription, pod: KubeObject, node?: string): Promise<void> {
  if (!isPods(desc)) {
    return;
  }
  if (node !== undefined) {
    admitNodePodCreate(node, pod);
  }
  await admitPodPriority(core, pod);
  // Upstream's ServiceAccount admission leaves mirror pods alone: the kubelet compares the
  // mirror's spec with its static pod's and would replace a mirror that gained a token volume.
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] === undefined) {
    await admitPodServiceAccount(core, pod);
  }
}
