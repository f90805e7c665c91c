/**
 * kube-apiserver, assembled: PKI and admin kubeconfig in the data dir, the store, the
 * registry, the HTTP handler behind TLS + authentication, and the bootstrap objects.
 */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { adminKubeconfig, writeKubeconfig } from '../kubeconfig/index.ts';
import { apiserverSans, DEFAULT_KUBERNETES_SERVICE_IP, ensureClusterPki } from '../pki/index.ts';
import type { ClusterPki } from '../pki/index.ts';
import { openStorage } from '../storage/open.ts';
import { createAuthenticator, ensureTokenFile, serviceAccountTokenAuthenticator, tokenFileAuthenticator } from './authn/index.ts';
import { Registry as PromRegistry } from 'prom-client';
import { createApiHandler } from './http/index.ts';
import { createMetrics } from './http/metrics.ts';
import { instrumentStorage } from './metrics/storage.ts';
import type { ConnectHandler } from './http/index.ts';
import { createRegistry } from './registry/index.ts';
import { systemPriorityClassObjects } from './registry/pod-admission.ts';
import { rejectUpgrade, startSecureServer } from './transport/index.ts';
import { authorizeUpgrade, bootstrapClusterRoleBindings, bootstrapClusterRoles, createAuthorizer } from './authz/index.ts';
import type { AuthorizationMode, Authorizer } from './authz/index.ts';
import type { UpgradeHandler } from './transport/index.ts';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { Registry, WriteContext } from './registry/types.ts';
import { createMetricsApi, DEFAULT_METRIC_RESOLUTION_SECONDS } from './metrics-api/index.ts';

/** `k8ts apiserver`'s settings. */
export interface ApiServerOptions {
  readonly dataDir: string;
  readonly securePort: number;
  /** Listen address (default 0.0.0.0, as upstream). */
  readonly bindAddress?: string;
  /** The address published in the `kubernetes` Endpoints (default: bind address, else the first non-loopback IPv4). */
  readonly advertiseAddress?: string;
  readonly storageBackend: 'sqlite' | 'etcd3';
  readonly etcdServers?: readonly string[];
  /** PEM files for https:// etcd servers (upstream's --etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  readonly etcdCaFile?: string;
  readonly etcdCertFile?: string;
  readonly etcdKeyFile?: string;
  /** Static token file (default `<dataDir>/pki/tokens.csv`, created with an admin token). */
  readonly tokenAuthFile?: string;
  /** `--event-ttl` in seconds (default 1 h); 0 keeps events forever. */
  readonly eventTtlSeconds?: number;
  /** `--authorization-mode` (default AlwaysAllow, as upstream's kube-apiserver). */
  readonly authorizationModes?: readonly AuthorizationMode[];
  /** Serves connect-style subresources (pods/log, exec, attach, portforward, proxy), given the registry and PKI (kubelet client cert). */
  readonly createConnect?: (deps: ServerDeps) => ConnectHandler;
  /** Serves HTTP/1.1 upgrade requests (WebSocket/SPDY exec, attach, port-forward). */
  readonly createUpgrade?: (deps: ServerDeps) => UpgradeHandler;
  /** metrics-server's `--metric-resolution` for the built-in metrics.k8s.io (default 15 s); 0 turns the API off. */
  readonly metricResolutionSeconds?: number;
  readonly log?: (msg: string) => void;
}

/** What connect/upgrade handlers are built from. */
export interface ServerDeps {
  readonly registry: Registry;
  readonly pki: ClusterPki;
}

/** A running apiserver. */
export interface RunningApiServer {
  readonly port: number;
  /** `https://host:port` as written into admin.kubeconfig. */
  readonly url: string;
  readonly kubeconfigPath: string;
  /** The admin token from the default token file (undefined with a custom --token-auth-file). */
  readonly adminToken: string | undefined;
  close(): Promise<void>;
}

function isSpecific(addr: string | undefined): addr is string {
  return addr !== undefined && addr !== '' && addr !== '0.0.0.0' && addr !== '::';
}

function isLoopback(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1';
}

/** The first non-internal IPv4 address of this machine, else 127.0.0.1. */
function defaultAdvertiseAddress(bindAddress: string | undefined): string {
  if (isSpecific(bindAddress) && !isLoopback(bindAddress)) {
    return bindAddress;
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) {
        return a.address;
      }
    }
  }
  return '127.0.0.1';
}

/** The URL clients on this machine use: the bind address if specific, else loopback. */
function localUrl(bindAddress: string | undefined, port: number): string {
  const host = isSpecific(bindAddress) ? bindAddress : '127.0.0.1';
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Upstream's check for bound service-account tokens: the service account (same uid) and the bound pod still exist. */
async function boundObjectsExist(registry: Registry, c: { namespace: string; name: string; uid: string; podName?: string; podUid?: string }): Promise<boolean> {
  const same = async (resource: string, name: string, uid: string): Promise<boolean> => {
    const desc = registry.resolve('', 'v1', resource);
    if (desc === undefined) {
      return true;
    }
    try {
      const obj = await registry.get(desc, c.namespace, name);
      return uid === '' || obj.metadata.uid === uid;
    } catch (e) {
      if (isNotFound(e)) {
        return false;
      }
      throw e;
    }
  };
  return (await same('serviceaccounts', c.name, c.uid)) && (c.podName === undefined || (await same('pods', c.podName, c.podUid ?? '')));
}

/** Starts the apiserver; resolves once it listens and the bootstrap objects exist. */
export async function runApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const bindAddress = opts.bindAddress ?? '0.0.0.0';
  const advertiseAddress = opts.advertiseAddress ?? defaultAdvertiseAddress(bindAddress);
  const pki = await ensureClusterPki(opts.dataDir, apiserverSans(bindAddress, isSpecific(advertiseAddress) ? [advertiseAddress] : []));
  const tokenFile = opts.tokenAuthFile ?? join(pki.dir, 'tokens.csv');
  const adminToken = opts.tokenAuthFile === undefined ? await ensureTokenFile(tokenFile) : undefined;
  const tokens = await tokenFileAuthenticator(tokenFile);

  const storage = await openStorage({
    backend: opts.storageBackend, dataDir: opts.dataDir, etcdServers: opts.etcdServers,
    etcdCaFile: opts.etcdCaFile, etcdCertFile: opts.etcdCertFile, etcdKeyFile: opts.etcdKeyFile,
  });
  // One metrics registry: /metrics shows request and store metrics together, as upstream.
  const metricsRegistry = new PromRegistry();
  const registry = createRegistry({
    storage: instrumentStorage(storage, metricsRegistry),
    eventTtlSeconds: opts.eventTtlSeconds,
    serviceAccountTokens: { signingKeyPem: pki.serviceAccount.keyPem, publicKeyPem: pki.serviceAccount.pubPem },
  });
  let bootstrapped = false;
  const deps: ServerDeps = { registry, pki };
  // Filled in once the registry is ready (RBAC loads its policy from it); nothing is served before.
  let authorizer: Authorizer | undefined;
  let closeAuthorizer = (): void => {};
  const ready = (): Authorizer => {
    if (authorizer === undefined) {
      throw new Error('authorizer not ready');
    }
    return authorizer;
  };
  const delegatingAuthorizer: Authorizer = { authorize: (a) => ready().authorize(a), rulesFor: (u, ns) => ready().rulesFor(u, ns) };
  const upgrade = opts.createUpgrade?.(deps);
  const resolutionSeconds = opts.metricResolutionSeconds ?? DEFAULT_METRIC_RESOLUTION_SECONDS;
  const metricsApi = resolutionSeconds > 0
    ? createMetricsApi({ registry, authorizer: delegatingAuthorizer, kubeletClient: pki.kubeletClient, resolutionSeconds, ready: registry.ready, log })
    : undefined;
  const apiHandler = createApiHandler({
    registry,
    log,
    authorizer: delegatingAuthorizer,
    connect: opts.createConnect?.(deps),
    metrics: createMetrics(metricsRegistry),
    healthChecks: [
      { name: 'etcd', check: async () => void (await storage.currentRevision()) },
      { name: 'poststarthook/bootstrap-controller', check: () => {
        if (!bootstrapped) {
          throw new Error('not finished');
        }
      } },
    ],
  });
  // metrics.k8s.io is served in front of the API handler, as kube-aggregator fronts kube-apiserver.
  const handler = metricsApi === undefined ? apiHandler : metricsApi.wrap(apiHandler);
  let transport;
  try {
    await registry.ready;
    ({ authorizer, close: closeAuthorizer } = await createAuthorizer(opts.authorizationModes ?? ['AlwaysAllow'], registry));
    transport = await startSecureServer({
      port: opts.securePort,
      host: bindAddress,
      certPem: pki.serving.certPem,
      keyPem: pki.serving.keyPem,
      clientCaPem: pki.ca.certPem,
      authenticate: createAuthenticator({
        clientCertificates: true,
        tokenAuthenticators: [tokens, serviceAccountTokenAuthenticator({ publicKeyPems: [pki.serviceAccount.pubPem], stillValid: (c) => boundObjectsExist(registry, c) })],
      }),
      handler,
      onUpgrade: upgrade === undefined ? undefined : async (req, socket, head, user) => {
        const denied = authorizeUpgrade(delegatingAuthorizer, req, user);
        if (denied !== undefined) {
          rejectUpgrade(socket, denied);
          return;
        }
        await upgrade(req, socket, head, user);
      },
      log,
    });
  } catch (e) {
    metricsApi?.close();
    closeAuthorizer();
    await registry.close();
    await storage.close();
    throw e;
  }
  const port = transport.port;
  const url = localUrl(bindAddress, port);
  const kubeconfigPath = join(opts.dataDir, 'admin.kubeconfig');

  let closing: Promise<void> | undefined;
  const listening = transport;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      listening.stopAccepting();
      metricsApi?.close();
      closeAuthorizer();
      // Ending the watches lets their responses finish, so the connections can drain.
      await registry.close();
      await listening.close();
      await storage.close();
    })();
    return closing;
  };
  try {
    await writeKubeconfig(kubeconfigPath, adminKubeconfig(url, pki.ca.certPem, pki.admin.certPem, pki.admin.keyPem));
    await bootstrapCluster(registry, { serviceIp: DEFAULT_KUBERNETES_SERVICE_IP, advertiseAddress, securePort: port });
  } catch (e) {
    // A half-started server must not keep the process alive.
    await close();
    throw e;
  }
  bootstrapped = true;
  log(`apiserver: serving on ${url} (storage ${opts.storageBackend}); admin kubeconfig ${kubeconfigPath}`);
  return { port, url, kubeconfigPath, adminToken, close };
}


// ---- Bootstrap (kube-apiserver's bootstrap controller): the system namespaces and the
// `kubernetes` Service, Endpoints and EndpointSlice in `default`. Idempotent: existing objects
// are kept, and the endpoints are corrected if the address or port moved.

/** The namespaces every cluster has. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Where clients inside the cluster reach the apiserver. */
export interface BootstrapOptions {
  /** The ClusterIP of the `kubernetes` Service (the first IP of the service CIDR). */
  readonly serviceIp: string;
  /** The IP other nodes and pods reach this apiserver on. */
  readonly advertiseAddress: string;
  readonly securePort: number;
}

const systemContext = (): WriteContext => ({ user: { username: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, fieldManager: 'kube-apiserver', fieldValidation: 'Ignore', warnings: [] });

function describe(registry: Registry, group: string, version: string, resource: string) {
  return registry.resolve(group, version, resource);
}

/** Creates `obj` unless it exists; returns the stored object. */
async function ensureObject(registry: Registry, group: string, version: string, resource: string, namespace: string | undefined, obj: KubeObject): Promise<KubeObject | undefined> {
  const desc = describe(registry, group, version, resource);
  if (desc === undefined) {
    return undefined;
  }
  const name = obj.metadata.name ?? '';
  try {
    return await registry.get(desc, namespace, name);
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
  try {
    return await registry.create(desc, namespace, obj, systemContext());
  } catch (e) {
    if (isAlreadyExists(e)) {
      return registry.get(desc, namespace, name);
    }
    throw e;
  }
}

/** Writes `fix(current)` back when it differs from `current` (keeps metadata and resourceVersion). */
async function reconcile(registry: Registry, group: string, version: string, resource: string, namespace: string, current: KubeObject | undefined, fix: (o: KubeObject) => KubeObject): Promise<void> {
  const desc = describe(registry, group, version, resource);
  if (desc === undefined || current === undefined) {
    return;
  }
  const next = fix(current);
  if (JSON.stringify(next) === JSON.stringify(current)) {
    return;
  }
  await registry.update(desc, namespace, current.metadata.name ?? '', next, systemContext());
}

/** Ensures the system namespaces, the system PriorityClasses, the default RBAC roles and bindings, and the `kubernetes` Service/Endpoints/EndpointSlice. */
export async function bootstrapCluster(registry: Registry, opts: BootstrapOptions): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensureObject(registry, '', 'v1', 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // Upstream's scheduling bootstrap: system-node-critical and system-cluster-critical exist in every cluster.
  for (const pc of systemPriorityClassObjects()) {
    await ensureObject(registry, 'scheduling.k8s.io', 'v1', 'priorityclasses', undefined, pc);
  }
  // Upstream's rbac/bootstrap-roles hook: the default ClusterRoles and bindings exist in every cluster.
  for (const role of bootstrapClusterRoles()) {
    await ensureObject(registry, 'rbac.authorization.k8s.io', 'v1', 'clusterroles', undefined, role);
  }
  for (const binding of bootstrapClusterRoleBindings()) {
    await ensureObject(registry, 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', undefined, binding);
  }
  const port = { name: 'https', port: 443, protocol: 'TCP', targetPort: opts.securePort };
  const svc = await ensureObject(registry, '', 'v1', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: opts.serviceIp, clusterIPs: [opts.serviceIp], ports: [port], sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' },
  });
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }] }],
  };
  // A restart on another port must move the Service's targetPort and the endpoints with it.
  await reconcile(registry, '', 'v1', 'services', 'default', svc, (o) => ({ ...o, spec: { ...(o.spec as Record<string, unknown>), ports: [port] } }));
  const ep = await ensureObject(registry, '', 'v1', 'endpoints', 'default', endpoints);
  await reconcile(registry, '', 'v1', 'endpoints', 'default', ep, (o) => ({ ...o, subsets: endpoints.subsets }));
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }],
  };
  const es = await ensureObject(registry, 'discovery.k8s.io', 'v1', 'endpointslices', 'default', slice);
  await reconcile(registry, 'discovery.k8s.io', 'v1', 'endpointslices', 'default', es, (o) => ({ ...o, endpoints: slice.endpoints, ports: slice.ports }));
}
