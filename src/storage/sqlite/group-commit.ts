/**
 * Group commit: writes requested in the same event-loop turn are applied in ONE SQLite
 * transaction, yet each is checked on its own and gets its own result: a conflict in one
 * write never fails its neighbours. Results (and watch events) are handed out only once the
 * batch is durable (`WalSync`: the fsync runs off the event loop, shared by batches).
 */
import type { DatabaseSync } from 'node:sqlite';
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { KeyValue, WatchEvent } from '../interface.ts';
import type { ExpiryTable } from './expiry.ts';
import type { LogTable, NewLogRow } from './log.ts';
import type { WalSync } from './wal-sync.ts';
import { rowToKeyValue } from './log.ts';

/**
 * A write to apply: create, update (with expected revision; both may expire at a time),
 * delete (optional precondition), or expire (delete the key if `revision` is still its latest
 * write, and forget that write's expiry either way).
 */
export type WriteOp =
  | { readonly kind: 'create'; readonly key: string; readonly value: string; readonly expiresAtMs?: number }
  | { readonly kind: 'update'; readonly key: string; readonly value: string; readonly expected: number; readonly expiresAtMs?: number }
  | { readonly kind: 'delete'; readonly key: string; readonly expected: number | undefined }
  | { readonly kind: 'expire'; readonly key: string; readonly revision: number };

/** The outcome of one applied write. */
export interface WriteResult {
  readonly event: WatchEvent;
}

interface Pending {
  readonly op: WriteOp;
  resolve(r: WriteResult): void;
  reject(e: unknown): void;
}

/** Checks one write against the latest row and appends its log row; throws StorageError on a failed check. */
function applyOne(log: LogTable, expiry: ExpiryTable, op: WriteOp): WatchEvent {
  if (op.kind === 'expire') {
    expiry.clear(op.key, op.revision);
    return applyOne(log, expiry, { kind: 'delete', key: op.key, expected: op.revision });
  }
  const latest = log.latest(op.key);
  const live = latest && !latest.deleted ? latest : undefined;
  let row: NewLogRow;
  if (op.kind === 'create') {
    if (live) {
      throw new StorageError(StorageErrorCode.KeyExists, op.key, `key ${op.key} already exists`, live.id);
    }
    row = { name: op.key, created: true, deleted: false, createRevision: 0, prevRevision: latest ? latest.id : 0, value: op.value };
  } else {
    if (!live) {
      throw new StorageError(StorageErrorCode.NotFound, op.key, `key ${op.key} not found`);
    }
    if (op.expected !== undefined && op.expected !== live.id) {
      throw new StorageError(
        StorageErrorCode.Conflict,
        op.key,
        `key ${op.key} was modified: expected revision ${op.expected}, current ${live.id}`,
        live.id,
      );
    }
    const prevKv = rowToKeyValue(live);
    row = {
      name: op.key,
      created: false,
      deleted: op.kind === 'delete',
      createRevision: prevKv.createRevision,
      prevRevision: live.id,
      value: op.kind === 'delete' ? '' : op.value,
    };
  }
  const id = log.insert(row);
  if (op.kind === 'delete') {
    return { type: 'delete', key: op.key, revision: id, prev: rowToKeyValue(live as NonNullable<typeof live>) };
  }
  if (op.expiresAtMs !== undefined) {
    expiry.set(op.key, id, op.expiresAtMs);
  }
  const kv: KeyValue = rowToKeyValue({ ...row, id });
  return { type: 'put', kv, prev: live ? rowToKeyValue(live) : undefined };
}

/** Queues writes and commits each turn's batch in one transaction; calls onCommit with the batch's events. */
export class GroupCommitter {
  readonly #db: DatabaseSync;
  readonly #log: LogTable;
  readonly #expiry: ExpiryTable;
  readonly #wal: WalSync;
  readonly #onCommit: (events: readonly WatchEvent[]) => void;
  #queue: Pending[] = [];
  #scheduled = false;
  #closed = false;

  constructor(db: DatabaseSync, log: LogTable, expiry: ExpiryTable, wal: WalSync, onCommit: (events: readonly WatchEvent[]) => void) {
    this.#db = db;
    this.#log = log;
    this.#expiry = expiry;
    this.#wal = wal;
    this.#onCommit = onCommit;
  }

  /** Queues a write; resolves after the batch holding it is durably committed. */
  submit(op: WriteOp): Promise<WriteResult> {
    if (this.#closed) {
      return Promise.reject(new StorageError(StorageErrorCode.Unavailable, op.key, 'storage closed'));
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after this turn's I/O callbacks and microtasks: every write
        // requested meanwhile joins the batch. While an fdatasync runs, the batch waits for it
        // to end instead: its results could not be handed out before the next sync anyway, so
        // one commit per sync (not per turn) costs no latency and writes each page once.
        setImmediate(() => this.#wal.whenIdle(() => this.flush()));
      }
    });
  }

  /** Commits everything queued now (also called on close); results follow once it is durable. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) {
      return;
    }
    const outcomes: Array<{ event: WatchEvent } | { error: unknown }> = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (const p of batch) {
          try {
            outcomes.push({ event: applyOne(this.#log, this.#expiry, p.op) });
          } catch (err) {
            if (!(err instanceof StorageError)) {
              throw err;
            }
            outcomes.push({ error: err });
          }
        }
        this.#db.exec('COMMIT');
      } catch (err) {
        if (this.#db.isTransaction) {
          this.#db.exec('ROLLBACK');
        }
        throw err;
      }
    } catch (err) {
      for (const p of batch) {
        p.reject(new StorageError(StorageErrorCode.Unavailable, p.op.key, `sqlite write failed: ${String(err)}`));
      }
      return;
    }
    // Syncs finish in commit order, so batches are published and acknowledged in revision order.
    this.#wal.afterCommit().then(
      () => this.#deliver(batch, outcomes),
      (err: unknown) => {
        for (const p of batch) {
          p.reject(new StorageError(StorageErrorCode.Unavailable, p.op.key, `sqlite sync failed: ${String(err)}`));
        }
      },
    );
  }

  /** Watchers first, then the writers: a writer's next read of the watch cache already sees its write. */
  #deliver(batch: readonly Pending[], outcomes: ReadonlyArray<{ event: WatchEvent } | { error: unknown }>): void {
    const events: WatchEvent[] = [];
    outcomes.forEach((o) => {
      if ('event' in o) {
        events.push(o.event);
      }
    });
    if (events.length > 0) {
      this.#onCommit(events);
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if ('event' in o) {
        p.resolve({ event: o.event });
      } else {
        p.reject(o.error);
      }
    });
  }

  /** Refuses further writes and commits what is queued (once no sync runs, as every write transaction begins). */
  close(): void {
    this.#closed = true;
    this.#wal.whenIdle(() => this.flush());
  }
}
