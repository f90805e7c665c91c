/**
 * The CronJob controller (upstream `cronjob-controller`, v2): creates a Job named
 * `<cronjob>-<scheduled minutes since epoch>` at each activation, honouring
 * concurrencyPolicy, startingDeadlineSeconds and suspend; tracks status.active,
 * lastScheduleTime and lastSuccessfulTime; prunes finished jobs beyond the history limits.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { WorkQueue, splitKey } from '../../client/index.ts';
import type { EventRecorder } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { controllerRef, enqueueHandler, runQueue } from '../manager/kit.ts';
import { isControlledBy } from '../history/pods.ts';
import { canonicalJson } from '../history/revision.ts';
import { JOBS } from '../job/controller.ts';
import type { Job } from '../job/types.ts';
import { finishedAt } from '../job/types.ts';
import { ScheduleError, mostRecent, parseSchedule } from './schedule.ts';

/** Upstream's registration name. */
export const Name = 'cronjob-controller';

/** batch/v1 cronjobs. */
export const CRONJOBS = { group: 'batch', version: 'v1', resource: 'cronjobs' } as const;

/** The annotation on created jobs with their scheduled time (RFC 3339, in the schedule's zone). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

interface ObjectRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

/** batch/v1 CronJob (fields read here). */
export interface CronJob extends KubeObject {
  spec?: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Job['spec'] };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: ObjectRef[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

/** The Job name for an activation at `scheduledMs` (upstream's getJobName). */
export function jobNameFor(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / 60_000)}`;
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The job an activation creates (upstream's getJobFromTemplate2). */
export function jobFromTemplate(cj: DeepReadonly<CronJob>, scheduledMs: number): Job {
  const t = structuredClone((cj.spec?.jobTemplate ?? {}) as NonNullable<CronJob['spec']>['jobTemplate'] & object);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name ?? '', scheduledMs),
      namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339(scheduledMs) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: t.spec,
  };
}

async function deleteJob(ctx: ControllerContext, recorder: EventRecorder, cj: DeepReadonly<CronJob>, name: string): Promise<void> {
  try {
    await ctx.client.delete({ ...JOBS, namespace: cj.metadata.namespace, name }, { propagationPolicy: 'Background' });
    recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
}

/** Factory for the registration table. */
export function cronJobControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'cronjob' });
  const cronjobs = ctx.informers.informerFor<CronJob>(CRONJOBS);
  const jobs = ctx.informers.informerFor<Job>(JOBS);
  const recorder = ctx.recorder(Name);
  cronjobs.addEventHandler(enqueueHandler(queue));
  jobs.addEventHandler(
    enqueueHandler<Job>(queue, (j) => {
      const ref = controllerRef(j);
      return ref?.kind === 'CronJob' ? [`${j.metadata.namespace ?? ''}/${ref.name}`] : [];
    }),
  );
  const timers = new Map<string, NodeJS.Timeout>();
  const later = (key: string, ms: number): void => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        queue.add(key);
      }, Math.max(100, ms)),
    );
  };

  const sync = async (key: string): Promise<void> => {
    const { namespace = '', name } = splitKey(key);
    const cj = cronjobs.lister.get(namespace, name);
    if (cj === undefined) {
      clearTimeout(timers.get(key));
      timers.delete(key);
      return;
    }
    const now = Date.now();
    const children = jobs.lister.list(namespace).filter((j) => isControlledBy(j, cj.metadata.uid));
    const status = structuredClone(cj.status ?? {}) as NonNullable<CronJob['status']>;
    const childByName = new Map(children.map((j) => [j.metadata.name ?? '', j]));
    // Reconcile status.active with the jobs that exist and are still running.
    const active: ObjectRef[] = [];
    for (const ref of status.active ?? []) {
      const j = childByName.get(ref.name ?? '');
      if (j === undefined || j.metadata.uid !== ref.uid) {
        continue;
      }
      const fin = finishedAt(j);
      if (fin !== undefined) {
        recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${ref.name ?? ''}, condition: ${fin.type}`);
        continue;
      }
      active.push(ref);
    }
    for (const j of children) {
      if (finishedAt(j) === undefined && j.metadata.deletionTimestamp === undefined && !active.some((r) => r.uid === j.metadata.uid)) {
        active.push({ kind: 'Job', namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion });
      }
      const fin = finishedAt(j);
      if (fin?.type === 'Complete') {
        const done = j.status?.completionTime ?? fin.time;
        if (done !== undefined && (status.lastSuccessfulTime === undefined || Date.parse(done) > Date.parse(status.lastSuccessfulTime))) {
          status.lastSuccessfulTime = done;
        }
      }
    }
    status.active = active;

    let nextMs: number | undefined;
    if (cj.metadata.deletionTimestamp === undefined && cj.spec !== undefined) {
      let schedule;
      try {
        schedule = parseSchedule(cj.spec.schedule, cj.spec.timeZone ?? 'UTC');
      } catch (e) {
        if (!(e instanceof ScheduleError)) {
          throw e;
        }
        recorder.event(cj, 'Warning', cj.spec.timeZone !== undefined && /time zone/.test(e.message) ? 'UnknownTimeZone' : 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`);
      }
      if (schedule !== undefined) {
        const earliestBase = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? new Date(now).toISOString());
        const deadline = cj.spec.startingDeadlineSeconds;
        const earliest = deadline === undefined ? earliestBase : Math.max(earliestBase, now - deadline * 1000);
        const r = mostRecent(schedule, earliest, now);
        nextMs = r.next;
        if (r.missed > 100) {
          recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
        }
        const scheduled = r.last;
        if (scheduled !== undefined && cj.spec.suspend !== true) {
          const jobName = jobNameFor(name, scheduled);
          const tooLate = deadline !== undefined && scheduled + deadline * 1000 < now;
          const already = childByName.has(jobName) || active.some((a) => a.name === jobName);
          if (tooLate) {
            recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toISOString()}`);
          } else if (!already) {
            const policy = cj.spec.concurrencyPolicy ?? 'Allow';
            if (policy === 'Forbid' && active.length > 0) {
              recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
            } else {
              if (policy === 'Replace') {
                for (const a of [...active]) {
                  await deleteJob(ctx, recorder, cj, a.name ?? '');
                  active.splice(active.indexOf(a), 1);
                }
              }
              let created: Job | undefined;
              try {
                created = await ctx.client.create<Job>({ ...JOBS, namespace }, jobFromTemplate(cj, scheduled));
                recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
              } catch (e) {
                if (!isAlreadyExists(e)) {
                  recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
                  throw e;
                }
              }
              if (created !== undefined) {
                active.push({ kind: 'Job', namespace, name: created.metadata.name, uid: created.metadata.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion });
              }
              status.lastScheduleTime = rfc3339(scheduled);
            }
          } else if (status.lastScheduleTime === undefined || Date.parse(status.lastScheduleTime) < scheduled) {
            status.lastScheduleTime = rfc3339(scheduled);
          }
        }
      }
    }

    if (canonicalJson(status) !== canonicalJson(cj.status ?? {})) {
      const next = structuredClone(cj) as CronJob;
      next.status = status;
      try {
        await ctx.client.update({ ...CRONJOBS, namespace, name, subresource: 'status' }, next);
      } catch (e) {
        if (!isNotFound(e)) {
          throw e;
        }
      }
    }
    // History limits: oldest finished jobs beyond the limits go.
    const finished = children.filter((j) => finishedAt(j) !== undefined && j.metadata.deletionTimestamp === undefined);
    const byStart = (a: DeepReadonly<Job>, b: DeepReadonly<Job>): number => (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
    for (const [type, limit] of [['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3], ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1]] as const) {
      const these = finished.filter((j) => finishedAt(j)?.type === type).sort(byStart);
      for (const j of these.slice(0, Math.max(0, these.length - limit))) {
        await deleteJob(ctx, recorder, cj, j.metadata.name ?? '');
      }
    }
    if (nextMs !== undefined) {
      // A little past the minute, as upstream's nextScheduleTimeDuration adds 100 ms.
      later(key, nextMs - now + 100);
    }
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([cronjobs.waitForSync(signal), jobs.waitForSync(signal)]);
      try {
        await runQueue(queue, workers, signal, sync, ctx.logger);
      } finally {
        timers.forEach(clearTimeout);
      }
    },
  };
}
