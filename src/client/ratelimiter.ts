/**
 * Work-queue rate limiters (client-go util/workqueue): per-item exponential backoff, an
 * overall token bucket, and the max of both, which is the default controller rate limiter.
 */
import { TokenBucket } from './tokenbucket.ts';

/** Decides how long an item waits before it is retried. */
export interface RateLimiter<K> {
  /** Delay (ms) before `item` may be processed again; counts as one more failure. */
  when(item: K): number;
  /** Clears the item's failure history (call after a success). */
  forget(item: K): void;
  /** How many times the item has been requeued since the last forget. */
  numRequeues(item: K): number;
}

/** base·2^failures, capped at max (defaults 5 ms → 1000 s). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(baseMs = 5, maxMs = 1_000_000) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long before it matters; min() caps it.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall qps/burst bucket shared by all items (defaults 10 qps, burst 100). */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100) {
    this.bucket = new TokenBucket(qps, burst);
  }

  when(_item: K): number {
    return this.bucket.reserve();
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay any of its limiters asks for. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) {
      max = Math.max(max, l.when(item));
    }
    return max;
  }

  forget(item: K): void {
    for (const l of this.limiters) {
      l.forget(item);
    }
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) {
      max = Math.max(max, l.numRequeues(item));
    }
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: max(per-item 5 ms → 1000 s, bucket 10 qps / 100 burst). */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(10, 100));
}
