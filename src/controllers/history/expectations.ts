/**
 * Controller expectations (upstream's UIDTrackingControllerExpectations): before creating or
 * deleting pods a controller records how many creations it expects and which pods it deletes;
 * pod events (or failed requests) count them down. Until they are all observed the controller
 * does not act on its lagging cache, so it never creates or deletes the same pods twice.
 * Deletions are tracked per pod so that a pod seen both "deleting" and "gone" counts once.
 */

/** Upstream's ExpectationsTimeout: stale expectations are dropped after 5 minutes. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Pending {
  adds: number;
  /** Keys (`namespace/name`) of pods we asked to delete and have not yet seen deleting or gone. */
  readonly dels: Set<string>;
  readonly since: number;
}

/** Per-controller-key creations and deletions not yet observed by the informer. */
export class Expectations {
  private readonly pending = new Map<string, Pending>();

  /** Records that `adds` creations and the deletions of `deletePodKeys` are about to be issued for `key`. */
  expect(key: string, adds: number, deletePodKeys: readonly string[] = []): void {
    this.pending.set(key, { adds, dels: new Set(deletePodKeys), since: performance.now() });
  }

  /** A pod of `key` was seen created, or its create failed (and will never be seen). */
  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p !== undefined) {
      p.adds--;
    }
  }

  /** Pod `podKey` of `key` was seen deleting or gone, or its delete failed; counted once per pod. */
  deletionObserved(key: string, podKey: string): void {
    this.pending.get(key)?.dels.delete(podKey);
  }

  /** True when every expected change of `key` has been observed (or they expired). */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (p === undefined) {
      return true;
    }
    if ((p.adds <= 0 && p.dels.size === 0) || performance.now() - p.since > EXPECTATIONS_TIMEOUT_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  /** Forgets `key` (its controller object is gone). */
  forget(key: string): void {
    this.pending.delete(key);
  }
}
