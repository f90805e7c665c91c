/**
 * The TTL-after-finished controller (upstream `ttl-after-finished-controller`): deletes a
 * finished Job (foreground, so its pods go first) once `ttlSecondsAfterFinished` has passed
 * since its Complete/Failed condition.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { runQueue } from '../manager/kit.ts';
import { JOBS } from '../job/controller.ts';
import type { Job } from '../job/types.ts';
import { finishedAt } from '../job/types.ts';

/** Upstream's registration name. */
export const Name = 'ttl-after-finished-controller';

/** Milliseconds until `job` expires (≤ 0: expired now); undefined when it has no TTL or is not finished. */
export function timeLeftMs(job: DeepReadonly<Job>, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const fin = finishedAt(job);
  if (ttl === undefined || fin === undefined || job.metadata.deletionTimestamp !== undefined) {
    return undefined;
  }
  const finished = fin.time === undefined ? nowMs : Date.parse(fin.time);
  return finished + ttl * 1000 - nowMs;
}

/** Factory for the registration table. */
export function ttlAfterFinishedFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'ttl_jobs_to_delete' });
  const jobs = ctx.informers.informerFor<Job>(JOBS);
  const enqueue = (j: DeepReadonly<Job>): void => {
    if (j.spec?.ttlSecondsAfterFinished !== undefined && finishedAt(j) !== undefined && j.metadata.deletionTimestamp === undefined) {
      queue.add(`${j.metadata.namespace ?? ''}/${j.metadata.name ?? ''}`);
    }
  };
  jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, j) => enqueue(j) });
  const timers = new Map<string, NodeJS.Timeout>();

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const cached = jobs.lister.get(namespace, name);
    const left = cached === undefined ? undefined : timeLeftMs(cached, Date.now());
    if (cached === undefined || left === undefined) {
      return;
    }
    if (left > 0) {
      clearTimeout(timers.get(key));
      timers.set(
        key,
        setTimeout(() => {
          timers.delete(key);
          queue.add(key);
        }, left),
      );
      return;
    }
    // The cache may be stale (TTL edited): check the live object before deleting, as upstream does.
    let fresh: Job;
    try {
      fresh = await ctx.client.get<Job>({ ...JOBS, namespace, name });
    } catch (e) {
      if (isNotFound(e)) {
        return;
      }
      throw e;
    }
    const freshLeft = timeLeftMs(fresh, Date.now());
    if (freshLeft === undefined || freshLeft > 0) {
      if (freshLeft !== undefined) {
        queue.add(key);
      }
      return;
    }
    try {
      await ctx.client.delete({ ...JOBS, namespace, name }, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) {
        throw e;
      }
    }
  };

  return {
    run: async (workers, signal) => {
      await jobs.waitForSync(signal);
      try {
        await runQueue(queue, workers, signal, sync, ctx.logger);
      } finally {
        timers.forEach(clearTimeout);
      }
    },
  };
}
