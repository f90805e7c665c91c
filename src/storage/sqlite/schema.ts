/**
 * The SQLite file layout (see README.md in this folder): one append-only `log` table whose
 * autoincrement id is the revision, and a small `meta` table for the compacted revision.
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
-- Two writers that read the same latest row both insert (name, prev_revision): one loses.
CREATE UNIQUE INDEX IF NOT EXISTS log_name_prev_revision ON log (name, prev_revision);
-- Latest row per key and prefix scans in key order; covers counting live keys.
CREATE INDEX IF NOT EXISTS log_name_id_deleted ON log (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

/** Opens (creating if needed) the store file with durable settings: WAL + synchronous=FULL. */
export function openDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    // WAL lets readers run beside the writer; FULL fsyncs the WAL on every commit so an
    // acknowledged write survives kill -9 and power loss (group commit pays one fsync per batch).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA busy_timeout = 5000');
    // Lists walk the key index and fetch rows in key order, i.e. at random places in the
    // table: a larger page cache and a memory map keep that off the read() syscall path.
    db.exec('PRAGMA cache_size = -65536');
    db.exec('PRAGMA mmap_size = 268435456');
    db.exec(ddl);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
