/** Small pieces every controller repeats: resource refs, queue keys from informer events, and the run loop. */
import type { DeepReadonly, KubeObject, OwnerReference } from '../../api/object.ts';
import type { DeletedFinalStateUnknown, EventHandler, WorkQueue } from '../../client/index.ts';
import { isTombstone, objectKey, runWorkers } from '../../client/index.ts';
import type { ClientLogger } from '../../client/index.ts';

/** group/version/resource triples the controllers use. */
export const R = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  replicationcontrollers: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
} as const;

/** The object itself, unwrapping a delete tombstone. */
export function unwrap<T extends KubeObject>(o: DeepReadonly<T> | DeletedFinalStateUnknown<T>): DeepReadonly<T> {
  return isTombstone(o) ? o.obj : o;
}

/** `namespace/name` (or `name` when cluster-scoped). */
export function keyOf(o: { readonly metadata: { readonly namespace?: string; readonly name?: string } }): string {
  return objectKey(o.metadata);
}

/** An informer handler that enqueues `keys(obj)` on every add/update/delete. */
export function enqueueHandler<T extends KubeObject>(queue: WorkQueue<string>, keys: (obj: DeepReadonly<T>) => readonly string[] = (o) => [keyOf(o)]): EventHandler<T> {
  const add = (o: DeepReadonly<T>): void => {
    for (const k of keys(o)) {
      queue.add(k);
    }
  };
  return {
    onAdd: (o) => add(o),
    onUpdate: (oldObj, newObj) => {
      add(oldObj);
      add(newObj);
    },
    onDelete: (o) => add(unwrap(o)),
  };
}

/** The owner reference with controller=true, if any. */
export function controllerRef(o: { readonly metadata: DeepReadonly<KubeObject['metadata']> }): DeepReadonly<OwnerReference> | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Runs `workers` workers over `queue` until `signal` aborts, then shuts the queue down and waits. */
export async function runQueue(queue: WorkQueue<string>, workers: number, signal: AbortSignal, sync: (key: string) => Promise<void>, logger?: ClientLogger): Promise<void> {
  const stop = (): void => queue.shutDown();
  if (signal.aborted) {
    stop();
  }
  signal.addEventListener('abort', stop, { once: true });
  await runWorkers(queue, workers, sync, { logger });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
  });
}
