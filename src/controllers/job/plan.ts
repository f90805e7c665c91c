/**
 * The job controller's decision for one sync, as a pure function of the job, its pods and the
 * clock: which pods to create or delete, whose tracking finalizer to drop, and the new status.
 * Counting follows upstream's finalizer protocol: a finished pod's uid first goes into
 * status.uncountedTerminatedPods, then its finalizer is removed, then (next sync) it moves into
 * the succeeded/failed counters — so no pod is counted twice or lost across restarts.
 */
import type { DeepReadonly } from '../../api/object.ts';
import type { EventType } from '../../client/index.ts';
import type { Pod } from '../history/pods.ts';
import { isReady, isTerminal } from '../history/pods.ts';
import { omitZero } from '../history/intstr.ts';
import { formatIndexes, parseIndexes } from './indexes.ts';
import type { Job, JobCondition, JobStatus, PodFailurePolicyRule } from './types.ts';
import { COMPLETION_INDEX, JOB_TRACKING_FINALIZER, isJobFinished } from './types.ts';

/** Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 600_000;

/** What one sync should do. */
export interface JobPlan {
  /** Completion indexes to create pods for (undefined entries for non-indexed jobs). */
  readonly create: readonly (number | undefined)[];
  /** Names of pods to delete. */
  readonly deletePods: readonly string[];
  /** Names of pods whose tracking finalizer must go (only after `status` is written). */
  readonly removeFinalizers: readonly string[];
  readonly status: JobStatus;
  /** Events to record: [type, reason, message]. */
  readonly events: readonly (readonly [EventType, string, string])[];
  /** Sync again after this long (backoff or active deadline). */
  readonly requeueAfterMs?: number;
}

/** The completion index of a pod, from its annotation (or label). */
export function podIndex(p: DeepReadonly<Pod>): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The first podFailurePolicy rule matching a failed pod, if any. */
export function matchFailurePolicy(rules: readonly DeepReadonly<PodFailurePolicyRule>[] | undefined, p: DeepReadonly<Pod>): DeepReadonly<PodFailurePolicyRule> | undefined {
  for (const rule of rules ?? []) {
    if (rule.onExitCodes !== undefined) {
      const r = rule.onExitCodes;
      const hit = (p.status?.containerStatuses ?? []).some((cs) => {
        const code = cs.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (r.containerName !== undefined && r.containerName !== cs.name)) {
          return false;
        }
        return r.operator === 'In' ? r.values.includes(code) : !r.values.includes(code);
      });
      if (hit) {
        return rule;
      }
    } else if (rule.onPodConditions !== undefined) {
      const hit = rule.onPodConditions.some((pc) => p.status?.conditions?.some((c) => c.type === pc.type && c.status === (pc.status ?? 'True')) === true);
      if (hit) {
        return rule;
      }
    }
  }
  return undefined;
}

function condition(type: string, reason: string, message: string, now: string): JobCondition {
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}

function hasCondition(conds: readonly DeepReadonly<JobCondition>[], type: string): boolean {
  return conds.some((c) => c.type === type && c.status === 'True');
}

/** Decides one sync of `job` given the pods it controls, at `nowMs`. */
export function planJob(job: DeepReadonly<Job>, pods: readonly DeepReadonly<Pod>[], nowMs: number): JobPlan {
  const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const spec = job.spec ?? {};
  const indexed = spec.completionMode === 'Indexed';
  const completions = spec.completions ?? null;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  const old = job.status ?? {};
  const conditions: JobCondition[] = structuredClone((old.conditions ?? []) as JobCondition[]);
  const events: [EventType, string, string][] = [];
  const byUid = new Map(pods.map((p) => [p.metadata.uid ?? '', p]));

  // 1. Uncounted uids whose pods are gone or have lost their finalizer are now counted.
  let succeeded = old.succeeded ?? 0;
  let failed = old.failed ?? 0;
  const completedIdx = indexed && completions !== null ? parseIndexes(old.completedIndexes, completions) : new Set<number>();
  const uncountedSucceeded = new Set<string>();
  const uncountedFailed = new Set<string>();
  for (const uid of old.uncountedTerminatedPods?.succeeded ?? []) {
    const p = byUid.get(uid);
    if (p === undefined || !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) {
      succeeded++;
    } else {
      uncountedSucceeded.add(uid);
    }
  }
  for (const uid of old.uncountedTerminatedPods?.failed ?? []) {
    const p = byUid.get(uid);
    if (p === undefined || !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) {
      failed++;
    } else {
      uncountedFailed.add(uid);
    }
  }

  // 2. Finished pods still carrying the finalizer go into the uncounted lists.
  const removeFinalizers: string[] = [];
  let failJob: { reason: string; message: string } | undefined;
  let lastFailureMs = 0;
  const active: DeepReadonly<Pod>[] = [];
  let terminating = 0;
  for (const p of pods) {
    const uid = p.metadata.uid ?? '';
    const tracked = p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;
    const deleted = p.metadata.deletionTimestamp !== undefined;
    const ok = p.status?.phase === 'Succeeded';
    const bad = p.status?.phase === 'Failed' || (deleted && !isTerminal(p));
    if (ok && indexed) {
      const i = podIndex(p);
      if (i !== undefined && completions !== null && i < completions) {
        completedIdx.add(i);
      }
    }
    if (p.status?.phase === 'Failed') {
      for (const cs of p.status.containerStatuses ?? []) {
        const t = cs.state?.terminated?.finishedAt;
        lastFailureMs = Math.max(lastFailureMs, t === undefined ? 0 : Date.parse(t));
      }
    }
    if (!isTerminal(p) && !deleted) {
      active.push(p);
      continue;
    }
    if (!isTerminal(p)) {
      terminating++;
    }
    if (!tracked) {
      continue;
    }
    removeFinalizers.push(p.metadata.name ?? '');
    if (uncountedSucceeded.has(uid) || uncountedFailed.has(uid) || isJobFinished(job)) {
      continue;
    }
    if (ok) {
      uncountedSucceeded.add(uid);
    } else if (bad) {
      const rule = p.status?.phase === 'Failed' ? matchFailurePolicy(spec.podFailurePolicy?.rules, p) : undefined;
      if (rule?.action === 'Ignore') {
        continue;
      }
      uncountedFailed.add(uid);
      if (rule?.action === 'FailJob' && failJob === undefined) {
        failJob = { reason: 'PodFailurePolicy', message: `Pod ${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''} has condition or exit code matching FailJob rule` };
      }
    }
  }
  const succeededTotal = indexed ? completedIdx.size : succeeded + uncountedSucceeded.size;
  const failedTotal = failed + uncountedFailed.size;

  const status: JobStatus = {
    ...structuredClone(old as JobStatus),
    conditions,
    succeeded,
    failed,
    uncountedTerminatedPods: {
      ...(uncountedSucceeded.size > 0 ? { succeeded: [...uncountedSucceeded] } : {}),
      ...(uncountedFailed.size > 0 ? { failed: [...uncountedFailed] } : {}),
    },
  };
  if (indexed) {
    status.completedIndexes = formatIndexes(completedIdx);
  }
  const create: (number | undefined)[] = [];
  const deletePods: string[] = [];
  let requeueAfterMs: number | undefined;
  const finished = isJobFinished(job);

  if (!finished) {
    const suspended = spec.suspend === true;
    if (suspended) {
      if (!hasCondition(conditions, 'Suspended')) {
        conditions.push(condition('Suspended', 'JobSuspended', 'Job suspended', now));
        events.push(['Normal', 'Suspended', 'Job suspended']);
      }
    } else {
      const susp = conditions.findIndex((c) => c.type === 'Suspended' && c.status === 'True');
      if (susp >= 0) {
        conditions[susp] = { ...condition('Suspended', 'JobResumed', 'Job resumed', now), status: 'False' };
        status.startTime = now;
        events.push(['Normal', 'Resumed', 'Job resumed']);
      }
      status.startTime ??= now;
    }
    // Failure first: policy, backoff limit, deadline.
    if (!hasCondition(conditions, 'FailureTarget') && !hasCondition(conditions, 'SuccessCriteriaMet')) {
      const deadline = spec.activeDeadlineSeconds;
      const started = status.startTime === undefined ? nowMs : Date.parse(status.startTime);
      if (failJob === undefined && failedTotal > backoffLimit) {
        failJob = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      }
      if (failJob === undefined && deadline !== undefined && !suspended) {
        if (nowMs - started >= deadline * 1000) {
          failJob = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
        } else {
          requeueAfterMs = started + deadline * 1000 - nowMs;
        }
      }
      if (failJob !== undefined) {
        conditions.push(condition('FailureTarget', failJob.reason, failJob.message, now));
      } else if (completions !== null ? succeededTotal >= completions : succeededTotal > 0 && active.length === 0) {
        conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now));
      }
    }
    const failing = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
    const succeeding = hasCondition(conditions, 'SuccessCriteriaMet');
    if (failing !== undefined || succeeding || suspended) {
      deletePods.push(...active.map((p) => p.metadata.name ?? ''));
      const settled = active.length === 0 && terminating === 0 && uncountedSucceeded.size === 0 && uncountedFailed.size === 0 && removeFinalizers.length === 0;
      if (settled && failing !== undefined) {
        conditions.push(condition('Failed', failing.reason ?? '', failing.message ?? '', now));
        events.push(['Warning', failing.reason ?? 'Failed', failing.message ?? '']);
      } else if (settled && succeeding) {
        conditions.push(condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now));
        status.completionTime = now;
        events.push(['Normal', 'Completed', 'Job completed']);
      }
    } else {
      planPods();
    }
  }

  function planPods(): void {
    const failures = failedTotal;
    if (failures > 0 && lastFailureMs > 0) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
      if (lastFailureMs + delay > nowMs) {
        requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, lastFailureMs + delay - nowMs);
        return;
      }
    }
    if (indexed && completions !== null) {
      const busy = new Set<number>();
      for (const p of active) {
        const i = podIndex(p);
        if (i === undefined || i >= completions || busy.has(i) || completedIdx.has(i)) {
          deletePods.push(p.metadata.name ?? '');
        } else {
          busy.add(i);
        }
      }
      for (let i = 0; i < completions && busy.size + create.length < parallelism; i++) {
        if (!busy.has(i) && !completedIdx.has(i)) {
          create.push(i);
        }
      }
      return;
    }
    const remaining = completions === null ? (succeededTotal > 0 ? 0 : parallelism) : completions - succeededTotal;
    const want = Math.max(0, Math.min(parallelism, remaining));
    if (active.length < want) {
      for (let n = active.length; n < want; n++) {
        create.push(undefined);
      }
    } else if (active.length > want && completions !== null) {
      // Excess: delete not-ready, then newest first.
      const order = [...active].sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
      deletePods.push(...order.slice(0, active.length - want).map((p) => p.metadata.name ?? ''));
    }
  }

  const stillActive = active.length - deletePods.filter((n) => active.some((p) => p.metadata.name === n)).length;
  status.active = stillActive + create.length;
  status.ready = active.filter((p) => isReady(p) && !deletePods.includes(p.metadata.name ?? '')).length;
  status.terminating = terminating + (active.length - stillActive);
  return { create, deletePods, removeFinalizers, status: omitZero(status, ['active', 'succeeded', 'failed']), events, requeueAfterMs };
}
