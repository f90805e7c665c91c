/** kube-controller-manager's flags (upstream names and defaults) and their translation into ManagerOptions. */
import type { FlagSpec } from '../../cmd/flags.ts';
import { FlagError, parseFlags } from '../../cmd/flags.ts';
import type { ControllerOptions } from './context.ts';
import type { SecureServingOptions } from './secure-serving.ts';
import { parsePool } from '../servicelb/pool.ts';

/** Every flag `k8ts controller-manager` accepts. */
export const controllerManagerFlags = {
  kubeconfig: { type: 'string', help: 'path to kubeconfig file with authorization and master location information' },
  controllers: { type: 'strings', help: "a list of controllers to enable. '*' enables all on-by-default controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'", default: ['*'] },
  'use-service-account-credentials': { type: 'boolean', help: 'if true, use individual service account credentials for each controller', default: false },
  'kube-api-qps': { type: 'int', help: 'QPS to use while talking with kubernetes apiserver', default: 20 },
  'kube-api-burst': { type: 'int', help: 'burst to use while talking with kubernetes apiserver', default: 30 },
  'leader-elect': { type: 'boolean', help: 'start a leader election client and gain leadership before executing the main loop', default: true },
  'leader-elect-lease-duration': { type: 'string', help: 'the duration that non-leader candidates will wait after observing a leadership renewal before attempting to acquire leadership', default: '15s' },
  'leader-elect-renew-deadline': { type: 'string', help: 'the interval between attempts by the acting master to renew a leadership slot before it stops leading', default: '10s' },
  'leader-elect-retry-period': { type: 'string', help: 'the duration the clients should wait between attempting acquisition and renewal of a leadership', default: '2s' },
  'leader-elect-resource-lock': { type: 'string', help: 'the type of resource object that is used for locking during leader election (only leases)', default: 'leases' },
  'leader-elect-resource-name': { type: 'string', help: 'the name of resource object that is used for locking during leader election', default: 'kube-controller-manager' },
  'leader-elect-resource-namespace': { type: 'string', help: 'the namespace of resource object that is used for locking during leader election', default: 'kube-system' },
  'secure-port': { type: 'int', help: 'the port on which to serve HTTPS with authentication and authorization (/healthz, /metrics); 0 disables it', default: 10257 },
  'bind-address': { type: 'string', help: 'the IP address on which to listen for the --secure-port port', default: '0.0.0.0' },
  'tls-cert-file': { type: 'string', help: 'file containing the default x509 certificate for HTTPS (default: a self-signed certificate made at start)' },
  'tls-private-key-file': { type: 'string', help: 'file containing the default x509 private key matching --tls-cert-file' },
  'cluster-cidr': { type: 'string', help: 'CIDR Range for Pods in cluster', default: '10.244.0.0/16' },
  'allocate-node-cidrs': { type: 'boolean', help: 'should CIDRs for Pods be allocated and set on the nodes', default: true },
  'node-cidr-mask-size': { type: 'int', help: 'mask size for node cidr in cluster', default: 24 },
  'root-ca-file': { type: 'string', help: "if set, this root certificate authority will be included in service account's token secret and the kube-root-ca.crt configmaps (default: the kubeconfig's CA)" },
  'node-monitor-grace-period': { type: 'string', help: 'amount of time a running Node may be unresponsive before it is marked unhealthy', default: '40s' },
  'node-monitor-period': { type: 'string', help: 'the period for syncing NodeStatus in cloud-node-lifecycle-controller', default: '5s' },
  'terminated-pod-gc-threshold': { type: 'int', help: 'number of terminated pods that can exist before the terminated pod garbage collector starts deleting terminated pods; if <= 0, disabled', default: 12500 },
  'min-resync-period': { type: 'string', help: 'the resync period in reflectors will be random between MinResyncPeriod and 2*MinResyncPeriod', default: '12h0m0s' },
  'concurrent-deployment-syncs': { type: 'int', help: 'the number of deployment objects that are allowed to sync concurrently', default: 5 },
  'concurrent-replicaset-syncs': { type: 'int', help: 'the number of replica sets that are allowed to sync concurrently', default: 5 },
  'concurrent-rc-syncs': { type: 'int', help: 'the number of replication controllers that are allowed to sync concurrently', default: 5 },
  'concurrent-gc-syncs': { type: 'int', help: 'the number of garbage collector workers that are allowed to sync concurrently', default: 20 },
  'concurrent-namespace-syncs': { type: 'int', help: 'the number of namespace objects that are allowed to sync concurrently', default: 10 },
  'concurrent-serviceaccount-token-syncs': { type: 'int', help: 'the number of service account token objects that are allowed to sync concurrently', default: 5 },
  'concurrent-endpoint-syncs': { type: 'int', help: 'the number of endpoint syncing operations that will be done concurrently', default: 5 },
  'concurrent-service-endpoint-syncs': { type: 'int', help: 'the number of service endpoint syncing operations that will be done concurrently', default: 5 },
  'concurrent-daemonset-syncs': { type: 'int', help: 'the number of daemonset objects that are allowed to sync concurrently', default: 2 },
  'concurrent-statefulset-syncs': { type: 'int', help: 'the number of statefulset objects that are allowed to sync concurrently', default: 5 },
  'concurrent-job-syncs': { type: 'int', help: 'the number of job objects that are allowed to sync concurrently', default: 5 },
  'concurrent-cron-job-syncs': { type: 'int', help: 'the number of cron job objects that are allowed to sync concurrently', default: 5 },
  'concurrent-resource-quota-syncs': { type: 'int', help: 'the number of resource quotas that are allowed to sync concurrently', default: 5 },
  'service-lb-pool': { type: 'strings', help: 'addresses for LoadBalancer Services (k8ts service-lb-controller): CIDRs or first-last ranges; empty: each LoadBalancer Service gets the Ready nodes\' addresses, as k3s servicelb does' },
  'local-path-root': { type: 'string', help: 'directory under which the built-in local-path-provisioner (rancher.io/local-path) places volumes on the nodes; a StorageClass nodePath parameter overrides it', default: '/var/lib/k8ts/storage' },
  'horizontal-pod-autoscaler-sync-period': { type: 'string', help: 'the period for syncing the number of pods in horizontal pod autoscaler', default: '15s' },
  'cluster-signing-cert-file': { type: 'string', help: 'filename containing a PEM-encoded X509 CA certificate used to issue cluster-scoped certificates (kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet, kubelet-serving signers)' },
  'cluster-signing-key-file': { type: 'string', help: 'filename containing a PEM-encoded RSA or ECDSA private key used to sign cluster-scoped certificates' },
  'cluster-signing-duration': { type: 'string', help: 'the max length of duration signed certificates will be given; individual CSRs may request shorter certs by setting spec.expirationSeconds', default: '8760h0m0s' },
  'concurrent-ttl-after-finished-syncs': { type: 'int', help: 'the number of ttl-after-finished-controller workers that are allowed to sync concurrently', default: 5 },
} as const satisfies Readonly<Record<string, FlagSpec>>;

/** Everything the manager process needs, parsed and validated. */
export interface ManagerOptions {
  readonly kubeconfig: string;
  readonly controllers: readonly string[];
  /** --use-service-account-credentials: each controller as `kube-system/<its service account>`. */
  readonly useServiceAccountCredentials: boolean;
  readonly qps: number;
  readonly burst: number;
  readonly leaderElect: boolean;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  readonly controller: ControllerOptions;
  /** /healthz and /metrics over HTTPS (upstream's 10257). */
  readonly serving: SecureServingOptions;
}

/** Validated secure-serving flags (shared with the scheduler's); throws FlagError. */
export function servingOptions(securePort: number, bindAddress: string, tlsCertFile: string | undefined, tlsPrivateKeyFile: string | undefined): SecureServingOptions {
  if (securePort < 0 || securePort > 65535) {
    throw new FlagError(`--secure-port ${securePort} must be between 0 and 65535, inclusive. 0 for turning off secure port`);
  }
  if ((tlsCertFile === undefined) !== (tlsPrivateKeyFile === undefined)) {
    throw new FlagError('--tls-cert-file and --tls-private-key-file must be given together');
  }
  return { securePort, bindAddress, tlsCertFile, tlsPrivateKeyFile };
}

const unitMs: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (e.g. `40s`, `1m30s`, `12h0m0s`) in milliseconds; throws on malformed text. */
export function parseGoDuration(text: string): number {
  if (text === '0') {
    return 0;
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    pos = 1;
  }
  re.lastIndex = pos;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * (unitMs[m[2]] ?? 0);
    pos = re.lastIndex;
  }
  if (pos !== text.length || pos === 0 || (pos === 1 && sign === -1)) {
    throw new Error(`time: invalid duration "${text}"`);
  }
  return sign * total;
}

/** Parses argv; undefined when --help was asked for; throws FlagError on mistakes. */
export function controllerManagerOptions(argv: readonly string[]): ManagerOptions | undefined {
  const { flags, args, help } = parseFlags(argv, controllerManagerFlags);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  const dur = (name: keyof typeof controllerManagerFlags): number => {
    const v = String(flags[name] ?? '');
    try {
      return parseGoDuration(v);
    } catch (e) {
      throw new FlagError(`invalid argument "${v}" for "--${name}" flag: ${(e as Error).message}`);
    }
  };
  if (flags['leader-elect-resource-lock'] !== 'leases') {
    throw new FlagError('--leader-elect-resource-lock: only "leases" is supported');
  }
  const kubeconfig = flags.kubeconfig ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined || kubeconfig === '') {
    throw new FlagError('--kubeconfig is required (in-cluster configuration is not supported)');
  }
  try {
    parsePool((flags['service-lb-pool'] ?? []).join(','));
  } catch (e) {
    throw new FlagError(`--service-lb-pool: ${(e as Error).message}`);
  }
  if ((flags['cluster-signing-cert-file'] === undefined) !== (flags['cluster-signing-key-file'] === undefined)) {
    throw new FlagError('--cluster-signing-cert-file and --cluster-signing-key-file must be given together');
  }
  dur('cluster-signing-duration');
  dur('horizontal-pod-autoscaler-sync-period');
  const mask = flags['node-cidr-mask-size'] ?? 24;
  if (mask < 1 || mask > 32) {
    throw new FlagError(`--node-cidr-mask-size ${mask} must be between 1 and 32`);
  }
  return {
    kubeconfig,
    controllers: flags.controllers ?? ['*'],
    useServiceAccountCredentials: flags['use-service-account-credentials'] ?? false,
    qps: flags['kube-api-qps'] ?? 20,
    burst: flags['kube-api-burst'] ?? 30,
    leaderElect: flags['leader-elect'] ?? true,
    leaseDurationMs: dur('leader-elect-lease-duration'),
    renewDeadlineMs: dur('leader-elect-renew-deadline'),
    retryPeriodMs: dur('leader-elect-retry-period'),
    leaseName: flags['leader-elect-resource-name'] ?? 'kube-controller-manager',
    leaseNamespace: flags['leader-elect-resource-namespace'] ?? 'kube-system',
    serving: servingOptions(flags['secure-port'] ?? 10257, flags['bind-address'] ?? '0.0.0.0', flags['tls-cert-file'], flags['tls-private-key-file']),
    controller: {
      clusterCidr: flags['cluster-cidr'] ?? '10.244.0.0/16',
      nodeCidrMaskSize: mask,
      allocateNodeCidrs: flags['allocate-node-cidrs'] ?? true,
      rootCaFile: flags['root-ca-file'] ?? '',
      nodeMonitorGracePeriodMs: dur('node-monitor-grace-period'),
      nodeMonitorPeriodMs: dur('node-monitor-period'),
      terminatedPodGcThreshold: flags['terminated-pod-gc-threshold'] ?? 12500,
      minResyncPeriodMs: dur('min-resync-period'),
      flags: { ...flags },
    },
  };
}

/**
 * Resolves --controllers against the known names like upstream: `*` = every controller not
 * disabled by default, `name` enables, `-name` disables; short aliases without `-controller` work.
 */
export function selectControllers(requested: readonly string[], known: readonly string[], disabledByDefault: ReadonlySet<string>): string[] {
  const canonical = (n: string): string => {
    if (known.includes(n)) {
      return n;
    }
    if (known.includes(`${n}-controller`)) {
      return `${n}-controller`;
    }
    throw new FlagError(`"${n}" is not in the list of known controllers`);
  };
  const star = requested.includes('*');
  const on = new Set<string>();
  const off = new Set<string>();
  for (const r of requested) {
    if (r === '*') {
      continue;
    }
    if (r.startsWith('-')) {
      off.add(canonical(r.slice(1)));
    } else {
      on.add(canonical(r));
    }
  }
  return known.filter((n) => !off.has(n) && (on.has(n) || (star && !disabledByDefault.has(n))));
}
