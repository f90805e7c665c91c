/**
 * Upstream's ControllerRefManager.ClaimPods for the workload controllers: a controller owns the
 * pods that name it as their controller and match its selector; it adopts matching orphans
 * (adding a controller ownerReference) unless it is being deleted, and releases pods it controls
 * that no longer match (removing its ownerReference).
 */
import type { DeepReadonly, KubeObject, OwnerReference } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { isEmptySelector, selectorMatches } from '../../api/validation/labelselector.ts';
import { PatchType } from '../../client/index.ts';
import type { RestClient } from '../../client/index.ts';
import { controllerRef, R } from '../manager/kit.ts';
import type { OwnerInfo } from './pods.ts';

/** What a claim needs to know about the claiming controller. */
export interface ClaimOwner {
  readonly ref: OwnerInfo;
  /** True when the owner carries a deletionTimestamp: it adopts nothing and releases nothing. */
  readonly deleting: boolean;
  /** Whether the pod's labels fall under the owner's selector. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Extra adoption condition (StatefulSet: the pod's name is `<set>-<ordinal>`). */
  readonly canAdopt?: (pod: DeepReadonly<KubeObject>) => boolean;
  /** Finalizers an adopted pod gets (Job: its tracking finalizer). */
  readonly adoptFinalizers?: readonly string[];
  /**
   * Re-reads the owner live before the first adoption, as upstream's RecheckDeletionTimestamp does,
   * so a cached owner that is really being deleted does not adopt. Resolves false to refuse.
   */
  readonly recheck?: () => Promise<boolean>;
}

const podRef = (p: DeepReadonly<KubeObject>) => ({ ...R.pods, namespace: p.metadata.namespace, name: p.metadata.name });

function ignoreNotFound(e: unknown): void {
  if (!isNotFound(e)) {
    throw e;
  }
}

/**
 * The pods `owner` controls after adopting and releasing, from `pods` (the namespace's pods, as
 * cached). Adopted pods are returned as the server answered the patch.
 */
export async function claimPods<P extends KubeObject>(client: RestClient, owner: ClaimOwner, pods: readonly DeepReadonly<P>[]): Promise<DeepReadonly<P>[]> {
  const claimed: DeepReadonly<P>[] = [];
  let recheck: Promise<boolean> | undefined;
  for (const p of pods) {
    const ref = controllerRef(p);
    const matches = owner.matches(p.metadata.labels);
    if (ref !== undefined) {
      if (ref.uid !== owner.ref.uid) {
        continue;
      }
      if (matches) {
        claimed.push(p);
      } else if (!owner.deleting) {
        const kept = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.ref.uid);
        await client.patch(podRef(p), { metadata: { ownerReferences: kept.length === 0 ? null : kept, uid: p.metadata.uid } }, PatchType.Merge).catch(ignoreNotFound);
      }
      continue;
    }
    if (!matches || owner.deleting || p.metadata.deletionTimestamp !== undefined || (owner.canAdopt !== undefined && !owner.canAdopt(p))) {
      continue;
    }
    recheck ??= owner.recheck?.() ?? Promise.resolve(true);
    if (!(await recheck)) {
      continue;
    }
    const refs: OwnerReference[] = [...(structuredClone(p.metadata.ownerReferences ?? []) as OwnerReference[]), { ...owner.ref, controller: true, blockOwnerDeletion: true }];
    const finalizers = [...(p.metadata.finalizers ?? [])];
    for (const f of owner.adoptFinalizers ?? []) {
      if (!finalizers.includes(f)) {
        finalizers.push(f);
      }
    }
    const metadata: Record<string, unknown> = { ownerReferences: refs, uid: p.metadata.uid };
    if (finalizers.length !== (p.metadata.finalizers ?? []).length) {
      metadata.finalizers = finalizers;
    }
    try {
      claimed.push((await client.patch<P>(podRef(p), { metadata }, PatchType.Merge)) as DeepReadonly<P>);
    } catch (e) {
      ignoreNotFound(e);
    }
  }
  return claimed;
}

/** A workload object with a LabelSelector in spec.selector. */
export interface SelectingOwner extends KubeObject {
  spec?: { selector?: unknown };
}

/**
 * The ClaimOwner of a workload (`resource` is its GVR, e.g. apps/v1 daemonsets): its spec.selector
 * (an empty or missing selector matches nothing, so a broken object never adopts a namespace), a
 * live re-read before adopting, and any extra conditions.
 */
export function workloadClaimOwner(
  client: RestClient,
  resource: { readonly group: string; readonly version: string; readonly resource: string },
  kind: string,
  obj: DeepReadonly<SelectingOwner>,
  extra: Pick<ClaimOwner, 'canAdopt' | 'adoptFinalizers'> = {},
): ClaimOwner {
  const selector = obj.spec?.selector;
  const uid = obj.metadata.uid ?? '';
  return {
    ref: { apiVersion: resource.group === '' ? resource.version : `${resource.group}/${resource.version}`, kind, name: obj.metadata.name ?? '', uid },
    deleting: obj.metadata.deletionTimestamp !== undefined,
    matches: (labels) => !isEmptySelector(selector) && selectorMatches(selector, labels ?? {}),
    ...extra,
    recheck: async () => {
      try {
        const fresh = await client.get({ ...resource, namespace: obj.metadata.namespace, name: obj.metadata.name });
        return fresh.metadata.uid === uid && fresh.metadata.deletionTimestamp === undefined;
      } catch (e) {
        ignoreNotFound(e);
        return false;
      }
    },
  };
}

/** Keys (`<ns>/<name>`) of the workloads in the pod's namespace whose selector matches it. */
export function matchingOwnerKeys(owners: readonly DeepReadonly<SelectingOwner>[], pod: DeepReadonly<KubeObject>): string[] {
  return owners
    .filter((o) => !isEmptySelector(o.spec?.selector) && selectorMatches(o.spec?.selector, pod.metadata.labels ?? {}))
    .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
}
