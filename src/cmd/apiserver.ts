/** `k8ts apiserver`: flags → the API server's run(); SIGTERM/SIGINT stop it cleanly. */
import { checkAuthorizationModes } from '../apiserver/authz/index.ts';
import type { AuthorizationMode } from '../apiserver/authz/index.ts';
import { parseGoDuration } from '../apiserver/http/query.ts';
import { FlagError, parseFlags } from './flags.ts';
import { optionsOrExit, untilSignal } from './lifecycle.ts';

const specs = {
  'data-dir': { type: 'string', help: 'directory for the PKI, admin.kubeconfig and the embedded store', default: '/var/lib/k8ts' },
  'secure-port': { type: 'int', help: 'the port on which to serve HTTPS with authentication (0: pick a free port)', default: 6443 },
  'bind-address': { type: 'string', help: 'the IP address on which to listen for the --secure-port port', default: '0.0.0.0' },
  'advertise-address': { type: 'string', help: 'the IP address published to the cluster in the kubernetes Endpoints (default: bind address or first non-loopback IPv4)' },
  'storage-backend': { type: 'string', help: 'the storage backend: sqlite (embedded) or etcd3', default: 'sqlite' },
  'etcd-servers': { type: 'strings', help: 'list of etcd servers to connect with (scheme://ip:port), comma separated' },
  'etcd-cafile': { type: 'string', help: 'SSL Certificate Authority file used to secure etcd communication' },
  'etcd-certfile': { type: 'string', help: 'SSL certification file used to secure etcd communication' },
  'etcd-keyfile': { type: 'string', help: 'SSL key file used to secure etcd communication' },
  'authorization-mode': { type: 'strings', help: 'ordered list of authorization plug-ins: AlwaysAllow, AlwaysDeny, Node, RBAC', default: ['AlwaysAllow'] },
  'event-ttl': { type: 'string', help: 'amount of time to retain events (default 1h0m0s)' },
  'metric-resolution': { type: 'string', help: 'the interval at which the built-in metrics.k8s.io API scrapes the kubelets (metrics-server\'s flag; default 15s, 0 turns the API off)' },
  'token-auth-file': { type: 'string', help: 'static bearer tokens, CSV: token,user,uid,"group1,group2" (default <data-dir>/pki/tokens.csv, created with an admin token)' },
} as const;

const usageLine = 'Usage: k8ts apiserver [flags]\n\nRuns the Kubernetes API server over HTTPS (HTTP/2 and HTTP/1.1).';

/** Parses and validates the flags; throws FlagError on mistakes. */
export function apiserverOptions(argv: readonly string[]) {
  const { flags, args, help } = parseFlags(argv, specs);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  const backend = flags['storage-backend'];
  if (backend !== 'sqlite' && backend !== 'etcd3') {
    throw new FlagError(`--storage-backend: unknown backend "${backend ?? ''}" (want sqlite or etcd3)`);
  }
  const etcdServers = flags['etcd-servers'] ?? [];
  if (backend === 'etcd3' && etcdServers.length === 0) {
    throw new FlagError('--etcd-servers must be specified with --storage-backend=etcd3');
  }
  const authorizationModes = flags['authorization-mode'] ?? ['AlwaysAllow'];
  const modeError = checkAuthorizationModes(authorizationModes);
  if (modeError !== undefined) {
    throw new FlagError(`--authorization-mode: ${modeError}`);
  }
  const port = flags['secure-port'] ?? 6443;
  if (port < 0 || port > 65535) {
    throw new FlagError(`--secure-port ${port} must be between 0 and 65535, inclusive`);
  }
  // Unset: the registry's default (1 h, as upstream).
  const eventTtl = flags['event-ttl'];
  const eventTtlSeconds = eventTtl === undefined ? undefined : parseGoDuration(eventTtl);
  if (eventTtl !== undefined && (eventTtlSeconds === undefined || eventTtlSeconds < 0)) {
    throw new FlagError(`invalid argument "${eventTtl}" for "--event-ttl" flag: time: invalid duration "${eventTtl}"`);
  }
  // Unset: the default resolution (15 s, as metrics-server).
  const resolution = flags['metric-resolution'];
  const metricResolutionSeconds = resolution === undefined ? undefined : parseGoDuration(resolution);
  if (resolution !== undefined && (metricResolutionSeconds === undefined || metricResolutionSeconds < 0)) {
    throw new FlagError(`invalid argument "${resolution}" for "--metric-resolution" flag: time: invalid duration "${resolution}"`);
  }
  return {
    dataDir: flags['data-dir'] ?? '/var/lib/k8ts',
    securePort: port,
    bindAddress: flags['bind-address'],
    advertiseAddress: flags['advertise-address'],
    storageBackend: backend,
    etcdServers,
    etcdCaFile: flags['etcd-cafile'],
    etcdCertFile: flags['etcd-certfile'],
    etcdKeyFile: flags['etcd-keyfile'],
    tokenAuthFile: flags['token-auth-file'],
    ...(eventTtlSeconds === undefined ? {} : { eventTtlSeconds }),
    ...(metricResolutionSeconds === undefined ? {} : { metricResolutionSeconds }),
    authorizationModes: authorizationModes as AuthorizationMode[],
  } as const;
}

/** Entry point: runs until SIGTERM/SIGINT, then shuts down gracefully and returns 0. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => apiserverOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const { runApiServer } = await import('../apiserver/server.ts');
  // pods/log, exec, attach and portforward are relayed to the pod's kubelet.
  const { createKubeletConnect, createKubeletUpgrade } = await import('../apiserver/kubeletproxy/proxy.ts');
  const server = await runApiServer({ ...parsed.options, createConnect: createKubeletConnect, createUpgrade: createKubeletUpgrade });
  await untilSignal('apiserver');
  await server.close();
  return 0;
}
