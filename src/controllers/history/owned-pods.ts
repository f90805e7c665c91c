/**
 * The pod event handler shared by the workload controllers (DaemonSet, StatefulSet, Job): a pod
 * event wakes its controlling object's key, and creations/deletions are recorded against the
 * controller's expectations so a lagging cache never makes it create or delete twice.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { EventHandler, WorkQueue } from '../../client/index.ts';
import { controllerRef, keyOf, unwrap } from '../manager/kit.ts';
import type { Expectations } from './expectations.ts';

/**
 * Handler for a pod informer: enqueues `<ns>/<owner>` of pods controlled by a `kind` object and,
 * for pods without a controller, the keys `orphanOwners` names (the owners whose selector matches,
 * which may adopt it).
 */
export function ownedPodHandler<P extends KubeObject>(kind: string, queue: WorkQueue<string>, expectations: Expectations, orphanOwners?: (pod: DeepReadonly<P>) => readonly string[]): EventHandler<P> {
  const ownerKey = (p: DeepReadonly<P>): string | undefined => {
    const ref = controllerRef(p);
    return ref?.kind === kind ? `${p.metadata.namespace ?? ''}/${ref.name}` : undefined;
  };
  const wakeAdopters = (p: DeepReadonly<P>): void => {
    if (orphanOwners !== undefined && controllerRef(p) === undefined && p.metadata.deletionTimestamp === undefined) {
      for (const k of orphanOwners(p)) {
        queue.add(k);
      }
    }
  };
  return {
    onAdd: (p) => {
      const k = ownerKey(p);
      if (k !== undefined) {
        expectations.creationObserved(k);
        queue.add(k);
      }
      wakeAdopters(p);
    },
    onUpdate: (o, p) => {
      const k = ownerKey(p);
      const was = ownerKey(o);
      if (was !== undefined && was !== k) {
        queue.add(was); // released (or re-owned): the old owner recounts
      }
      wakeAdopters(p);
      if (k !== undefined) {
        if (o.metadata.deletionTimestamp === undefined && p.metadata.deletionTimestamp !== undefined) {
          expectations.deletionObserved(k, keyOf(p));
        }
        queue.add(k);
      }
    },
    onDelete: (d) => {
      const p = unwrap(d);
      const k = ownerKey(p);
      if (k !== undefined) {
        if (p.metadata.deletionTimestamp === undefined) {
          expectations.deletionObserved(k, keyOf(p));
        }
        queue.add(k);
      }
    },
  };
}
