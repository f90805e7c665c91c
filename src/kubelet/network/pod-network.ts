/**
 * Pod networking for the kubelet: one named netns per sandbox, attached with the node's CNI
 * conflist (`loopback` on lo, then `bridge` + `host-local` IPAM on the pod CIDR, then `portmap`
 * for hostPorts). ADD results are cached on disk (like libcni's cache) so DEL works after a
 * kubelet restart and a restarted kubelet can report the pod IP without re-running ADD.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CniConfigList, CniExecOptions, CniPortMapping, CniResult, CniRuntimeConfig } from './cni.ts';
import { addNetworkList, checkNetworkList, delNetworkList } from './cni.ts';
import { createNetns, deleteNetns, netnsPath } from './netns.ts';
import { runCommand } from '../runtime/command.ts';

/** How the node's pod network is laid out. */
export interface PodNetworkConfig {
  /** Directory for cached results and IPAM state (e.g. `<root-dir>/network`). */
  readonly stateDir: string;
  /** The node's pod CIDR, e.g. 10.244.0.0/24. */
  readonly podCidr: string;
  /** Linux bridge name (max 15 chars; default `k8ts0`). */
  readonly bridge?: string;
  /** CNI network name (default `k8ts`). */
  readonly networkName?: string;
  /** Masquerade traffic leaving the pod CIDR (default false). */
  readonly ipMasq?: boolean;
  /** Prefix for netns names, so several kubelets on one machine never collide (default `k8ts-`). */
  readonly netnsPrefix?: string;
  readonly exec?: CniExecOptions;
}

/** A sandbox's network as set up. */
export interface PodNetworkStatus {
  readonly netnsName: string;
  readonly netnsPath: string;
  /** The pod IP on eth0 (without prefix length). */
  readonly ip: string;
  readonly result: CniResult;
}

/** Pod identity passed to plugins as CNI_ARGS (as the kubelet/containerd do). */
export interface PodNetworkRequest {
  readonly sandboxId: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly portMappings?: readonly CniPortMapping[];
}

interface CachedNetwork {
  readonly netnsName: string;
  readonly ip: string;
  readonly result: CniResult;
  readonly loResult: CniResult;
  readonly portMappings: readonly CniPortMapping[];
  readonly args: Record<string, string>;
}

/** Builds the node's conflist: bridge + host-local on the pod CIDR, then portmap. */
export function podConfList(config: PodNetworkConfig): CniConfigList {
  return {
    cniVersion: '1.0.0',
    name: config.networkName ?? 'k8ts',
    plugins: [
      {
        type: 'bridge', bridge: config.bridge ?? 'k8ts0', isGateway: true, ipMasq: config.ipMasq ?? false, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: config.podCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(config.stateDir, 'ipam') },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

function loopbackList(): CniConfigList {
  return { cniVersion: '1.0.0', name: 'cni-loopback', plugins: [{ type: 'loopback' }] };
}

/** Sets up and tears down sandbox networks on one node. */
export class PodNetwork {
  private readonly config: PodNetworkConfig;
  private readonly list: CniConfigList;
  private readonly listNoPorts: CniConfigList;

  constructor(config: PodNetworkConfig) {
    this.config = config;
    this.list = podConfList(config);
    this.listNoPorts = { ...this.list, plugins: this.list.plugins.filter((p) => p.type !== 'portmap') };
  }

  private cachePath(sandboxId: string): string {
    return join(this.config.stateDir, 'results', `${sandboxId}.json`);
  }

  /** The netns name a sandbox gets. */
  netnsName(sandboxId: string): string {
    return `${this.config.netnsPrefix ?? 'k8ts-'}${sandboxId.slice(0, 16)}`;
  }

  private runtimeConf(sandboxId: string, ifName: string, args: Record<string, string>, portMappings: readonly CniPortMapping[]): CniRuntimeConfig {
    return { containerId: sandboxId, netns: netnsPath(this.netnsName(sandboxId)), ifName, args, capabilityArgs: { portMappings } };
  }

  /** Creates the sandbox's (empty) netns, so a process can join it before CNI ADD; resolves with its path. */
  createNamespace(sandboxId: string): Promise<string> {
    return createNetns(this.netnsName(sandboxId));
  }

  /**
   * The plugins to run: portmap only with hostPorts. Without mappings its ADD passes the result
   * through and its DEL only searches iptables for rules that were never made (RUNTIME.md §3:
   * DEL with portmap 135 ms, without 41 ms), so leaving it out changes nothing but the time.
   */
  private listFor(portMappings: readonly CniPortMapping[] | undefined): CniConfigList {
    return portMappings !== undefined && portMappings.length === 0 ? this.listNoPorts : this.list;
  }

  /** Creates the sandbox's netns (unless createNamespace did) and runs CNI ADD; resolves with the pod IP. */
  async setUp(req: PodNetworkRequest): Promise<PodNetworkStatus> {
    await mkdir(join(this.config.stateDir, 'results'), { recursive: true });
    const netnsName = this.netnsName(req.sandboxId);
    await createNetns(netnsName);
    const args: Record<string, string> = { IgnoreUnknown: '1' };
    if (req.namespace !== undefined) {
      args.K8S_POD_NAMESPACE = req.namespace;
    }
    if (req.name !== undefined) {
      args.K8S_POD_NAME = req.name;
    }
    if (req.uid !== undefined) {
      args.K8S_POD_UID = req.uid;
    }
    args.K8S_POD_INFRA_CONTAINER_ID = req.sandboxId;
    const portMappings = req.portMappings ?? [];
    try {
      // lo and eth0 are separate interfaces with separate plugins: both ADDs run at once.
      const [loSettled, settled] = await Promise.allSettled([
        addNetworkList(loopbackList(), this.runtimeConf(req.sandboxId, 'lo', args, []), this.config.exec),
        addNetworkList(this.listFor(portMappings), this.runtimeConf(req.sandboxId, 'eth0', args, portMappings), this.config.exec),
      ]);
      if (loSettled.status === 'rejected' || settled.status === 'rejected') {
        throw loSettled.status === 'rejected' ? loSettled.reason : (settled as PromiseRejectedResult).reason;
      }
      const loResult = loSettled.value;
      const result = settled.value;
      const ip = podIp(result);
      const cached: CachedNetwork = { netnsName, ip, result, loResult, portMappings, args };
      await writeFile(this.cachePath(req.sandboxId), JSON.stringify(cached));
      return { netnsName, netnsPath: netnsPath(netnsName), ip, result };
    } catch (err) {
      await this.tearDown(req.sandboxId, portMappings, args).catch(() => undefined);
      throw err;
    }
  }

  /** The cached network of a sandbox, if it was set up. */
  async status(sandboxId: string): Promise<PodNetworkStatus | undefined> {
    const cached = await this.readCache(sandboxId);
    return cached === undefined ? undefined : { netnsName: cached.netnsName, netnsPath: netnsPath(cached.netnsName), ip: cached.ip, result: cached.result };
  }

  /** Runs CNI CHECK on a sandbox's network; throws when a plugin reports a problem. */
  async check(sandboxId: string): Promise<void> {
    const cached = await this.readCache(sandboxId);
    if (cached === undefined) {
      throw new Error(`no network set up for sandbox ${sandboxId}`);
    }
    await checkNetworkList(this.listFor(cached.portMappings), this.runtimeConf(sandboxId, 'eth0', cached.args, cached.portMappings), cached.result, this.config.exec);
  }

  private async readCache(sandboxId: string): Promise<CachedNetwork | undefined> {
    const text = await readFile(this.cachePath(sandboxId), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as CachedNetwork);
  }

  /** CNI DEL (releases the IP, removes hostPort rules) and deletes the netns; idempotent. */
  async tearDown(sandboxId: string, portMappings?: readonly CniPortMapping[], args?: Record<string, string>): Promise<void> {
    const cached = await this.readCache(sandboxId);
    const a = cached?.args ?? args ?? { IgnoreUnknown: '1' };
    // Without a cached ADD the mappings are unknown: run every plugin, portmap included.
    const pm = cached?.portMappings ?? portMappings;
    let firstError: unknown;
    // No loopback DEL: it only sets lo down in the netns deleted right after (and costs a Go
    // plugin process, ~35 ms of CPU here); bridge DEL matters, it releases the IP and the veth.
    await delNetworkList(this.listFor(pm), this.runtimeConf(sandboxId, 'eth0', a, pm ?? []), cached?.result, this.config.exec).catch((err: unknown) => {
      firstError = err;
    });
    await deleteNetns(this.netnsName(sandboxId));
    await rm(this.cachePath(sandboxId), { force: true });
    if (firstError !== undefined) {
      throw firstError;
    }
  }

  /** Deletes the node's CNI bridge (the bridge plugin creates it at the first pod); call once no pod uses it. */
  async removeBridge(): Promise<void> {
    const result = await runCommand('ip', ['link', 'del', this.config.bridge ?? 'k8ts0']);
    if (result.code !== 0 && !/Cannot find device/.test(result.stderr)) {
      throw new Error(`ip link del ${this.config.bridge ?? 'k8ts0'}: ${result.stderr.trim()}`);
    }
  }
}

/** The first IPv4 address in a CNI result, without its prefix length. */
export function podIp(result: CniResult): string {
  const address = result.ips?.find((i) => !i.address.includes(':'))?.address ?? result.ips?.[0]?.address;
  if (address === undefined) {
    throw new Error('CNI result has no IP address');
  }
  return address.split('/')[0];
}
