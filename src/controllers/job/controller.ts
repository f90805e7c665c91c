/**
 * The job controller (upstream `job-controller`): runs a Job's pods to completion, counting
 * finished pods through the `batch.kubernetes.io/job-tracking` finalizer (see plan.ts).
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { PatchType, WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, controllerRef, enqueueHandler, runQueue } from '../manager/kit.ts';
import type { Pod } from '../history/pods.ts';
import { isControlledBy, podFromTemplate } from '../history/pods.ts';
import { Expectations } from '../history/expectations.ts';
import { ownedPodHandler } from '../history/owned-pods.ts';
import { claimPods, matchingOwnerKeys, workloadClaimOwner } from '../history/claim.ts';
import { canonicalJson } from '../history/revision.ts';
import { planJob } from './plan.ts';
import type { Job } from './types.ts';
import { COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './types.ts';

/** Upstream's registration name. */
export const Name = 'job-controller';

/** batch/v1 jobs. */
export const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' } as const;

/** A pod for `job` (with its completion index when indexed), carrying the tracking finalizer. */
export function newJobPod(job: DeepReadonly<Job>, index: number | undefined): Pod {
  const name = job.metadata.name ?? '';
  const pod = podFromTemplate(job.spec?.template, { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid ?? '' }, job.metadata.namespace ?? '');
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index === undefined) {
    pod.metadata.generateName = `${name}-`;
    return pod;
  }
  pod.metadata.generateName = `${name}-${index}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [COMPLETION_INDEX]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [COMPLETION_INDEX]: String(index) };
  const spec = pod.spec ?? {};
  spec.hostname ??= `${name}-${index}`;
  // Upstream exposes the index to every container as JOB_COMPLETION_INDEX via the downward API.
  for (const c of [...(spec.containers ?? []), ...((spec.initContainers as { name: string; env?: unknown[] }[] | undefined) ?? [])]) {
    const env = (c.env ?? []) as { name: string }[];
    if (!env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) {
      c.env = [...env, { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
    }
  }
  pod.spec = spec;
  return pod;
}

/** Factory for the registration table. */
export function jobControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'job' });
  const jobs = ctx.informers.informerFor<Job>(JOBS);
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const recorder = ctx.recorder(Name);
  jobs.addEventHandler(enqueueHandler(queue));
  const expectations = new Expectations();
  pods.addEventHandler(ownedPodHandler<Pod>('Job', queue, expectations, (p) => matchingOwnerKeys(jobs.lister.list(p.metadata.namespace ?? ''), p)));
  const timers = new Set<NodeJS.Timeout>();
  const later = (key: string, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      queue.add(key);
    }, Math.max(ms, 100));
    timers.add(t);
  };

  const dropFinalizer = async (p: DeepReadonly<Pod>): Promise<void> => {
    const finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      // A JSON patch guarded by resourceVersion would conflict under kubelet status churn; merge the whole list.
      await ctx.client.patch({ ...R.pods, namespace: p.metadata.namespace, name: p.metadata.name }, { metadata: { finalizers: finalizers.length > 0 ? finalizers : null } }, PatchType.Merge);
    } catch (e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  };

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const job = jobs.lister.get(namespace ?? '', name);
    const candidates = pods.lister.list(namespace).filter((p) => controllerRef(p)?.kind === 'Job' && controllerRef(p)?.name === name);
    if (job === undefined || job.metadata.deletionTimestamp !== undefined) {
      expectations.forget(key);
      // Orphaned (or going away): nothing will count these pods any more.
      await Promise.all(candidates.filter((p) => (job === undefined || isControlledBy(p, job.metadata.uid)) && p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)).map(dropFinalizer));
      return;
    }
    if (!expectations.satisfied(key)) {
      return; // the pod events we wait for will enqueue the job again
    }
    const owned = await claimPods(ctx.client, workloadClaimOwner(ctx.client, JOBS, 'Job', job, { adoptFinalizers: [JOB_TRACKING_FINALIZER] }), pods.lister.list(namespace));
    const plan = planJob(job, owned, Date.now());
    const jobRef = { ...JOBS, namespace, name };
    if (canonicalJson(plan.status) !== canonicalJson(job.status ?? {})) {
      const next = structuredClone(job) as Job;
      next.status = plan.status;
      await ctx.client.update({ ...jobRef, subresource: 'status' }, next);
    }
    for (const [type, reason, message] of plan.events) {
      recorder.event(job, type, reason, message);
    }
    expectations.expect(key, plan.create.length, plan.deletePods.map((n) => `${namespace}/${n}`));
    const byName = new Map(owned.map((p) => [p.metadata.name ?? '', p]));
    await Promise.all(plan.removeFinalizers.map((n) => byName.get(n)).filter((p) => p !== undefined).map(dropFinalizer));
    await Promise.all(
      plan.deletePods.map(async (n) => {
        try {
          await ctx.client.delete({ ...R.pods, namespace, name: n });
          recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${n}`);
        } catch (e) {
          expectations.deletionObserved(key, `${namespace}/${n}`);
          if (!isNotFound(e)) {
            throw e;
          }
        }
      }),
    );
    const created = await Promise.allSettled(plan.create.map((i) => ctx.client.create<Pod>({ ...R.pods, namespace }, newJobPod(job, i))));
    for (const r of created) {
      if (r.status === 'fulfilled') {
        recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
      } else {
        expectations.creationObserved(key);
        recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
      }
    }
    const failure = created.find((r) => r.status === 'rejected');
    if (failure !== undefined) {
      throw failure.reason;
    }
    if (plan.requeueAfterMs !== undefined) {
      later(key, plan.requeueAfterMs);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([jobs.waitForSync(signal), pods.waitForSync(signal)]);
      try {
        await runQueue(queue, workers, signal, sync, ctx.logger);
      } finally {
        for (const t of timers) {
          clearTimeout(t);
        }
      }
    },
  };
}
