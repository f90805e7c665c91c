/** `k8ts sim-nodes`: flags → a fleet of simulated kubelets (startSimFleet); SIGTERM/SIGINT stop it. */
import { FlagError, parseFlags } from './flags.ts';
import { optionsOrExit, untilSignal } from './lifecycle.ts';
import { parseQuantity } from '../api/quantity.ts';
import { defaultQps, parseGoDuration } from '../simnodes/config.ts';
import type { SimNodesOptions } from '../simnodes/config.ts';
import { parseCidr } from '../simnodes/cidr.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'path to a kubeconfig file with the API server location and credentials' },
  count: { type: 'int', help: 'number of simulated nodes to register and keep alive', default: 1 },
  'name-prefix': { type: 'string', help: 'node names are <prefix>0 … <prefix>(count-1)', default: 'sim-' },
  cpu: { type: 'string', help: 'CPU capacity (and allocatable) of each node', default: '32' },
  memory: { type: 'string', help: 'memory capacity (and allocatable) of each node', default: '256Gi' },
  'ephemeral-storage': { type: 'string', help: 'ephemeral-storage capacity (and allocatable) of each node', default: '1Ti' },
  'max-pods': { type: 'int', help: 'number of pods each node can run (capacity "pods")', default: 110 },
  'node-lease-duration-seconds': { type: 'int', help: 'duration of each node Lease; it is renewed every quarter of it (the kubelet\'s nodeLeaseDurationSeconds)', default: 40 },
  'node-status-report-frequency': { type: 'string', help: 'how often an unchanged node status is posted (the kubelet\'s nodeStatusReportFrequency)', default: '5m' },
  'kube-api-qps': { type: 'int', help: 'QPS to use while talking with the API server (default: enough for the fleet\'s heartbeats, twice over, plus 50)' },
  'kube-api-burst': { type: 'int', help: 'burst to use while talking with the API server (default: twice the QPS)' },
  'fallback-pod-cidr': { type: 'string', help: 'pod IPs for nodes without spec.podCIDR: one /24 per node, by node index, from this range', default: '100.64.0.0/10' },
  'pod-termination-delay': { type: 'string', help: 'time between marking a deleted pod\'s containers terminated and removing it', default: '1s' },
  workers: { type: 'int', help: 'concurrent pod syncs', default: 16 },
} as const;

const usageLine =
  'Usage: k8ts sim-nodes --kubeconfig FILE --count N [flags]\n\n' +
  'Runs N simulated kubelets (like KWOK): registers Nodes, renews their Leases, reports status, and\n' +
  'runs pods bound to them on paper. Label or annotate a node sim.k8ts.dev/paused=true to silence it;\n' +
  'annotate a pod sim.k8ts.dev/exit-after-seconds (and sim.k8ts.dev/exit-code) to make it exit.';

function duration(flag: string, text: string): number {
  try {
    return parseGoDuration(text);
  } catch (e) {
    throw new FlagError(`invalid argument "${text}" for "--${flag}" flag: ${(e as Error).message}`);
  }
}

function quantity(flag: string, text: string): string {
  try {
    parseQuantity(text);
  } catch (e) {
    throw new FlagError(`invalid argument "${text}" for "--${flag}" flag: ${(e as Error).message}`);
  }
  return text;
}

/** Parses and validates the flags; undefined when help was asked for. Throws FlagError on mistakes. */
export function simNodesOptions(argv: readonly string[]): SimNodesOptions | undefined {
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
  const count = flags.count ?? 1;
  if (count < 0 || count > 65_000) {
    throw new FlagError(`--count ${count} must be between 0 and 65000`);
  }
  const prefix = flags['name-prefix'] ?? 'sim-';
  if (!/^[a-z0-9]([-a-z0-9.]*)?$/.test(prefix)) {
    throw new FlagError(`--name-prefix "${prefix}" must start with a lower case alphanumeric character and contain only lower case alphanumerics, '-' and '.'`);
  }
  const leaseSeconds = flags['node-lease-duration-seconds'] ?? 40;
  if (leaseSeconds < 1) {
    throw new FlagError('--node-lease-duration-seconds must be at least 1');
  }
  const reportMs = duration('node-status-report-frequency', flags['node-status-report-frequency'] ?? '5m');
  if (reportMs < 1000) {
    throw new FlagError('--node-status-report-frequency must be at least 1s');
  }
  const fallback = flags['fallback-pod-cidr'] ?? '100.64.0.0/10';
  const parsed = parseCidr(fallback);
  if (parsed === undefined || parsed.prefix > 24) {
    throw new FlagError(`--fallback-pod-cidr "${fallback}" must be an IPv4 CIDR of /24 or larger`);
  }
  const qps = flags['kube-api-qps'] ?? defaultQps(count, leaseSeconds, reportMs);
  return {
    kubeconfig,
    count,
    namePrefix: prefix,
    cpu: quantity('cpu', flags.cpu ?? '32'),
    memory: quantity('memory', flags.memory ?? '256Gi'),
    ephemeralStorage: quantity('ephemeral-storage', flags['ephemeral-storage'] ?? '1Ti'),
    maxPods: flags['max-pods'] ?? 110,
    leaseDurationSeconds: leaseSeconds,
    statusReportFrequencyMs: reportMs,
    qps,
    burst: flags['kube-api-burst'] ?? Math.max(100, qps * 2),
    fallbackPodCidr: fallback,
    terminationDelayMs: duration('pod-termination-delay', flags['pod-termination-delay'] ?? '1s'),
    workers: Math.max(1, flags.workers ?? 16),
  };
}

/** Entry point: runs until SIGTERM/SIGINT, then stops the fleet (Nodes and Leases stay) and returns 0. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => simNodesOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const opts = parsed.options;
  const { startSimFleet } = await import('../simnodes/fleet.ts');
  const fleet = await startSimFleet(opts);
  process.stderr.write(`sim-nodes: running ${opts.count} simulated nodes (${opts.namePrefix}0…), qps ${opts.qps}\n`);
  await untilSignal('sim-nodes');
  await fleet.stop();
  return 0;
}
