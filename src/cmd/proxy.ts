/** `k8ts proxy`: kube-proxy in nftables mode (Services + EndpointSlices → one atomic `nft -f` per sync). */
import { hostname } from 'node:os';
import { FlagError, formatUsage, parseFlags } from './flags.ts';
import { abortOnSignal, optionsOrExit } from './lifecycle.ts';
import type { ProxyOptions } from '../proxy/run.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'path to a kubeconfig file for talking to the API server', default: '/var/lib/k8ts/kube-proxy.kubeconfig' },
  'hostname-override': { type: 'string', help: 'the node name (endpoints on this node are "local"); default: the host name' },
  'cluster-cidr': { type: 'string', help: 'the pod CIDR; traffic to a cluster IP from outside it is masqueraded (empty: none is)' },
  'sync-period': { type: 'string', help: 'how often the whole ruleset is reapplied even when nothing changed (Go duration)', default: '30s' },
  'min-sync-period': { type: 'string', help: 'the minimum interval between syncs; changes within it are batched (Go duration)', default: '1s' },
  'nodeport-addresses': { type: 'strings', help: 'CIDRs whose local addresses answer NodePorts (default: every local address, 127.0.0.1 included)' },
  cleanup: { type: 'boolean', help: 'delete the proxy\'s nftables table and exit', default: false },
  netns: { type: 'string', help: 'program this network namespace (ip netns name) instead of our own; for tests and benchmarks' },
} as const;

const usageLine = 'Usage: k8ts proxy [flags]\n\nKeeps the nftables table "ip k8ts-proxy" equal to what Services and EndpointSlices ask for.';

const units: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("30s", "1m30s", "250ms", "0") into milliseconds. */
export function parseDurationMs(text: string): number {
  if (text === '0') {
    return 0;
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) {
    throw new FlagError(`invalid duration "${text}"`);
  }
  return total;
}

/** The parsed `k8ts proxy` flags: what runProxy needs, plus --cleanup. */
export interface ProxyFlags {
  readonly options: ProxyOptions;
  readonly cleanup: boolean;
}

/** Parses the proxy's flags (undefined for --help); throws FlagError on mistakes. */
export function proxyOptions(argv: readonly string[]): ProxyFlags | undefined {
  const parsed = parseFlags(argv, specs);
  if (parsed.help) {
    return undefined;
  }
  if (parsed.args.length > 0) {
    throw new FlagError(`unexpected argument "${parsed.args[0]}"`);
  }
  const f = parsed.flags;
  const syncPeriodMs = parseDurationMs(f['sync-period'] ?? '30s');
  const minSyncPeriodMs = parseDurationMs(f['min-sync-period'] ?? '1s');
  if (syncPeriodMs <= 0) {
    throw new FlagError('--sync-period must be greater than 0');
  }
  if (minSyncPeriodMs > syncPeriodMs) {
    throw new FlagError(`--min-sync-period (${f['min-sync-period']}) must be no greater than --sync-period (${f['sync-period']})`);
  }
  return {
    cleanup: f.cleanup === true,
    options: {
      kubeconfig: f.kubeconfig ?? '/var/lib/k8ts/kube-proxy.kubeconfig',
      hostname: (f['hostname-override'] ?? hostname()).toLowerCase(),
      clusterCIDR: f['cluster-cidr'],
      nodePortAddresses: f['nodeport-addresses'] ?? [],
      syncPeriodMs,
      minSyncPeriodMs,
      netns: f.netns,
    },
  };
}

/** The proxy's usage text (the agent shows it for --proxy-arg). */
export const proxyUsage = (): string => formatUsage(usageLine, specs);

/** Entry point: syncs until SIGTERM/SIGINT (the table stays so Services keep working), or cleans up with --cleanup. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => proxyOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const { options, cleanup } = parsed.options;
  const { HostCommands } = await import('../proxy/nft.ts');
  const commands = new HostCommands(options.netns);
  if (cleanup) {
    const { cleanupProxyRules } = await import('../proxy/proxier.ts');
    await cleanupProxyRules(commands);
    process.stderr.write('proxy: removed table ip k8ts-proxy\n');
    return 0;
  }
  const { runProxy } = await import('../proxy/run.ts');
  const signal = abortOnSignal('proxy');
  try {
    const proxy = await runProxy(options, signal);
    process.stderr.write(`proxy: running (table ip k8ts-proxy${options.netns !== undefined ? `, netns ${options.netns}` : ''})\n`);
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    await proxy.close();
  } catch (e) {
    if (!signal.aborted) {
      throw e;
    }
  }
  return 0;
}
