/**
 * Controller expectations (upstream's ControllerExpectations): after creating or deleting N
 * pods, a controller waits until its informer has seen them before trusting its cache again,
 * so a lagging cache never makes it create or delete twice. Entries expire after 5 minutes.
 */

const TTL_MS = 5 * 60_000;

interface Entry {
  add: number;
  /** Keys of pods we asked to delete and have not yet seen deleting (upstream tracks these by key too). */
  readonly del: Set<string>;
  at: number;
}

/** Pending creations/deletions per controller key. */
export class Expectations {
  private readonly entries = new Map<string, Entry>();

  /** True when nothing is pending for `key` (or the expectation expired). */
  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    return e === undefined || (e.add <= 0 && e.del.size === 0) || performance.now() - e.at > TTL_MS;
  }

  /** Records that `add` creations and deletions of the pods `del` (keys) are about to be issued. */
  expect(key: string, add: number, del: readonly string[] = []): void {
    this.entries.set(key, { add, del: new Set(del), at: performance.now() });
  }

  /** An informer saw one of our creations (or a creation failed and will never be seen). */
  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (e !== undefined) {
      e.add--;
    }
  }

  /** An informer saw pod `podKey` deleting or gone (or its deletion failed); counted once per pod. */
  deletionObserved(key: string, podKey: string): void {
    this.entries.get(key)?.del.delete(podKey);
  }

  /** Forgets `key` (its controller object is gone). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
