/**
 * `k8ts proxy` wiring: a RestClient from the kubeconfig, shared informers on Services and
 * EndpointSlices whose handlers only request a sync, and the Proxier doing the debounced syncs.
 */
import { RestClient, SharedInformerFactory, stderrLogger } from '../client/index.ts';
import type { ClientLogger } from '../client/index.ts';
import { HostCommands } from './nft.ts';
import { Proxier } from './proxier.ts';
import type { SyncResult } from './proxier.ts';
import type { EndpointSlice, Service } from './types.ts';

/** Options of a running proxy (the flags, parsed). */
export interface ProxyOptions {
  readonly kubeconfig: string;
  readonly hostname: string;
  readonly clusterCIDR?: string;
  readonly nodePortAddresses: readonly string[];
  readonly syncPeriodMs: number;
  readonly minSyncPeriodMs: number;
  /** Program this network namespace instead of our own (tests, benchmarks). */
  readonly netns?: string;
  readonly logger?: ClientLogger;
  readonly onSync?: (result: SyncResult) => void;
}

/** A running proxy. */
export interface RunningProxy {
  close(): Promise<void>;
}

/** Starts the proxy; resolves once the caches are synced and the first sync was requested. */
export async function runProxy(opts: ProxyOptions, signal?: AbortSignal): Promise<RunningProxy> {
  const logger = opts.logger ?? stderrLogger;
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'kube-proxy' });
  const factory = new SharedInformerFactory(client, { logger });
  const services = factory.informerFor({ group: '', version: 'v1', resource: 'services' });
  const slices = factory.informerFor({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' });
  const proxier = new Proxier({
    hostname: opts.hostname,
    clusterCIDR: opts.clusterCIDR,
    nodePortAddresses: opts.nodePortAddresses,
    syncPeriodMs: opts.syncPeriodMs,
    minSyncPeriodMs: opts.minSyncPeriodMs,
    commands: new HostCommands(opts.netns),
    services: () => services.store.values() as unknown as Iterable<Service>,
    slices: () => slices.store.values() as unknown as Iterable<EndpointSlice>,
    logger,
    onSync: opts.onSync,
  });
  let synced = false;
  // Handlers only ask for a sync: the sync itself re-reads both caches (level-triggered).
  const poke = { onAdd: () => synced && proxier.requestSync(), onUpdate: () => synced && proxier.requestSync(), onDelete: () => synced && proxier.requestSync() };
  services.addEventHandler(poke);
  slices.addEventHandler(poke);
  factory.start();
  if (!(await factory.waitForCacheSync(signal))) {
    await factory.shutdown();
    throw new Error('proxy: stopped before the caches synced');
  }
  synced = true;
  proxier.requestSync();
  return {
    close: async () => {
      await factory.shutdown();
      await proxier.stop();
    },
  };
}
