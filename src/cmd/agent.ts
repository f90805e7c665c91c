/**
 * `k8ts agent`: everything a worker node runs, in one process (k3s's `agent`): the kubelet, the
 * proxy, and the node-network loop (host-gw routes to other nodes' pod CIDRs, service-LB
 * addresses). Component flags pass through as `--kubelet-arg name=value` / `--proxy-arg
 * name=value` (repeatable, values may contain commas).
 */
import { hostname } from 'node:os';
import { FlagError, formatUsage, parseFlags, passThrough } from './flags.ts';
import { abortOnSignal, optionsOrExit } from './lifecycle.ts';
import { parseDurationMs, proxyOptions } from './proxy.ts';
import { kubeletOptions } from './kubelet.ts';
import type { AgentRunOptions } from '../agent/run.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'kubeconfig of this node (kubelet, proxy and agent use it)', default: '/var/lib/k8ts/kubelet.kubeconfig' },
  'proxy-kubeconfig': { type: 'string', help: 'kubeconfig for the proxy (default: --kubeconfig); under --authorization-mode Node,RBAC give it the system:kube-proxy identity, as a node identity may not watch EndpointSlices' },
  'hostname-override': { type: 'string', help: 'the node name; default: the host name' },
  'kubelet-arg': { type: 'string', help: 'a kubelet flag as name=value (repeatable), e.g. --kubelet-arg root-dir=/var/lib/k8ts/kubelet' },
  'proxy-arg': { type: 'string', help: 'a proxy flag as name=value (repeatable), e.g. --proxy-arg cluster-cidr=10.244.0.0/16' },
  'no-kubelet': { type: 'boolean', help: 'do not run the kubelet (e.g. a control-plane host that only needs routes)' },
  'no-proxy': { type: 'boolean', help: 'do not run the proxy' },
  'no-routes': { type: 'boolean', help: 'do not keep host-gw routes to other nodes\' pod CIDRs' },
  'service-lb-pool': { type: 'strings', help: 'the service-LB pool (the controller manager\'s --service-lb-pool): pool addresses held by LoadBalancer Services are announced from this node when it is their speaker; empty: no announcing' },
  'min-sync-period': { type: 'string', help: 'minimum interval between node-network syncs (Go duration)', default: '1s' },
  'sync-period': { type: 'string', help: 'how often routes and LB addresses are rechecked even without changes (Go duration)', default: '30s' },
} as const;

const usageLine = 'Usage: k8ts agent [flags]\n\nRuns a worker node: kubelet + proxy + host-gw routes (+ service LB addresses), until SIGTERM.';

/** Parses the agent's flags (undefined for --help); throws FlagError on mistakes. */
export async function agentOptions(argv: readonly string[]): Promise<AgentRunOptions | undefined> {
  const split = passThrough(argv, ['kubelet', 'proxy']);
  const { flags: f, args, help } = parseFlags(split.rest, specs);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  const kubeconfig = f.kubeconfig ?? '/var/lib/k8ts/kubelet.kubeconfig';
  const nodeName = (f['hostname-override'] ?? hostname()).toLowerCase();
  const common = ['--kubeconfig', kubeconfig, '--hostname-override', nodeName];
  const kubelet = f['no-kubelet'] === true ? undefined : kubeletOptions([...common, ...split.kubelet]);
  const proxyCommon = ['--kubeconfig', f['proxy-kubeconfig'] ?? kubeconfig, '--hostname-override', nodeName];
  const proxy = f['no-proxy'] === true ? undefined : proxyOptions([...proxyCommon, ...split.proxy])?.options;
  let lbPool: string[] = [];
  if ((f['service-lb-pool'] ?? []).length > 0) {
    const { parsePool } = await import('../controllers/servicelb/pool.ts');
    try {
      lbPool = parsePool((f['service-lb-pool'] ?? []).join(','));
    } catch (e) {
      throw new FlagError(`--service-lb-pool: ${(e as Error).message}`);
    }
  }
  return {
    kubeconfig,
    nodeName,
    kubelet,
    proxy,
    routes: f['no-routes'] !== true,
    lbPool,
    minSyncPeriodMs: parseDurationMs(f['min-sync-period'] ?? '1s'),
    syncPeriodMs: parseDurationMs(f['sync-period'] ?? '30s'),
  };
}

/** Entry point: runs until SIGTERM/SIGINT, then removes the routes and addresses it added. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => agentOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const { runAgent } = await import('../agent/run.ts');
  return runAgent(parsed.options, abortOnSignal('agent'));
}

/** The usage text (tests). */
export const agentUsage = (): string => formatUsage(usageLine, specs);
