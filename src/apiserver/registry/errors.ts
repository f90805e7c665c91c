/** Translation of StorageError into metav1.Status errors (STYLE.md §7). */
import { alreadyExists, conflict, gone, internalError, notFound, StatusError, StatusReason } from '../../api/errors.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { StorageError } from '../../storage/interface.ts';

/** Upstream's optimistic-concurrency message. */
export const modifiedMessage = 'the object has been modified; please apply your changes to the latest version and try again';

/** Maps a storage failure on `name` of desc to the StatusError upstream would return; other errors pass through. */
export function translateStorageError(desc: ResourceDescription, name: string, err: unknown, requestedRevision?: number): unknown {
  if (!(err instanceof StorageError)) {
    return err;
  }
  switch (err.code) {
    case 'NotFound':
      return notFound(desc.group, desc.resource, name);
    case 'KeyExists':
      return alreadyExists(desc.group, desc.resource, name);
    case 'Conflict':
      return conflict(desc.group, desc.resource, name, modifiedMessage);
    case 'Compacted':
      return gone(`too old resource version: ${requestedRevision ?? 0} (${err.revision ?? 0})`);
    case 'Unavailable':
      return new StatusError(503, StatusReason.ServiceUnavailable, `storage unavailable: ${err.message}`);
    default:
      return internalError(err.message);
  }
}
