import { after } from 'node:test';
import { startEtcd } from '../util/etcd.ts';
import { kubectlScenario } from './kubectl-scenario.ts';

let etcd: Awaited<ReturnType<typeof startEtcd>> | undefined;
kubectlScenario('etcd3', async () => {
  etcd = await startEtcd();
  return { backend: 'etcd3', etcdServers: etcd.endpoints };
});
after(async () => {
  await etcd?.stop();
});
