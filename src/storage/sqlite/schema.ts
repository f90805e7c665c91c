/**
 * The SQLite file layout (see README.md in this folder): one append-only `log` table whose
 * autoincrement id is the revision, an `expiry` table for keys written with a TTL, and a
 * small `meta` table for the compacted revision.
 */
import { DatabaseSync } from 'node:sqlite';

const ddl = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
-- No UNIQUE (name, prev_revision) index, unlike kine's: kine serves several writers on one
-- database, where that index makes one of two racing writers lose. Here one process holds the
-- file exclusively and checks each write against the key's latest row inside the write
-- transaction; the index only cost every insert a b-tree update (a WAL page per commit
-- per key). Files made before it was dropped lose it on open.
DROP INDEX IF EXISTS log_name_prev_revision;
-- Latest row per key and prefix scans in key order; covers counting live keys.
CREATE INDEX IF NOT EXISTS log_name_id_deleted ON log (name, id, deleted);
-- Keys written with a TTL: the revision that set it and when it runs out (ms since the epoch).
-- A row whose revision is no longer the key's latest is stale (rewritten without a TTL, or
-- deleted) and is dropped when it comes due.
CREATE TABLE IF NOT EXISTS expiry (
  name TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS expiry_expires_at ON expiry (expires_at);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

/**
 * Opens (creating if needed) the store file, exclusively locked, in WAL mode with
 * `synchronous = OFF` and no automatic checkpoints: durability is WalSync's job (it fsyncs the
 * WAL off the event loop before any write is acknowledged, and checkpoints with FULL syncing).
 */
export function openDatabase(path: string, busyTimeoutMs = 5000): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    // How long to wait for a previous owner (e.g. an apiserver being restarted) to let go.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // WAL lets readers run beside the writer. A commit only write()s the WAL; WalSync fsyncs it
    // on the thread pool before acknowledging, so an acknowledged write survives kill -9 and
    // power loss without the event loop blocking ~3 ms in every COMMIT.
    // One process owns the file (watchers are fed in-process, nothing polls): hold the
    // lock for the connection's lifetime so a second apiserver on the same file fails
    // loudly instead of writing rows our watchers would never see. Exclusive mode also
    // lets WAL run without the shared-memory index.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA wal_autocheckpoint = 0');
    // Lists walk the key index and fetch rows in key order, i.e. at random places in the
    // table: a larger page cache and a memory map keep that off the read() syscall path.
    db.exec('PRAGMA cache_size = -65536');
    db.exec('PRAGMA mmap_size = 268435456');
    db.exec(ddl);
    // Take the exclusive lock now (a write transaction), not on the first request.
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
    // The schema is durable (FULL above); from here on WalSync owns durability.
    db.exec('PRAGMA synchronous = OFF');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
