/**
 * One client's watch on a watch cache: filters events with upstream's selector semantics
 * (an object that stops matching is DELETED for this watcher, one that starts matching is
 * ADDED), delivers them asynchronously in order, and is closed when it falls too far behind
 * so a slow client never holds up the others.
 */
import type { Status } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';

/** A change as the cache recorded it: `object` is the new state (for DELETED, the last state with the delete's resourceVersion). */
export interface CacheEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly object: KubeObject;
  /** The state before this change (MODIFIED/DELETED). */
  readonly prev: KubeObject | undefined;
  readonly revision: number;
}

export type DeliveredType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Where a cache watcher delivers (shaped like the registry's WatchSink). */
export interface CacheSink {
  event(type: DeliveredType, object: KubeObject | Status): void;
  close(): void;
}

export interface WatcherOptions {
  /** Only keys under this prefix (a namespace, or the whole resource). */
  readonly keyPrefix: string;
  /** Label/field selector; undefined matches everything. */
  readonly filter?: (obj: KubeObject) => boolean;
  /** Applied to every object on the way out (e.g. apiVersion of the requested version). */
  readonly transform?: (obj: KubeObject) => KubeObject;
  /** Periodic bookmarks and the initial-events-end bookmark are only sent when true. */
  readonly bookmarks: boolean;
  /** Builds a BOOKMARK object at revision rv (initialEnd: annotate k8s.io/initial-events-end). */
  readonly makeBookmark?: (rv: number, initialEnd: boolean) => KubeObject;
  readonly sink: CacheSink;
  /** Live events queued beyond this close the watcher (it reconnects and catches up). */
  readonly maxQueue?: number;
}

const chunk = 500;

/** A registered watcher; the cache pushes events, the watcher drains them to its sink. */
export class CacheWatcher {
  readonly opts: WatcherOptions;
  private readonly maxQueue: number;
  private initial: KubeObject[] = [];
  private initialIndex = 0;
  /** Revision the initial-events-end bookmark carries; undefined when not requested (or sent). */
  private initialEndRevision: number | undefined;
  private queue: CacheEvent[] = [];
  private queueHead = 0;
  private scheduled = false;
  private closed = false;
  private onClose: (() => void) | undefined;
  /** Events at or below this revision are already known to the client (resume point). */
  private minRevision = 0;

  constructor(opts: WatcherOptions, onClose: () => void) {
    this.opts = opts;
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.onClose = onClose;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `objects` as ADDED first; then (if requested) the initial-events-end bookmark at `endRevision`. */
  setInitial(objects: KubeObject[], endRevision: number | undefined): void {
    this.initial = objects;
    this.initialIndex = 0;
    this.initialEndRevision = endRevision;
    this.schedule();
  }

  /** Drops every event at or below rv (the client resumes after rv, which may be ahead of the cache). */
  skipThrough(rv: number): void {
    this.minRevision = rv;
  }

  /** Queues a live event (only called for keys under keyPrefix). */
  push(ev: CacheEvent): void {
    if (this.closed || ev.revision <= this.minRevision) {
      return;
    }
    if (this.queue.length - this.queueHead >= this.maxQueue) {
      // Too slow: drop it; the client will re-watch from its last resourceVersion.
      this.stop(true);
      return;
    }
    this.queue.push(ev);
    this.schedule();
  }

  /** A periodic bookmark, only once the initial events are out and nothing is queued. */
  bookmark(revision: number): void {
    if (this.closed || !this.opts.bookmarks || this.opts.makeBookmark === undefined) {
      return;
    }
    if (this.initialIndex < this.initial.length || this.queue.length > this.queueHead) {
      return;
    }
    this.opts.sink.event('BOOKMARK', this.opts.makeBookmark(revision, false));
  }

  /** Sends an ERROR then closes. */
  fail(status: Status): void {
    if (this.closed) {
      return;
    }
    this.opts.sink.event('ERROR', status);
    this.stop(true);
  }

  /** Stops delivery; closeSink tells the HTTP layer to end the response. Idempotent. */
  stop(closeSink: boolean): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.queue = [];
    this.initial = [];
    const cb = this.onClose;
    this.onClose = undefined;
    cb?.();
    if (closeSink) {
      this.opts.sink.close();
    }
  }

  private schedule(): void {
    if (!this.scheduled && !this.closed) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    let budget = chunk;
    while (!this.closed && budget > 0 && this.initialIndex < this.initial.length) {
      const obj = this.initial[this.initialIndex++];
      budget--;
      if (this.opts.filter === undefined || this.opts.filter(obj)) {
        this.deliver('ADDED', obj);
      }
    }
    if (this.closed) {
      return;
    }
    if (this.initialIndex < this.initial.length) {
      this.schedule();
      return;
    }
    if (this.initial.length > 0) {
      this.initial = [];
      this.initialIndex = 0;
    }
    if (this.initialEndRevision !== undefined) {
      const rv = this.initialEndRevision;
      this.initialEndRevision = undefined;
      if (this.opts.bookmarks && this.opts.makeBookmark !== undefined) {
        this.opts.sink.event('BOOKMARK', this.opts.makeBookmark(rv, true));
      }
    }
    while (!this.closed && budget > 0 && this.queueHead < this.queue.length) {
      const ev = this.queue[this.queueHead++];
      budget--;
      this.deliverEvent(ev);
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (!this.closed) {
      this.schedule();
    }
  }

  private deliverEvent(ev: CacheEvent): void {
    const filter = this.opts.filter;
    if (filter === undefined) {
      this.deliver(ev.type, ev.object);
      return;
    }
    if (ev.type === 'DELETED') {
      if (filter(ev.prev ?? ev.object)) {
        this.deliver('DELETED', ev.object);
      }
      return;
    }
    const cur = filter(ev.object);
    const old = ev.prev !== undefined && filter(ev.prev);
    if (cur && old) {
      this.deliver('MODIFIED', ev.object);
    } else if (cur) {
      this.deliver('ADDED', ev.object);
    } else if (old && ev.prev !== undefined) {
      // Stopped matching: the watcher sees it leave, with the new resourceVersion (upstream's cacher does the same).
      this.deliver('DELETED', withResourceVersion(ev.prev, ev.revision));
    }
  }

  private deliver(type: DeliveredType, obj: KubeObject): void {
    const out = this.opts.transform !== undefined ? this.opts.transform(obj) : obj;
    this.opts.sink.event(type, out);
  }
}

/** A shallow copy of obj carrying resourceVersion rv. */
export function withResourceVersion(obj: KubeObject, rv: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}
