/**
 * Keeps a workload's ControllerRevisions in step with its template (upstream's
 * constructHistory): find or create the revision for the current template, renumber it when a
 * rollback makes an old one current, prune beyond revisionHistoryLimit.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import type { RestClient } from '../../client/index.ts';
import { R } from '../manager/kit.ts';
import type { OwnerInfo } from './pods.ts';
import type { ControllerRevision } from './revision.ts';
import { REVISION_OBJECT_HASH_LABEL, findEqual, maxRevision, newRevision, revisionsToPrune, templatePatch } from './revision.ts';

/** What the owner's sync needs from its history. */
export interface History {
  /** The current revision's hash (pods carrying it are up to date). */
  readonly hash: string;
  readonly current: DeepReadonly<ControllerRevision>;
  /** Every revision of the owner, including `current`. */
  readonly revisions: readonly DeepReadonly<ControllerRevision>[];
}

/** Ensures the revision for `template` exists and is the newest; returns it. Throws on collision (after the caller bumps collisionCount). */
export async function syncHistory(client: RestClient, owner: OwnerInfo, namespace: string, template: unknown, owned: readonly DeepReadonly<ControllerRevision>[], collisionCount: number): Promise<History> {
  const data = templatePatch(template);
  const tmpl = template as { metadata?: { labels?: Record<string, string> } } | undefined;
  const max = maxRevision(owned);
  let current = findEqual(owned, data);
  const ref = { ...R.controllerrevisions, namespace };
  let revisions = [...owned];
  if (current === undefined) {
    const rev = newRevision(owner, namespace, tmpl?.metadata?.labels, data, max + 1, collisionCount);
    try {
      current = await client.create<ControllerRevision>(ref, rev);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        throw e;
      }
      const existing = await client.get<ControllerRevision>({ ...ref, name: rev.metadata.name });
      if (existing.metadata.ownerReferences?.some((o) => o.uid === owner.uid) !== true || findEqual([existing], data) === undefined) {
        throw new HashCollisionError(rev.metadata.name ?? '');
      }
      current = existing;
    }
    revisions.push(current);
  } else if (current.revision < max) {
    const next = structuredClone(current) as ControllerRevision;
    next.revision = max + 1;
    const updated = await client.update<ControllerRevision>({ ...ref, name: next.metadata.name }, next);
    revisions = revisions.map((r) => (r.metadata.name === updated.metadata.name ? updated : r));
    current = updated;
  }
  return { hash: current.metadata.labels?.[REVISION_OBJECT_HASH_LABEL] ?? '', current, revisions };
}

/** Deletes revisions beyond `limit` that no live pod uses (`liveHashes`). */
export async function pruneHistory(client: RestClient, namespace: string, history: History, liveHashes: ReadonlySet<string>, limit: number): Promise<void> {
  const live = new Set(history.revisions.filter((r) => r === history.current || liveHashes.has(r.metadata.labels?.[REVISION_OBJECT_HASH_LABEL] ?? '')).map((r) => r.metadata.name ?? ''));
  for (const r of revisionsToPrune(history.revisions, live, limit)) {
    try {
      await client.delete({ ...R.controllerrevisions, namespace, name: r.metadata.name });
    } catch (e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  }
}

/** A revision name is taken by different data: the owner must bump status.collisionCount. */
export class HashCollisionError extends Error {
  readonly revisionName: string;
  constructor(revisionName: string) {
    super(`controller revision ${revisionName} exists with different data (hash collision)`);
    this.revisionName = revisionName;
  }
}
