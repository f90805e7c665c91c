/**
 * The informer's local cache (client-go's thread-safe store + indexer): objects by
 * `namespace/name` key, a built-in namespace index, and any custom indexers. Objects are
 * deep-frozen on insert and handed out as DeepReadonly without copying.
 */
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { freezeJson } from '../api/patch/json-values.ts';
import { objectKey } from './paths.ts';

/** Maps an object to the index values it is filed under. */
export type IndexFunc<T extends KubeObject> = (obj: DeepReadonly<T>) => readonly string[];

/** Name of the built-in index on metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** Freezes a parsed JSON value in place, recursively (cached objects must never be mutated). */
export function deepFreeze<T>(v: T): DeepReadonly<T> {
  return freezeJson(v) as DeepReadonly<T>;
}

/** An indexed, read-mostly cache of objects keyed like objectKey(). */
export class IndexedStore<T extends KubeObject> {
  private readonly items = new Map<string, DeepReadonly<T>>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: (o) => [o.metadata.namespace ?? ''], ...indexers });
  }

  /** Adds indexers (existing objects are indexed at once); a duplicate name throws. */
  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) {
        throw new Error(`indexer "${name}" already exists`);
      }
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) {
        this.fileUnder(name, fn, key, obj);
      }
    }
  }

  private fileUnder(name: string, fn: IndexFunc<T>, key: string, obj: DeepReadonly<T>): void {
    const index = this.indices.get(name);
    if (index === undefined) {
      return;
    }
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (keys === undefined) {
        keys = new Set();
        index.set(value, keys);
      }
      keys.add(key);
    }
  }

  private unfile(key: string, obj: DeepReadonly<T>): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name);
      for (const value of fn(obj)) {
        const keys = index?.get(value);
        keys?.delete(key);
        if (keys?.size === 0) {
          index?.delete(value);
        }
      }
    }
  }

  /** True when an index called `name` exists. */
  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  /** Inserts or replaces; returns the previous object, if any. */
  set(obj: T | DeepReadonly<T>): DeepReadonly<T> | undefined {
    const frozen = deepFreeze(obj as T);
    const key = objectKey(frozen.metadata);
    const old = this.items.get(key);
    if (old !== undefined) {
      this.unfile(key, old);
    }
    this.items.set(key, frozen);
    for (const [name, fn] of this.indexers) {
      this.fileUnder(name, fn, key, frozen);
    }
    return old;
  }

  /** Removes by key; returns what was there. */
  deleteKey(key: string): DeepReadonly<T> | undefined {
    const old = this.items.get(key);
    if (old !== undefined) {
      this.unfile(key, old);
      this.items.delete(key);
    }
    return old;
  }

  /** The object stored under `key`. */
  get(key: string): DeepReadonly<T> | undefined {
    return this.items.get(key);
  }

  /** All keys. */
  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  /** All objects (live iterator over the cache: do not mutate the store while iterating). */
  values(): IterableIterator<DeepReadonly<T>> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects filed under `value` in index `name`; an unknown index throws. */
  byIndex(name: string, value: string): DeepReadonly<T>[] {
    const index = this.indices.get(name);
    if (index === undefined) {
      throw new Error(`index "${name}" does not exist`);
    }
    const out: DeepReadonly<T>[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj !== undefined) {
        out.push(obj);
      }
    }
    return out;
  }

  /** Keys filed under `value` in index `name`. */
  indexKeys(name: string, value: string): string[] {
    const index = this.indices.get(name);
    if (index === undefined) {
      throw new Error(`index "${name}" does not exist`);
    }
    return [...(index.get(value) ?? [])];
  }
}
