/**
 * The pod event handler shared by the workload controllers (DaemonSet, StatefulSet, Job): a pod
 * event wakes its controlling object's key, and creations/deletions are recorded against the
 * controller's expectations so a lagging cache never makes it create or delete twice.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import type { EventHandler, WorkQueue } from '../../client/index.ts';
import { controllerRef, unwrap } from '../manager/kit.ts';
import type { Expectations } from './expectations.ts';

/** Handler for a pod informer: enqueues `<ns>/<owner>` of pods controlled by a `kind` object. */
export function ownedPodHandler<P extends KubeObject>(kind: string, queue: WorkQueue<string>, expectations: Expectations): EventHandler<P> {
  const ownerKey = (p: DeepReadonly<P>): string | undefined => {
    const ref = controllerRef(p);
    return ref?.kind === kind ? `${p.metadata.namespace ?? ''}/${ref.name}` : undefined;
  };
  return {
    onAdd: (p) => {
      const k = ownerKey(p);
      if (k !== undefined) {
        expectations.creationObserved(k);
        queue.add(k);
      }
    },
    onUpdate: (o, p) => {
      const k = ownerKey(p);
      if (k !== undefined) {
        if (o.metadata.deletionTimestamp === undefined && p.metadata.deletionTimestamp !== undefined) {
          expectations.deletionObserved(k);
        }
        queue.add(k);
      }
    },
    onDelete: (d) => {
      const p = unwrap(d);
      const k = ownerKey(p);
      if (k !== undefined) {
        if (p.metadata.deletionTimestamp === undefined) {
          expectations.deletionObserved(k);
        }
        queue.add(k);
      }
    },
  };
}
