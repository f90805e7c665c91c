/**
 * The agent's node-network loop: watches Nodes and Services and keeps (1) host-gw routes to the
 * other nodes' pod CIDRs and (2) the service-LB addresses this node speaks for in line with
 * them, debounced like kube-proxy's syncs (the controller manager's service-lb-controller hands
 * the addresses out). On close it removes every route and address it added.
 */
import type { DeepReadonly } from '../api/object.ts';
import type { ClientLogger, RestClient } from '../client/index.ts';
import { SharedInformerFactory } from '../client/index.ts';
import type { HostCommands } from '../proxy/nft.ts';
import { BoundedFrequencyRunner } from '../proxy/runner.ts';
import { internalIPv4, localAddresses, removeRoutes, syncRoutes } from './routes.ts';
import type { LocalAddress, RouteNode } from './routes.ts';
import type { LbService } from '../controllers/servicelb/pool.ts';
import { announcedBy, readyNodes } from './servicelb.ts';
import type { LbNode } from './servicelb.ts';

/** What the node-network loop needs. */
export interface NodeNetworkOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  readonly commands: HostCommands;
  /** Keep host-gw routes (default true). */
  readonly routes: boolean;
  /** Service LB address pool (parsed): the addresses this agent may announce; empty: none. */
  readonly lbPool: readonly string[];
  readonly minSyncPeriodMs: number;
  readonly syncPeriodMs: number;
  readonly logger: ClientLogger;
}

/** A running node-network loop. */
export interface NodeNetwork {
  /** Runs one sync now (tests). */
  syncNow(): Promise<void>;
  close(): Promise<void>;
}

type Node = RouteNode & LbNode;

/** The interface carrying the node's own address (where LB addresses are added). */
function nodeInterface(local: readonly LocalAddress[], nodeIp: string | undefined): string | undefined {
  const own = local.find((a) => a.ip === nodeIp) ?? local.find((a) => a.ifname !== 'lo' && !a.ip.startsWith('127.') && a.prefixLen < 32);
  return own?.ifname;
}

/** Starts the loop; resolves once the caches are synced and the first sync ran. */
export async function startNodeNetwork(opts: NodeNetworkOptions, signal?: AbortSignal): Promise<NodeNetwork> {
  const factory = new SharedInformerFactory(opts.client, { logger: opts.logger });
  const nodes = factory.informerFor({ group: '', version: 'v1', resource: 'nodes' });
  const services = opts.lbPool.length > 0 ? factory.informerFor({ group: '', version: 'v1', resource: 'services' }) : undefined;
  const pool = new Set(opts.lbPool);
  const plainNodes = (): Node[] => nodes.store.values() as unknown as Node[];
  const plainServices = (): LbService[] => (services?.store.values() ?? []) as unknown as LbService[];
  const added = new Set<string>();
  let lbDevice: string | undefined;

  const syncLb = async (): Promise<void> => {
    const ready = readyNodes(plainNodes());
    const local = await localAddresses(opts.commands);
    const self = plainNodes().find((n) => n.metadata.name === opts.nodeName);
    lbDevice = nodeInterface(local, self === undefined ? undefined : internalIPv4(self)) ?? lbDevice;
    if (lbDevice === undefined) {
      return;
    }
    const want = new Set(announcedBy(opts.nodeName, plainServices(), pool, ready));
    const have = new Set(local.filter((a) => a.prefixLen === 32 && pool.has(a.ip)).map((a) => a.ip));
    for (const ip of want) {
      if (!have.has(ip)) {
        await opts.commands.run(['ip', 'addr', 'add', `${ip}/32`, 'dev', lbDevice]);
        opts.logger('info', `agent: announcing load-balancer address ${ip} on ${lbDevice}`);
      }
      added.add(ip);
    }
    for (const ip of have) {
      if (!want.has(ip)) {
        await opts.commands.run(['ip', 'addr', 'del', `${ip}/32`, 'dev', lbDevice]);
        added.delete(ip);
      }
    }
  };

  const sync = async (): Promise<void> => {
    try {
      if (opts.routes) {
        for (const c of await syncRoutes(opts.commands, plainNodes(), opts.nodeName)) {
          opts.logger('info', `agent: ${c.join(' ')}`);
        }
      }
      if (opts.lbPool.length > 0) {
        await syncLb();
      }
    } catch (e) {
      opts.logger('error', `agent: node network sync failed: ${(e as Error).message}`);
      throw e;
    }
  };
  const runner = new BoundedFrequencyRunner(() => sync(), { minIntervalMs: opts.minSyncPeriodMs, maxIntervalMs: opts.syncPeriodMs });
  let synced = false;
  const poke = { onAdd: () => synced && runner.request(), onUpdate: (_o: DeepReadonly<unknown>, _n: DeepReadonly<unknown>) => synced && runner.request(), onDelete: () => synced && runner.request() };
  nodes.addEventHandler(poke);
  services?.addEventHandler(poke);
  factory.start();
  if (!(await factory.waitForCacheSync(signal))) {
    await factory.shutdown();
    throw new Error('agent: stopped before the caches synced');
  }
  synced = true;
  await sync().catch(() => undefined);
  runner.request();
  return {
    syncNow: sync,
    close: async () => {
      await factory.shutdown();
      await runner.stop();
      if (opts.routes) {
        await removeRoutes(opts.commands);
      }
      for (const ip of added) {
        if (lbDevice !== undefined) {
          await opts.commands.run(['ip', 'addr', 'del', `${ip}/32`, 'dev', lbDevice]).catch(() => undefined);
        }
      }
    },
  };
}
