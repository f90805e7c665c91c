/**
 * Upstream's polymorphic "pod for object" helpers: `deploy/x`, `rs/x`, `sts/x`, `ds/x`, `job/x`,
 * `rc/x` and `svc/x` stand for one of the pods their selector matches (logs, exec, attach,
 * port-forward), and the default-container rule every pod verb shares.
 */
import type { RestClient } from '../../client/rest.ts';
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorFromMeta, labelSelectorFromSet } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { CliError } from '../command.ts';
import type { Discovery, ResourceMapping } from '../command.ts';

/** The parts of a container spec the pod verbs read. */
export interface ContainerLike {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
}

interface ContainerStatusLike {
  readonly name: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
}

/** The parts of a Pod the pod verbs read. */
export interface PodLike extends KubeObject {
  readonly spec?: {
    readonly nodeName?: string;
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
    readonly ephemeralContainers?: readonly ContainerLike[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly containerStatuses?: readonly ContainerStatusLike[];
  };
}

const podsRef = { group: '', version: 'v1', resource: 'pods' } as const;

/** `kubectl.kubernetes.io/default-container`: the container verbs pick when `-c` is not given. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** Finds a container (regular, init or ephemeral) by name. */
export function findContainer(pod: PodLike, name: string): ContainerLike | undefined {
  const s = pod.spec;
  return s?.containers?.find((c) => c.name === name) ?? s?.initContainers?.find((c) => c.name === name) ?? s?.ephemeralContainers?.find((c) => c.name === name);
}

/** `a, b, c (ephem), d (init)`: the list in upstream's "Defaulted container" message. */
export function allContainerNames(pod: PodLike): string {
  const s = pod.spec;
  return [
    ...(s?.containers ?? []).map((c) => c.name),
    ...(s?.ephemeralContainers ?? []).map((c) => `${c.name} (ephem)`),
    ...(s?.initContainers ?? []).map((c) => `${c.name} (init)`),
  ].join(', ');
}

/**
 * The container named `name`, else the annotated default, else the first one (telling `warn`
 * which was picked when there was a choice), as upstream's FindOrDefaultContainerByName.
 */
export function findOrDefaultContainer(pod: PodLike, name: string | undefined, quiet: boolean, warn: (line: string) => void): ContainerLike {
  if (name !== undefined && name !== '') {
    const c = findContainer(pod, name);
    if (c === undefined) {
      throw new CliError(`container ${name} not found in pod ${pod.metadata.name ?? ''}`);
    }
    return c;
  }
  const containers = pod.spec?.containers ?? [];
  const first = containers[0];
  if (first === undefined) {
    throw new CliError(`pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} does not have any containers`);
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined && annotated !== '') {
    const c = findContainer(pod, annotated);
    if (c !== undefined) {
      return c;
    }
  }
  if (!quiet && (containers.length > 1 || (pod.spec?.initContainers?.length ?? 0) > 0 || (pod.spec?.ephemeralContainers?.length ?? 0) > 0)) {
    warn(`Defaulted container "${first.name}" out of: ${allContainerNames(pod)}\n`);
  }
  return first;
}

function isReady(pod: PodLike): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function maxRestarts(pod: PodLike): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

const phaseRank: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** Orders pods the way upstream picks "the" pod for an object: assigned, running, ready, most restarts, oldest first. */
export function comparePodsForPick(a: PodLike, b: PodLike): number {
  const assigned = (p: PodLike): number => ((p.spec?.nodeName ?? '') !== '' ? 1 : 0);
  if (assigned(a) !== assigned(b)) {
    return assigned(b) - assigned(a);
  }
  const pa = phaseRank[a.status?.phase ?? 'Unknown'] ?? 1;
  const pb = phaseRank[b.status?.phase ?? 'Unknown'] ?? 1;
  if (pa !== pb) {
    return pb - pa;
  }
  if (isReady(a) !== isReady(b)) {
    return isReady(a) ? -1 : 1;
  }
  if (maxRestarts(a) !== maxRestarts(b)) {
    return maxRestarts(b) - maxRestarts(a);
  }
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

interface SelectorHolder extends KubeObject {
  readonly spec?: { readonly selector?: unknown };
}

/** The label selector string of a workload or service (upstream's SelectorsForObject). */
export function selectorForObject(mapping: ResourceMapping, obj: SelectorHolder): string {
  const raw = obj.spec?.selector;
  if (mapping.kind === 'Service' || mapping.kind === 'ReplicationController') {
    const set = (raw ?? {}) as Record<string, string>;
    if (Object.keys(set).length === 0) {
      throw new CliError(`invalid ${mapping.kind === 'Service' ? 'service' : 'replication controller'} '${obj.metadata.name ?? ''}': ${mapping.kind} is defined without a selector`);
    }
    return labelSelectorFromSet(set).toString();
  }
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'].includes(mapping.kind)) {
    return labelSelectorFromMeta(raw as LabelSelectorMeta | undefined).toString();
  }
  throw new CliError(`selector for ${mapping.kind} not implemented`);
}

/** Splits `TYPE/NAME` (or a bare pod name) into its parts. */
export function splitTypeName(arg: string): { readonly type: string; readonly name: string } {
  const i = arg.indexOf('/');
  return i < 0 ? { type: 'pods', name: arg } : { type: arg.slice(0, i), name: arg.slice(i + 1) };
}

/** The pod an argument stands for, plus how many pods matched (upstream reports "Found N pods, using pod/x"). */
export interface PickedPod {
  readonly pod: PodLike;
  readonly matched: number;
  /** True when the argument named a pod directly. */
  readonly direct: boolean;
  /** The label selector the pod was picked with ('' for a pod named directly). */
  readonly selector: string;
}

/**
 * Resolves `NAME` / `pod/NAME` / `TYPE/NAME` in `namespace` to one pod: a pod directly, or
 * the first matching pod of a workload or service (NotFound errors come from the server).
 */
export async function podForArgument(client: RestClient, discovery: Discovery, namespace: string, arg: string, timeoutMs = 20_000): Promise<PickedPod> {
  const { type, name } = splitTypeName(arg);
  if (name === '') {
    throw new CliError(`arguments in resource/name form must have a single resource and name`);
  }
  const mapping = type === 'pods' ? undefined : await discovery.resolve(type);
  if (mapping === undefined || (mapping.group === '' && mapping.resource === 'pods')) {
    return { pod: await client.get<PodLike>({ ...podsRef, namespace, name }), matched: 1, direct: true, selector: '' };
  }
  const obj = await client.get<SelectorHolder>({ group: mapping.group, version: mapping.version, resource: mapping.resource, namespace, name });
  const selector = selectorForObject(mapping, obj);
  // Like upstream's GetFirstPod: no pod yet means waiting (up to the pod-running timeout) for one to appear.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await client.list<PodLike>({ ...podsRef, namespace }, { labelSelector: selector });
    const pods = [...list.items].sort(comparePodsForPick);
    const pod = pods[0];
    if (pod !== undefined) {
      return { pod, matched: pods.length, direct: false, selector };
    }
    if (Date.now() >= deadline) {
      throw new CliError('timed out waiting for the condition');
    }
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}
