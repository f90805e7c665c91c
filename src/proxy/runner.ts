/**
 * A bounded-frequency runner (the idea of upstream's async.BoundedFrequencyRunner): `request()`
 * asks for a run; runs never overlap, start at most once per `minIntervalMs`, and happen at
 * least every `maxIntervalMs` even when nothing asked (a periodic full resync).
 */

/** Why a run happened: someone asked, the periodic timer fired, or a failed run is retried. */
export type RunReason = 'requested' | 'periodic' | 'retry';

/** Timings of a BoundedFrequencyRunner. */
export interface RunnerOptions {
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  /** Delay before retrying a run that threw (default minIntervalMs, at least 1 s). */
  readonly retryMs?: number;
}

/** Runs `fn` debounced and periodically; a throwing run is retried. */
export class BoundedFrequencyRunner {
  private readonly fn: (reason: RunReason) => Promise<void>;
  private readonly opts: RunnerOptions;
  private timer: NodeJS.Timeout | undefined;
  private timerReason: RunReason = 'requested';
  private running: Promise<void> | undefined;
  private pending: RunReason | undefined;
  private lastStart = -Infinity;
  private stopped = false;

  constructor(fn: (reason: RunReason) => Promise<void>, opts: RunnerOptions) {
    this.fn = fn;
    this.opts = opts;
  }

  /** Asks for a run as soon as the minimum interval allows. */
  request(reason: RunReason = 'requested'): void {
    if (this.stopped) {
      return;
    }
    if (this.running !== undefined) {
      // Periodic wins over requested: it forces a reapply even when nothing changed.
      this.pending = this.pending === 'periodic' || reason === 'periodic' ? 'periodic' : reason;
      return;
    }
    const wait = Math.max(0, this.lastStart + this.opts.minIntervalMs - Date.now());
    this.schedule(wait, reason, true);
  }

  private schedule(ms: number, reason: RunReason, onlyIfSooner: boolean): void {
    if (this.timer !== undefined) {
      if (onlyIfSooner && this.timerReason !== 'periodic') {
        return; // a run is already due no later than this one
      }
      // Replacing the periodic timer is fine: every finished run schedules the next one.
      clearTimeout(this.timer);
    }
    this.timerReason = reason;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire(reason);
    }, ms);
  }

  private fire(reason: RunReason): void {
    if (this.stopped) {
      return;
    }
    this.lastStart = Date.now();
    let failed = false;
    this.running = this.fn(reason)
      .catch(() => {
        failed = true;
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) {
          return;
        }
        const next = this.pending;
        this.pending = undefined;
        if (failed) {
          this.schedule(this.opts.retryMs ?? Math.max(this.opts.minIntervalMs, 1000), 'retry', false);
        } else if (next !== undefined) {
          this.schedule(Math.max(0, this.lastStart + this.opts.minIntervalMs - Date.now()), next, false);
        } else {
          this.schedule(this.opts.maxIntervalMs, 'periodic', false);
        }
      });
  }

  /** Stops scheduling and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.running;
  }
}
