/**
 * A tiny in-memory Storage for the watch cache's unit tests only (the real
 * backends live in src/storage). MVCC-lite: keeps the latest value per key plus an event log
 * so watches can replay from a revision; list at an older revision is not supported.
 */
import { StorageError } from '../../../storage/interface.ts';
import type { KeyValue, ListOptions, ListResult, Storage, WatchCallbacks, WatchEvent, WatchHandle } from '../../../storage/interface.ts';

/** Creates an empty in-memory store whose revisions start at 1. */
export function createMemoryStorage(): Storage & { readonly log: readonly WatchEvent[]; failWatches(err: StorageError): void } {
  const data = new Map<string, KeyValue>();
  const log: WatchEvent[] = [];
  let revision = 1;
  let compacted = 0;
  const watchers = new Set<{ prefix: string; cb: WatchCallbacks; from: number }>();

  const emit = (ev: WatchEvent): void => {
    log.push(ev);
    for (const w of watchers) {
      const key = ev.type === 'put' ? ev.kv.key : ev.key;
      if (key.startsWith(w.prefix)) {
        // Deliver asynchronously like a real backend would.
        queueMicrotask(() => {
          if (watchers.has(w)) {
            w.cb.onEvents([ev]);
          }
        });
      }
    }
  };

  return {
    log,
    /** Ends every watch with err (like a compaction or a lost etcd connection). */
    failWatches(err: StorageError) {
      const all = [...watchers];
      watchers.clear();
      for (const w of all) {
        w.cb.onError(err);
      }
    },
    get(key) {
      return Promise.resolve(data.get(key));
    },
    list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
      if (opts.revision !== undefined && opts.revision !== 0 && opts.revision < compacted) {
        return Promise.reject(new StorageError('Compacted', prefix, 'compacted', compacted));
      }
      const keys = [...data.keys()].filter((k) => k.startsWith(prefix) && (opts.startAfter === undefined || k > opts.startAfter)).sort();
      const limit = opts.limit ?? 0;
      const page = limit > 0 ? keys.slice(0, limit) : keys;
      return Promise.resolve({ items: page.map((k) => data.get(k) as KeyValue), revision, more: page.length < keys.length, remaining: keys.length - page.length });
    },
    count(prefix) {
      return Promise.resolve([...data.keys()].filter((k) => k.startsWith(prefix)).length);
    },
    create(key, value) {
      if (data.has(key)) {
        return Promise.reject(new StorageError('KeyExists', key, 'key exists'));
      }
      revision++;
      const kv: KeyValue = { key, value, modRevision: revision, createRevision: revision };
      data.set(key, kv);
      emit({ type: 'put', kv, prev: undefined });
      return Promise.resolve(kv);
    },
    update(key, value, expected) {
      const prev = data.get(key);
      if (prev === undefined) {
        return Promise.reject(new StorageError('NotFound', key, 'not found'));
      }
      if (prev.modRevision !== expected) {
        return Promise.reject(new StorageError('Conflict', key, 'conflict', prev.modRevision));
      }
      revision++;
      const kv: KeyValue = { key, value, modRevision: revision, createRevision: prev.createRevision };
      data.set(key, kv);
      emit({ type: 'put', kv, prev });
      return Promise.resolve(kv);
    },
    delete(key, expected) {
      const prev = data.get(key);
      if (prev === undefined) {
        return Promise.reject(new StorageError('NotFound', key, 'not found'));
      }
      if (expected !== undefined && prev.modRevision !== expected) {
        return Promise.reject(new StorageError('Conflict', key, 'conflict', prev.modRevision));
      }
      revision++;
      data.delete(key);
      emit({ type: 'delete', key, revision, prev });
      return Promise.resolve({ prev, revision });
    },
    watch(prefix, fromRevision, cb): WatchHandle {
      const w = { prefix, cb, from: fromRevision };
      if (fromRevision < compacted) {
        queueMicrotask(() => cb.onError(new StorageError('Compacted', prefix, 'compacted', compacted)));
        return { cancel() {} };
      }
      const backlog = log.filter((ev) => (ev.type === 'put' ? ev.kv.modRevision : ev.revision) > fromRevision && (ev.type === 'put' ? ev.kv.key : ev.key).startsWith(prefix));
      watchers.add(w);
      if (backlog.length > 0) {
        queueMicrotask(() => cb.onEvents(backlog));
      }
      return { cancel: () => void watchers.delete(w) };
    },
    currentRevision() {
      return Promise.resolve(revision);
    },
    compactedRevision() {
      return Promise.resolve(compacted);
    },
    compact(rev) {
      compacted = Math.max(compacted, rev);
      return Promise.resolve();
    },
    close() {
      watchers.clear();
      return Promise.resolve();
    },
  };
}
