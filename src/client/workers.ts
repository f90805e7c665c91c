/** runWorkers: the controller loop of STYLE.md §3 — get a key, sync it, forget on success, requeue rate-limited on error. */
import { stderrLogger } from './log.ts';
import type { ClientLogger } from './log.ts';
import type { WorkQueue } from './workqueue.ts';

/** Worker-loop settings. */
export interface RunWorkersOptions {
  readonly logger?: ClientLogger;
  /** Give up on a key after this many consecutive failures (default: never). */
  readonly maxRetries?: number;
}

/**
 * Runs `n` concurrent workers over `queue` until it shuts down; resolves when all have
 * returned. The queue guarantees one key is never synced by two workers at once.
 */
export async function runWorkers<K>(queue: WorkQueue<K>, n: number, sync: (key: K) => Promise<void>, opts: RunWorkersOptions = {}): Promise<void> {
  const logger = opts.logger ?? stderrLogger;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) {
        return;
      }
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        const retries = queue.numRequeues(key);
        if (opts.maxRetries !== undefined && retries >= opts.maxRetries) {
          logger('error', `${queue.name || 'queue'}: dropping ${String(key)} after ${retries} retries: ${(e as Error).message}`);
          queue.forget(key);
        } else {
          logger('warning', `${queue.name || 'queue'}: syncing ${String(key)} failed (retry ${retries + 1}): ${(e as Error).message}`);
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, () => worker()));
}
