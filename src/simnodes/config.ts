/** Names, defaults and options of the simulated node fleet (`k8ts sim-nodes`). */
import type { ClientLogger } from '../client/index.ts';

/** Label put on every node this program registers, so its node informer watches only simulated nodes. */
export const SIM_NODE_LABEL = 'sim.k8ts.dev/node';
/** Label (or annotation) `sim.k8ts.dev/paused=true` on a node: its simulated kubelet goes silent (no lease, no status, no pod work). */
export const PAUSED_KEY = 'sim.k8ts.dev/paused';
/** Pod annotation: every container exits this many seconds after it started. */
export const EXIT_AFTER_ANNOTATION = 'sim.k8ts.dev/exit-after-seconds';
/** Pod annotation: the exit code used with EXIT_AFTER_ANNOTATION (default 0). */
export const EXIT_CODE_ANNOTATION = 'sim.k8ts.dev/exit-code';

/** What the simulated kubelets report as their version (nodeInfo.kubeletVersion). */
export const KUBELET_VERSION = 'v1.35.0-k8ts';
/** The runtime `<type>://<version>` reported in nodeInfo; container IDs use the same scheme. */
export const RUNTIME_TYPE = 'k8ts-sim';
export const CONTAINER_RUNTIME_VERSION = `${RUNTIME_TYPE}://1.35.0`;
/** The namespace holding node heartbeat Leases (upstream's). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/**
 * The port published in status.daemonEndpoints: 0, since no kubelet API serves a simulated node
 * (a real kubelet on this machine would otherwise answer for every one of them, e.g. to the
 * apiserver's metrics scraper).
 */
export const KUBELET_PORT = 0;

/** Everything a fleet needs to run; `resolveSimOptions` fills the defaults. */
export interface SimNodesOptions {
  readonly kubeconfig: string;
  readonly count: number;
  readonly namePrefix: string;
  /** Capacity (= allocatable) of each node, as quantities. */
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage: string;
  readonly maxPods: number;
  /** Lease `leaseDurationSeconds`; renewals every quarter of it (the kubelet's 40 s / 10 s). */
  readonly leaseDurationSeconds: number;
  /** How often an unchanged node status is re-posted (the kubelet's nodeStatusReportFrequency, 5 m). */
  readonly statusReportFrequencyMs: number;
  /** Client QPS/burst; the default grows with the fleet so heartbeats fit. */
  readonly qps: number;
  readonly burst: number;
  /** Where pod IPs come from for a node without spec.podCIDR: one /24 per node, by node index. */
  readonly fallbackPodCidr: string;
  /** Delay between marking a deleted pod's containers terminated and removing it. */
  readonly terminationDelayMs: number;
  /** Concurrent pod syncs. */
  readonly workers: number;
  readonly logger?: ClientLogger;
}

/** The lease renew interval the kubelet derives from the lease duration (renewIntervalFraction 0.25). */
export function leaseRenewIntervalMs(leaseDurationSeconds: number): number {
  return leaseDurationSeconds * 250;
}

/** A QPS that fits `count` nodes' lease renewals and status reports with room to spare for pod work. */
export function defaultQps(count: number, leaseDurationSeconds: number, statusReportFrequencyMs: number): number {
  const heartbeatsPerSecond = count * (1000 / leaseRenewIntervalMs(leaseDurationSeconds) + 1000 / statusReportFrequencyMs);
  return Math.max(50, Math.ceil(heartbeatsPerSecond * 2) + 50);
}

const unitMs: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`10s`, `5m`, `1m30s`, `250ms`) into milliseconds; throws on bad text. */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  if (text === '0') {
    return 0;
  }
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) {
      throw new Error(`time: invalid duration "${text}"`);
    }
    total += Number(m[1]) * unitMs[m[2]];
    pos = re.lastIndex;
  }
  if (text === '') {
    throw new Error(`time: invalid duration "${text}"`);
  }
  return total;
}

