/**
 * storage.Interface (DESIGN.md §3, STYLE.md §5): the only contract between the API
 * server and a store. Keys are `/registry/<resource>/<namespace>/<name>` (cluster-scoped:
 * `/registry/<resource>/<name>`); values are JSON text of the object WITHOUT
 * metadata.resourceVersion (the API layer sets it from modRevision on the way out).
 * Revisions are the store's global, strictly increasing counter: resourceVersion everywhere.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the write that produced this value. */
  readonly modRevision: number;
  /** Revision of the write that created the key (unchanged by updates). */
  readonly createRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined: latest). Older than the compacted revision → StorageError 'Compacted'. */
  readonly revision?: number;
  /** At most this many items (0/undefined: all). */
  readonly limit?: number;
  /** Return keys strictly greater than this one (pagination: the last key of the previous page). */
  readonly startAfter?: string;
}

export interface ListResult {
  readonly items: readonly KeyValue[];
  /** The revision the list was read at (the snapshot). */
  readonly revision: number;
  /** True when more keys under the prefix follow the last returned one. */
  readonly more: boolean;
  /** How many keys follow, when the backend knows cheaply. */
  readonly remaining?: number;
}

/** Options of one create or update. */
export interface WriteOptions {
  /**
   * Delete the key this many seconds after this write (upstream's lease-backed TTL, used for
   * events: `--event-ttl`). The expiry is a delete like any other (watchers see it). A later
   * write without a TTL clears it, as an etcd put without a lease does.
   */
  readonly ttlSeconds?: number;
}

export type WatchEvent =
  | { readonly type: 'put'; readonly kv: KeyValue; readonly prev: KeyValue | undefined }
  | { readonly type: 'delete'; readonly key: string; readonly revision: number; readonly prev: KeyValue };

export interface WatchHandle {
  /** Stops delivery; idempotent. */
  cancel(): void;
}

export interface WatchCallbacks {
  /** Events in revision order, each revision once; batches share one revision only if one txn wrote them. */
  onEvents(events: readonly WatchEvent[]): void;
  /** Terminal error (e.g. 'Compacted' when fromRevision is gone); no more events follow. */
  onError(err: StorageError): void;
}

export interface Storage {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Count keys under a prefix at the latest revision. */
  count(prefix: string): Promise<number>;
  /** Creates the key; 'KeyExists' if present. */
  create(key: string, value: string, opts?: WriteOptions): Promise<KeyValue>;
  /** Replaces the value if the current modRevision equals expectedModRevision; else 'Conflict' ('NotFound' if absent). */
  update(key: string, value: string, expectedModRevision: number, opts?: WriteOptions): Promise<KeyValue>;
  /** Deletes the key (only if modRevision matches, when given); returns the deleted value and the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }>;
  /** Delivers every change under prefix with revision > fromRevision. */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle;
  /** The latest revision of the store. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable/watchable (compaction boundary). */
  compactedRevision(): Promise<number>;
  /** Drops history at and below revision. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export const StorageErrorCode = {
  KeyExists: 'KeyExists',
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  Compacted: 'Compacted',
  Unavailable: 'Unavailable',
  Invalid: 'Invalid',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** The store's own small error type (STYLE.md §7); the registry translates it to metav1.Status. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For Conflict: the current modRevision; for Compacted: the compacted revision. */
  readonly revision: number | undefined;

  constructor(code: StorageErrorCode, key: string, message: string, revision?: number) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.revision = revision;
  }
}
