/**
 * Test helper: records what a storage watch delivers and lets a test await a condition on it
 * (no sleeps: the wait ends when the condition holds, or the test's own timeout fires).
 */
import type { Storage, StorageError, WatchEvent, WatchHandle } from '../interface.ts';

/** A running watch with everything it delivered so far. */
export interface WatchRecorder {
  readonly events: WatchEvent[];
  /** Number of onEvents calls, to check batching rules. */
  readonly batches: WatchEvent[][];
  error(): StorageError | undefined;
  /** Resolves once pred holds (checked now and after every delivery). */
  until(pred: () => boolean): Promise<void>;
  readonly handle: WatchHandle;
}

/** Revision an event happened at. */
export function eventRevision(ev: WatchEvent): number {
  return ev.type === 'put' ? ev.kv.modRevision : ev.revision;
}

/** Key an event is about. */
export function eventKey(ev: WatchEvent): string {
  return ev.type === 'put' ? ev.kv.key : ev.key;
}

/** Starts a watch and records it. */
export function recordWatch(storage: Storage, prefix: string, fromRevision: number): WatchRecorder {
  const events: WatchEvent[] = [];
  const batches: WatchEvent[][] = [];
  let error: StorageError | undefined;
  let waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];
  const check = (): void => {
    waiters = waiters.filter((w) => {
      if (w.pred()) {
        w.resolve();
        return false;
      }
      return true;
    });
  };
  const handle = storage.watch(prefix, fromRevision, {
    onEvents(evs) {
      batches.push([...evs]);
      events.push(...evs);
      check();
    },
    onError(err) {
      error = err;
      check();
    },
  });
  return {
    events,
    batches,
    error: () => error,
    until(pred) {
      if (pred()) {
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiters.push({ pred, resolve }));
    },
    handle,
  };
}
