/** `k8ts scheduler`: kube-scheduler's flags → runScheduler(); SIGTERM/SIGINT stop it cleanly. */
import { FlagError, parseFlags } from './flags.ts';
import { abortOnSignal, optionsOrExit } from './lifecycle.ts';
import { defaultProfiles, loadSchedulerConfig, parseDuration } from '../scheduler/config.ts';
import type { RunSchedulerOptions } from '../scheduler/server.ts';
import { servingOptions } from '../controllers/manager/options.ts';

const specs = {
  config: { type: 'string', help: 'the path to the KubeSchedulerConfiguration file; flags override values in this file' },
  kubeconfig: { type: 'string', help: 'path to kubeconfig file with authorization and master location information' },
  master: { type: 'string', help: 'the address of the Kubernetes API server (overrides any value in kubeconfig); not supported, use --kubeconfig' },
  'kube-api-qps': { type: 'int', help: 'QPS to use while talking with kubernetes apiserver', default: 50 },
  'kube-api-burst': { type: 'int', help: 'burst to use while talking with kubernetes apiserver', default: 100 },
  'leader-elect': { type: 'boolean', help: 'start a leader election client and gain leadership before executing the main loop', default: true },
  'leader-elect-lease-duration': { type: 'string', help: 'the duration that non-leader candidates will wait after observing a leadership renewal before attempting to acquire leadership', default: '15s' },
  'leader-elect-renew-deadline': { type: 'string', help: 'the interval between attempts by the acting master to renew a leadership slot before it stops leading', default: '10s' },
  'leader-elect-retry-period': { type: 'string', help: 'the duration the clients should wait between attempting acquisition and renewal of a leadership', default: '2s' },
  'leader-elect-resource-lock': { type: 'string', help: 'the type of resource object that is used for locking during leader election (only leases)', default: 'leases' },
  'leader-elect-resource-name': { type: 'string', help: 'the name of resource object that is used for locking during leader election', default: 'kube-scheduler' },
  'leader-elect-resource-namespace': { type: 'string', help: 'the namespace of resource object that is used for locking during leader election', default: 'kube-system' },
  'pod-initial-backoff-seconds': { type: 'int', help: 'the initial backoff for unschedulable pods', default: 1 },
  'secure-port': { type: 'int', help: 'the port on which to serve HTTPS with authentication and authorization (/healthz, /metrics); 0 disables it', default: 10259 },
  'bind-address': { type: 'string', help: 'the IP address on which to listen for the --secure-port port', default: '0.0.0.0' },
  'tls-cert-file': { type: 'string', help: 'file containing the default x509 certificate for HTTPS (default: a self-signed certificate made at start)' },
  'tls-private-key-file': { type: 'string', help: 'file containing the default x509 private key matching --tls-cert-file' },
  'pod-max-backoff-seconds': { type: 'int', help: 'the max backoff for unschedulable pods', default: 10 },
} as const;

const usageLine = 'Usage: k8ts scheduler [flags]\n\nThe Kubernetes scheduler: watches for pods without a node and binds each to a node that fits.';

/** Parses flags (and the --config file); undefined when help was asked for. Throws FlagError. */
export async function schedulerOptions(argv: readonly string[]): Promise<RunSchedulerOptions | undefined> {
  const { flags, args, help } = parseFlags(argv, specs);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const cfg = flags.config === undefined ? { profiles: defaultProfiles() } : await loadSchedulerConfig(flags.config).catch((e: unknown) => {
    throw new FlagError(`failed to load --config: ${(e as Error).message}`);
  });
  const pick = <T>(flag: keyof typeof specs, fromFlag: T, fromCfg: T | undefined): T => (given.has(flag) || fromCfg === undefined ? fromFlag : fromCfg);
  const dur = (flag: 'leader-elect-lease-duration' | 'leader-elect-renew-deadline' | 'leader-elect-retry-period'): number => {
    try {
      return parseDuration(flags[flag] ?? '');
    } catch (e) {
      throw new FlagError(`invalid argument "${flags[flag] ?? ''}" for "--${flag}" flag: ${(e as Error).message}`);
    }
  };
  if (flags['leader-elect-resource-lock'] !== 'leases') {
    throw new FlagError(`--leader-elect-resource-lock: only "leases" is supported`);
  }
  if (flags.master !== undefined) {
    throw new FlagError('--master is not supported; use --kubeconfig');
  }
  const kubeconfig = flags.kubeconfig ?? ('kubeconfig' in cfg ? cfg.kubeconfig : undefined) ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined || kubeconfig === '') {
    throw new FlagError('--kubeconfig is required (in-cluster configuration is not supported)');
  }
  const c = cfg as Partial<Awaited<ReturnType<typeof loadSchedulerConfig>>>;
  return {
    kubeconfig,
    qps: pick('kube-api-qps', flags['kube-api-qps'] ?? 50, c.qps),
    burst: pick('kube-api-burst', flags['kube-api-burst'] ?? 100, c.burst),
    leaderElect: pick('leader-elect', flags['leader-elect'] ?? true, c.leaderElect),
    leaseDurationMs: pick('leader-elect-lease-duration', dur('leader-elect-lease-duration'), c.leaseDurationMs),
    renewDeadlineMs: pick('leader-elect-renew-deadline', dur('leader-elect-renew-deadline'), c.renewDeadlineMs),
    retryPeriodMs: pick('leader-elect-retry-period', dur('leader-elect-retry-period'), c.retryPeriodMs),
    leaseName: pick('leader-elect-resource-name', flags['leader-elect-resource-name'] ?? 'kube-scheduler', c.resourceName),
    leaseNamespace: pick('leader-elect-resource-namespace', flags['leader-elect-resource-namespace'] ?? 'kube-system', c.resourceNamespace),
    profiles: c.profiles ?? defaultProfiles(),
    percentageOfNodesToScore: c.percentageOfNodesToScore,
    podInitialBackoffMs: pick('pod-initial-backoff-seconds', flags['pod-initial-backoff-seconds'] ?? 1, c.podInitialBackoffSeconds) * 1000,
    podMaxBackoffMs: pick('pod-max-backoff-seconds', flags['pod-max-backoff-seconds'] ?? 10, c.podMaxBackoffSeconds) * 1000,
    serving: servingOptions(flags['secure-port'] ?? 10259, flags['bind-address'] ?? '0.0.0.0', flags['tls-cert-file'], flags['tls-private-key-file']),
  };
}

/** Entry point: runs until SIGTERM/SIGINT (0) or until leadership is lost (1). */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => schedulerOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const { runScheduler } = await import('../scheduler/server.ts');
  return runScheduler(parsed.options, abortOnSignal('scheduler'));
}
