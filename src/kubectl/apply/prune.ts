/**
 * `kubectl apply --prune` (the label-selector pruner, not ApplySets): after applying, every object
 * of the allowlisted kinds that matches the selector, carries the last-applied annotation and was
 * not among the applied objects is deleted and printed as `pruned`. Namespaced kinds are listed in
 * the namespaces the applied objects lived in, cluster-scoped kinds once.
 */
import type { Discovery, FlagValues, KubectlContext, ResourceMapping } from '../command.ts';
import { CliError } from '../command.ts';
import { cascadeStrategy, DryRun, printObject } from '../mutate/common.ts';
import { LAST_APPLIED } from '../mutate/lastapplied.ts';

/** One allowlisted kind. */
export interface PruneKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Upstream's default allowlist, in its order. */
const defaultAllowlist: readonly PruneKind[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: '', version: 'v1', kind: 'PersistentVolume', namespaced: false },
  { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', kind: 'ReplicationController', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true },
];

const apiVersionOf = (group: string, version: string): string => (group === '' ? version : `${group}/${version}`);

/** klog's header (`W1125 23:59:00.123456    1234 file:line] `) for a warning kubectl logs to stderr. */
export function klogWarning(file: string, message: string): string {
  const d = new Date();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `W${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)} ${String(process.pid).padStart(7)} ${file}] ${message}\n`;
}

/** Parses `--prune-allowlist` entries (`core/v1/ConfigMap`, `apps/v1/Deployment`) with upstream's errors. */
export async function parseAllowlist(discovery: Discovery, entries: readonly string[]): Promise<PruneKind[]> {
  const out: PruneKind[] = [];
  for (const entry of entries) {
    const parts = entry.split('/');
    if (parts.length !== 3) {
      throw new CliError(`invalid GroupVersionKind format: ${entry}, please follow <group/version/kind>`);
    }
    const group = parts[0] === 'core' ? '' : parts[0];
    const mapping = await discovery.forKind(apiVersionOf(group, parts[1]), parts[2]);
    out.push({ group, version: parts[1], kind: parts[2], namespaced: mapping.namespaced });
  }
  return out;
}

/** What the apply run recorded for the pruner. */
export interface PruneScope {
  /** `--prune-allowlist` parsed; empty: the default allowlist. */
  readonly allowlist: readonly PruneKind[];
  readonly selector: string;
  /** Namespaces of the applied objects, in first-seen order. */
  readonly namespaces: ReadonlySet<string>;
  /** UIDs of the applied objects (never pruned). */
  readonly visitedUids: ReadonlySet<string>;
  readonly dryRun: DryRun;
}

async function mappingsOf(ctx: KubectlContext, kinds: readonly PruneKind[]): Promise<{ namespaced: ResourceMapping[]; cluster: ResourceMapping[] }> {
  const discovery = await ctx.discovery();
  const namespaced: ResourceMapping[] = [];
  const cluster: ResourceMapping[] = [];
  for (const k of kinds) {
    let m: ResourceMapping;
    try {
      m = await discovery.forKind(apiVersionOf(k.group, k.version), k.kind);
    } catch (e) {
      throw new CliError(`invalid resource ${k.group}/${k.version}, Kind=${k.kind}, Namespaced=${String(k.namespaced)}: ${(e as Error).message}`);
    }
    (k.namespaced ? namespaced : cluster).push(m);
  }
  return { namespaced, cluster };
}

/** The objects of one kind in one namespace ('' for cluster-scoped) that the selector matches, apply manages, and the run did not visit. */
async function prunableIn(ctx: KubectlContext, scope: PruneScope, namespace: string, m: ResourceMapping): Promise<Record<string, unknown>[]> {
  const client = await ctx.client();
  const ref = { group: m.group, version: m.version, resource: m.resource, namespace: namespace === '' ? undefined : namespace };
  const list = await client.list(ref, scope.selector === '' ? undefined : { labelSelector: scope.selector });
  return list.items
    .filter((item) => item.metadata.annotations?.[LAST_APPLIED] !== undefined && !scope.visitedUids.has(item.metadata.uid ?? ''))
    .map((item) => ({ apiVersion: apiVersionOf(m.group, m.version), kind: m.kind, ...(item as unknown as Record<string, unknown>) }));
}

async function pruneIn(ctx: KubectlContext, flags: FlagValues, scope: PruneScope, namespace: string, m: ResourceMapping): Promise<void> {
  const client = await ctx.client();
  for (const obj of await prunableIn(ctx, scope, namespace, m)) {
    if (scope.dryRun !== DryRun.Client) {
      const grace = typeof flags.get('grace-period') === 'number' ? (flags.get('grace-period') as number) : -1;
      const name = String((obj.metadata as { name?: string }).name ?? '');
      await client.delete({ group: m.group, version: m.version, resource: m.resource, namespace: namespace === '' ? undefined : namespace, name }, { propagationPolicy: cascadeStrategy(flags), gracePeriodSeconds: grace >= 0 ? grace : undefined, dryRun: scope.dryRun === DryRun.Server ? ['All'] : undefined });
    }
    await printObject(ctx, flags, { ...obj, apiVersion: apiVersionOf(m.group, m.version), kind: m.kind }, 'pruned', scope.dryRun);
  }
}

/** What pruning would delete (for `diff --prune`): the objects in the order the pruner visits them. */
export async function findPrunable(ctx: KubectlContext, scope: PruneScope): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await eachPruneTarget(ctx, scope, async (ns, m) => void out.push(...(await prunableIn(ctx, scope, ns, m))));
  return out;
}

/** Calls `visit` for every (namespace, kind) the pruner covers, wrapping failures in upstream's messages; prints the default-allowlist warning. */
async function eachPruneTarget(ctx: KubectlContext, scope: PruneScope, visit: (namespace: string, m: ResourceMapping) => Promise<void>): Promise<void> {
  let allowlist = scope.allowlist;
  if (allowlist.length === 0) {
    ctx.stderr.write(
      klogWarning('prune.go:71', 'Deprecated: kubectl apply will no longer prune non-namespaced resources by default when used with the --namespace flag in a future release. To preserve the current behaviour, list the resources you want to target explicitly in the --prune-allowlist flag.'),
    );
    allowlist = defaultAllowlist;
  }
  const { namespaced, cluster } = await mappingsOf(ctx, allowlist);
  for (const ns of scope.namespaces) {
    for (const m of namespaced) {
      try {
        await visit(ns, m);
      } catch (e) {
        throw new CliError(`error pruning namespaced object ${apiVersionOf(m.group, m.version)}, Kind=${m.kind}: ${(e as Error).message}`);
      }
    }
  }
  for (const m of cluster) {
    try {
      await visit('', m);
    } catch (e) {
      throw new CliError(`error pruning nonNamespaced object ${apiVersionOf(m.group, m.version)}, Kind=${m.kind}: ${(e as Error).message}`);
    }
  }
}

/** Deletes (or, in a dry run, reports) what the apply run left behind. */
export async function pruneAll(ctx: KubectlContext, flags: FlagValues, scope: PruneScope): Promise<void> {
  await eachPruneTarget(ctx, scope, (ns, m) => pruneIn(ctx, flags, scope, ns, m));
}
