/** Runs the storage conformance suite against a real etcd (one etcd for the file, a client per test). */
import { after, before } from 'node:test';
import { startEtcd } from '../../../test/util/etcd.ts';
import type { EtcdInstance } from '../../../test/util/etcd.ts';
import { runStorageConformance } from '../testing/conformance.ts';
import { EtcdStorage } from './store.ts';

let etcd: EtcdInstance | undefined;

before(async () => {
  etcd = await startEtcd();
});

after(async () => {
  await etcd?.stop();
});

runStorageConformance('etcd3', async () => {
  if (!etcd) {
    throw new Error('etcd did not start');
  }
  const storage = new EtcdStorage({ endpoints: etcd.endpoints, compactor: false });
  return { storage, cleanup: () => storage.close() };
});
