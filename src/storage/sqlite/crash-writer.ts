/**
 * Child process for crash.test.ts: opens the SQLite store at argv[2] and creates keys
 * forever, 8 in flight, printing each key only after its create was acknowledged.
 * The test kill -9s it mid-stream and checks every printed key survived.
 */
import { writeSync } from 'node:fs';
import { SqliteStorage } from './store.ts';

const path = process.argv[2];
if (!path) {
  throw new Error('usage: crash-writer.ts <db path>');
}
const store = new SqliteStorage({ path, compactor: false });
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const key = `/registry/crash/ns/k${String(next++).padStart(8, '0')}`;
    await store.create(key, JSON.stringify({ key }));
    // writeSync: the line is out of this process before the next write is even queued.
    writeSync(1, `${key}\n`);
  }
}

await Promise.all(Array.from({ length: 8 }, () => writer()));
