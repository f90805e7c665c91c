/**
 * The watch cache of one resource prefix (DESIGN.md §4, upstream's cacher): one store watch
 * keeps an in-memory copy of every object (sorted by key) and a ring of recent events, and
 * serves gets, lists and any number of watches from memory.
 */
import { gone } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { KeyValue, Storage, StorageError, WatchEvent, WatchHandle } from '../../storage/interface.ts';
import { SortedKeys } from './sorted-keys.ts';
import { CacheWatcher, withResourceVersion } from './watcher.ts';
import type { CacheEvent, WatcherOptions } from './watcher.ts';

export type { CacheEvent, CacheSink, WatcherOptions, DeliveredType } from './watcher.ts';

/** Turns a stored value into the object handed out (resourceVersion set); undefined skips it. */
export type Decoder = (kv: KeyValue) => KubeObject | undefined;

export interface WatchCacheOptions {
  /** Events kept for watches that resume from a resourceVersion (more while they are younger than minRetentionMs). */
  readonly capacity?: number;
  /** Keep events at least this long even beyond capacity (upstream keeps ~75 s of history). */
  readonly minRetentionMs?: number;
  /** Hard cap on kept events whatever their age (upstream: 100 × 1024). */
  readonly maxCapacity?: number;
  /** Milliseconds between periodic bookmarks (upstream: about a minute). */
  readonly bookmarkIntervalMs?: number;
  /** Objects read from the store per page while the cache loads (default 20,000). */
  readonly loadPageSize?: number;
}

/** Where a new watch starts. */
export interface WatchStart {
  /** Resume after this revision; undefined: start from the current state. */
  readonly fromRevision?: number;
  /** Send the current state as ADDED events first. */
  readonly initialEvents: boolean;
  /** After the initial events, a BOOKMARK annotated k8s.io/initial-events-end (needs opts.bookmarks). */
  readonly initialEventsEnd: boolean;
}

/** Serves one key prefix from memory, fed by one storage watch. */
export class WatchCache {
  readonly prefix: string;
  private readonly storage: Storage;
  private readonly decode: Decoder;
  private readonly capacity: number;
  private readonly minRetentionMs: number;
  private readonly maxCapacity: number;
  private readonly loadPageSize: number;
  /** Arrival time of each ring entry (same indices as ring). */
  private ringTimes: number[] = [];
  private readonly objects = new Map<string, KubeObject>();
  /** The same objects by key in key order (ranges without a Map lookup per object). */
  private readonly keys = new SortedKeys<KubeObject>();
  private ring: CacheEvent[] = [];
  private ringStart = 0;
  /** Watches may resume from any revision >= horizon. */
  private horizon = 0;
  private rev = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private handle: WatchHandle | undefined;
  private readyPromise: Promise<void> | undefined;
  private revisionWaiters: { rev: number; resolve: () => void }[] = [];
  private readonly bookmarkTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(storage: Storage, prefix: string, decode: Decoder, opts: WatchCacheOptions = {}) {
    this.storage = storage;
    this.prefix = prefix;
    this.decode = decode;
    this.capacity = opts.capacity ?? 10_000;
    this.minRetentionMs = opts.minRetentionMs ?? 75_000;
    this.maxCapacity = Math.max(this.capacity, opts.maxCapacity ?? 100 * 1024);
    this.loadPageSize = Math.max(1, opts.loadPageSize ?? 20_000);
    this.bookmarkTimer = setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs ?? 60_000);
    this.bookmarkTimer.unref();
  }

  /** The revision the cache reflects (the last event it applied, or its initial list). */
  get revision(): number {
    return this.rev;
  }

  /** Resolves once the initial list is loaded and the store watch runs. */
  ready(): Promise<void> {
    this.readyPromise ??= this.load().catch((e: unknown) => {
      this.readyPromise = undefined;
      throw e;
    });
    return this.readyPromise;
  }

  /** The current object at key. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Current objects under keyPrefix (sorted by key), after `afterKey` when given. Objects are shared: never mutate them. */
  list(keyPrefix: string, afterKey?: string): KubeObject[] {
    const out: KubeObject[] = [];
    this.keys.scan(keyPrefix, afterKey, (_key, obj) => out.push(obj) > 0);
    return out;
  }

  /**
   * Calls visit(key, object) for the objects under keyPrefix in key order (after `afterKey` when
   * given) until it returns false. Objects are shared: never mutate them.
   */
  scan(keyPrefix: string, afterKey: string | undefined, visit: (key: string, obj: KubeObject) => boolean): void {
    this.keys.scan(keyPrefix, afterKey, visit);
  }

  /** How many keys lie under keyPrefix (after afterKey). */
  countKeys(keyPrefix: string, afterKey?: string): number {
    return this.keys.countPrefix(keyPrefix, afterKey);
  }

  /** Waits until the cache has applied revision rv, up to timeoutMs; true when it has. */
  waitForRevision(rv: number, timeoutMs: number): Promise<boolean> {
    if (this.rev >= rv) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = { rev: rv, resolve: () => { clearTimeout(timer); resolve(true); } };
      const timer = setTimeout(() => {
        this.revisionWaiters = this.revisionWaiters.filter((w) => w !== waiter);
        resolve(this.rev >= rv);
      }, timeoutMs);
      this.revisionWaiters.push(waiter);
    });
  }

  /** Oldest revision a watch can resume from. */
  get oldestResumable(): number {
    return this.horizon;
  }

  /**
   * Registers a watcher. Resuming from a revision older than the event ring answers an
   * ERROR 410 Expired and closes, like upstream. Returns the watcher (stop() ends it).
   */
  watch(opts: WatcherOptions, start: WatchStart): CacheWatcher {
    const w = new CacheWatcher(opts, () => this.watchers.delete(w));
    if (start.fromRevision !== undefined && start.fromRevision < this.horizon) {
      const status = gone(`too old resource version: ${start.fromRevision} (${this.horizon})`).toStatus();
      setImmediate(() => w.fail(status));
      return w;
    }
    if (start.initialEvents) {
      w.setInitial(this.list(opts.keyPrefix), start.initialEventsEnd ? this.rev : undefined);
    }
    if (start.fromRevision !== undefined) {
      w.skipThrough(start.fromRevision);
      for (let i = this.ringStart; i < this.ring.length; i++) {
        const ev = this.ring[i];
        if (ev.revision > start.fromRevision && ev.key.startsWith(opts.keyPrefix)) {
          w.push(ev);
        }
      }
    }
    this.watchers.add(w);
    return w;
  }

  /** Stops the store watch and closes every watcher. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.bookmarkTimer);
    this.handle?.cancel();
    this.handle = undefined;
    for (const w of [...this.watchers]) {
      w.stop(true);
    }
    for (const waiter of this.revisionWaiters) {
      waiter.resolve();
    }
    this.revisionWaiters = [];
  }

  private async load(): Promise<void> {
    let revision = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        revision = await this.loadPages();
        break;
      } catch (err) {
        // The snapshot the pages were read at was compacted meanwhile: start over at the latest revision.
        if ((err as StorageError | undefined)?.code !== 'Compacted' || attempt >= 3) {
          throw err;
        }
      }
    }
    this.keys.reset(this.objects);
    this.rev = revision;
    this.horizon = revision;
    this.ring = [];
    this.ringTimes = [];
    this.ringStart = 0;
    this.wakeRevisionWaiters();
    if (this.stopped) {
      return;
    }
    this.handle = this.storage.watch(this.prefix, revision, {
      onEvents: (events) => this.apply(events),
      onError: (err) => this.restart(err),
    });
  }

  /**
   * Reads every object under the prefix at one revision, a page at a time: decoded pages are
   * dropped as they are stored, so a 100k-object resource never holds all its raw values at once.
   * Returns the revision read at.
   */
  private async loadPages(): Promise<number> {
    this.objects.clear();
    let revision = 0;
    let startAfter: string | undefined;
    for (;;) {
      const res = await this.storage.list(this.prefix, { revision, limit: this.loadPageSize, startAfter });
      revision = res.revision;
      for (const kv of res.items) {
        const obj = this.decode(kv);
        if (obj !== undefined) {
          this.objects.set(kv.key, obj);
        }
      }
      if (!res.more || res.items.length === 0) {
        return revision;
      }
      startAfter = res.items[res.items.length - 1].key;
    }
  }

  /** The store watch broke (e.g. compacted): relist; current watchers must re-watch, as upstream. */
  private restart(err: StorageError): void {
    if (this.stopped) {
      return;
    }
    process.emitWarning(`watch cache ${this.prefix}: store watch failed (${err.code}: ${err.message}); relisting`);
    this.handle?.cancel();
    this.handle = undefined;
    // Start the relist before closing watchers, so whoever re-watches at once waits for fresh state.
    const dropped = [...this.watchers];
    this.readyPromise = this.load().catch((e: unknown) => {
      process.emitWarning(`watch cache ${this.prefix}: relist failed: ${String(e)}`);
      this.readyPromise = undefined;
    });
    for (const w of dropped) {
      w.stop(true);
    }
  }

  private apply(events: readonly WatchEvent[]): void {
    for (const ev of events) {
      const cacheEvent = this.toCacheEvent(ev);
      if (cacheEvent === undefined) {
        continue;
      }
      this.rev = Math.max(this.rev, cacheEvent.revision);
      this.record(cacheEvent);
      for (const w of this.watchers) {
        if (cacheEvent.key.startsWith(w.opts.keyPrefix)) {
          w.push(cacheEvent);
        }
      }
    }
    this.wakeRevisionWaiters();
  }

  private wakeRevisionWaiters(): void {
    if (this.revisionWaiters.length > 0) {
      const due = this.revisionWaiters.filter((w) => w.rev <= this.rev);
      this.revisionWaiters = this.revisionWaiters.filter((w) => w.rev > this.rev);
      for (const w of due) {
        w.resolve();
      }
    }
  }

  private toCacheEvent(ev: WatchEvent): CacheEvent | undefined {
    if (ev.type === 'put') {
      if (ev.kv.modRevision <= this.rev && this.objects.has(ev.kv.key)) {
        const cur = this.objects.get(ev.kv.key);
        if (cur !== undefined && Number(cur.metadata.resourceVersion) >= ev.kv.modRevision) {
          return undefined; // already applied (initial list raced the watch)
        }
      }
      const obj = this.decode(ev.kv);
      if (obj === undefined) {
        return undefined;
      }
      const prev = this.objects.get(ev.kv.key);
      this.objects.set(ev.kv.key, obj);
      this.keys.set(ev.kv.key, obj);
      return { type: prev === undefined ? 'ADDED' : 'MODIFIED', key: ev.kv.key, object: obj, prev, revision: ev.kv.modRevision };
    }
    const prev = this.objects.get(ev.key) ?? this.decode(ev.prev);
    if (!this.objects.has(ev.key) || prev === undefined) {
      return undefined;
    }
    this.objects.delete(ev.key);
    this.keys.remove(ev.key);
    return { type: 'DELETED', key: ev.key, object: withResourceVersion(prev, ev.revision), prev, revision: ev.revision };
  }

  private record(ev: CacheEvent): void {
    const now = Date.now();
    this.ring.push(ev);
    this.ringTimes.push(now);
    // Beyond capacity, evict only what is older than the retention window (or beyond the hard cap),
    // so a burst does not force every watcher into a 410 and a relist.
    while (this.ring.length - this.ringStart > this.capacity && (this.ring.length - this.ringStart > this.maxCapacity || this.ringTimes[this.ringStart] <= now - this.minRetentionMs)) {
      const evicted = this.ring[this.ringStart++];
      this.horizon = Math.max(this.horizon, evicted.revision);
    }
    if (this.ringStart > 1024 && this.ringStart * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.ringStart);
      this.ringTimes = this.ringTimes.slice(this.ringStart);
      this.ringStart = 0;
    }
  }

  private sendBookmarks(): void {
    for (const w of this.watchers) {
      w.bookmark(this.rev);
    }
  }
}
