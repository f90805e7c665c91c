/**
 * The DaemonSet controller (upstream `daemonset-controller`): one pod per eligible node,
 * pinned with node affinity so the scheduler binds it; rolling updates via ControllerRevisions.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, enqueueHandler, runQueue } from '../manager/kit.ts';
import { Expectations } from '../history/expectations.ts';
import { ownedPodHandler } from '../history/owned-pods.ts';
import { claimPods, matchingOwnerKeys, workloadClaimOwner } from '../history/claim.ts';
import type { OwnerInfo, Pod } from '../history/pods.ts';
import { isControlledBy, podFromTemplate } from '../history/pods.ts';
import type { ControllerRevision } from '../history/revision.ts';
import { REVISION_HASH_LABEL, canonicalJson } from '../history/revision.ts';
import { HashCollisionError, pruneHistory, syncHistory } from '../history/sync.ts';
import type { DaemonSet } from './plan.ts';
import { planDaemonSet } from './plan.ts';
import type { Node, PlacementSpec, Toleration } from './predicates.ts';
import { daemonTolerations, pinToNode, tolerates } from './predicates.ts';

/** Upstream's registration name. */
export const Name = 'daemonset-controller';

/** The (deprecated, still set) label carrying the DaemonSet generation a pod was made from. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** A daemon pod of `ds` for `nodeName` at template hash `hash`. */
export function newDaemonPod(ds: DeepReadonly<DaemonSet>, nodeName: string, hash: string): Pod {
  const owner: OwnerInfo = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name ?? '', uid: ds.metadata.uid ?? '' };
  const pod = podFromTemplate(ds.spec?.template, owner, ds.metadata.namespace ?? '');
  pod.metadata.generateName = `${ds.metadata.name ?? ''}-`;
  pod.metadata.labels = { ...pod.metadata.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
  const spec = (pod.spec ??= {});
  spec.affinity = pinToNode(spec.affinity as PlacementSpec['affinity'], nodeName);
  const tolerations = [...((spec.tolerations ?? []) as Toleration[])];
  for (const t of daemonTolerations((spec as PlacementSpec).hostNetwork === true)) {
    if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect && tolerates(x, { key: t.key ?? '', effect: t.effect ?? '' }))) {
      tolerations.push(t);
    }
  }
  spec.tolerations = tolerations;
  return pod;
}

/** Factory for the registration table. */
export function daemonSetControllerFactory(ctx: ControllerContext): Controller {
  const DAEMONSETS = { group: 'apps', version: 'v1', resource: 'daemonsets' } as const;
  const queue = new WorkQueue<string>({ name: 'daemonset' });
  const sets = ctx.informers.informerFor<DaemonSet>(DAEMONSETS);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const nodes = ctx.informers.informerFor<Node>(R.nodes);
  const revisions = ctx.informers.informerFor<ControllerRevision>(R.controllerrevisions);
  const recorder = ctx.recorder(Name);
  const expectations = new Expectations();
  sets.addEventHandler(enqueueHandler(queue));
  pods.addEventHandler(ownedPodHandler<Pod>('DaemonSet', queue, expectations, (p) => matchingOwnerKeys(sets.lister.list(p.metadata.namespace ?? ''), p)));
  // Any node change may change where daemons should run: resync every DaemonSet.
  const all = (): void => {
    for (const ds of sets.lister.list()) {
      queue.add(`${ds.metadata.namespace ?? ''}/${ds.metadata.name ?? ''}`);
    }
  };
  nodes.addEventHandler({ onAdd: all, onUpdate: (o, n) => (JSON.stringify([o.metadata.labels, o.spec]) !== JSON.stringify([n.metadata.labels, n.spec]) ? all() : undefined), onDelete: all });
  const timers = new Set<NodeJS.Timeout>();

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const ds = sets.lister.get(namespace, name);
    if (ds === undefined) {
      expectations.forget(key);
      return;
    }
    if (ds.metadata.deletionTimestamp !== undefined || !expectations.satisfied(key)) {
      return;
    }
    const owner: OwnerInfo = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ds.metadata.uid ?? '' };
    const owned = revisions.lister.list(namespace).filter((r) => isControlledBy(r, ds.metadata.uid));
    let history;
    try {
      history = await syncHistory(ctx.client, owner, namespace, ds.spec?.template, owned, ds.status?.collisionCount ?? 0);
    } catch (e) {
      if (e instanceof HashCollisionError) {
        const next = structuredClone(ds) as DaemonSet;
        next.status = { ...(next.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
        await ctx.client.update({ ...DAEMONSETS, namespace, name, subresource: 'status' }, next);
      }
      throw e;
    }
    const mine = await claimPods(ctx.client, workloadClaimOwner(ctx.client, DAEMONSETS, 'DaemonSet', ds), pods.lister.list(namespace));
    const plan = planDaemonSet(ds, nodes.lister.list(), mine, history.hash, Date.now());
    expectations.expect(key, plan.createOn.length, plan.deletePods.map((n) => `${namespace}/${n}`));
    await Promise.all(
      plan.deletePods.map(async (n) => {
        try {
          await ctx.client.delete({ ...R.pods, namespace, name: n });
          recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${n}`);
        } catch (e) {
          expectations.deletionObserved(key, `${namespace}/${n}`);
          if (!isNotFound(e)) {
            throw e;
          }
        }
      }),
    );
    const created = await Promise.allSettled(plan.createOn.map((node) => ctx.client.create<Pod>({ ...R.pods, namespace }, newDaemonPod(ds, node, history.hash))));
    for (const r of created) {
      if (r.status === 'fulfilled') {
        recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
      } else {
        expectations.creationObserved(key);
        recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
      }
    }
    const status = { ...plan.status, observedGeneration: ds.metadata.generation, ...(ds.status?.collisionCount !== undefined ? { collisionCount: ds.status.collisionCount } : {}) };
    if (canonicalJson(status) !== canonicalJson({ ...ds.status, conditions: undefined })) {
      const next = structuredClone(ds) as DaemonSet;
      next.status = status;
      await ctx.client.update({ ...DAEMONSETS, namespace, name, subresource: 'status' }, next);
    }
    const liveHashes = new Set(mine.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
    await pruneHistory(ctx.client, namespace, history, liveHashes, ds.spec?.revisionHistoryLimit ?? 10);
    const failure = created.find((r) => r.status === 'rejected');
    if (failure !== undefined) {
      throw failure.reason;
    }
    if (plan.requeueAfterMs !== undefined) {
      const t = setTimeout(() => {
        timers.delete(t);
        queue.add(key);
      }, Math.max(100, plan.requeueAfterMs));
      timers.add(t);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([sets.waitForSync(signal), pods.waitForSync(signal), nodes.waitForSync(signal), revisions.waitForSync(signal)]);
      try {
        await runQueue(queue, workers, signal, sync, ctx.logger);
      } finally {
        timers.forEach(clearTimeout);
      }
    },
  };
}
