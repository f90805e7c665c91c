/**
 * Upstream's drain.Helper: which pods on a node may go (DaemonSet, mirror, emptyDir and
 * unmanaged filters with their warnings and errors), then evicting them through the Eviction
 * API (retrying 429s from disruption budgets) or deleting them, and waiting until they are gone.
 */
import { StatusError } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import type { RestClient } from '../../client/rest.ts';
import { goDuration } from './duration.ts';

/** The parts of a Pod the drain filters read. */
export interface DrainPod extends KubeObject {
  readonly spec?: { readonly volumes?: readonly { readonly emptyDir?: unknown }[]; readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

/** Drain options (upstream's Helper fields). */
export interface DrainOptions {
  readonly force: boolean;
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  /** -1: the pod's own grace period. */
  readonly gracePeriodSeconds: number;
  /** 0: no limit. */
  readonly timeoutMs: number;
  readonly podSelector: string;
  readonly disableEviction: boolean;
  readonly skipWaitForDeleteTimeoutSeconds: number;
  readonly chunkSize: number;
  readonly dryRun: 'none' | 'client' | 'server';
  /** Delay between eviction retries after a 429 (upstream: 5s). */
  readonly evictRetryDelayMs: number;
}

type Status = { readonly delete: boolean; readonly kind: 'okay' | 'skip' | 'warning' | 'error'; readonly message: string };

const okay: Status = { delete: true, kind: 'okay', message: '' };
const skip: Status = { delete: false, kind: 'skip', message: '' };
const warning = (del: boolean, message: string): Status => ({ delete: del, kind: 'warning', message });
const failure = (message: string): Status => ({ delete: false, kind: 'error', message });

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

function finished(pod: DrainPod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function controllerOf(pod: DrainPod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The pods found on a node with their filter verdicts. */
export interface PodDeleteList {
  readonly items: readonly { readonly pod: DrainPod; readonly status: Status }[];
}

/** The pods that will be evicted/deleted. */
export function podsToDelete(list: PodDeleteList): DrainPod[] {
  return list.items.filter((i) => i.status.delete).map((i) => i.pod);
}

function grouped(list: PodDeleteList, kind: Status['kind']): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const i of list.items) {
    if (i.status.kind === kind) {
      const pods = by.get(i.status.message) ?? [];
      pods.push(`${i.pod.metadata.namespace ?? ''}/${i.pod.metadata.name ?? ''}`);
      by.set(i.status.message, pods);
    }
  }
  return by;
}

/** `msg: ns/a, ns/b; msg2: ...` ('' when there is nothing to warn about). */
export function deleteWarnings(list: PodDeleteList): string {
  return [...grouped(list, 'warning')].map(([m, pods]) => `${m}: ${pods.join(', ')}`).join('; ');
}

/** `cannot delete <why>: ns/a, ns/b` per reason. */
export function deleteErrors(list: PodDeleteList): string[] {
  // Upstream 1.35 wraps the reason twice ("cannot delete cannot delete Pods ..."); kept verbatim.
  return [...grouped(list, 'error')].map(([m, pods]) => `cannot delete cannot delete ${m}: ${pods.join(', ')}`);
}

function shouldSkip(pod: DrainPod, skipSeconds: number): boolean {
  const ts = pod.metadata.deletionTimestamp;
  return skipSeconds > 0 && ts !== undefined && (Date.now() - Date.parse(ts)) / 1000 > skipSeconds;
}

/** Lists the node's pods (all namespaces) and runs upstream's filters over them. */
export async function podsForDeletion(client: RestClient, node: string, o: DrainOptions): Promise<PodDeleteList> {
  const pods: DrainPod[] = [];
  let cont: string | undefined;
  do {
    const page = await client.list<DrainPod>(
      { group: '', version: 'v1', resource: 'pods' },
      { labelSelector: o.podSelector === '' ? undefined : o.podSelector, fieldSelector: `spec.nodeName=${node}`, limit: o.chunkSize > 0 ? o.chunkSize : undefined, continue: cont },
    );
    pods.push(...page.items);
    cont = page.metadata.continue === '' ? undefined : page.metadata.continue;
  } while (cont !== undefined);
  const items: { pod: DrainPod; status: Status }[] = [];
  for (const pod of pods) {
    let status: Status = okay;
    const filters: ((p: DrainPod) => Promise<Status> | Status)[] = [
      (p) => (shouldSkip(p, o.skipWaitForDeleteTimeoutSeconds) ? skip : okay),
      async (p) => {
        const ref = controllerOf(p);
        if (ref === undefined || ref.kind !== 'DaemonSet' || ref.apiVersion !== 'apps/v1' || finished(p)) {
          return okay;
        }
        try {
          await client.get({ group: 'apps', version: 'v1', resource: 'daemonsets', namespace: p.metadata.namespace, name: ref.name });
        } catch (e) {
          if (e instanceof StatusError && e.code === 404 && o.force) {
            return warning(true, e.message);
          }
          return failure((e as Error).message);
        }
        return o.ignoreDaemonSets ? warning(false, 'ignoring DaemonSet-managed Pods') : failure('DaemonSet-managed Pods (use --ignore-daemonsets to ignore)');
      },
      (p) => (p.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined ? skip : okay),
      (p) => {
        if (!(p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null) || finished(p)) {
          return okay;
        }
        return o.deleteEmptyDirData ? warning(true, 'deleting Pods with local storage') : failure('Pods with local storage (use --delete-emptydir-data to override)');
      },
      (p) => {
        if (finished(p) || controllerOf(p) !== undefined) {
          return okay;
        }
        return o.force ? warning(true, 'deleting Pods that declare no controller') : failure('Pods that declare no controller (use --force to override)');
      },
    ];
    for (const f of filters) {
      status = await f(pod);
      if (!status.delete) {
        break;
      }
    }
    items.push({ pod, status });
  }
  return { items };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Where drain reports progress. */
export interface DrainOutput {
  out(line: string): void;
  err(line: string): void;
}

async function waitGone(client: RestClient, pod: DrainPod, deadline: number, skipSeconds: number, out: DrainOutput): Promise<void> {
  const ref = { group: '', version: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name } as const;
  for (;;) {
    let fresh: DrainPod | undefined;
    try {
      fresh = await client.get<DrainPod>(ref);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) {
        throw e;
      }
    }
    if (fresh === undefined || fresh.metadata.uid !== pod.metadata.uid) {
      return;
    }
    if (shouldSkip(fresh, skipSeconds)) {
      out.out(`pod ${pod.metadata.name ?? ''} has DeletionTimestamp older than ${skipSeconds} seconds, skipping\n`);
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error('timed out waiting for the condition');
    }
    await sleep(1000);
  }
}

/** Evicts (or deletes) the pods and waits for them to go; resolves with the errors, '' joined as upstream's aggregate. */
export async function deleteOrEvictPods(client: RestClient, pods: readonly DrainPod[], o: DrainOptions, out: DrainOutput): Promise<string[]> {
  if (pods.length === 0) {
    return [];
  }
  const deadline = o.timeoutMs === 0 ? Number.MAX_SAFE_INTEGER : Date.now() + o.timeoutMs;
  const globalTimeout = o.timeoutMs === 0 ? '2562047h47m16.854775807s' : goDuration(o.timeoutMs);
  const dryRunQuery = o.dryRun === 'server' ? { dryRun: 'All' } : undefined;
  const grace = o.gracePeriodSeconds >= 0 ? { gracePeriodSeconds: o.gracePeriodSeconds } : {};
  const errors: string[] = [];
  if (o.disableEviction) {
    for (const pod of pods) {
      try {
        await client.delete({ group: '', version: 'v1', resource: 'pods', namespace: pod.metadata.namespace, name: pod.metadata.name }, { ...grace, dryRun: o.dryRun === 'server' ? ['All'] : undefined });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) {
          return [(e as Error).message];
        }
      }
    }
    if (o.dryRun === 'server') {
      return [];
    }
    for (const pod of pods) {
      try {
        await waitGone(client, pod, deadline, o.skipWaitForDeleteTimeoutSeconds, out);
        out.out(`pod/${pod.metadata.name ?? ''} deleted\n`);
      } catch (e) {
        return [(e as Error).message];
      }
    }
    return [];
  }
  // Upstream starts one goroutine per pod; Go runs the last one started first, then the rest in order.
  const order = pods.length > 1 ? [pods[pods.length - 1] as DrainPod, ...pods.slice(0, -1)] : pods;
  await Promise.all(
    order.map(async (pod) => {
      const name = pod.metadata.name ?? '';
      const ns = pod.metadata.namespace ?? '';
      for (;;) {
        out.out(o.dryRun === 'server' ? `evicting pod ${ns}/${name} (server dry run)\n` : `evicting pod ${ns}/${name}\n`);
        if (Date.now() >= deadline) {
          errors.push(`error when evicting pods/"${name}" -n "${ns}": global timeout reached: ${globalTimeout}`);
          return;
        }
        try {
          await client.create(
            { group: '', version: 'v1', resource: 'pods', namespace: ns, name, subresource: 'eviction' },
            { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, ...(o.gracePeriodSeconds >= 0 ? { deleteOptions: grace } : {}) },
            dryRunQuery,
          );
          break;
        } catch (e) {
          if (e instanceof StatusError && e.code === 404) {
            return;
          }
          if (e instanceof StatusError && e.code === 429) {
            out.err(`error when evicting pods/"${name}" -n "${ns}" (will retry after ${goDuration(o.evictRetryDelayMs)}): ${e.message}\n`);
            await sleep(o.evictRetryDelayMs);
            continue;
          }
          errors.push(`error when evicting pods/"${name}" -n "${ns}": ${(e as Error).message}`);
          return;
        }
      }
      if (o.dryRun === 'server') {
        return;
      }
      try {
        await waitGone(client, pod, deadline, o.skipWaitForDeleteTimeoutSeconds, out);
        out.out(`pod/${name} evicted\n`);
      } catch (e) {
        errors.push(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: ${(e as Error).message}`);
      }
    }),
  );
  return errors;
}
