/**
 * Token bucket (golang.org/x/time/rate semantics): `qps` tokens per second, at most `burst`
 * banked. Reservations may push the bucket negative, so callers are served in order.
 */

/** A token bucket; `reserve()` takes a token now and says how long to wait before using it. */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  // Not performance.now(): the first use of `performance` loads perf_hooks and eight internal
  // modules, a few ms of every CLI start.
  constructor(qps: number, burst: number, now: () => number = () => Number(process.hrtime.bigint()) / 1e6) {
    if (!(qps > 0) || !(burst >= 1)) {
      throw new Error(`token bucket needs qps > 0 and burst >= 1 (got ${qps}/${burst})`);
    }
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.now = now;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** Takes one token; returns the delay in ms the caller must wait before acting (0 if a token was banked). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token only if one is available right now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Waits for a token (abortable). */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) {
      await sleep(delay, signal);
    }
  }
}

/** setTimeout as a promise; rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
