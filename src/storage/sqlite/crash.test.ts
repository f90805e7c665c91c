/**
 * Crash safety: a writer process is kill -9'd mid-stream; every create it acknowledged must
 * be in the store exactly once after reopening, and the store must keep working.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SqliteStorage } from './store.ts';

const acknowledgedBeforeKill = 300;

/** Runs the writer until it acknowledged at least n keys, then SIGKILLs it; returns the keys. */
async function runAndKill(dbPath: string, n: number): Promise<string[]> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'crash-writer.ts'), dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      acked.push(...lines);
      if (acked.length >= n && child.exitCode === null && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited early (${String(code)}): ${stderr}`));
      }
    });
  });
  await exited;
  return acked;
}

/** Kills a writer after n acknowledged creates, then checks every one is there exactly once and the store still works. */
async function crashAndCheck(n: number, check: (dbPath: string) => Promise<void> = async () => undefined): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-crash-'));
  const dbPath = join(dir, 'state.db');
  try {
    const acked = await runAndKill(dbPath, n);
    assert.ok(acked.length >= n);
    await check(dbPath);

    // Exactly once: one log row per acknowledged key (no duplicated or lost appends).
    const raw = new DatabaseSync(dbPath);
    const rows = raw.prepare('SELECT name, COUNT(*) AS n FROM log GROUP BY name').all();
    raw.close();
    const perKey = new Map(rows.map((r) => [String(r.name), Number(r.n)]));
    for (const key of acked) {
      assert.equal(perKey.get(key), 1, `acknowledged ${key} has ${String(perKey.get(key))} rows`);
    }

    const store = new SqliteStorage({ path: dbPath, compactor: false });
    try {
      const listed = await store.list('/registry/crash/');
      const keys = new Set(listed.items.map((kv) => kv.key));
      assert.equal(keys.size, listed.items.length);
      for (const key of acked) {
        assert.ok(keys.has(key), `acknowledged ${key} is missing after the crash`);
        assert.equal((await store.get(key))?.value, JSON.stringify({ key }));
      }
      // Still writable, revisions still move forward.
      const before = await store.currentRevision();
      const kv = await store.create('/registry/crash/ns/after', '{}');
      assert.ok(kv.modRevision > before);
      const first = await store.get(acked[0]);
      assert.ok(first);
      await store.update(acked[0], '{"updated":true}', first.modRevision);
      assert.equal((await store.get(acked[0]))?.value, '{"updated":true}');
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('acknowledged creates survive kill -9', { timeout: 60_000 }, () => crashAndCheck(acknowledgedBeforeKill));

// With 8 creates in flight, 4,000 acknowledged means at least 500 commits: a checkpoint copied
// the WAL into the database file and later commits restarted the WAL over its frames.
test('acknowledged creates survive kill -9 after checkpoints restarted the WAL', { timeout: 60_000 }, () =>
  crashAndCheck(4000, async (dbPath) => {
    const pageSize = 4096;
    // In WAL mode only a checkpoint writes rows into the database file: the schema alone is a few pages.
    assert.ok((await stat(dbPath)).size > 40 * pageSize, 'no checkpoint reached the database file');
  }));
