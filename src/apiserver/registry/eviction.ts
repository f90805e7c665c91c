/**
 * POST pods/<name>/eviction (upstream's pkg/registry/core/pod/storage/eviction.go, reduced):
 * a pod covered by a PodDisruptionBudget is only deleted when the budget allows a
 * disruption, which it then spends (disruptionsAllowed-1, disruptedPods[pod]); otherwise
 * 429 TooManyRequests with upstream's message and cause.
 */
import { badRequest, forbidden, internalError, StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { decodeObject, nowRfc3339, objectKey, scopePrefix } from './codec.ts';
import type { RegistryCore } from './core.ts';
import { deleteObject } from './delete.ts';
import { success } from './subresources.ts';
import type { DeleteOptions, WriteContext } from './types.ts';
import { updateObject } from './update.ts';

const violation = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Upstream's cap on evictions the PDB controller has not confirmed yet. */
const maxDisruptedPods = 2000;

interface PdbStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptedPods?: Record<string, string>;
}

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, StatusReason.TooManyRequests, violation, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

function podReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions) ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Evicts podName: deletes it when no budget forbids it. */
export async function evictPod(core: RegistryCore, pods: ResourceDescription, namespace: string | undefined, podName: string, eviction: KubeObject, ctx: WriteContext): Promise<KubeObject> {
  if (eviction.metadata?.name !== undefined && eviction.metadata.name !== '' && eviction.metadata.name !== podName) {
    throw badRequest('name in URL does not match name in Eviction object');
  }
  const opts = (eviction.deleteOptions ?? {}) as DeleteOptions;
  const kv = await core.storage.get(objectKey(pods, namespace, podName));
  const pod = kv === undefined ? undefined : decodeObject(kv);
  const phase = (pod?.status as { phase?: string } | undefined)?.phase;
  // Nothing to protect: gone, already deleting, or not running (upstream's canIgnorePDB).
  if (pod === undefined || pod.metadata.deletionTimestamp !== undefined || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') {
    await deleteObject(core, pods, namespace, podName, opts, ctx);
    return success(201);
  }
  const pdbDesc = core.lookup('policy', 'poddisruptionbudgets');
  const budgets = pdbDesc === undefined ? [] : (await core.cache(pdbDesc)).list(scopePrefix(pdbDesc, namespace)).filter((pdb) => {
    const sel = (pdb.spec as { selector?: LabelSelectorMeta | null } | undefined)?.selector;
    return labelSelectorFromMeta(sel).matches(pod.metadata.labels);
  });
  if (budgets.length > 1) {
    throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  if (budgets.length === 1 && pdbDesc !== undefined) {
    const pdb = budgets[0];
    const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
    const status = (pdb.status ?? {}) as PdbStatus;
    const unhealthyMayGo = !podReady(pod) && (policy === 'AlwaysAllow' || (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0));
    if (!unhealthyMayGo) {
      await spendDisruption(core, pdbDesc, namespace, pdb.metadata.name ?? '', podName, ctx);
    }
  }
  await deleteObject(core, pods, namespace, podName, opts, ctx);
  return success(201);
}

async function spendDisruption(core: RegistryCore, pdbDesc: ResourceDescription, namespace: string | undefined, pdbName: string, podName: string, ctx: WriteContext): Promise<void> {
  await updateObject(core, pdbDesc, namespace, pdbName, { ...ctx, fieldManager: 'kube-apiserver' }, (cur) => {
    const pdb = cur as KubeObject;
    const status = (pdb.status ?? {}) as PdbStatus;
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
      throw tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`);
    }
    const allowed = status.disruptionsAllowed ?? 0;
    if (allowed < 0) {
      throw forbidden('pdb disruptions allowed is negative');
    }
    if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPods) {
      throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (allowed === 0) {
      throw tooManyRequests(`The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
    }
    pdb.status = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: nowRfc3339() } };
    return pdb;
  }, { subresource: 'status', allowCreate: false });
}
