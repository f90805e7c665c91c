/**
 * guaranteedUpdate: read-modify-write that retries on Conflict, as upstream's
 * storage.Interface.GuaranteedUpdate. tryUpdate sees the current value (undefined when the
 * key is absent) and returns the new value; throwing from it aborts with that error.
 */
import { StorageError, StorageErrorCode } from './interface.ts';
import type { KeyValue, Storage } from './interface.ts';

/** Computes the new value from the current one; may be called several times (once per attempt). */
export type TryUpdate = (current: KeyValue | undefined) => string | Promise<string>;

/** Options of guaranteedUpdate. */
export interface GuaranteedUpdateOptions {
  /** Give up with the last Conflict after this many attempts (default: unbounded, as upstream). */
  readonly maxAttempts?: number;
  /** A value already read by the caller (e.g. from a cache), tried first to save a read. */
  readonly cached?: KeyValue;
}

/**
 * Applies tryUpdate until a write lands: update when the key exists, create when absent
 * (tryUpdate decides whether absence is an error by throwing). Returns the written KeyValue.
 * When tryUpdate returns the value unchanged, nothing is written and the current KeyValue is returned.
 */
export async function guaranteedUpdate(
  storage: Storage,
  key: string,
  tryUpdate: TryUpdate,
  opts: GuaranteedUpdateOptions = {},
): Promise<KeyValue> {
  let current: KeyValue | undefined = opts.cached ?? (await storage.get(key));
  let fromCache = opts.cached !== undefined;
  for (let attempt = 1; ; attempt++) {
    const next = await tryUpdate(current);
    try {
      if (current === undefined) {
        return await storage.create(key, next);
      }
      if (next === current.value && !fromCache) {
        // Upstream skips no-op writes so the resourceVersion does not move.
        return current;
      }
      return await storage.update(key, next, current.modRevision);
    } catch (err) {
      const retriable =
        err instanceof StorageError &&
        (err.code === StorageErrorCode.Conflict || err.code === StorageErrorCode.KeyExists || err.code === StorageErrorCode.NotFound);
      if (!retriable || (opts.maxAttempts !== undefined && attempt >= opts.maxAttempts)) {
        throw err;
      }
      current = await storage.get(key);
      fromCache = false;
    }
  }
}
