/**
 * Resource arithmetic for scheduling: quantities parsed once into plain numbers (milli-CPU,
 * bytes, counts), pod requests computed as upstream's resource.PodRequests (containers +
 * sidecars vs. init containers, plus pod overhead), memoised per (frozen) pod object.
 */
import { parseQuantity } from '../../api/quantity.ts';
import type { RPod } from '../types.ts';

/** A set of resource amounts: CPU in millicores, the rest in base units. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pods allowed (allocatable only). */
  allowedPodNumber: number;
  /** Extended and hugepages resources by name. */
  scalar: Map<string, number> | undefined;
}

/** A zero resource set. */
export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: undefined };
}

/** A copy of `r`. */
export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: r.scalar === undefined ? undefined : new Map(r.scalar) };
}

/** `into += r * sign`. */
export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  if (r.scalar !== undefined) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) {
      into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
    }
  }
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar !== undefined) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) {
      into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
    }
  }
}

function amount(name: string, v: string | number): number {
  // Pods repeat a handful of spellings ('100m', '500Mi'): parse each once (no key string built per lookup).
  const milli = name === 'cpu';
  const amounts = milli ? milliAmounts : baseAmounts;
  const known = typeof v === 'string' ? amounts.get(v) : undefined;
  if (known !== undefined) {
    return known;
  }
  let n: number;
  try {
    const q = parseQuantity(v);
    n = milli ? q.milliValue() : q.value();
  } catch {
    n = 0;
  }
  if (typeof v === 'string') {
    if (amounts.size >= maxRememberedAmounts) {
      amounts.clear();
    }
    amounts.set(v, n);
  }
  return n;
}

/** Parsed quantity spellings, in milli-units (cpu) and in base units (the rest); bounded: cleared when full. */
const milliAmounts = new Map<string, number>();
const baseAmounts = new Map<string, number>();
const maxRememberedAmounts = 2048;

/** True for resources the scheduler counts as scalar (extended, hugepages, attachable volumes). */
export function isScalarResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.'));
}

/** Parses a ResourceList into a Resource (pods → allowedPodNumber). */
export function resourceFromList(list: Readonly<Record<string, string | number>> | undefined): Resource {
  const r = emptyResource();
  if (list === undefined) {
    return r;
  }
  for (const name of Object.keys(list)) {
    const v = amount(name, list[name]);
    switch (name) {
      case 'cpu':
        r.milliCPU = v;
        break;
      case 'memory':
        r.memory = v;
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage = v;
        break;
      case 'pods':
        r.allowedPodNumber = v;
        break;
      default:
        if (isScalarResourceName(name)) {
          r.scalar ??= new Map();
          r.scalar.set(name, v);
        }
    }
  }
  return r;
}

/** Upstream's defaults for containers without CPU/memory requests, used only for scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A pod's requests, and the same with missing CPU/memory requests defaulted (for scoring). */
export interface PodRequests {
  readonly requests: Resource;
  readonly nonZero: Resource;
}

const memo = new WeakMap<object, PodRequests>();

function containerRequests(c: { readonly resources?: { readonly requests?: Readonly<Record<string, string | number>> } }, nonZero: boolean): Resource {
  const r = resourceFromList(c.resources?.requests);
  if (nonZero) {
    const req = c.resources?.requests;
    if (req?.cpu === undefined) {
      r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    }
    if (req?.memory === undefined) {
      r.memory = DEFAULT_MEMORY_REQUEST;
    }
  }
  return r;
}

function compute(pod: RPod, nonZero: boolean): Resource {
  const total = emptyResource();
  for (const c of pod.spec.containers) {
    addResource(total, containerRequests(c, nonZero));
  }
  // Sidecars (restartable init containers) run alongside everything after them; a regular
  // init container needs its own request plus the sidecars already started.
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResource(sidecars, r);
      maxInto(initMax, cloneResource(sidecars));
    } else {
      addResource(r, sidecars);
      maxInto(initMax, r);
    }
  }
  addResource(total, sidecars);
  maxInto(total, initMax);
  if (pod.spec.overhead !== undefined) {
    addResource(total, resourceFromList(pod.spec.overhead));
  }
  return total;
}

/**
 * The pod's requests (memoised; cached pods are frozen, so this is safe). Keyed by the
 * containers array when that is all the requests depend on: the assumed copy of a pod shares
 * it with the queued pod, so a scheduled pod's requests are computed once, not twice.
 */
export function podRequests(pod: RPod): PodRequests {
  // Filters and scores ask for the same pod once per node: answer repeats without a WeakMap lookup.
  if (pod === lastPod && lastRequests !== undefined) {
    return lastRequests;
  }
  const r = lookupRequests(pod);
  lastPod = pod;
  lastRequests = r;
  return r;
}

let lastPod: RPod | undefined;
let lastRequests: PodRequests | undefined;

function lookupRequests(pod: RPod): PodRequests {
  const key: object = pod.spec.initContainers === undefined && pod.spec.overhead === undefined && Object.isFrozen(pod.spec.containers) ? pod.spec.containers : pod;
  let r = memo.get(key);
  if (r === undefined) {
    r = { requests: compute(pod, false), nonZero: compute(pod, true) };
    memo.set(key, r);
  }
  return r;
}
