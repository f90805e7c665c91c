/**
 * Spreads a periodic job for many members evenly over its period: members sit in buckets
 * (member index modulo bucket count) and one timer fires one bucket per tick, so 5,000 nodes
 * renewing every 10 s cost 50 calls every 100 ms instead of 5,000 at once.
 */

/** Fires `visit(member)` for each member once per period, members spread over the period. */
export class Rotation<M> {
  private readonly buckets: M[][];
  private readonly tickMs: number;
  private readonly visit: (member: M) => void;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;

  /** `periodMs` split into ticks of about `tickMs` (at least 1 bucket). */
  constructor(periodMs: number, tickMs: number, visit: (member: M) => void) {
    const count = Math.max(1, Math.round(periodMs / Math.max(1, tickMs)));
    this.buckets = Array.from({ length: count }, () => []);
    this.tickMs = periodMs / count;
    this.visit = visit;
  }

  /** Puts a member in the bucket its index selects (index = its position in the fleet). */
  add(member: M, index: number): void {
    this.buckets[index % this.buckets.length].push(member);
  }

  /** Starts ticking, the first bucket visited after `initialDelayMs` (a random phase avoids lockstep with other processes). */
  start(initialDelayMs: number = Math.random() * this.tickMs): void {
    if (this.timer !== undefined) {
      return;
    }
    this.timer = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.tickMs);
    }, initialDelayMs);
  }

  private tick(): void {
    const bucket = this.buckets[this.next];
    this.next = (this.next + 1) % this.buckets.length;
    for (const m of bucket) {
      this.visit(m);
    }
  }

  /** Stops the timer. */
  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
