/**
 * The deployment controller (upstream's deployment_controller.go, sync.go, rolling.go,
 * recreate.go): claims replica sets, rolls out RollingUpdate or Recreate, scales on replica
 * changes (proportionally during a rollout), honours pause, cleans up history beyond
 * revisionHistoryLimit, and writes status the way `kubectl rollout status` reads it.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import { EventType, PatchType, WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { controllerRef, keyOf, R, runQueue, unwrap } from '../manager/kit.ts';
import type { Pod } from '../replicaset/pods.ts';
import { ReplicaSetWriter, findNewReplicaSet } from './replicasets.ts';
import { newRSNewReplicas, planOldScaleDown } from './rolling.ts';
import { calculateStatus, deploymentComplete, rolloutStatus, statusChanged } from './status.ts';
import { byCreation, DESIRED_REPLICAS_ANNOTATION, getCondition, maxSurge, newCondition, Reason, REVISION_ANNOTATION, revisionOf, setCondition, specReplicas } from './util.ts';
import type { Deployment, DeploymentStatus, ReplicaSet } from './util.ts';

/** Upstream's registration name. */
export const Name = 'deployment-controller';

type RoD = DeepReadonly<Deployment>;
type RoRS = DeepReadonly<ReplicaSet>;

/** Drops zero counters, as upstream's omitempty serialisation does. */
function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v !== undefined && v !== 0 && !(Array.isArray(v) && v.length === 0)) {
      out[k] = v;
    }
  }
  return out as DeploymentStatus;
}

/** Factory for the registration table. */
export function deploymentControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'deployment' });
  const deployments = ctx.informers.informerFor<Deployment>(R.deployments);
  const replicasets = ctx.informers.informerFor<ReplicaSet>(R.replicasets);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const recorder = ctx.recorder('deployment-controller');
  const writer = new ReplicaSetWriter(ctx.client, recorder);

  const ownerOf = (rs: RoRS): string | undefined => {
    const ref = controllerRef(rs);
    if (ref === undefined || ref.kind !== 'Deployment') {
      return undefined;
    }
    const d = deployments.lister.get(rs.metadata.namespace ?? '', ref.name);
    return d !== undefined && d.metadata.uid === ref.uid ? keyOf(d) : undefined;
  };
  const enqueueForRS = (rs: RoRS): void => {
    const key = ownerOf(rs);
    if (key !== undefined) {
      queue.add(key);
      return;
    }
    if (controllerRef(rs) === undefined) {
      for (const d of deployments.lister.list(rs.metadata.namespace ?? '')) {
        if (labelSelectorFromMeta(d.spec?.selector as LabelSelectorMeta | undefined).matches(rs.metadata.labels)) {
          queue.add(keyOf(d));
        }
      }
    }
  };
  deployments.addEventHandler({ onAdd: (d) => queue.add(keyOf(d)), onUpdate: (_o, d) => queue.add(keyOf(d)), onDelete: (d) => queue.add(keyOf(unwrap(d))) });
  replicasets.addEventHandler({
    onAdd: (rs) => enqueueForRS(rs),
    onUpdate: (old, rs) => {
      enqueueForRS(old);
      enqueueForRS(rs);
    },
    onDelete: (rs) => enqueueForRS(unwrap(rs)),
  });
  // Recreate waits for old pods to go away: their deletion must wake the deployment.
  pods.addEventHandler({
    onDelete: (o) => {
      const p = unwrap(o);
      const ref = controllerRef(p);
      const rs = ref === undefined ? undefined : replicasets.lister.get(p.metadata.namespace ?? '', ref.name);
      if (rs !== undefined) {
        enqueueForRS(rs);
      }
    },
  });

  /** ClaimReplicaSets: adopt matching orphans, release owned sets that no longer match. */
  const claim = async (d: RoD): Promise<RoRS[]> => {
    const selector = labelSelectorFromMeta(d.spec?.selector as LabelSelectorMeta | undefined);
    const out: RoRS[] = [];
    for (const rs of replicasets.lister.list(d.metadata.namespace ?? '')) {
      const ref = controllerRef(rs);
      const matches = selector.matches(rs.metadata.labels);
      const rsRef = { ...R.replicasets, namespace: rs.metadata.namespace, name: rs.metadata.name };
      if (ref !== undefined) {
        if (ref.uid !== d.metadata.uid) {
          continue;
        }
        if (matches) {
          out.push(rs);
        } else if (d.metadata.deletionTimestamp === undefined) {
          const kept = (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
          await ctx.client.patch(rsRef, { metadata: { ownerReferences: kept.length === 0 ? null : kept, uid: rs.metadata.uid } }, PatchType.Merge).catch((e: unknown) => {
            if (!isNotFound(e)) {
              throw e;
            }
          });
        }
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp !== undefined || rs.metadata.deletionTimestamp !== undefined) {
        continue;
      }
      const refs = [...(rs.metadata.ownerReferences ?? []), { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
      try {
        out.push((await ctx.client.patch<ReplicaSet>(rsRef, { metadata: { ownerReferences: refs, uid: rs.metadata.uid } }, PatchType.Merge)) as RoRS);
      } catch (e) {
        if (!isNotFound(e)) {
          throw e;
        }
      }
    }
    return out;
  };

  const writeStatus = async (d: RoD, status: DeploymentStatus): Promise<void> => {
    const next = compactStatus(status);
    if (!statusChanged(d.status, next)) {
      return;
    }
    const obj = structuredClone(d) as Deployment;
    obj.status = next;
    await ctx.client.update({ ...R.deployments, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status' }, obj);
  };

  /** Keeps the deployment's revision annotation equal to the new replica set's. */
  const syncRevision = async (d: RoD, newRS: RoRS | undefined): Promise<RoD> => {
    const rev = newRS?.metadata.annotations?.[REVISION_ANNOTATION];
    if (rev === undefined || d.metadata.annotations?.[REVISION_ANNOTATION] === rev) {
      return d;
    }
    const next = structuredClone(d) as Deployment;
    next.metadata.annotations = { ...next.metadata.annotations, [REVISION_ANNOTATION]: rev };
    return (await ctx.client.update<Deployment>({ ...R.deployments, namespace: d.metadata.namespace, name: d.metadata.name }, next)) as RoD;
  };

  /** getAllReplicaSetsAndSyncRevision. */
  const allAndNew = async (d: RoD, rss: RoRS[], create: boolean, initial: (rs: RoRS, all: RoRS[]) => number): Promise<{ d: RoD; newRS: RoRS | undefined; oldRSs: RoRS[]; all: RoRS[] }> => {
    const found = findNewReplicaSet(d, rss);
    const oldRSs = rss.filter((rs) => rs !== found);
    let newRS = found;
    let dd = d;
    if (found !== undefined || create) {
      const work = structuredClone(d) as Deployment;
      const res = await writer.ensureNew(work, oldRSs, found, (rs) => initial(rs, [...oldRSs, rs]));
      newRS = res.rs;
      if (res.statusChanged) {
        const obj = (await ctx.client.update<Deployment>({ ...R.deployments, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status' }, work)) as RoD;
        dd = obj;
      }
      dd = await syncRevision(dd, newRS);
    }
    return { d: dd, newRS, oldRSs, all: newRS === undefined ? oldRSs : [...oldRSs, newRS] };
  };

  /** Deletes old, empty replica sets beyond revisionHistoryLimit (oldest revisions first). */
  const cleanup = async (d: RoD, oldRSs: RoRS[]): Promise<void> => {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined) {
      return;
    }
    const candidates = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && rs.metadata.deletionTimestamp === undefined);
    const excess = candidates.length - limit;
    if (excess <= 0) {
      return;
    }
    const byRevision = [...candidates].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of byRevision.slice(0, excess)) {
      await ctx.client.delete({ ...R.replicasets, namespace: rs.metadata.namespace, name: rs.metadata.name }, { preconditions: { uid: rs.metadata.uid } }).catch((e: unknown) => {
        if (!isNotFound(e)) {
          throw e;
        }
      });
    }
  };

  /** Scaling outside a rollout (sync()/scale()): one active set takes the new size; several share it proportionally. */
  const scale = async (d: RoD, newRS: RoRS | undefined, oldRSs: RoRS[]): Promise<void> => {
    const replicas = d.spec?.replicas ?? 1;
    const all = newRS === undefined ? oldRSs : [...oldRSs, newRS];
    const active = all.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? [...oldRSs].sort(byCreation).at(-1);
      if (target !== undefined) {
        await writer.scale(d, target, replicas);
      }
      return;
    }
    // Saturated new set: old ones go to zero.
    if (newRS !== undefined && (newRS.spec?.replicas ?? 0) === replicas && newRS.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(replicas) && (newRS.status?.availableReplicas ?? 0) === replicas) {
      for (const rs of oldRSs) {
        if ((rs.spec?.replicas ?? 0) > 0) {
          await writer.scale(d, rs, 0);
        }
      }
      return;
    }
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
      return;
    }
    const allowed = replicas + maxSurge(d);
    const current = specReplicas(all);
    const toAdd = allowed - current;
    if (toAdd === 0) {
      return;
    }
    // Proportional scaling: each active set gets its share by current size; the remainder goes
    // to the largest (newest on ties when growing, oldest when shrinking), as upstream.
    const sorted = [...active].sort((a, b) => {
      const diff = (b.spec?.replicas ?? 0) - (a.spec?.replicas ?? 0);
      return diff !== 0 ? diff : toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
    });
    const sizes = new Map<RoRS, number>();
    let added = 0;
    for (const rs of sorted) {
      const size = rs.spec?.replicas ?? 0;
      const share = toAdd > 0 ? Math.min(Math.floor((size * toAdd) / current), toAdd - added) : Math.max(Math.ceil((size * toAdd) / current), toAdd - added);
      sizes.set(rs, size + share);
      added += share;
    }
    const first = sorted[0];
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + (toAdd - added)));
    for (const rs of sorted) {
      await writer.scale(d, rs, sizes.get(rs) ?? 0);
    }
  };

  const syncStatusOnly = async (d: RoD, rss: RoRS[]): Promise<void> => {
    const { d: dd, newRS, all } = await allAndNew(d, rss, false, () => 0);
    await writeStatus(dd, rolloutStatus(dd, all, newRS));
  };

  const rolloutRolling = async (d: RoD, rss: RoRS[]): Promise<void> => {
    const { d: dd, newRS, oldRSs, all } = await allAndNew(d, rss, true, (rs, everything) => newRSNewReplicas(d, everything, rs));
    const replicas = dd.spec?.replicas ?? 1;
    if (newRS !== undefined) {
      const current = newRS.spec?.replicas ?? 0;
      const want = current > replicas ? replicas : newRSNewReplicas(dd, all, newRS);
      if (want !== current) {
        const scaled = await writer.scale(dd, newRS, want);
        const nextAll = [...oldRSs, scaled];
        await writeStatus(dd, rolloutStatus(dd, nextAll, scaled));
        return;
      }
    }
    const steps = planOldScaleDown(dd, all, oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) > 0), newRS);
    if (steps.length > 0) {
      for (const s of steps) {
        await writer.scale(dd, s.rs, s.to);
      }
      await writeStatus(dd, rolloutStatus(dd, all, newRS));
      return;
    }
    const status = rolloutStatus(dd, all, newRS);
    if (deploymentComplete(dd, status)) {
      await cleanup(dd, oldRSs);
    }
    await writeStatus(dd, status);
    requeueIfStuck(dd, status);
  };

  const rolloutRecreate = async (d: RoD, rss: RoRS[]): Promise<void> => {
    let { d: dd, newRS, oldRSs, all } = await allAndNew(d, rss, false, () => 0);
    const activeOld = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (activeOld.length > 0) {
      for (const rs of activeOld) {
        await writer.scale(dd, rs, 0);
      }
      await writeStatus(dd, rolloutStatus(dd, all, newRS));
      return;
    }
    // Wait until no pod of an old set is still running (or terminating).
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const oldPodsRunning = pods.lister.list(dd.metadata.namespace ?? '').some((p) => {
      const ref = controllerRef(p);
      return ref !== undefined && oldUids.has(ref.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
    });
    if (oldPodsRunning || oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) {
      await writeStatus(dd, rolloutStatus(dd, all, newRS));
      return;
    }
    if (newRS === undefined) {
      ({ d: dd, newRS, oldRSs, all } = await allAndNew(dd, rss, true, () => dd.spec?.replicas ?? 1));
    }
    if (newRS !== undefined && (newRS.spec?.replicas ?? 0) !== (dd.spec?.replicas ?? 1)) {
      const scaled = await writer.scale(dd, newRS, dd.spec?.replicas ?? 1);
      await writeStatus(dd, rolloutStatus(dd, [...oldRSs, scaled], scaled));
      return;
    }
    const status = rolloutStatus(dd, all, newRS);
    if (deploymentComplete(dd, status)) {
      await cleanup(dd, oldRSs);
    }
    await writeStatus(dd, status);
    requeueIfStuck(dd, status);
  };

  /** requeueStuckDeployment: come back when the progress deadline would pass. */
  const requeueIfStuck = (d: RoD, s: DeploymentStatus): void => {
    const cond = getCondition(s, 'Progressing');
    const deadline = d.spec?.progressDeadlineSeconds;
    if (deadline === undefined || cond === undefined || cond.status !== 'True' || cond.reason === Reason.NewRSAvailable || deploymentComplete(d, s)) {
      return;
    }
    const from = Date.parse(cond.lastUpdateTime ?? '');
    if (!Number.isNaN(from)) {
      queue.addAfter(keyOf(d), Math.max(1000, from + deadline * 1000 - Date.now() + 1000));
    }
  };

  /** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
  const pausedConditions = async (d: RoD): Promise<RoD> => {
    if (d.spec?.progressDeadlineSeconds === undefined) {
      return d;
    }
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === Reason.TimedOut) {
      return d;
    }
    const paused = d.spec.paused === true;
    const status = structuredClone(d.status ?? {}) as DeploymentStatus;
    if (paused && cond?.reason !== Reason.Paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused'));
    } else if (!paused && cond?.reason === Reason.Paused) {
      setCondition(status, newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed'));
    } else {
      return d;
    }
    const obj = structuredClone(d) as Deployment;
    obj.status = status;
    return (await ctx.client.update<Deployment>({ ...R.deployments, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status' }, obj)) as RoD;
  };

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    let d = deployments.lister.get(namespace, name);
    if (d === undefined) {
      return;
    }
    const selector = d.spec?.selector as LabelSelectorMeta | undefined;
    if (selector === undefined || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
      recorder.event(d, EventType.Warning, 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await writeStatus(d, { ...(structuredClone(d.status ?? {}) as DeploymentStatus), observedGeneration: d.metadata.generation });
      }
      return;
    }
    try {
      const rss = await claim(d);
      if (d.metadata.deletionTimestamp !== undefined) {
        await syncStatusOnly(d, rss);
        return;
      }
      d = await pausedConditions(d);
      const replicas = d.spec?.replicas ?? 1;
      const scalingEvent = rss.some((rs) => (rs.spec?.replicas ?? 0) > 0 && rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== undefined && rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(replicas));
      if (d.spec?.paused === true || scalingEvent) {
        const { d: dd, newRS, oldRSs, all } = await allAndNew(d, rss, false, () => 0);
        await scale(dd, newRS, oldRSs);
        if (d.spec?.paused !== true) {
          const status = rolloutStatus(dd, all, newRS);
          if (deploymentComplete(dd, status)) {
            await cleanup(dd, oldRSs);
          }
        }
        // As upstream's sync(): plain status (no Progressing estimate) from the sets as listed; the next event refines it.
        await writeStatus(dd, calculateStatus(dd, all, newRS));
        return;
      }
      if (d.spec?.strategy?.type === 'Recreate') {
        await rolloutRecreate(d, rss);
      } else {
        await rolloutRolling(d, rss);
      }
    } catch (e) {
      if (isNotFound(e)) {
        return;
      }
      if (isConflict(e)) {
        // Our cache was behind: requeue quickly without counting it as a failure.
        queue.addAfter(key, 100);
        return;
      }
      throw e;
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([deployments.waitForSync(signal), replicasets.waitForSync(signal), pods.waitForSync(signal)]);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
