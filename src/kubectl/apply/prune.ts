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

async function pruneIn(ctx: KubectlContext, flags: FlagValues, scope: PruneScope, namespace: string, m: ResourceMapping): Promise<void> {
  const client = await ctx.client();
  const ref = { group: m.group, version: m.version, resource: m.resource, namespace: namespace === '' ? undefined : namespace };
  const list = await client.list(ref, scope.selector === '' ? undefined : { labelSelector: scope.selector });
  for (const item of list.items) {
    const meta = item.metadata;
    if (meta.annotations?.[LAST_APPLIED] === undefined || scope.visitedUids.has(meta.uid ?? '')) {
      continue;
    }
    if (scope.dryRun !== DryRun.Client) {
      const grace = typeof flags.get('grace-period') === 'number' ? (flags.get('grace-period') as number) : -1;
      await client.delete({ ...ref, name: meta.name }, { propagationPolicy: cascadeStrategy(flags), gracePeriodSeconds: grace >= 0 ? grace : undefined, dryRun: scope.dryRun === DryRun.Server ? ['All'] : undefined });
    }
    const obj = { ...(item as unknown as Record<string, unknown>), apiVersion: apiVersionOf(m.group, m.version), kind: m.kind };
    await printObject(ctx, flags, obj, 'pruned', scope.dryRun);
  }
}

/** Deletes (or, in a dry run, reports) what the apply run left behind. */
export async function pruneAll(ctx: KubectlContext, flags: FlagValues, scope: PruneScope): Promise<void> {
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
        await pruneIn(ctx, flags, scope, ns, m);
      } catch (e) {
        throw new CliError(`error pruning namespaced object ${apiVersionOf(m.group, m.version)}, Kind=${m.kind}: ${(e as Error).message}`);
      }
    }
  }
  for (const m of cluster) {
    try {
      await pruneIn(ctx, flags, scope, '', m);
    } catch (e) {
      throw new CliError(`error pruning nonNamespaced object ${apiVersionOf(m.group, m.version)}, Kind=${m.kind}: ${(e as Error).message}`);
    }
  }
}
