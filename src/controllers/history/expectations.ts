/**
 * Controller expectations (upstream's ControllerExpectations): before creating or deleting pods
 * a controller records how many adds/deletes it expects; pod events (or failed requests)
 * count them down. Until they reach zero the controller does not act on its — lagging — cache,
 * so it never creates the same pods twice.
 */

/** Upstream's ExpectationsTimeout: stale expectations are dropped after 5 minutes. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Pending {
  adds: number;
  dels: number;
  since: number;
}

/** Per-controller-key counts of pod creations and deletions not yet observed by the informer. */
export class Expectations {
  private readonly pending = new Map<string, Pending>();

  /** Sets the expectations of `key` (call before issuing the requests). */
  expect(key: string, adds: number, dels: number): void {
    this.pending.set(key, { adds, dels, since: Date.now() });
  }

  /** A pod of `key` was seen created, or its create failed. */
  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p !== undefined) {
      p.adds--;
    }
  }

  /** A pod of `key` was seen deleted (or marked for deletion), or its delete failed. */
  deletionObserved(key: string): void {
    const p = this.pending.get(key);
    if (p !== undefined) {
      p.dels--;
    }
  }

  /** True when every expected change of `key` has been observed (or they expired). */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (p === undefined) {
      return true;
    }
    if ((p.adds <= 0 && p.dels <= 0) || Date.now() - p.since > EXPECTATIONS_TIMEOUT_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  /** Forgets `key` (its object is gone). */
  forget(key: string): void {
    this.pending.delete(key);
  }
}
