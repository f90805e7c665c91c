/**
 * The kubelet's Node: registers it (or adopts an existing one), renews its Lease in
 * kube-node-lease every 10 s, and posts its status (capacity, allocatable, addresses, nodeInfo,
 * conditions with Ready last) every 10 s, keeping a condition's lastTransitionTime unless its
 * status changes.
 */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { microTime, PatchType } from '../../client/index.ts';
import type { RestClient, ResourceRef } from '../../client/index.ts';

/** The kubelet's version as reported in nodeInfo. */
export const KUBELET_VERSION = 'v1.35.0-k8ts';
/** The runtime's name, used in containerRuntimeVersion and container IDs (`k8ts://<id>`). */
export const RUNTIME_NAME = 'k8ts';
/** The kubelet API port announced in daemonEndpoints. */
export const KUBELET_PORT = 10250;

const nodesRef: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const LEASE_NAMESPACE = 'kube-node-lease';
const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: LEASE_NAMESPACE };
const LEASE_DURATION_SECONDS = 40;

/** What the node agent needs. */
export interface NodeAgentOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  readonly rootDir: string;
  /** Reserved resources (`--system-reserved`), subtracted from capacity for allocatable. */
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly maxPods?: number;
  readonly kubeletPort?: number;
  readonly log?: (message: string) => void;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The node's first non-loopback IPv4 address (the InternalIP). */
export function detectHostIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) {
        return a.address;
      }
    }
  }
  return '127.0.0.1';
}

/** Parses `cpu=100m,memory=1Gi` into a map. */
export function parseResourceList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      out[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return out;
}

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, m: 1e-3,
};

/** The numeric value of a quantity (`100m` → 0.1, `1Gi` → 1073741824); NaN when malformed. */
export function quantityValue(q: string): number {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q.trim());
  if (m === null) {
    return Number.NaN;
  }
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? Number.NaN);
}

/** Capacity and allocatable of this machine. */
export async function nodeResources(rootDir: string, reserved: Readonly<Record<string, string>>, maxPods: number): Promise<{ capacity: Record<string, string>; allocatable: Record<string, string> }> {
  const fs = await statfs(rootDir).catch(() => statfs('/'));
  const storage = fs.blocks * fs.bsize;
  const cpuCount = cpus().length;
  const memory = totalmem();
  const capacity: Record<string, string> = {
    cpu: String(cpuCount), 'ephemeral-storage': `${Math.floor(storage / 1024)}Ki`, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: `${Math.floor(memory / 1024)}Ki`, pods: String(maxPods),
  };
  const minus = (name: string, total: number): number => {
    const r = reserved[name];
    const v = r === undefined ? 0 : quantityValue(r);
    return Math.max(0, total - (Number.isNaN(v) ? 0 : v));
  };
  const allocatable: Record<string, string> = {
    ...capacity,
    cpu: reserved.cpu === undefined ? capacity.cpu : `${Math.floor(minus('cpu', cpuCount) * 1000)}m`,
    memory: `${Math.floor(minus('memory', memory) / 1024)}Ki`,
    'ephemeral-storage': String(Math.floor(minus('ephemeral-storage', storage))),
  };
  return { capacity, allocatable };
}

async function osImage(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? 'Linux';
}

/** Registers the Node and keeps its Lease and status fresh. */
export class NodeAgent {
  private readonly opts: NodeAgentOptions;
  private leaseRv: string | undefined;
  private nodeUid: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly bootId: Promise<string>;
  readonly hostIp: string;

  constructor(opts: NodeAgentOptions) {
    this.opts = opts;
    this.hostIp = detectHostIp();
    this.bootId = readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim(), () => 'unknown');
  }

  private log(message: string): void {
    (this.opts.log ?? ((m: string) => process.stderr.write(`kubelet: ${m}\n`)))(message);
  }

  private async status(previous: readonly Condition[] | undefined): Promise<Record<string, unknown>> {
    const { capacity, allocatable } = await nodeResources(this.opts.rootDir, this.opts.systemReserved ?? {}, this.opts.maxPods ?? 110);
    const t = now();
    const wanted: Condition[] = [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
      { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
      { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ];
    const conditions = wanted.map((c) => {
      const old = previous?.find((p) => p.type === c.type);
      const transition = old?.status === c.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : t;
      return { ...c, lastHeartbeatTime: t, lastTransitionTime: transition };
    });
    const machineId = (await readFile('/etc/machine-id', 'utf8').catch(() => '')).trim();
    return {
      capacity, allocatable, conditions,
      addresses: [{ type: 'InternalIP', address: this.hostIp }, { type: 'Hostname', address: hostname() }],
      daemonEndpoints: { kubeletEndpoint: { Port: this.opts.kubeletPort ?? KUBELET_PORT } },
      nodeInfo: {
        machineID: machineId, systemUUID: machineId, bootID: await this.bootId, kernelVersion: release(), osImage: await osImage(),
        containerRuntimeVersion: `${RUNTIME_NAME}://1.35.0`, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
      },
    };
  }

  /** Creates the Node (or takes over an existing one) and writes its status and Lease; returns the Node. */
  async register(): Promise<KubeObject> {
    const { client, nodeName } = this.opts;
    const name = nodeName;
    const body: KubeObject = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name,
        labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: {},
      status: await this.status(undefined),
    };
    let node: KubeObject;
    try {
      node = await client.create(nodesRef, body);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        throw e;
      }
      node = await client.get({ ...nodesRef, name });
    }
    this.nodeUid = node.metadata.uid;
    node = await this.reportStatus() ?? node;
    await this.renewLease().catch((e: unknown) => this.log(`lease: ${(e as Error).message}`));
    return node;
  }

  /** Starts the 10 s lease and status loops. */
  start(): void {
    this.timers.push(setInterval(() => {
      this.renewLease().catch((e: unknown) => this.log(`failed to renew lease: ${(e as Error).message}`));
    }, 10_000));
    this.timers.push(setInterval(() => {
      this.reportStatus().catch((e: unknown) => this.log(`failed to update node status: ${(e as Error).message}`));
    }, 10_000));
  }

  stop(): void {
    for (const t of this.timers) {
      clearInterval(t);
    }
    this.timers = [];
  }

  /** Patches the node's status; returns the updated Node. */
  async reportStatus(): Promise<KubeObject | undefined> {
    const { client, nodeName } = this.opts;
    const current = await client.get({ ...nodesRef, name: nodeName });
    const previous = (current.status as { conditions?: Condition[] } | undefined)?.conditions;
    return client.patch({ ...nodesRef, name: nodeName, subresource: 'status' }, { status: await this.status(previous) }, PatchType.StrategicMerge);
  }

  private leaseBody(): KubeObject {
    const { nodeName } = this.opts;
    const metadata: KubeObject['metadata'] = { name: nodeName, namespace: LEASE_NAMESPACE };
    if (this.leaseRv !== undefined) {
      metadata.resourceVersion = this.leaseRv;
    }
    if (this.nodeUid !== undefined) {
      // The Node owns its Lease, so deleting the Node collects the Lease.
      metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: this.nodeUid }];
    }
    return {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata,
      spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime() },
    };
  }

  /** One lease renewal: PUT with the last resourceVersion, creating the Lease when missing. */
  async renewLease(): Promise<void> {
    const { client, nodeName } = this.opts;
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.leaseRv === undefined) {
          const existing = await client.get({ ...leasesRef, name: nodeName }).catch((e: unknown) => {
            if (isNotFound(e)) {
              return undefined;
            }
            throw e;
          });
          if (existing === undefined) {
            this.leaseRv = (await client.create(leasesRef, this.leaseBody())).metadata.resourceVersion;
            return;
          }
          this.leaseRv = existing.metadata.resourceVersion;
        }
        this.leaseRv = (await client.update({ ...leasesRef, name: nodeName }, this.leaseBody())).metadata.resourceVersion;
        return;
      } catch (e) {
        this.leaseRv = undefined;
        if (attempt >= 1 || !(isConflict(e) || isNotFound(e) || isAlreadyExists(e))) {
          throw e;
        }
      }
    }
  }
}
