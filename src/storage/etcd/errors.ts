/**
 * Maps etcd client errors to StorageError: compacted and future revisions by etcd's own
 * messages (mvcc's ErrCompacted / ErrFutureRev), everything else as Unavailable.
 */
import { StorageError, StorageErrorCode } from '../interface.ts';

/** True when etcd said the requested revision has been compacted. */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /required revision has been compacted/.test(err.message);
}

/** True when etcd said the requested revision is in the future. */
export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && /required revision is a future revision/.test(err.message);
}

/** The StorageError for a failed etcd call (Compacted errors get their revision from the caller). */
export function toStorageError(err: unknown, key: string, compactedRevision?: number): StorageError {
  if (err instanceof StorageError) {
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (isCompactedError(err)) {
    return new StorageError(StorageErrorCode.Compacted, key, message, compactedRevision);
  }
  if (isFutureRevisionError(err)) {
    return new StorageError(StorageErrorCode.Invalid, key, message);
  }
  return new StorageError(StorageErrorCode.Unavailable, key, `etcd: ${message}`);
}
