/**
 * The automatic compactor (as kine's, and as upstream's apiserver compacts etcd): on an
 * interval, compact everything older than the newest `keep` revisions, so history stays
 * bounded while recent watchers can still resume.
 */

/** How often and how much history to keep. */
export interface CompactorOptions {
  /** Milliseconds between compactions (default 5 minutes). */
  readonly intervalMs: number;
  /** Revisions kept behind the current one (default 1000). */
  readonly keep: number;
}

/** The part of a store the compactor drives. */
export interface Compactable {
  currentRevision(): Promise<number>;
  compactedRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
}

/** A running compactor. */
export interface Compactor {
  stop(): void;
}

export const defaultCompactorOptions: CompactorOptions = { intervalMs: 5 * 60 * 1000, keep: 1000 };

/** Runs one compaction pass: compacts to current - keep when that moves the boundary forward. */
export async function compactOnce(store: Compactable, keep: number): Promise<number> {
  const target = (await store.currentRevision()) - keep;
  if (target > (await store.compactedRevision())) {
    await store.compact(target);
  }
  return store.compactedRevision();
}

/** Starts periodic compaction; the timer does not keep the process alive. */
export function startCompactor(store: Compactable, opts: Partial<CompactorOptions>): Compactor {
  const { intervalMs, keep } = { ...defaultCompactorOptions, ...opts };
  let running = false;
  const timer = setInterval(() => {
    if (running) {
      return;
    }
    running = true;
    compactOnce(store, keep)
      .catch((err: unknown) => process.emitWarning(`storage compaction failed: ${String(err)}`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
