/**
 * Describers for Deployments, ReplicaSets and Jobs (their pod counts and replica sets are
 * gathered by the caller and passed in).
 */
import { labelSelectorFromMeta } from '../../api/selectors/labels.ts';
import type { LabelSelectorMeta } from '../../api/selectors/labels.ts';
import { formatLabelSelector, humanDuration } from '../../api/tables/format.ts';
import { describePodTemplate } from './pod.ts';
import { arr, at, controllerOf, DescribeWriter, map, num, printAnnotations, printEvents, printLabels, rfc1123z, str } from './writer.ts';
import type { Obj } from './writer.ts';

/** Pods of a controller by phase, as getPodStatusForController counts them. */
export interface PodCounts {
  readonly running: number;
  readonly waiting: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** Counts the pods controlled by `owner` (its uid) per phase. */
export function countPods(pods: readonly Obj[], ownerUid: string): PodCounts {
  const counts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const p of pods) {
    const ref = arr(p, 'metadata', 'ownerReferences').find((r) => at(r, 'controller') === true);
    if (ref === undefined || str(ref, 'uid') !== ownerUid) {
      continue;
    }
    switch (str(p, 'status', 'phase')) {
      case 'Running': counts.running++; break;
      case 'Pending': counts.waiting++; break;
      case 'Succeeded': counts.succeeded++; break;
      case 'Failed': counts.failed++; break;
    }
  }
  return counts;
}

/** LabelSelectorAsSelector(...).String() of a spec.selector. */
export function selectorString(sel: unknown): string {
  return labelSelectorFromMeta(sel as LabelSelectorMeta | undefined).toString();
}

function conditionsTable(w: DescribeWriter, obj: Obj): void {
  const conditions = arr(obj, 'status', 'conditions');
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conditions) {
      w.write(1, `${str(c, 'type')} \t${str(c, 'status')}\t${str(c, 'reason')}\n`);
    }
  }
}

function replicaSetList(rss: readonly Obj[]): string {
  const list = rss.map((rs) => `${str(rs, 'metadata', 'name')} (${num(rs, 'status', 'replicas')}/${num(rs, 'spec', 'replicas')} replicas created)`).join(', ');
  return list === '' ? '<none>' : list;
}

/** `describe deployment`; `oldRSs`/`newRSs` are the replica sets it owns (old ones, the current one). */
export function describeDeployment(d: Obj, oldRSs: readonly Obj[], newRSs: readonly Obj[], events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(d, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(d, 'metadata', 'namespace')}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(d, 'metadata', 'creationTimestamp'))}\n`);
  printLabels(w, 'Labels', map(d, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(d, 'metadata', 'annotations'));
  w.write(0, `Selector:\t${selectorString(at(d, 'spec', 'selector'))}\n`);
  w.write(0, `Replicas:\t${num(d, 'spec', 'replicas')} desired | ${num(d, 'status', 'updatedReplicas')} updated | ${num(d, 'status', 'replicas')} total | ${num(d, 'status', 'availableReplicas')} available | ${num(d, 'status', 'unavailableReplicas')} unavailable\n`);
  w.write(0, `StrategyType:\t${str(d, 'spec', 'strategy', 'type')}\n`);
  w.write(0, `MinReadySeconds:\t${num(d, 'spec', 'minReadySeconds')}\n`);
  if (at(d, 'spec', 'strategy', 'rollingUpdate') !== undefined) {
    w.write(0, `RollingUpdateStrategy:\t${str(d, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable')} max unavailable, ${str(d, 'spec', 'strategy', 'rollingUpdate', 'maxSurge')} max surge\n`);
  }
  describePodTemplate(w, at(d, 'spec', 'template'));
  conditionsTable(w, d);
  if (oldRSs.length > 0 || newRSs.length > 0) {
    w.write(0, `OldReplicaSets:\t${replicaSetList(oldRSs)}\n`);
    w.write(0, `NewReplicaSet:\t${replicaSetList(newRSs)}\n`);
  }
  printEvents(w, events);
  return w.toString();
}

/** `describe replicaset`. */
export function describeReplicaSet(rs: Obj, pods: PodCounts, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(rs, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(rs, 'metadata', 'namespace')}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(at(rs, 'spec', 'selector'))}\n`);
  printLabels(w, 'Labels', map(rs, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(rs, 'metadata', 'annotations'));
  const owner = controllerOf(rs);
  if (owner !== '') {
    w.write(0, `Controlled By:\t${owner}\n`);
  }
  w.write(0, `Replicas:\t${num(rs, 'status', 'replicas')} current / ${num(rs, 'spec', 'replicas')} desired\n`);
  w.write(0, 'Pods Status:\t');
  w.write(0, `${pods.running} Running / ${pods.waiting} Waiting / ${pods.succeeded} Succeeded / ${pods.failed} Failed\n`);
  describePodTemplate(w, at(rs, 'spec', 'template'));
  conditionsTable(w, rs);
  printEvents(w, events);
  return w.toString();
}

/** `describe job`. */
export function describeJob(job: Obj, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(job, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(job, 'metadata', 'namespace')}\n`);
  w.write(0, `Selector:\t${selectorString(at(job, 'spec', 'selector'))}\n`);
  printLabels(w, 'Labels', map(job, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(job, 'metadata', 'annotations'));
  const owner = controllerOf(job);
  if (owner !== '') {
    w.write(0, `Controlled By:\t${owner}\n`);
  }
  const spec = at(job, 'spec');
  if (typeof at(spec, 'parallelism') === 'number') {
    w.write(0, `Parallelism:\t${num(spec, 'parallelism')}\n`);
  }
  w.write(0, typeof at(spec, 'completions') === 'number' ? `Completions:\t${num(spec, 'completions')}\n` : 'Completions:\t<unset>\n');
  if (str(spec, 'completionMode') !== '') {
    w.write(0, `Completion Mode:\t${str(spec, 'completionMode')}\n`);
  }
  if (typeof at(spec, 'suspend') === 'boolean') {
    w.write(0, `Suspend:\t${String(at(spec, 'suspend'))}\n`);
  }
  if (typeof at(spec, 'backoffLimit') === 'number') {
    w.write(0, `Backoff Limit:\t${num(spec, 'backoffLimit')}\n`);
  }
  if (typeof at(spec, 'ttlSecondsAfterFinished') === 'number') {
    w.write(0, `TTL Seconds After Finished:\t${num(spec, 'ttlSecondsAfterFinished')}\n`);
  }
  const start = str(job, 'status', 'startTime');
  const done = str(job, 'status', 'completionTime');
  if (start !== '') {
    w.write(0, `Start Time:\t${rfc1123z(start)}\n`);
  }
  if (done !== '') {
    w.write(0, `Completed At:\t${rfc1123z(done)}\n`);
  }
  if (start !== '' && done !== '') {
    w.write(0, `Duration:\t${humanDuration(Date.parse(done) - Date.parse(start))}\n`);
  }
  if (typeof at(spec, 'activeDeadlineSeconds') === 'number') {
    w.write(0, `Active Deadline Seconds:\t${num(spec, 'activeDeadlineSeconds')}s\n`);
  }
  const st = at(job, 'status');
  w.write(0, typeof at(st, 'ready') === 'number'
    ? `Pods Statuses:\t${num(st, 'active')} Active (${num(st, 'ready')} Ready) / ${num(st, 'succeeded')} Succeeded / ${num(st, 'failed')} Failed\n`
    : `Pods Statuses:\t${num(st, 'active')} Active / ${num(st, 'succeeded')} Succeeded / ${num(st, 'failed')} Failed\n`);
  if (str(spec, 'completionMode') === 'Indexed') {
    const indexes = str(st, 'completedIndexes');
    let shown = indexes === '' ? '<none>' : indexes;
    if (indexes.length > 50) {
      const comma = indexes.indexOf(',', 50);
      shown = comma < 0 ? indexes : `${indexes.slice(0, comma + 1)}...`;
    }
    w.write(0, `Completed Indexes:\t${shown}\n`);
  }
  describePodTemplate(w, at(job, 'spec', 'template'));
  printEvents(w, events);
  return w.toString();
}
