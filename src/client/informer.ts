/**
 * SharedInformer (client-go reflector + shared informer in one): fills an indexed cache from
 * a WatchList stream (or a paginated list + watch when the server rejects WatchList), keeps it
 * current from the watch, relists on 410 Gone, re-watches from the last resourceVersion when
 * the server closes the stream, and tells handlers about adds, updates and deletes.
 */
import type { DeepReadonly, KubeObject } from '../api/object.ts';
import { StatusError } from '../api/errors.ts';
import { Lister } from './lister.ts';
import { stderrLogger } from './log.ts';
import type { ClientLogger } from './log.ts';
import { objectKey } from './paths.ts';
import type { ResourceRef } from './paths.ts';
import type { RestClient } from './rest.ts';
import { isGone } from './status.ts';
import { deepFreeze, IndexedStore } from './store.ts';
import type { IndexFunc } from './store.ts';
import { sleep } from './tokenbucket.ts';
import { INITIAL_EVENTS_END_ANNOTATION, Watch } from './watch.ts';
import type { WatchEvent } from './watch.ts';

/** The last known state of an object whose deletion was noticed by a relist, not by a watch event. */
export interface DeletedFinalStateUnknown<T extends KubeObject> {
  readonly kind: 'DeletedFinalStateUnknown';
  readonly key: string;
  readonly obj: DeepReadonly<T>;
}

/** True for the tombstone handed to onDelete when the delete event itself was missed. */
export function isTombstone<T extends KubeObject>(v: DeepReadonly<T> | DeletedFinalStateUnknown<T>): v is DeletedFinalStateUnknown<T> {
  return (v as { kind?: unknown }).kind === 'DeletedFinalStateUnknown' && 'obj' in v;
}

/** Notification callbacks; keep them cheap (turn objects into work-queue keys). */
export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: DeepReadonly<T>, isInInitialList: boolean): void;
  /** Also called with old === new on resync. */
  onUpdate?(oldObj: DeepReadonly<T>, newObj: DeepReadonly<T>): void;
  onDelete?(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): void;
}

/** What and how to watch. */
export interface InformerOptions<T extends KubeObject> {
  readonly client: RestClient;
  /** group/version/resource; `namespace` narrows to one namespace. */
  readonly resource: Omit<ResourceRef, 'name' | 'subresource'>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Default resync period for handlers (ms; 0 = never). */
  readonly resyncPeriodMs?: number;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** List page size (default 500, like client-go). */
  readonly pageSize?: number;
  /** Try WatchList (sendInitialEvents) first (default true). */
  readonly useWatchList?: boolean;
  /** Server-side watch timeout range in seconds (default 300-600, like the reflector). */
  readonly watchTimeoutSeconds?: readonly [number, number];
  readonly logger?: ClientLogger;
  /**
   * Rewrites each listed or watched object (still mutable, fresh from JSON) before it is cached
   * and handed to handlers, as client-go's SetTransform (e.g. dropping managedFields).
   */
  readonly transform?: (obj: T) => T;
}

interface Registration<T extends KubeObject> {
  readonly handler: EventHandler<T>;
  timer?: NodeJS.Timeout;
}

/** Marks a stream that closed before the WatchList's initial-events-end bookmark. */
class NoInitialEventsEnd extends Error {}

/** One list+watch loop feeding one cache and any number of handlers. */
export class SharedInformer<T extends KubeObject = KubeObject> {
  /** The indexed cache (read it through `lister`). */
  readonly store: IndexedStore<T>;
  readonly lister: Lister<T>;
  private readonly opts: InformerOptions<T>;
  private readonly logger: ClientLogger;
  private readonly registrations = new Set<Registration<T>>();
  private readonly abort = new AbortController();
  private rv: string | undefined;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private watchListAllowed: boolean;
  private running: Promise<void> | undefined;
  private currentWatch: Watch<T> | undefined;
  private watchGuard: NodeJS.Timeout | undefined;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
    this.logger = opts.logger ?? stderrLogger;
    this.store = new IndexedStore<T>(opts.indexers);
    this.lister = new Lister(this.store);
    this.watchListAllowed = opts.useWatchList ?? true;
  }

  private get name(): string {
    const r = this.opts.resource;
    return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
  }

  /** The resourceVersion the cache reflects ('' before the first sync). */
  get lastSyncResourceVersion(): string {
    return this.rv ?? '';
  }

  /** True once the cache holds a complete initial list. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if the informer stops or `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = (): void => done(false);
      if (signal?.aborted === true || this.abort.signal.aborted) {
        resolve(false);
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => done(true));
    });
  }

  /** Adds indexers to the cache (allowed at any time). */
  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    this.store.addIndexers(indexers);
  }

  /**
   * Registers handlers; objects already cached are replayed as adds. `resyncPeriodMs`
   * (default: the informer's) re-delivers every cached object as an update periodically.
   * Returns a function that unregisters.
   */
  addEventHandler(handler: EventHandler<T>, resyncPeriodMs: number = this.opts.resyncPeriodMs ?? 0): () => void {
    const reg: Registration<T> = { handler };
    this.registrations.add(reg);
    if (this.synced) {
      for (const obj of [...this.store.values()]) {
        this.call(() => handler.onAdd?.(obj, true));
      }
    }
    if (resyncPeriodMs > 0) {
      reg.timer = setInterval(() => this.resync(reg), Math.max(1000, resyncPeriodMs));
      reg.timer.unref();
    }
    return () => {
      clearInterval(reg.timer);
      this.registrations.delete(reg);
    };
  }

  private resync(reg: Registration<T>): void {
    if (!this.synced || !this.registrations.has(reg)) {
      return;
    }
    for (const obj of [...this.store.values()]) {
      this.call(() => reg.handler.onUpdate?.(obj, obj));
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.logger('error', `informer ${this.name}: event handler threw: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private notifyAdd(obj: DeepReadonly<T>, initial: boolean): void {
    for (const r of this.registrations) {
      this.call(() => r.handler.onAdd?.(obj, initial));
    }
  }

  private notifyUpdate(oldObj: DeepReadonly<T>, newObj: DeepReadonly<T>): void {
    for (const r of this.registrations) {
      this.call(() => r.handler.onUpdate?.(oldObj, newObj));
    }
  }

  private notifyDelete(obj: DeepReadonly<T> | DeletedFinalStateUnknown<T>): void {
    for (const r of this.registrations) {
      this.call(() => r.handler.onDelete?.(obj));
    }
  }

  /** Starts the list/watch loop (idempotent). */
  start(): void {
    if (this.running === undefined && !this.abort.signal.aborted) {
      this.running = this.run();
    }
  }

  /** Stops watching, clears resync timers, and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.currentWatch?.stop();
    clearTimeout(this.watchGuard);
    for (const r of this.registrations) {
      clearInterval(r.timer);
    }
    await this.running;
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let backoffMs = 800;
    while (!this.stopping) {
      try {
        if (this.rv === undefined && this.watchListAllowed) {
          try {
            await this.watchList();
            backoffMs = 800;
            continue;
          } catch (e) {
            if (!this.fallBackFromWatchList(e)) {
              throw e;
            }
          }
        }
        if (this.rv === undefined) {
          await this.listAll();
        }
        await this.watchFrom(this.rv ?? '');
        backoffMs = 800;
      } catch (e) {
        if (this.stopping) {
          break;
        }
        if (isGone(e)) {
          // Our resourceVersion is older than what the server keeps: start over from a full list.
          this.logger('info', `informer ${this.name}: ${(e as Error).message}; relisting`);
          this.rv = undefined;
          continue;
        }
        this.logger('warning', `informer ${this.name}: ${(e as Error).message}; retrying in ${backoffMs}ms`);
        await sleep(backoffMs * (1 + Math.random() * 0.2), this.abort.signal).catch(() => {});
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  }

  /** A WatchList rejection by the server (4xx other than 410/429) or a server that ignores it: use list+watch from now on. */
  private fallBackFromWatchList(e: unknown): boolean {
    const rejected = e instanceof StatusError && e.code >= 400 && e.code < 500 && e.code !== 410 && e.code !== 429 && e.code !== 401 && e.code !== 403;
    if (rejected || e instanceof NoInitialEventsEnd) {
      this.logger('info', `informer ${this.name}: WatchList not usable (${(e as Error).message}); falling back to regular list`);
      this.watchListAllowed = false;
      return true;
    }
    return false;
  }

  private watchTimeout(): number {
    const [lo, hi] = this.opts.watchTimeoutSeconds ?? [300, 600];
    return Math.floor(lo + Math.random() * Math.max(0, hi - lo));
  }

  private async openWatch(resourceVersion: string | undefined, sendInitialEvents: boolean): Promise<Watch<T>> {
    const timeoutSeconds = this.watchTimeout();
    const w = await Watch.open<T>(
      this.opts.client,
      this.opts.resource,
      {
        resourceVersion,
        sendInitialEvents: sendInitialEvents ? true : undefined,
        allowWatchBookmarks: true,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        timeoutSeconds,
      },
      this.abort.signal,
    );
    this.currentWatch = w;
    // The server ends the watch after timeoutSeconds; if it never does (a silently dead
    // peer), give up a minute later and re-watch from the last resourceVersion.
    this.watchGuard = setTimeout(() => w.stop(), (timeoutSeconds + 60) * 1000);
    this.watchGuard.unref();
    return w;
  }

  private endWatch(): void {
    clearTimeout(this.watchGuard);
    this.currentWatch = undefined;
  }

  /** Streams the initial state (sendInitialEvents), replaces the cache at the end bookmark, then keeps watching. */
  private async watchList(): Promise<void> {
    const w = await this.openWatch(undefined, true);
    let sawEnd: boolean;
    try {
      sawEnd = await this.consumeWatchList(w);
    } finally {
      this.endWatch();
    }
    if (!sawEnd && !this.stopping) {
      throw new NoInitialEventsEnd('watch closed before the initial-events-end bookmark');
    }
  }

  /** Feeds a WatchList stream; true if the initial-events-end bookmark arrived before it closed. */
  private async consumeWatchList(w: Watch<T>): Promise<boolean> {
    const initial = new Map<string, T>();
    let inInitial = true;
    for await (const ev of w) {
      if (!inInitial) {
        this.apply(ev);
        continue;
      }
      const key = objectKey(ev.object.metadata);
      if (ev.type === 'BOOKMARK') {
        if (ev.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true') {
          this.replace([...initial.values()], ev.object.metadata.resourceVersion ?? '');
          inInitial = false;
        }
      } else if (ev.type === 'DELETED') {
        initial.delete(key);
      } else {
        initial.set(key, ev.object);
      }
    }
    return !inInitial;
  }

  /** Lists every page (limit=pageSize) and replaces the cache. */
  private async listAll(): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.opts.client.list<T>(
        this.opts.resource,
        { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, limit: this.opts.pageSize ?? 500, continue: cont },
        this.abort.signal,
      );
      for (const it of page.items) {
        items.push(it);
      }
      rv = page.metadata.resourceVersion ?? rv;
      cont = page.metadata.continue === '' ? undefined : page.metadata.continue;
    } while (cont !== undefined && !this.stopping);
    if (!this.stopping) {
      this.replace(items, rv);
    }
  }

  private async watchFrom(rv: string): Promise<void> {
    const w = await this.openWatch(rv, false);
    try {
      for await (const ev of w) {
        this.apply(ev);
      }
    } finally {
      this.endWatch();
    }
  }

  /** Applies one watch event to the cache and tells handlers. */
  private apply(ev: WatchEvent<T>): void {
    const rv = ev.object.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv !== undefined && rv !== '') {
        this.rv = rv;
      }
      return;
    }
    if (ev.type === 'DELETED') {
      const old = this.store.deleteKey(objectKey(ev.object.metadata));
      // Handlers get the event's (final) object, as upstream; fall back to the cached one if the event's is bare.
      this.notifyDelete(deepFreeze(ev.object.metadata.name !== undefined ? this.transformed(ev.object) : (old ?? ev.object)) as DeepReadonly<T>);
    } else {
      const obj = this.transformed(ev.object);
      const old = this.store.set(obj);
      const cached = this.store.get(objectKey(obj.metadata)) as DeepReadonly<T>;
      if (old === undefined) {
        this.notifyAdd(cached, false);
      } else {
        this.notifyUpdate(old, cached);
      }
    }
    if (rv !== undefined && rv !== '') {
      this.rv = rv;
    }
  }

  /** obj after the transform option (objects already frozen, e.g. a cached one, pass unchanged). */
  private transformed(obj: T): T {
    const t = this.opts.transform;
    return t === undefined || Object.isFrozen(obj) ? obj : t(obj);
  }

  /** Swaps the cache for a full list: adds, updates, and tombstoned deletes for what vanished. */
  private replace(items: readonly T[], rv: string): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item.metadata);
      seen.add(key);
      const old = this.store.set(this.transformed(item));
      const cached = this.store.get(key) as DeepReadonly<T>;
      if (old === undefined) {
        this.notifyAdd(cached, !this.synced);
      } else {
        // As upstream's Replaced delta: every surviving object is re-delivered as an update.
        this.notifyUpdate(old, cached);
      }
    }
    for (const key of [...this.store.keys()]) {
      if (!seen.has(key)) {
        const old = this.store.deleteKey(key);
        if (old !== undefined) {
          this.notifyDelete({ kind: 'DeletedFinalStateUnknown', key, obj: old });
        }
      }
    }
    this.rv = rv;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) {
        w();
      }
    }
  }
}
