/**
 * The StatefulSet controller (upstream `statefulset-controller`): pods `<set>-<ordinal>` with
 * stable hostnames and PVCs `<claim>-<set>-<ordinal>` from volumeClaimTemplates, ordered or
 * parallel, rolling updates with partitions through ControllerRevisions (see plan.ts).
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, enqueueHandler, runQueue } from '../manager/kit.ts';
import { Expectations } from '../history/expectations.ts';
import { ownedPodHandler } from '../history/owned-pods.ts';
import { claimPods, matchingOwnerKeys, workloadClaimOwner } from '../history/claim.ts';
import type { OwnerInfo, Pod, PodTemplate } from '../history/pods.ts';
import { isControlledBy, podFromTemplate } from '../history/pods.ts';
import type { ControllerRevision } from '../history/revision.ts';
import { REVISION_HASH_LABEL, REVISION_OBJECT_HASH_LABEL, canonicalJson } from '../history/revision.ts';
import { HashCollisionError, pruneHistory, syncHistory } from '../history/sync.ts';
import type { StatefulSet } from './plan.ts';
import { planStatefulSet, podName } from './plan.ts';

/** Upstream's registration name. */
export const Name = 'statefulset-controller';

/** apps/v1 statefulsets. */
export const STATEFULSETS = { group: 'apps', version: 'v1', resource: 'statefulsets' } as const;
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' } as const;

/** Labels upstream puts on every stateful pod besides the revision hash. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The PVC name for claim template `claim` of `set`'s pod `ordinal`. */
export function claimName(claim: string, set: string, ordinal: number): string {
  return `${claim}-${set}-${ordinal}`;
}

/** The pod for `ordinal` built from `template` (the revision's), labelled with `revisionName`. */
export function newStatefulPod(set: DeepReadonly<StatefulSet>, template: DeepReadonly<PodTemplate> | undefined, ordinal: number, revisionName: string): Pod {
  const setName = set.metadata.name ?? '';
  const owner: OwnerInfo = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: setName, uid: set.metadata.uid ?? '' };
  const pod = podFromTemplate(template, owner, set.metadata.namespace ?? '');
  const name = podName(setName, ordinal);
  pod.metadata.name = name;
  pod.metadata.labels = { ...pod.metadata.labels, [REVISION_HASH_LABEL]: revisionName, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
  const spec = (pod.spec ??= {});
  spec.hostname = name;
  if (set.spec?.serviceName !== undefined && set.spec.serviceName !== '') {
    spec.subdomain = set.spec.serviceName;
  }
  const volumes = [...((spec.volumes ?? []) as { name: string }[])];
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claim = t.metadata?.name ?? '';
    const v = { name: claim, persistentVolumeClaim: { claimName: claimName(claim, setName, ordinal) } };
    const i = volumes.findIndex((x) => x.name === claim);
    if (i >= 0) {
      volumes[i] = v;
    } else {
      volumes.push(v);
    }
  }
  if (volumes.length > 0) {
    spec.volumes = volumes;
  }
  return pod;
}

/** The template a revision snapshots (its data is `{spec: {template: {..., $patch: replace}}}`). */
function templateOf(rev: DeepReadonly<ControllerRevision> | undefined): PodTemplate | undefined {
  const t = (rev?.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (t === undefined) {
    return undefined;
  }
  const copy = structuredClone(t) as Record<string, unknown>;
  delete copy.$patch;
  return copy as PodTemplate;
}

/** Factory for the registration table. */
export function statefulSetControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'statefulset' });
  const sets = ctx.informers.informerFor<StatefulSet>(STATEFULSETS);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const revisions = ctx.informers.informerFor<ControllerRevision>(R.controllerrevisions);
  const pvcs = ctx.informers.informerFor<KubeObject>(PVCS);
  const recorder = ctx.recorder(Name);
  const expectations = new Expectations();
  sets.addEventHandler(enqueueHandler(queue));
  pods.addEventHandler(ownedPodHandler<Pod>('StatefulSet', queue, expectations, (p) => matchingOwnerKeys(sets.lister.list(p.metadata.namespace ?? ''), p)));

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const set = sets.lister.get(namespace, name);
    if (set === undefined) {
      expectations.forget(key);
      return;
    }
    if (set.metadata.deletionTimestamp !== undefined || !expectations.satisfied(key)) {
      return;
    }
    const ref = { ...STATEFULSETS, namespace, name };
    const owner: OwnerInfo = { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: set.metadata.uid ?? '' };
    const owned = revisions.lister.list(namespace).filter((r) => isControlledBy(r, set.metadata.uid));
    let history;
    try {
      history = await syncHistory(ctx.client, owner, namespace, set.spec?.template, owned, set.status?.collisionCount ?? 0);
    } catch (e) {
      if (e instanceof HashCollisionError) {
        const next = structuredClone(set) as StatefulSet;
        next.status = { ...(next.status ?? { replicas: 0, availableReplicas: 0 }), collisionCount: (set.status?.collisionCount ?? 0) + 1 };
        await ctx.client.update({ ...ref, subresource: 'status' }, next);
      }
      throw e;
    }
    const updateRevision = history.current.metadata.name ?? '';
    const currentName = set.status?.currentRevision;
    const currentRevision = currentName !== undefined && history.revisions.some((r) => r.metadata.name === currentName) ? currentName : updateRevision;
    // Only pods named like members (`<set>-<ordinal>`) are adopted, as upstream's isMemberOf.
    const member = new RegExp(`^${name.replace(/[.]/g, '\\.')}-(0|[1-9][0-9]*)$`);
    const mine = await claimPods(ctx.client, workloadClaimOwner(ctx.client, STATEFULSETS, 'StatefulSet', set, { canAdopt: (p) => member.test(p.metadata.name ?? '') }), pods.lister.list(namespace));
    const plan = planStatefulSet(set, mine, currentRevision, updateRevision, Date.now());
    expectations.expect(key, plan.create.length, plan.deletePods.map((n) => `${namespace}/${n}`));
    for (const n of plan.deletePods) {
      try {
        await ctx.client.delete({ ...R.pods, namespace, name: n });
        recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${n} in StatefulSet ${name} successful`);
      } catch (e) {
        expectations.deletionObserved(key, `${namespace}/${n}`);
        if (!isNotFound(e)) {
          throw e;
        }
      }
    }
    for (const c of plan.create) {
      try {
        for (const t of set.spec?.volumeClaimTemplates ?? []) {
          const claim = claimName(t.metadata?.name ?? '', name, c.ordinal);
          if (pvcs.lister.get(namespace, claim) !== undefined) {
            continue;
          }
          const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim, namespace, labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) }, annotations: t.metadata?.annotations }, spec: structuredClone(t.spec ?? {}) };
          try {
            await ctx.client.create({ ...PVCS, namespace }, pvc);
            recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${podName(name, c.ordinal)} in StatefulSet ${name} success`);
          } catch (e) {
            if (!isAlreadyExists(e)) {
              throw e;
            }
          }
        }
        const rev = history.revisions.find((r) => r.metadata.name === c.revision);
        await ctx.client.create({ ...R.pods, namespace }, newStatefulPod(set, templateOf(rev) ?? set.spec?.template, c.ordinal, c.revision));
        recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName(name, c.ordinal)} in StatefulSet ${name} successful`);
      } catch (e) {
        expectations.creationObserved(key);
        if (!isAlreadyExists(e)) {
          recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${podName(name, c.ordinal)} in StatefulSet ${name} failed error: ${(e as Error).message}`);
          throw e;
        }
      }
    }
    if (canonicalJson(plan.status) !== canonicalJson(set.status ?? {})) {
      const next = structuredClone(set) as StatefulSet;
      next.status = plan.status;
      await ctx.client.update({ ...ref, subresource: 'status' }, next);
    }
    const live = new Set(mine.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
    live.add(currentRevision);
    const liveHashes = history.revisions.filter((r) => live.has(r.metadata.name ?? '')).map((r) => r.metadata.labels?.[REVISION_OBJECT_HASH_LABEL] ?? '');
    await pruneHistory(ctx.client, namespace, history, new Set(liveHashes), set.spec?.revisionHistoryLimit ?? 10);
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([sets, pods, revisions, pvcs].map((i) => i.waitForSync(signal)));
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
