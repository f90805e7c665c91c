/**
 * Work queue (client-go util/workqueue): duplicates collapse while queued; an item being
 * processed is never handed to another worker — re-adding it marks it dirty and it is queued
 * again when done() is called. Delayed and rate-limited adds, shutdown with or without drain,
 * and metric hooks.
 */
import { defaultControllerRateLimiter } from './ratelimiter.ts';
import type { RateLimiter } from './ratelimiter.ts';

/** Optional metric callbacks (wire them to prom-client in a component). */
export interface QueueMetrics {
  /** Current number of queued (not in-flight) items. */
  depth?(n: number): void;
  /** An add() that was accepted (not collapsed). */
  adds?(): void;
  /** Time an item waited in the queue before get() handed it out. */
  queueLatencyMs?(ms: number): void;
  /** Time between get() and done(). */
  workDurationMs?(ms: number): void;
  /** A rate-limited re-add. */
  retries?(): void;
}

/** Queue settings. */
export interface WorkQueueOptions<K> {
  readonly name?: string;
  readonly metrics?: QueueMetrics;
  /** For addRateLimited (default: client-go's default controller rate limiter). */
  readonly rateLimiter?: RateLimiter<K>;
}

/** A rate-limiting, delaying work queue of keys (usually `namespace/name` strings). */
export class WorkQueue<K = string> {
  readonly name: string;
  private items: K[] = [];
  private head = 0;
  /** Items that need processing (queued, or re-added while in flight). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly addedAt = new Map<K, number>();
  private readonly startedAt = new Map<K, number>();
  private readonly waiting = new Map<K, { readyAt: number; timer: NodeJS.Timeout }>();
  private getters: ((item: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shutdown = false;
  private readonly metrics: QueueMetrics;
  private readonly limiter: RateLimiter<K>;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? '';
    this.metrics = opts.metrics ?? {};
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>();
  }

  /** Number of items waiting to be handed out (not counting in-flight or delayed ones). */
  len(): number {
    return this.items.length - this.head;
  }

  /** True after shutDown()/shutDownWithDrain(). */
  get shuttingDown(): boolean {
    return this.shutdown;
  }

  private push(item: K): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.hand(item);
      getter(item);
      return;
    }
    this.items.push(item);
    this.addedAt.set(item, performance.now());
    this.metrics.depth?.(this.len());
  }

  private hand(item: K): void {
    const added = this.addedAt.get(item);
    this.addedAt.delete(item);
    const now = performance.now();
    this.metrics.queueLatencyMs?.(added === undefined ? 0 : now - added);
    this.processing.add(item);
    this.dirty.delete(item);
    this.startedAt.set(item, now);
  }

  /** Marks `item` as needing processing; collapses with a queued copy; ignored after shutdown. */
  add(item: K): void {
    if (this.shutdown || this.dirty.has(item)) {
      return;
    }
    this.dirty.add(item);
    this.metrics.adds?.();
    if (this.processing.has(item)) {
      // done() will requeue it: never two workers on one key.
      return;
    }
    this.push(item);
  }

  /** Waits for the next item; undefined once the queue is shut down and empty. */
  get(): Promise<K | undefined> {
    if (this.len() > 0) {
      const item = this.items[this.head];
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.metrics.depth?.(this.len());
      this.hand(item);
      return Promise.resolve(item);
    }
    if (this.shutdown) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `item`; if it was re-added meanwhile, it is queued again. */
  done(item: K): void {
    if (!this.processing.delete(item)) {
      return;
    }
    const started = this.startedAt.get(item);
    this.startedAt.delete(item);
    this.metrics.workDurationMs?.(started === undefined ? 0 : performance.now() - started);
    if (this.dirty.has(item)) {
      this.push(item);
    }
    this.checkDrained();
  }

  /** Adds `item` after `ms` (at once if ms ≤ 0); a sooner pending add for the same item wins. */
  addAfter(item: K, ms: number): void {
    if (this.shutdown) {
      return;
    }
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = performance.now() + ms;
    const pending = this.waiting.get(item);
    if (pending !== undefined) {
      if (pending.readyAt <= readyAt) {
        return;
      }
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { readyAt, timer });
  }

  /** Re-adds `item` after its rate-limiter delay (use after a failed sync). */
  addRateLimited(item: K): void {
    this.metrics.retries?.();
    this.addAfter(item, this.limiter.when(item));
  }

  /** Clears `item`'s failure history (use after a successful sync). */
  forget(item: K): void {
    this.limiter.forget(item);
  }

  /** Rate-limited requeues of `item` since the last forget(). */
  numRequeues(item: K): number {
    return this.limiter.numRequeues(item);
  }

  private stopTimers(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
    }
    this.waiting.clear();
  }

  /**
   * Stops accepting adds (like upstream, items already queued are still handed out, so
   * workers finish them); getters waiting on an empty queue get undefined.
   */
  shutDown(): void {
    this.shutdown = true;
    this.stopTimers();
    if (this.len() === 0) {
      const getters = this.getters;
      this.getters = [];
      for (const g of getters) {
        g(undefined);
      }
    }
    this.checkDrained();
  }

  /** shutDown(), then resolves once nothing is queued or in flight. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0 && this.len() === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
    });
  }

  private checkDrained(): void {
    if (!this.shutdown || this.processing.size > 0 || this.len() > 0) {
      return;
    }
    const getters = this.getters;
    this.getters = [];
    for (const g of getters) {
      g(undefined);
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) {
      w();
    }
  }
}
