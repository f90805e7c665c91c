/**
 * The etcd v3 backend of storage.Interface, through the `etcd3` gRPC client: every write is
 * one etcd transaction guarded by create/mod revision, revisions are etcd's own.
 */
import { Etcd3 } from 'etcd3';
import type { IResponseOp, ITxnResponse } from 'etcd3';
import { StorageError, StorageErrorCode } from '../interface.ts';
import type { KeyValue, ListOptions, ListResult, Storage, WatchCallbacks, WatchHandle, WriteOptions } from '../interface.ts';
import { normalizePrefix, prefixEnd } from '../keys.ts';
import { bytes, fromEtcd, int } from './codec.ts';
import { isCompactedError, toStorageError } from './errors.ts';
import { LeaseManager } from './leases.ts';
import { watchEtcd } from './watch.ts';
import { startCompactor } from '../compactor.ts';
import type { Compactor, CompactorOptions } from '../compactor.ts';

/** PEM material for https:// etcd endpoints (upstream's --etcd-cafile/--etcd-certfile/--etcd-keyfile). */
export interface EtcdTls {
  /** CA bundle that signed etcd's serving certificate. */
  readonly caPem: string;
  /** Client certificate and key, when etcd requires client-certificate auth. */
  readonly certPem?: string;
  readonly keyPem?: string;
}

/** Options of the etcd store. */
export interface EtcdStorageOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379 (https:// needs tls). */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls;
  /** Per-request deadline in ms (default 30 s); watches are streams and have none. */
  readonly requestTimeoutMs?: number;
  /** Periodic compaction, as upstream's apiserver compacts etcd (default: every 5 minutes, keep 1000 revisions; `false`: off). */
  readonly compactor?: Partial<CompactorOptions> | false;
}

/** Splits `--etcd-servers` style values (each possibly comma-separated) into URLs. */
export function parseEtcdServers(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function firstRange(ops: IResponseOp[] | undefined): KeyValue | undefined {
  const kv = ops?.[0]?.response_range?.kvs?.[0];
  return kv ? fromEtcd(kv) : undefined;
}

/** storage.Interface over an etcd v3 cluster. */
export class EtcdStorage implements Storage {
  readonly #client: Etcd3;
  readonly #compactor: Compactor | undefined;
  readonly #leases: LeaseManager;
  #knownCompacted = 0;
  #closed = false;

  constructor(opts: EtcdStorageOptions) {
    const timeout = opts.requestTimeoutMs ?? 30_000;
    const tls = opts.tls;
    this.#client = new Etcd3({
      hosts: [...opts.endpoints],
      credentials: tls && {
        rootCertificate: Buffer.from(tls.caPem),
        certChain: tls.certPem === undefined ? undefined : Buffer.from(tls.certPem),
        privateKey: tls.keyPem === undefined ? undefined : Buffer.from(tls.keyPem),
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.#compactor = opts.compactor === false ? undefined : startCompactor(this, opts.compactor ?? {});
    this.#leases = new LeaseManager(this.#client);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    try {
      const res = await this.#client.kv.range({ key: bytes(key) });
      return res.kvs[0] ? fromEtcd(res.kvs[0]) : undefined;
    } catch (err) {
      throw toStorageError(err, key);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = normalizePrefix(prefix);
    const from = opts.startAfter !== undefined && opts.startAfter >= start ? `${opts.startAfter}\0` : start;
    const revision = opts.revision && opts.revision > 0 ? opts.revision : 0;
    try {
      const res = await this.#client.kv.range({
        key: bytes(from),
        range_end: bytes(prefixEnd(start)),
        revision,
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
      });
      const items = res.kvs.map(fromEtcd);
      // count is the number of keys in [from, end) regardless of limit.
      const remaining = Math.max(0, int(res.count) - items.length);
      // etcd's header carries the current revision; a pinned read was taken at the pinned one.
      return { items, revision: revision || int(res.header.revision), more: res.more, remaining };
    } catch (err) {
      throw await this.#mapError(err, start);
    }
  }

  async count(prefix: string): Promise<number> {
    const start = normalizePrefix(prefix);
    try {
      const res = await this.#client.kv.range({ key: bytes(start), range_end: bytes(prefixEnd(start)), count_only: true });
      return int(res.count);
    } catch (err) {
      throw toStorageError(err, start);
    }
  }

  async create(key: string, value: string, opts?: WriteOptions): Promise<KeyValue> {
    const lease = await this.#leaseFor(key, opts);
    const res = await this.#txn(key, {
      compare: [{ key: bytes(key), target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: bytes(key), value: bytes(value), lease } }],
      failure: [{ request_range: { key: bytes(key) } }],
    });
    if (!res.succeeded) {
      const current = firstRange(res.responses);
      throw new StorageError(StorageErrorCode.KeyExists, key, `key ${key} already exists`, current?.modRevision);
    }
    const rev = int(res.header.revision);
    return { key, value, modRevision: rev, createRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number, opts?: WriteOptions): Promise<KeyValue> {
    const lease = await this.#leaseFor(key, opts);
    const res = await this.#txn(key, {
      // Version > 0 too: an absent key has mod_revision 0, and update must never create.
      compare: [
        { key: bytes(key), target: 'Version', result: 'Greater', version: 0 },
        { key: bytes(key), target: 'Mod', result: 'Equal', mod_revision: expectedModRevision },
      ],
      // No lease (0) detaches the key from any earlier one: a write without a TTL keeps the key.
      success: [{ request_put: { key: bytes(key), value: bytes(value), prev_kv: true, lease } }],
      failure: [{ request_range: { key: bytes(key) } }],
    });
    if (!res.succeeded) {
      throw this.#preconditionFailed(key, expectedModRevision, firstRange(res.responses));
    }
    const prev = res.responses[0]?.response_put?.prev_kv;
    const rev = int(res.header.revision);
    return { key, value, modRevision: rev, createRevision: prev ? int(prev.create_revision) : rev };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    const compare =
      expectedModRevision === undefined
        ? [{ key: bytes(key), target: 'Version' as const, result: 'Greater' as const, version: 0 }]
        : [
            { key: bytes(key), target: 'Version' as const, result: 'Greater' as const, version: 0 },
            { key: bytes(key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision },
          ];
    const res = await this.#txn(key, {
      compare,
      success: [{ request_delete_range: { key: bytes(key), prev_kv: true } }],
      failure: [{ request_range: { key: bytes(key) } }],
    });
    const prevKv = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
    if (!res.succeeded || !prevKv) {
      throw this.#preconditionFailed(key, expectedModRevision, res.succeeded ? undefined : firstRange(res.responses));
    }
    return { prev: fromEtcd(prevKv), revision: int(res.header.revision) };
  }

  watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
    const start = normalizePrefix(prefix);
    return watchEtcd(this.#client, start, fromRevision, cb, {
      mapError: (err) => this.#mapError(err, start),
      compactedRevision: () => this.compactedRevision(),
    });
  }

  async currentRevision(): Promise<number> {
    try {
      const res = await this.#client.kv.range({ key: bytes('\0'), count_only: true });
      return int(res.header.revision);
    } catch (err) {
      throw toStorageError(err, '');
    }
  }

  /**
   * etcd does not report its compacted revision on reads, so find the oldest readable
   * revision by bisection (reads below it fail with ErrCompacted). 0 when nothing was compacted.
   */
  async compactedRevision(): Promise<number> {
    const current = await this.currentRevision();
    let lo = Math.max(1, this.#knownCompacted);
    let hi = current;
    if (hi < lo || (await this.#readable(lo))) {
      return lo > 1 ? lo : 0;
    }
    // Invariant: lo unreadable, hi readable (the current revision always is).
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.#readable(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    this.#knownCompacted = hi;
    return hi;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.#client.kv.compact({ revision, physical: true });
      this.#knownCompacted = Math.max(this.#knownCompacted, revision);
    } catch (err) {
      // Compacting to a revision already compacted is a no-op, as for the SQLite store.
      if (!isCompactedError(err)) {
        throw toStorageError(err, '');
      }
    }
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#compactor?.stop();
      this.#client.close();
    }
  }

  async #leaseFor(key: string, opts: WriteOptions | undefined): Promise<string | number> {
    if (opts?.ttlSeconds === undefined) {
      return 0;
    }
    try {
      return await this.#leases.leaseFor(opts.ttlSeconds);
    } catch (err) {
      throw toStorageError(err, key);
    }
  }

  async #txn(key: string, req: Parameters<Etcd3['kv']['txn']>[0]): Promise<ITxnResponse> {
    try {
      return await this.#client.kv.txn(req);
    } catch (err) {
      throw toStorageError(err, key);
    }
  }

  #preconditionFailed(key: string, expected: number | undefined, current: KeyValue | undefined): StorageError {
    if (!current) {
      return new StorageError(StorageErrorCode.NotFound, key, `key ${key} not found`);
    }
    return new StorageError(
      StorageErrorCode.Conflict,
      key,
      `key ${key} was modified: expected revision ${String(expected)}, current ${current.modRevision}`,
      current.modRevision,
    );
  }

  async #readable(revision: number): Promise<boolean> {
    try {
      await this.#client.kv.range({ key: bytes('\0'), revision, count_only: true });
      return true;
    } catch (err) {
      if (isCompactedError(err)) {
        return false;
      }
      throw toStorageError(err, '');
    }
  }

  async #mapError(err: unknown, key: string): Promise<StorageError> {
    if (!isCompactedError(err)) {
      return toStorageError(err, key);
    }
    const compacted = await this.compactedRevision().catch(() => undefined);
    return toStorageError(err, key, compacted);
  }
}
