/**
 * Opens the configured backend: the embedded SQLite log at `<dataDir>/db/state.db`, or a
 * real etcd v3 cluster given `--etcd-servers` style URLs.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from './interface.ts';
import { SqliteStorage } from './sqlite/store.ts';
import type { CompactorOptions } from './compactor.ts';
import type { EtcdTls } from './etcd/store.ts';

/** Which backend to open and where. */
export interface OpenStorageOptions {
  readonly backend: 'sqlite' | 'etcd3';
  /** Data directory; the SQLite file lives at `<dataDir>/db/state.db`. */
  readonly dataDir: string;
  /** etcd client URLs; entries may themselves be comma-separated (as `--etcd-servers`). */
  readonly etcdServers?: readonly string[];
  /** PEM files for https:// etcd servers (upstream's --etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  readonly etcdCaFile?: string;
  readonly etcdCertFile?: string;
  readonly etcdKeyFile?: string;
  /** Automatic compaction settings for either backend (`false`: off; default every 5 min, keep 1000 revisions). */
  readonly compactor?: Partial<CompactorOptions> | false;
}

/** Opens a Storage; for etcd, resolves once the cluster answered one request. */
export async function openStorage(opts: OpenStorageOptions): Promise<Storage> {
  if (opts.backend === 'sqlite') {
    const dir = join(opts.dataDir, 'db');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new SqliteStorage({ path: join(dir, 'state.db'), compactor: opts.compactor });
  }
  if (opts.backend === 'etcd3') {
    // Imported on demand: the gRPC client takes seconds to load, and SQLite clusters never need it.
    const { EtcdStorage, parseEtcdServers } = await import('./etcd/store.ts');
    const endpoints = parseEtcdServers(opts.etcdServers ?? []);
    if (endpoints.length === 0) {
      throw new Error('storage: backend etcd3 needs at least one etcd server URL (--etcd-servers)');
    }
    const tls = await readEtcdTls(opts);
    const store = new EtcdStorage({ endpoints, tls, compactor: opts.compactor });
    try {
      await store.currentRevision();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  throw new Error(`storage: unknown backend ${String(opts.backend)}`);
}

async function readEtcdTls(opts: OpenStorageOptions): Promise<EtcdTls | undefined> {
  if (opts.etcdCaFile === undefined) {
    if (opts.etcdCertFile !== undefined || opts.etcdKeyFile !== undefined) {
      throw new Error('storage: --etcd-certfile/--etcd-keyfile need --etcd-cafile');
    }
    return undefined;
  }
  if ((opts.etcdCertFile === undefined) !== (opts.etcdKeyFile === undefined)) {
    throw new Error('storage: --etcd-certfile and --etcd-keyfile go together');
  }
  return {
    caPem: await readFile(opts.etcdCaFile, 'utf8'),
    certPem: opts.etcdCertFile === undefined ? undefined : await readFile(opts.etcdCertFile, 'utf8'),
    keyPem: opts.etcdKeyFile === undefined ? undefined : await readFile(opts.etcdKeyFile, 'utf8'),
  };
}
