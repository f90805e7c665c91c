/**
 * Listers: read-only views over an informer's cache (client-go listers). They hand out the
 * cached (frozen) objects themselves: no copies on the hot path, so callers must copy
 * (structuredClone) before changing anything.
 */
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { parseLabelSelector } from '../api/selectors/index.ts';
import type { LabelSelector } from '../api/selectors/index.ts';
import { objectKey } from './paths.ts';
import { NAMESPACE_INDEX } from './store.ts';
import type { IndexedStore } from './store.ts';

/** Read access to cached objects of one resource. */
export class Lister<T extends KubeObject> {
  private readonly store: IndexedStore<T>;

  constructor(store: IndexedStore<T>) {
    this.store = store;
  }

  /** The cached object, or undefined (upstream's NotFound); namespace '' for cluster-scoped objects. */
  get(namespace: string, name: string): DeepReadonly<T> | undefined {
    return this.store.get(objectKey({ namespace, name }));
  }

  /** Objects in `namespace` (all namespaces when undefined) matching the label selector (text or parsed). */
  list(namespace?: string, selector?: LabelSelector | string): DeepReadonly<T>[] {
    const sel = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
    const candidates = namespace === undefined ? [...this.store.values()] : this.store.byIndex(NAMESPACE_INDEX, namespace);
    if (sel === undefined || sel.empty) {
      return candidates;
    }
    if (sel.nothing) {
      return [];
    }
    return candidates.filter((o) => sel.matches(o.metadata.labels));
  }

  /** Objects filed under `value` in the custom index `indexName`. */
  byIndex(indexName: string, value: string): DeepReadonly<T>[] {
    return this.store.byIndex(indexName, value);
  }
}
