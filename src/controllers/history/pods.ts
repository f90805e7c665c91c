/** Pods from a workload's pod template, as upstream's controller.GetPodFromTemplate builds them. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';

/** A pod template (spec.template of a workload). */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
}

/** The owner a controller stamps into its pods' ownerReferences. */
export interface OwnerInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** A minimal Pod shape the controllers read. */
export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers?: { name: string; env?: unknown[]; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
    initContainers?: { name: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
    affinity?: Record<string, unknown>;
    tolerations?: unknown[];
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string; reason?: string }[];
    containerStatuses?: { name: string; ready?: boolean; state?: { terminated?: { exitCode?: number; finishedAt?: string } } }[];
    startTime?: string;
  };
}

/** A new pod (not yet created) from `template`, owned (controller=true) by `owner`. */
export function podFromTemplate(template: DeepReadonly<PodTemplate> | undefined, owner: OwnerInfo, namespace: string): Pod {
  const t = structuredClone((template ?? {}) as PodTemplate);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}) },
      ...(t.metadata?.finalizers !== undefined ? { finalizers: [...t.metadata.finalizers] } : {}),
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: (t.spec ?? {}) as Pod['spec'],
  };
}

/** True for Succeeded/Failed pods. */
export function isTerminal(p: DeepReadonly<Pod>): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** True when the pod's Ready condition is True. */
export function isReady(p: DeepReadonly<Pod>): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Ready for at least `minReadySeconds` at `now` (ms). */
export function isAvailable(p: DeepReadonly<Pod>, minReadySeconds: number, now: number): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  if (c === undefined) {
    return false;
  }
  if (minReadySeconds <= 0) {
    return true;
  }
  const since = c.lastTransitionTime === undefined ? 0 : Date.parse(c.lastTransitionTime);
  return since + minReadySeconds * 1000 <= now;
}

/** True when `p` is controlled by the object with `uid`. */
export function isControlledBy(p: { readonly metadata: DeepReadonly<KubeObject['metadata']> }, uid: string | undefined): boolean {
  return uid !== undefined && p.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === uid) === true;
}

/** Upstream's rand.SafeEncodeString alphabet (no vowels, no confusable digits). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-32a of `s`, rendered as upstream renders hash labels (decimal digits mapped onto a safe alphabet). */
export function safeHash(s: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((d) => SAFE[Number(d) % SAFE.length]).join('');
}
