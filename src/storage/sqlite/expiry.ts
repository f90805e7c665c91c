/**
 * The `expiry` table (schema.ts): keys written with a TTL and when they run out. Expiring a
 * key is an ordinary delete in the log (a tombstone row, a watch event); this table only says
 * which keys are due. All methods are synchronous; callers own transactions.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** A key that has run out, and the revision whose TTL it was. */
export interface DueKey {
  readonly name: string;
  readonly revision: number;
}

/** Prepared statements over the expiry table; one instance per open database. */
export class ExpiryTable {
  readonly #set: StatementSync;
  readonly #due: StatementSync;
  readonly #clear: StatementSync;

  constructor(db: DatabaseSync) {
    this.#set = db.prepare(
      'INSERT INTO expiry (name, revision, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, expires_at = excluded.expires_at',
    );
    this.#due = db.prepare('SELECT name, revision FROM expiry WHERE expires_at <= ? ORDER BY expires_at LIMIT ?');
    this.#clear = db.prepare('DELETE FROM expiry WHERE name = ? AND revision = ?');
  }

  /** Records that the write `revision` of `name` expires at `expiresAtMs`. */
  set(name: string, revision: number, expiresAtMs: number): void {
    this.#set.run(name, revision, Math.ceil(expiresAtMs));
  }

  /** Up to `limit` entries due at `nowMs`, oldest first. */
  due(nowMs: number, limit: number): DueKey[] {
    return this.#due.all(Math.floor(nowMs), limit).map((r) => ({ name: String(r.name), revision: Number(r.revision) }));
  }

  /** Forgets the entry of `name` set by `revision` (a newer TTL of the key stays). */
  clear(name: string, revision: number): void {
    this.#clear.run(name, revision);
  }
}
