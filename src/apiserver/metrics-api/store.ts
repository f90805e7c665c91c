/**
 * metrics-server's storage semantics: the last two points of every node and container, replaced
 * wholesale by each scrape round; CPU is served as the rate between the two (nanocores over the
 * `window` between their timestamps), memory as the newer working set. A pod is served only
 * once every one of its containers has two points; a restarted container (start time after the
 * stored point) starts over; a container that started less than one resolution but at least
 * 10 s ago gets a synthetic first point at its start time with zero CPU, so it shows up after one
 * scrape instead of two.
 */
import type { ContainerPoint, MetricsPoint, NodeBatch } from './decode.ts';

/** Usage over a window, as served. */
export interface Usage {
  /** CPU rate in nanocores (whole, rounded down as upstream's uint64 conversion). */
  readonly nanocores: bigint;
  readonly memoryBytes: bigint;
  /** ms since the epoch of the newer point. */
  readonly timestampMs: number;
  readonly windowMs: number;
}

/** A pod's container usages with the pod's (earliest) timestamp and window. */
export interface PodUsage {
  readonly timestampMs: number;
  readonly windowMs: number;
  /** Container name → usage. */
  readonly containers: ReadonlyMap<string, Usage>;
}

const FRESH_CONTAINER_MIN_MS = 10_000;

/** The rate between two points, or undefined when the counter went backwards or no time passed (upstream skips those). */
export function usageBetween(prev: MetricsPoint, last: MetricsPoint): Usage | undefined {
  const windowMs = last.timestampMs - prev.timestampMs;
  if (last.cpuNanos < prev.cpuNanos || windowMs <= 0) {
    return undefined;
  }
  const nanocores = BigInt(Math.floor(((last.cpuNanos - prev.cpuNanos) * 1000) / windowMs));
  return { nanocores, memoryBytes: BigInt(Math.floor(last.memoryBytes)), timestampMs: last.timestampMs, windowMs };
}

/** The last two scrape rounds, and the usage computed from them. */
export class MetricsStore {
  private readonly resolutionMs: number;
  private lastNodes = new Map<string, MetricsPoint>();
  private prevNodes = new Map<string, MetricsPoint>();
  private lastPods = new Map<string, Map<string, ContainerPoint>>();
  private prevPods = new Map<string, Map<string, ContainerPoint>>();

  constructor(resolutionMs: number) {
    this.resolutionMs = resolutionMs;
  }

  /** Replaces the stored round with one scrape of every node (node name → batch). */
  store(batches: ReadonlyMap<string, NodeBatch>): void {
    const lastNodes = new Map<string, MetricsPoint>();
    const prevNodes = new Map<string, MetricsPoint>();
    const lastPods = new Map<string, Map<string, ContainerPoint>>();
    const prevPods = new Map<string, Map<string, ContainerPoint>>();
    for (const [nodeName, batch] of batches) {
      if (batch.node !== undefined) {
        lastNodes.set(nodeName, batch.node);
        const prev = this.olderPoint(this.lastNodes.get(nodeName), this.prevNodes.get(nodeName), batch.node);
        if (prev !== undefined) {
          prevNodes.set(nodeName, prev);
        }
      }
      for (const [podKey, containers] of batch.pods) {
        if (lastPods.has(podKey)) {
          continue;
        }
        const prevContainers = new Map<string, ContainerPoint>();
        for (const [name, point] of containers) {
          const prev = this.previousContainerPoint(point, this.lastPods.get(podKey)?.get(name), this.prevPods.get(podKey)?.get(name));
          if (prev !== undefined) {
            prevContainers.set(name, prev);
          }
        }
        lastPods.set(podKey, new Map(containers));
        if (prevContainers.size > 0) {
          prevPods.set(podKey, prevContainers);
        }
      }
    }
    this.lastNodes = lastNodes;
    this.prevNodes = prevNodes;
    this.lastPods = lastPods;
    this.prevPods = prevPods;
  }

  /** Of the stored points, the one to rate `point` against: the stored last one if `point` is newer, else the stored previous one if older. */
  private olderPoint<T extends MetricsPoint>(last: T | undefined, prev: T | undefined, point: T): T | undefined {
    if (last === undefined) {
      return undefined;
    }
    if (point.timestampMs > last.timestampMs) {
      return last;
    }
    return prev !== undefined && prev.timestampMs < point.timestampMs ? prev : undefined;
  }

  private previousContainerPoint(point: ContainerPoint, last: ContainerPoint | undefined, prev: ContainerPoint | undefined): ContainerPoint | undefined {
    const sinceStart = point.timestampMs - point.startTimeMs;
    if (point.startTimeMs > 0 && sinceStart > 0 && sinceStart < this.resolutionMs && sinceStart >= FRESH_CONTAINER_MIN_MS) {
      return { ...point, timestampMs: point.startTimeMs, cpuNanos: 0 };
    }
    // A start time after the stored point means a restart: the counter began again.
    if (last === undefined || !(point.startTimeMs < last.timestampMs)) {
      return undefined;
    }
    return this.olderPoint(last, prev, point);
  }

  /** A node's usage, once it has two points. */
  nodeUsage(nodeName: string): Usage | undefined {
    const last = this.lastNodes.get(nodeName);
    const prev = this.prevNodes.get(nodeName);
    return last === undefined || prev === undefined ? undefined : usageBetween(prev, last);
  }

  /** A pod's usage, once every container has two points. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const last = this.lastPods.get(key);
    const prev = this.prevPods.get(key);
    if (last === undefined || prev === undefined) {
      return undefined;
    }
    const containers = new Map<string, Usage>();
    let earliest: Usage | undefined;
    for (const [container, point] of last) {
      const before = prev.get(container);
      if (before === undefined) {
        return undefined;
      }
      const usage = usageBetween(before, point);
      if (usage === undefined) {
        continue;
      }
      containers.set(container, usage);
      if (earliest === undefined || usage.timestampMs < earliest.timestampMs) {
        earliest = usage;
      }
    }
    return earliest === undefined ? { timestampMs: 0, windowMs: 0, containers } : { timestampMs: earliest.timestampMs, windowMs: earliest.windowMs, containers };
  }
}
