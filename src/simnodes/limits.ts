/** Small concurrency and log-volume guards for a process doing thousands of calls per minute. */
import type { ClientLogger } from '../client/index.ts';

/** Bounds how many async jobs run at once; the rest wait in FIFO order. */
export class Semaphore {
  private readonly limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** Runs `job` once a slot is free. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) {
        next(); // the slot passes straight to the next waiter
      } else {
        this.active--;
      }
    }
  }
}

/** Logs the first occurrence of each kind of failure at once, then a count per kind at most every `intervalMs`. */
export class ThrottledLog {
  private readonly logger: ClientLogger;
  private readonly intervalMs: number;
  private readonly kinds = new Map<string, { last: number; suppressed: number; example: string }>();

  constructor(logger: ClientLogger, intervalMs = 10_000) {
    this.logger = logger;
    this.intervalMs = intervalMs;
  }

  /** Reports `message` under `kind` (e.g. "lease renewal"). */
  warn(kind: string, message: string): void {
    const now = Date.now();
    const k = this.kinds.get(kind);
    if (k === undefined || now - k.last >= this.intervalMs) {
      const extra = k !== undefined && k.suppressed > 0 ? ` (and ${k.suppressed} more ${kind} failures since the last report)` : '';
      this.logger('warning', `${kind}: ${message}${extra}`);
      this.kinds.set(kind, { last: now, suppressed: 0, example: message });
    } else {
      k.suppressed++;
      k.example = message;
    }
  }
}
