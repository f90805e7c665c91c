/**
 * ControllerRevisions for DaemonSets and StatefulSets (upstream's controller history): a
 * revision snapshots the pod template as `data`, is named `<owner>-<hash>`, labelled
 * `controller-revision-hash`, and numbered; the highest number is the current one.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { OwnerInfo } from './pods.ts';
import { safeHash } from './pods.ts';

/** The label carrying a pod's revision (DaemonSet: the hash; StatefulSet: the revision name). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label on a ControllerRevision carrying its hash (upstream's ControllerRevisionHashLabel). */
export const REVISION_OBJECT_HASH_LABEL = 'controller.kubernetes.io/hash';

/** apps/v1 ControllerRevision. */
export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** JSON with object keys sorted, so equal data serialises equally whatever its key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(canonicalJson).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Upstream's revision data for a template: a strategic-merge patch replacing spec.template. */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** The hash of revision data (with the owner's collisionCount mixed in, as upstream). */
export function revisionHash(data: unknown, collisionCount = 0): string {
  return safeHash(canonicalJson(data) + (collisionCount > 0 ? String(collisionCount) : ''));
}

/** A new ControllerRevision object of `owner` for `data`. */
export function newRevision(owner: OwnerInfo, namespace: string, templateLabels: Readonly<Record<string, string>> | undefined, data: unknown, revision: number, collisionCount = 0): ControllerRevision {
  const hash = revisionHash(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.name}-${hash}`,
      namespace,
      labels: { ...(templateLabels ?? {}), [REVISION_OBJECT_HASH_LABEL]: hash },
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    data,
    revision,
  };
}

/** The existing revision holding exactly `data`, if any (newest first). */
export function findEqual<T extends DeepReadonly<ControllerRevision>>(revisions: readonly T[], data: unknown): T | undefined {
  const want = canonicalJson(data);
  return [...revisions].sort((a, b) => b.revision - a.revision).find((r) => canonicalJson(r.data) === want);
}

/** The highest revision number (0 when none). */
export function maxRevision(revisions: readonly DeepReadonly<ControllerRevision>[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision), 0);
}

/** Revisions to delete so at most `limit` non-live ones remain (oldest go first). */
export function revisionsToPrune<T extends DeepReadonly<ControllerRevision>>(revisions: readonly T[], live: ReadonlySet<string>, limit: number): T[] {
  const old = revisions.filter((r) => !live.has(r.metadata.name ?? '')).sort((a, b) => a.revision - b.revision);
  return old.slice(0, Math.max(0, old.length - limit));
}
