/**
 * The disruption controller (upstream `disruption-controller`): keeps every
 * PodDisruptionBudget's status (disruptionsAllowed, currentHealthy, desiredHealthy,
 * expectedPods, observedGeneration, DisruptionAllowed condition) current, which the
 * pods/eviction subresource and `kubectl drain` rely on.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, controllerRef, enqueueHandler, runQueue, unwrap } from '../manager/kit.ts';
import type { Pod } from '../history/pods.ts';
import { canonicalJson } from '../history/revision.ts';
import type { PodDisruptionBudget, ScaleOf } from './plan.ts';
import { planPdb } from './plan.ts';

/** Upstream's registration name. */
export const Name = 'disruption-controller';

/** policy/v1 poddisruptionbudgets. */
export const PDBS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' } as const;

interface Scalable extends KubeObject {
  spec?: { replicas?: number };
}

function selects(pdb: DeepReadonly<PodDisruptionBudget>, pod: DeepReadonly<Pod>): boolean {
  try {
    return labelSelectorFromMeta(pdb.spec?.selector as LabelSelectorMeta | null | undefined).matches(pod.metadata.labels);
  } catch {
    return false;
  }
}

/** Factory for the registration table. */
export function disruptionControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'disruption' });
  const pdbs = ctx.informers.informerFor<PodDisruptionBudget>(PDBS);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const rss = ctx.informers.informerFor<Scalable>(R.replicasets);
  const deployments = ctx.informers.informerFor<Scalable>(R.deployments);
  const rcs = ctx.informers.informerFor<Scalable>(R.replicationcontrollers);
  const statefulsets = ctx.informers.informerFor<Scalable>({ group: 'apps', version: 'v1', resource: 'statefulsets' });
  pdbs.addEventHandler(enqueueHandler(queue));
  pods.addEventHandler(
    enqueueHandler<Pod>(queue, (p) =>
      pdbs.lister
        .list(p.metadata.namespace ?? '')
        .filter((b) => selects(b, p))
        .map((b) => `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`),
    ),
  );
  // Scale changes move expectedPods: resync the namespace's budgets.
  const byNamespace = (o: DeepReadonly<KubeObject>): string[] => pdbs.lister.list(o.metadata.namespace ?? '').map((b) => `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`);
  for (const inf of [rss, deployments, rcs, statefulsets]) {
    inf.addEventHandler({ onUpdate: (o, n) => (o.spec?.replicas !== n.spec?.replicas ? byNamespace(n).forEach((k) => queue.add(k)) : undefined), onDelete: (d) => byNamespace(unwrap(d)).forEach((k) => queue.add(k)) });
  }
  const timers = new Set<NodeJS.Timeout>();

  // Upstream's finders: a pod's controller, walking ReplicaSet → Deployment, and its replicas.
  const scaleOf: ScaleOf = (pod) => {
    const ns = pod.metadata.namespace ?? '';
    const ref = controllerRef(pod);
    if (ref === undefined) {
      return `found no controllers for pod "${pod.metadata.name ?? ''}"`;
    }
    const owned = (o: DeepReadonly<Scalable> | undefined, kind: string): { key: string; replicas: number } | undefined => (o !== undefined && o.metadata.uid === ref.uid ? { key: `${kind}/${o.metadata.uid}`, replicas: o.spec?.replicas ?? 1 } : undefined);
    if (ref.kind === 'ReplicaSet') {
      const rs = rss.lister.get(ns, ref.name);
      const dref = rs === undefined ? undefined : controllerRef(rs);
      if (dref?.kind === 'Deployment') {
        const d = deployments.lister.get(ns, dref.name);
        if (d !== undefined && d.metadata.uid === dref.uid) {
          return { key: `Deployment/${d.metadata.uid ?? ''}`, replicas: d.spec?.replicas ?? 1 };
        }
      }
      return owned(rs, 'ReplicaSet') ?? `replicasets.apps "${ref.name}" not found`;
    }
    if (ref.kind === 'StatefulSet') {
      return owned(statefulsets.lister.get(ns, ref.name), 'StatefulSet') ?? `statefulsets.apps "${ref.name}" not found`;
    }
    if (ref.kind === 'ReplicationController') {
      return owned(rcs.lister.get(ns, ref.name), 'ReplicationController') ?? `replicationcontrollers "${ref.name}" not found`;
    }
    return `${ref.kind} "${ref.name}" has no scale known to the disruption controller`;
  };

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const pdb = pdbs.lister.get(namespace, name);
    if (pdb === undefined) {
      return;
    }
    const selected = pods.lister.list(namespace).filter((p) => selects(pdb, p));
    const { status, recheckAfterMs } = planPdb(pdb, selected, scaleOf, Date.now());
    if (canonicalJson(status) !== canonicalJson(pdb.status ?? {})) {
      const next = structuredClone(pdb) as PodDisruptionBudget;
      next.status = status;
      await ctx.client.update({ ...PDBS, namespace, name, subresource: 'status' }, next);
    }
    if (recheckAfterMs !== undefined) {
      const t = setTimeout(() => {
        timers.delete(t);
        queue.add(key);
      }, Math.max(100, recheckAfterMs));
      timers.add(t);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([pdbs, pods, rss, deployments, rcs, statefulsets].map((i) => i.waitForSync(signal)));
      try {
        await runQueue(queue, workers, signal, sync, ctx.logger);
      } finally {
        timers.forEach(clearTimeout);
      }
    },
  };
}
