/**
 * The Node object and status a simulated kubelet reports: labels as the kubelet sets them,
 * capacity/allocatable, addresses, nodeInfo, daemonEndpoints, and the four conditions
 * (MemoryPressure, DiskPressure, PIDPressure, Ready — Ready last, as the kubelet orders them)
 * whose lastTransitionTime only moves when a condition's status changes.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { KubeObject } from '../api/object.ts';
import { CONTAINER_RUNTIME_VERSION, KUBELET_PORT, KUBELET_VERSION, SIM_NODE_LABEL } from './config.ts';

/** Node capacity, as quantities. */
export interface NodeShape {
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage: string;
  readonly maxPods: number;
}

/** One node condition as the API carries it. */
export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** A node's boot ID is per kubelet start: one per process here. */
const bootId = randomUUID();

function hexOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuidOf(text: string): string {
  const h = hexOf(`uuid:${text}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Labels the kubelet puts on its Node, plus the simulator's own marker. */
export function nodeLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'k8ts-sim',
    [SIM_NODE_LABEL]: 'true',
  };
}

/** The conditions a healthy kubelet reports, keeping transition times of unchanged ones from `previous`. */
export function healthyConditions(previous: readonly NodeCondition[] | undefined, now: string): NodeCondition[] {
  const wanted: NodeCondition[] = [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
  return wanted.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const transition = old !== undefined && old.status === c.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: transition };
  });
}

/** Everything in a node's status the simulated kubelet owns. */
export function nodeStatus(name: string, shape: NodeShape, hostIp: string, previousConditions: readonly NodeCondition[] | undefined, now: string): Record<string, unknown> {
  const resources = {
    cpu: shape.cpu,
    'ephemeral-storage': shape.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: shape.memory,
    pods: String(shape.maxPods),
  };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: healthyConditions(previousConditions, now),
    addresses: [
      { type: 'InternalIP', address: hostIp },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: hexOf(`machine:${name}`).slice(0, 32),
      systemUUID: uuidOf(name),
      bootID: bootId,
      kernelVersion: '6.12.0-k8ts-sim',
      osImage: 'k8ts simulated node',
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node a simulated kubelet registers (POST /api/v1/nodes). */
export function newNode(name: string, shape: NodeShape, hostIp: string, now: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(name, shape, hostIp, undefined, now),
  };
}

/**
 * The node's InternalIP. Simulated nodes get loopback addresses (127.x.y.z, the second octet
 * derived from the name prefix) so that anything dialling a "kubelet" (apiserver proxy, logs)
 * stays on this machine and fails fast.
 */
export function hostIpFor(namePrefix: string, index: number): string {
  const second = 16 + (parseInt(hexOf(`prefix:${namePrefix}`).slice(0, 4), 16) % 224);
  const n = index + 1;
  return `127.${second}.${(n >>> 8) & 255}.${n & 255}`;
}
