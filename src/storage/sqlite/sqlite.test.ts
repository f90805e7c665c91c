/** Runs the storage conformance suite against the SQLite backend (one temp file per test). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageConformance } from '../testing/conformance.ts';
import { SqliteStorage } from './store.ts';

runStorageConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-sqlite-'));
  const storage = new SqliteStorage({ path: join(dir, 'state.db'), compactor: false });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
