/** `k8ts kubelet`: the kubelet's flags → runKubelet(); SIGTERM/SIGINT stop it and leave pods running. */
import { hostname } from 'node:os';
import { FlagError, parseFlags } from './flags.ts';
import { abortOnSignal, optionsOrExit } from './lifecycle.ts';
import type { KubeletOptions } from '../kubelet/kubelet.ts';
import { parseResourceList } from '../kubelet/node/node-agent.ts';
import { parseGoDuration } from '../controllers/manager/options.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'path to a kubeconfig file, specifying how to connect to the API server' },
  'hostname-override': { type: 'string', help: 'if non-empty, will use this string as identification instead of the actual hostname' },
  'node-name': { type: 'string', help: 'the name of the node (same as --hostname-override)' },
  'root-dir': { type: 'string', help: 'directory path for managing kubelet files (volume mounts, etc)', default: '/var/lib/k8ts/kubelet' },
  'pod-cidr': { type: 'string', help: 'the CIDR to use for pod IP addresses (default: the Node\'s spec.podCIDR)' },
  'pod-manifest-path': { type: 'string', help: 'path to the directory containing static pod files to run' },
  'system-reserved': { type: 'string', help: 'resources reserved for non-kubernetes components, e.g. cpu=200m,memory=500Mi' },
  'cluster-dns': { type: 'strings', help: 'comma-separated list of DNS server IP addresses for pods with dnsPolicy=ClusterFirst', default: ['10.96.0.10'] },
  'cluster-domain': { type: 'string', help: 'domain for this cluster', default: 'cluster.local' },
  'max-pods': { type: 'int', help: 'number of pods that can run on this kubelet', default: 110 },
  'image-archive': { type: 'strings', help: 'image archives (docker save or OCI layout tar) to import at start' },
  'cni-bridge': { type: 'string', help: 'name of the CNI bridge', default: 'k8ts0' },
  'netns-prefix': { type: 'string', help: 'prefix of the pods\' network namespace names', default: 'k8ts-' },
  port: { type: 'int', help: 'the port for the kubelet to serve on', default: 10250 },
  'client-ca-file': { type: 'string', help: 'CA bundle that signs client certificates of the kubelet API (default: the kubeconfig\'s cluster CA)' },
  'cgroup-root': { type: 'string', help: 'cgroup parent of every pod', default: 'k8ts' },
  'image-gc': { type: 'boolean', help: 'garbage collect unused images when the image filesystem is over --image-gc-high-threshold (on, as upstream; --image-gc=false or --image-gc-high-threshold=100 turns it off)', default: true },
  'image-gc-high-threshold': { type: 'int', help: 'the percent of disk usage after which image garbage collection is always run. Values must be within the range [0, 100], To disable image garbage collection, set to 100.', default: 85 },
  'image-gc-low-threshold': { type: 'int', help: 'the percent of disk usage before which image garbage collection is never run. Lowest disk usage to garbage collect to. Values must be within the range [0, 100] and should not be larger than that of --image-gc-high-threshold.', default: 80 },
  'stop-pods-on-exit': { type: 'boolean', help: 'stop every pod (containers, sandboxes, networking) when the kubelet exits, giving each at most 10 s of its grace period; `k8ts up` sets it so that stopping the cluster leaves nothing running (upstream\'s kubelet, like this one by default, leaves pods running across its restarts)', default: false },
  'image-minimum-gc-age': { type: 'string', help: 'minimum age for an unused image before it is garbage collected', default: '2m0s' },
} as const;

const usageLine = 'Usage: k8ts kubelet [flags]\n\nThe node agent: registers the Node and runs the pods bound to it.';

/** Parses the kubelet's flags; undefined when help was asked for. Throws FlagError. */
export function kubeletOptions(argv: readonly string[]): KubeletOptions | undefined {
  const { flags, args, help } = parseFlags(argv, specs);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  const kubeconfig = flags.kubeconfig ?? process.env.KUBECONFIG;
  if (kubeconfig === undefined || kubeconfig === '') {
    throw new FlagError('--kubeconfig is required');
  }
  const nodeName = (flags['node-name'] ?? flags['hostname-override'] ?? hostname()).toLowerCase();
  return {
    kubeconfig,
    nodeName,
    rootDir: flags['root-dir'] ?? '/var/lib/k8ts/kubelet',
    podCidr: flags['pod-cidr'],
    clusterDns: flags['cluster-dns'] ?? ['10.96.0.10'],
    clusterDomain: flags['cluster-domain'] ?? 'cluster.local',
    systemReserved: parseResourceList(flags['system-reserved']),
    maxPods: flags['max-pods'],
    imageArchives: flags['image-archive'],
    cniBridge: flags['cni-bridge'],
    netnsPrefix: flags['netns-prefix'],
    cgroupRoot: flags['cgroup-root'],
    stopPodsOnExit: flags['stop-pods-on-exit'] ?? false,
    port: flags.port,
    clientCaFile: flags['client-ca-file'],
    imageGc: flags['image-gc'] !== false ? imageGcOptions(flags['image-gc-high-threshold'] ?? 85, flags['image-gc-low-threshold'] ?? 80, flags['image-minimum-gc-age'] ?? '2m0s') : undefined,
    podManifestPath: flags['pod-manifest-path'],
  };
}

/** The image GC flags, checked as upstream's kubelet checks them. */
function imageGcOptions(high: number, low: number, minAge: string): NonNullable<KubeletOptions['imageGc']> {
  if (high < 0 || high > 100) {
    throw new FlagError(`--image-gc-high-threshold: ${high} must be between 0 and 100, inclusive`);
  }
  if (low < 0 || low > 100) {
    throw new FlagError(`--image-gc-low-threshold: ${low} must be between 0 and 100, inclusive`);
  }
  if (low > high) {
    throw new FlagError(`--image-gc-low-threshold: ${low} must be less than or equal to --image-gc-high-threshold: ${high}`);
  }
  let minAgeMs: number;
  try {
    minAgeMs = parseGoDuration(minAge);
  } catch {
    throw new FlagError(`invalid argument "${minAge}" for "--image-minimum-gc-age" flag: time: invalid duration "${minAge}"`);
  }
  return { highThresholdPercent: high, lowThresholdPercent: low, minAgeMs };
}

/** Entry point: runs until SIGTERM/SIGINT. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => kubeletOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const { runKubelet } = await import('../kubelet/kubelet.ts');
  return runKubelet(parsed.options, abortOnSignal('kubelet'));
}
