/**
 * `k8ts dns`: the cluster DNS component. Watches Services and EndpointSlices (no polling),
 * keeps the ClusterDnsIndex current, serves DNS on UDP and TCP, forwards the rest upstream,
 * and makes sure the `kube-dns` Service exists in kube-system with the usual cluster IP.
 */
import { isAlreadyExists } from '../api/errors.ts';
import type { DeepReadonly } from '../api/object.ts';
import { isTombstone, RestClient, SharedInformerFactory, stderrLogger } from '../client/index.ts';
import type { EventHandler } from '../client/index.ts';
import { Forwarder, resolvConfServers } from './forwarder.ts';
import { ClusterDnsIndex } from './records.ts';
import { startDnsServer } from './server.ts';
import type { EndpointSlice, Service } from './types.ts';

export interface ClusterDnsOptions {
  readonly kubeconfig: string;
  readonly bindAddress: string;
  readonly port: number;
  readonly clusterDomain: string;
  /** Upstream resolvers; empty: the node's /etc/resolv.conf. */
  readonly upstreams: readonly string[];
  /** The kube-dns Service's cluster IP (upstream convention: the 10th address of the service range). */
  readonly clusterDnsIp: string;
}

export interface ClusterDns {
  readonly port: number;
  close(): Promise<void>;
}

/** Builds the kube-dns Service object (selector-less: this process, not a pod, serves it). */
export function kubeDnsService(clusterIP: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      clusterIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

function feed<T extends Service | EndpointSlice>(upsert: (o: T) => void, remove: (o: T) => void): EventHandler<T> {
  const plain = (o: DeepReadonly<T>): T => o as unknown as T;
  return {
    onAdd: (o) => upsert(plain(o)),
    onUpdate: (_old, o) => upsert(plain(o)),
    onDelete: (o) => remove(isTombstone(o) ? (o.obj as unknown as T) : plain(o)),
  };
}

/** Starts the DNS component; resolves once caches are synced and the server listens. */
export async function runClusterDns(opts: ClusterDnsOptions, signal?: AbortSignal): Promise<ClusterDns> {
  const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'dns' });
  const index = new ClusterDnsIndex(opts.clusterDomain);
  const factory = new SharedInformerFactory(client, { logger: stderrLogger });
  const services = factory.informerFor<Service>({ group: '', version: 'v1', resource: 'services' });
  const slices = factory.informerFor<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' });
  services.addEventHandler(feed<Service>((s) => index.upsertService(s), (s) => index.deleteService(s.metadata.namespace ?? '', s.metadata.name ?? '')));
  slices.addEventHandler(feed<EndpointSlice>((s) => index.upsertSlice(s), (s) => index.deleteSlice(s)));
  factory.start();
  await factory.waitForCacheSync(signal);
  try {
    await client.create({ group: '', version: 'v1', resource: 'services', namespace: 'kube-system' }, kubeDnsService(opts.clusterDnsIp));
  } catch (e) {
    if (!isAlreadyExists(e)) {
      throw e;
    }
  }
  const upstreams = (opts.upstreams.length > 0 ? opts.upstreams : resolvConfServers()).filter((s) => s !== opts.clusterDnsIp);
  const server = await startDnsServer({ index, forwarder: new Forwarder(upstreams), bindAddress: opts.bindAddress, port: opts.port });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      await factory.shutdown();
    },
  };
}
