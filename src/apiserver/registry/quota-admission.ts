/**
 * ResourceQuota admission (upstream's ResourceQuota plugin) for creates: the new object's usage
 * (counts, pod requests/limits, claim storage) is added to each matching quota's status.used
 * with a compare-and-swap on the quota, and the create is refused when that would pass
 * status.hard (`exceeded quota: ...`), when a quota's usage is not known yet (`status unknown
 * for quota`), or when a pod leaves out a compute resource a quota limits (`must specify ...`).
 * Charging before the write means two racing creates can never both take the last unit; a
 * create that fails after admission is over-charged until the resource-quota controller
 * recounts, as upstream.
 */
import { forbidden } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { parseQuantity, tryParseQuantity } from '../../api/quantity.ts';
import { computeUsage, countedResource, podMatchesScopes } from '../../api/quota/usage.ts';
import type { Pod, ResourceQuota } from '../../api/quota/usage.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { scopePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import type { WriteContext } from './types.ts';
import { updateObject } from './update.ts';

/** Compute resources every container must name when a quota limits them (upstream's backward-compatibility rule). */
const CONTAINER_REQUIRED = ['cpu', 'limits.cpu', 'limits.memory', 'memory', 'requests.cpu', 'requests.memory'];

/** The resources one container names, in quota's words. */
function containerResources(c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }): Set<string> {
  const out = new Set<string>();
  for (const r of ['cpu', 'memory']) {
    if (c.resources?.requests?.[r] !== undefined) {
      out.add(r).add(`requests.${r}`);
    }
    if (c.resources?.limits?.[r] !== undefined) {
      out.add(`limits.${r}`);
    }
  }
  return out;
}

function missingContainerResources(pod: Pod, restricted: readonly string[]): string[] {
  const required = restricted.filter((r) => CONTAINER_REQUIRED.includes(r));
  const missing = new Set<string>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const named = containerResources(c);
    for (const r of required) {
      if (!named.has(r)) {
        missing.add(r);
      }
    }
  }
  return [...missing].sort();
}

/** `a=1,b=2` over sorted keys, as upstream's prettyPrint. */
function pretty(list: Readonly<Record<string, string>>, keys: readonly string[]): string {
  return [...keys].sort().map((k) => `${k}=${list[k] ?? '0'}`).join(',');
}

function denied(desc: ResourceDescription, obj: KubeObject, message: string): Error {
  const resource = desc.group === '' ? desc.resource : `${desc.resource}.${desc.group}`;
  const name = obj.metadata.name ?? '';
  return forbidden(`${resource} "${name}" is forbidden: ${message}`, { name, group: desc.group || undefined, kind: desc.resource });
}

/** Charges the create of obj to the quotas of its namespace, or throws Forbidden. */
export async function admitQuota(core: RegistryCore, desc: ResourceDescription, obj: KubeObject, ctx: WriteContext): Promise<void> {
  const namespace = obj.metadata.namespace;
  const quotaDesc = core.lookup('', 'resourcequotas');
  if (!desc.namespaced || namespace === undefined || quotaDesc === undefined || (desc.group === '' && desc.resource === 'resourcequotas')) {
    return;
  }
  const quotas = (await core.cache(quotaDesc)).list(scopePrefix(quotaDesc, namespace)) as ResourceQuota[];
  if (quotas.length === 0) {
    return;
  }
  const isPod = desc.group === '' && desc.resource === 'pods';
  const resourceKey = desc.group === '' ? desc.resource : `${desc.resource}.${desc.group}`;
  const inputs = {
    pods: isPod ? [obj as Pod] : [],
    pvcs: desc.group === '' && desc.resource === 'persistentvolumeclaims' ? [obj] : [],
    services: desc.group === '' && desc.resource === 'services' ? [obj] : [],
    count: (r: string): number => (r === resourceKey ? 1 : 0),
  };
  for (const quota of quotas) {
    if (isPod && !podMatchesScopes(obj as Pod, quota.spec?.scopes ?? [])) {
      continue;
    }
    const name = quota.metadata.name ?? '';
    // Upstream restricts what status.hard names (the controller copies it from spec).
    const limited = Object.keys(quota.status?.hard ?? {});
    if (isPod) {
      const missing = missingContainerResources(obj as Pod, limited);
      if (missing.length > 0) {
        throw denied(desc, obj, `failed quota: ${name}: must specify ${missing.join(',')}`);
      }
    }
    // What this object adds to each limited resource (zero entries are not this object's).
    const delta = Object.fromEntries(Object.entries(computeUsage(quota, inputs)).filter(([k, v]) => limited.includes(k) && tryParseQuantity(v)?.isZero() === false));
    const restricted = Object.keys(delta);
    if (restricted.length === 0) {
      continue;
    }
    await updateObject(core, quotaDesc, namespace, name, { ...ctx, authorizer: undefined, fieldManager: 'kube-apiserver' }, (cur) => {
      const q = cur as ResourceQuota;
      const hard = q.status?.hard ?? {};
      const used = q.status?.used ?? {};
      const next: Record<string, string> = { ...used };
      const exceeded: string[] = [];
      for (const key of restricted) {
        if (used[key] === undefined) {
          throw denied(desc, obj, `status unknown for quota: ${name}, resource: ${key}`);
        }
        const total = parseQuantity(used[key]).add(parseQuantity(delta[key] ?? '0'));
        next[key] = countedResource(key) !== undefined || key === 'pods' ? String(Number(total.value())) : total.toString();
        if (total.cmp(parseQuantity(hard[key])) > 0) {
          exceeded.push(key);
        }
      }
      if (exceeded.length > 0) {
        throw denied(desc, obj, `exceeded quota: ${name}, requested: ${pretty(delta, exceeded)}, used: ${pretty(used, exceeded)}, limited: ${pretty(hard, exceeded)}`);
      }
      return { ...q, status: { ...q.status, used: next } };
    }, { subresource: 'status', allowCreate: false });
  }
}
