/**
 * The kubelet's `/metrics/resource` document (upstream's resource metrics collector, 1.35): node,
 * pod and container CPU time and working set, container start times and
 * `resource_scrape_error`, each usage sample stamped with the time it was read. Pods and
 * containers come from the runtime (ready sandboxes, running containers); their cgroups are found
 * through the container processes, so no cgroup layout is assumed. (`scrape_error`, deprecated
 * since 1.29, is hidden in 1.35 and not written; swap metrics are not written: no swap here.)
 */
import { dirname } from 'node:path';
import type { ContainerRuntime } from '../runtime/types.ts';
import { ContainerState, SandboxState } from '../runtime/types.ts';
import { cgroupOfProcess, readCgroupUsage, readMachineUsage } from './cgroup.ts';
import type { CgroupHost, UsageSample } from './cgroup.ts';
import { renderExposition } from './exposition.ts';
import type { Family, Sample } from './exposition.ts';

/** One running container's usage. */
export interface ContainerUsage {
  readonly name: string;
  /** ms since the epoch. */
  readonly startedAtMs: number;
  readonly usage: UsageSample;
}

/** One pod's usage: the pod cgroup (all its containers and the sandbox) and each container. */
export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly usage: UsageSample | undefined;
  readonly containers: readonly ContainerUsage[];
}

/** What `/metrics/resource` reports. */
export interface ResourceUsage {
  readonly node: UsageSample | undefined;
  readonly pods: readonly PodUsage[];
  /** True when the node could not be read (upstream: the stats summary failed). */
  readonly failed: boolean;
}

/** Reads the node's and every running pod's usage; a container that exits meanwhile is just left out. */
export async function collectResourceUsage(runtime: ContainerRuntime, host: CgroupHost): Promise<ResourceUsage> {
  const node = await readMachineUsage(host).catch(() => undefined);
  const pods: PodUsage[] = [];
  const sandboxes = (await runtime.listPodSandboxes()).filter((s) => s.state === SandboxState.Ready);
  for (const sandbox of sandboxes) {
    const containers: ContainerUsage[] = [];
    let podCgroup: { cpu: string; memory: string } | undefined;
    for (const c of await runtime.listContainers({ sandboxId: sandbox.id, state: ContainerState.Running })) {
      if (c.pid <= 0) {
        continue;
      }
      try {
        const paths = await cgroupOfProcess(host, c.pid);
        containers.push({ name: c.metadata.name, startedAtMs: c.startedAt, usage: await readCgroupUsage(host, paths) });
        // Every container's cgroup sits directly in the pod's (`<root>/pod<uid>/<id>`).
        podCgroup ??= { cpu: dirname(paths.cpu), memory: dirname(paths.memory) };
      } catch {
        // Exited between the listing and the read.
      }
    }
    if (podCgroup === undefined && sandbox.pausePid > 0) {
      const paths = await cgroupOfProcess(host, sandbox.pausePid).catch(() => undefined);
      podCgroup = paths === undefined ? undefined : { cpu: dirname(paths.cpu), memory: dirname(paths.memory) };
    }
    const usage = podCgroup === undefined ? undefined : await readCgroupUsage(host, podCgroup).catch(() => undefined);
    pods.push({ namespace: sandbox.metadata.namespace, name: sandbox.metadata.name, usage, containers });
  }
  return { node, pods, failed: node === undefined };
}

const seconds = (nanos: bigint): number => Number(nanos) / 1e9;

/** The usage in upstream's metric names, help texts and label sets, as Prometheus text. */
export function renderResourceMetrics(u: ResourceUsage): string {
  const cpu = (labels: Record<string, string>, s: UsageSample): Sample => ({ labels, value: seconds(s.cpuNanos), timestampMs: s.timestampMs });
  const mem = (labels: Record<string, string>, s: UsageSample): Sample => ({ labels, value: s.workingSetBytes, timestampMs: s.timestampMs });
  const containerLabels = (p: PodUsage, c: ContainerUsage): Record<string, string> => ({ container: c.name, namespace: p.namespace, pod: p.name });
  const podLabels = (p: PodUsage): Record<string, string> => ({ namespace: p.namespace, pod: p.name });
  const containers = u.pods.flatMap((p) => p.containers.map((c) => ({ p, c })));
  const podsWithUsage = u.pods.flatMap((p) => (p.usage === undefined ? [] : [{ p, usage: p.usage }]));
  const families: Family[] = [
    { name: 'container_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the container in core-seconds', type: 'counter', samples: containers.map(({ p, c }) => cpu(containerLabels(p, c), c.usage)) },
    { name: 'container_memory_working_set_bytes', help: '[STABLE] Current working set of the container in bytes', type: 'gauge', samples: containers.map(({ p, c }) => mem(containerLabels(p, c), c.usage)) },
    {
      name: 'container_start_time_seconds', help: '[STABLE] Start time of the container since unix epoch in seconds', type: 'gauge',
      samples: containers.filter(({ c }) => c.startedAtMs > 0).map(({ p, c }) => ({ labels: containerLabels(p, c), value: c.startedAtMs / 1000 })),
    },
    { name: 'node_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the node in core-seconds', type: 'counter', samples: u.node === undefined ? [] : [cpu({}, u.node)] },
    { name: 'node_memory_working_set_bytes', help: '[STABLE] Current working set of the node in bytes', type: 'gauge', samples: u.node === undefined ? [] : [mem({}, u.node)] },
    { name: 'pod_cpu_usage_seconds_total', help: '[STABLE] Cumulative cpu time consumed by the pod in core-seconds', type: 'counter', samples: podsWithUsage.map(({ p, usage }) => cpu(podLabels(p), usage)) },
    { name: 'pod_memory_working_set_bytes', help: '[STABLE] Current working set of the pod in bytes', type: 'gauge', samples: podsWithUsage.map(({ p, usage }) => mem(podLabels(p), usage)) },
    { name: 'resource_scrape_error', help: '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise', type: 'gauge', samples: [{ labels: {}, value: u.failed ? 1 : 0 }] },
  ];
  return renderExposition(families);
}
