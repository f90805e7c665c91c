/**
 * `k8ts agent` wiring: the node-network loop first (so pods scheduled here can reach other
 * nodes from their first packet), then the proxy and the kubelet, all in this process; on
 * abort they stop in reverse order and the loop removes its routes and addresses. Pods and the
 * proxy's table stay, as when the kubelet or kube-proxy restart upstream.
 */
import type { KubeletOptions } from '../kubelet/kubelet.ts';
import { RestClient, stderrLogger } from '../client/index.ts';
import { HostCommands } from '../proxy/nft.ts';
import type { ProxyOptions, RunningProxy } from '../proxy/run.ts';
import { startNodeNetwork } from './network.ts';
import type { NodeNetwork } from './network.ts';

/** What runAgent needs (the parsed flags). */
export interface AgentRunOptions {
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly kubelet?: KubeletOptions;
  readonly proxy?: ProxyOptions;
  readonly routes: boolean;
  readonly lbPool: readonly string[];
  readonly minSyncPeriodMs: number;
  readonly syncPeriodMs: number;
}

/** Runs the agent until `signal` aborts; resolves with the exit code. */
export async function runAgent(opts: AgentRunOptions, signal: AbortSignal): Promise<number> {
  const logger = stderrLogger;
  let network: NodeNetwork | undefined;
  let proxy: RunningProxy | undefined;
  let code = 0;
  try {
    if (opts.routes || opts.lbPool.length > 0) {
      const client = await RestClient.fromKubeconfig(opts.kubeconfig, { component: 'agent' });
      network = await startNodeNetwork({ client, nodeName: opts.nodeName, commands: new HostCommands(), routes: opts.routes, lbPool: opts.lbPool, minSyncPeriodMs: opts.minSyncPeriodMs, syncPeriodMs: opts.syncPeriodMs, logger }, signal);
    }
    if (opts.proxy !== undefined && !signal.aborted) {
      const { runProxy } = await import('../proxy/run.ts');
      proxy = await runProxy({ ...opts.proxy, logger }, signal);
    }
    process.stderr.write(`agent: node ${opts.nodeName} running (${[opts.kubelet && 'kubelet', opts.proxy && 'proxy', opts.routes && 'routes', opts.lbPool.length > 0 && 'service-lb'].filter(Boolean).join(', ')})\n`);
    if (opts.kubelet !== undefined && !signal.aborted) {
      const { runKubelet } = await import('../kubelet/kubelet.ts');
      code = await runKubelet(opts.kubelet, signal);
    } else if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } catch (e) {
    if (!signal.aborted) {
      logger('error', `agent: ${(e as Error).message}`);
      code = 1;
    }
  } finally {
    await proxy?.close();
    await network?.close();
  }
  return code;
}
