/**
 * `k8ts dns`: the cluster DNS component. Watches Services and EndpointSlices (no polling),
 * keeps the ClusterDnsIndex current, serves DNS on UDP and TCP, forwards the rest upstream,
 * and makes sure the `kube-dns` Service exists in kube-system with the usual cluster IP.
 */
import { networkInterfaces } from 'node:os';
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
  /** The address the kube-dns EndpointSlice points at (default: the bind address, or the first non-loopback IPv4). */
  readonly advertiseAddress?: string;
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

/** The label value marking the EndpointSlice this process maintains (not the endpointslice controller's). */
export const DNS_SLICE_MANAGER = 'k8ts-dns';
const DNS_SLICE_NAME = 'kube-dns-k8ts';

/** The kube-dns EndpointSlice: this process at `address:port` (the Service has no selector, so no controller writes one). */
export function kubeDnsEndpointSlice(address: string, port: number): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: DNS_SLICE_NAME, namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': DNS_SLICE_MANAGER } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [
      { name: 'dns', port, protocol: 'UDP' },
      { name: 'dns-tcp', port, protocol: 'TCP' },
    ],
  };
}

/** The address to advertise: the bind address when specific, else the host's first non-loopback IPv4. */
export function defaultAdvertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '' && !bindAddress.includes(':')) {
    return bindAddress;
  }
  for (const addrs of Object.values(networkInterfaces())) {
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4 !== undefined) {
      return v4.address;
    }
  }
  return '127.0.0.1';
}

const sliceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespace: 'kube-system' };

/** Creates or replaces the kube-dns EndpointSlice (idempotent). */
async function applyEndpointSlice(client: RestClient, slice: Record<string, unknown>): Promise<void> {
  try {
    await client.create(sliceRef, slice);
  } catch (e) {
    if (!isAlreadyExists(e)) {
      throw e;
    }
    const current = await client.get({ ...sliceRef, name: DNS_SLICE_NAME });
    const meta = slice.metadata as Record<string, unknown>;
    await client.update({ ...sliceRef, name: DNS_SLICE_NAME }, { ...slice, metadata: { ...meta, resourceVersion: current.metadata.resourceVersion } });
  }
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
  // Pods reach us through kube-proxy: 10.96.0.10:53 → this address and the port we really got.
  await applyEndpointSlice(client, kubeDnsEndpointSlice(opts.advertiseAddress ?? defaultAdvertiseAddress(opts.bindAddress), server.port));
  return {
    port: server.port,
    close: async () => {
      // Gone endpoints make the proxy reject queries at once instead of sending them nowhere.
      await client.delete({ ...sliceRef, name: DNS_SLICE_NAME }).catch(() => undefined);
      await server.close();
      await factory.shutdown();
    },
  };
}
