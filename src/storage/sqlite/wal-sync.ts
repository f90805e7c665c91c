/**
 * Durability without blocking the event loop. SQLite runs with `synchronous = OFF`, so a
 * COMMIT only write()s its WAL frames; this class then fdatasync()s the WAL file on libuv's
 * thread pool and resolves each commit's promise once a sync that STARTED AFTER that commit
 * has finished. Commits waiting meanwhile share the next sync (group sync). The event loop
 * keeps decoding, validating and committing the next batch while the disk flushes.
 *
 * Checkpoints (WAL → database file) are where `synchronous = OFF` would lose power-loss
 * safety, so automatic checkpoints are off and `checkpoint()` runs them with FULL syncing.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** Commits between checkpoints (each checkpoint copies the WAL into the database and syncs both). */
const commitsPerCheckpoint = 500;

/** Group fdatasync of one SQLite WAL file. */
export class WalSync {
  readonly #db: DatabaseSync;
  readonly #walPath: string;
  #fd: number | undefined;
  #waiting: Waiter[] = [];
  #inFlight: Promise<void> | undefined;
  #commits = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(db: DatabaseSync, dbPath: string) {
    this.#db = db;
    this.#walPath = `${dbPath}-wal`;
  }

  /** Calls fn once no fdatasync runs (at once if none does). */
  whenIdle(fn: () => void): void {
    if (this.#inFlight === undefined) {
      fn();
      return;
    }
    this.#idleWaiters.push(fn);
  }

  /** Resolves once everything committed before this call is on disk. */
  afterCommit(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    if (this.#inFlight === undefined) {
      this.#startSync();
    }
    if (++this.#commits >= commitsPerCheckpoint) {
      this.checkpoint();
    }
    return done;
  }

  /** Copies the WAL into the database file with FULL syncing (WAL before, database after), so restarting the WAL can never lose a page. */
  checkpoint(): void {
    this.#commits = 0;
    this.#db.exec('PRAGMA synchronous = FULL');
    try {
      this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } finally {
      this.#db.exec('PRAGMA synchronous = OFF');
    }
  }

  /** Waits for every pending sync and closes the WAL handle; call before closing the database. */
  async close(): Promise<void> {
    while (this.#inFlight !== undefined) {
      await this.#inFlight;
    }
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  #startSync(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight = new Promise<void>((settled) => {
      const finish = (err: unknown): void => {
        this.#inFlight = undefined;
        for (const w of batch) {
          if (err === null || err === undefined) {
            w.resolve();
          } else {
            w.reject(err);
          }
        }
        settled();
        // Commits made while this sync ran need a sync of their own.
        if (this.#waiting.length > 0) {
          this.#startSync();
        } else if (this.#idleWaiters.length > 0) {
          const idle = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const fn of idle) {
            fn();
          }
        }
      };
      try {
        // Opened on first use: the WAL file exists once something was committed.
        this.#fd ??= openSync(this.#walPath, 'r');
        fdatasync(this.#fd, finish);
      } catch (err) {
        finish(err);
      }
    });
  }
}
