/**
 * Describers for DaemonSets, StatefulSets and CronJobs (pod counts gathered by the caller).
 */
import { formatLabels } from '../printers/table.ts';
import { describePodTemplate } from './pod.ts';
import { arr, at, DescribeWriter, map, num, printAnnotations, printEvents, printLabels, rfc1123z, str } from './writer.ts';
import type { Obj } from './writer.ts';
import { selectorString } from './workloads.ts';
import type { PodCounts } from './workloads.ts';

function podsStatus(w: DescribeWriter, pods: PodCounts): void {
  w.write(0, `Pods Status:\t${pods.running} Running / ${pods.waiting} Waiting / ${pods.succeeded} Succeeded / ${pods.failed} Failed\n`);
}

/** `describe daemonset`. */
export function describeDaemonSet(ds: Obj, pods: PodCounts, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(ds, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(ds, 'metadata', 'namespace')}\n`);
  w.write(0, `Selector:\t${selectorString(at(ds, 'spec', 'selector'))}\n`);
  w.write(0, `Node-Selector:\t${formatLabels(map(ds, 'spec', 'template', 'spec', 'nodeSelector'))}\n`);
  printLabels(w, 'Labels', map(ds, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(ds, 'metadata', 'annotations'));
  w.write(0, `Desired Number of Nodes Scheduled: ${num(ds, 'status', 'desiredNumberScheduled')}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${num(ds, 'status', 'currentNumberScheduled')}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${num(ds, 'status', 'updatedNumberScheduled')}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${num(ds, 'status', 'numberAvailable')}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${num(ds, 'status', 'numberMisscheduled')}\n`);
  podsStatus(w, pods);
  describePodTemplate(w, at(ds, 'spec', 'template'));
  printEvents(w, events);
  return w.toString();
}

/** `describe statefulset`. */
export function describeStatefulSet(sts: Obj, pods: PodCounts, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(sts, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(sts, 'metadata', 'namespace')}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(sts, 'metadata', 'creationTimestamp'))}\n`);
  w.write(0, `Selector:\t${selectorString(at(sts, 'spec', 'selector'))}\n`);
  printLabels(w, 'Labels', map(sts, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(sts, 'metadata', 'annotations'));
  w.write(0, `Replicas:\t${num(sts, 'spec', 'replicas')} desired | ${num(sts, 'status', 'replicas')} total\n`);
  w.write(0, `Update Strategy:\t${str(sts, 'spec', 'updateStrategy', 'type')}\n`);
  const ru = at(sts, 'spec', 'updateStrategy', 'rollingUpdate');
  if (typeof at(ru, 'partition') === 'number') {
    w.write(1, `Partition:\t${num(ru, 'partition')}\n`);
    if (at(ru, 'maxUnavailable') !== undefined) {
      w.write(1, `MaxUnavailable:\t${str(ru, 'maxUnavailable')}\n`);
    }
  }
  podsStatus(w, pods);
  describePodTemplate(w, at(sts, 'spec', 'template'));
  const claims = arr(sts, 'spec', 'volumeClaimTemplates');
  if (claims.length === 0) {
    w.write(0, 'Volume Claims:\t<none>\n');
  } else {
    w.write(0, 'Volume Claims:\n');
    for (const pvc of claims) {
      w.write(1, `Name:\t${str(pvc, 'metadata', 'name')}\n`);
      const cls = str(pvc, 'spec', 'storageClassName') || (map(pvc, 'metadata', 'annotations')['volume.beta.kubernetes.io/storage-class'] ?? '');
      w.write(1, `StorageClass:\t${cls}\n`);
      printLabels(w, 'Labels', map(pvc, 'metadata', 'labels'), '  ');
      printLabels(w, 'Annotations', map(pvc, 'metadata', 'annotations'), '  ');
      const capacity = map(pvc, 'spec', 'resources', 'requests').storage;
      w.write(1, `Capacity:\t${capacity ?? '<default>'}\n`);
      w.write(1, `Access Modes:\t[${((at(pvc, 'spec', 'accessModes') as string[] | undefined) ?? []).join(' ')}]\n`);
    }
  }
  printEvents(w, events);
  return w.toString();
}

function optionalInt(w: DescribeWriter, label: string, v: unknown, suffix = ''): void {
  w.write(0, typeof v === 'number' ? `${label}:\t${v}${suffix}\n` : `${label}:\t<unset>\n`);
}

/** `describe cronjob`. */
export function describeCronJob(cj: Obj, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(cj, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(cj, 'metadata', 'namespace')}\n`);
  printLabels(w, 'Labels', map(cj, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(cj, 'metadata', 'annotations'));
  w.write(0, `Schedule:\t${str(cj, 'spec', 'schedule')}\n`);
  w.write(0, `Concurrency Policy:\t${str(cj, 'spec', 'concurrencyPolicy')}\n`);
  const suspend = at(cj, 'spec', 'suspend');
  w.write(0, `Suspend:\t${typeof suspend === 'boolean' ? (suspend ? 'True' : 'False') : '<unset>'}\n`);
  optionalInt(w, 'Successful Job History Limit', at(cj, 'spec', 'successfulJobsHistoryLimit'));
  optionalInt(w, 'Failed Job History Limit', at(cj, 'spec', 'failedJobsHistoryLimit'));
  optionalInt(w, 'Starting Deadline Seconds', at(cj, 'spec', 'startingDeadlineSeconds'), 's');
  const jobSpec = at(cj, 'spec', 'jobTemplate', 'spec');
  w.write(0, at(jobSpec, 'selector') !== undefined ? `Selector:\t${selectorString(at(jobSpec, 'selector'))}\n` : 'Selector:\t<unset>\n');
  optionalInt(w, 'Parallelism', at(jobSpec, 'parallelism'));
  optionalInt(w, 'Completions', at(jobSpec, 'completions'));
  if (typeof at(jobSpec, 'activeDeadlineSeconds') === 'number') {
    w.write(0, `Active Deadline Seconds:\t${num(jobSpec, 'activeDeadlineSeconds')}s\n`);
  }
  describePodTemplate(w, at(jobSpec, 'template'));
  const last = str(cj, 'status', 'lastScheduleTime');
  w.write(0, `Last Schedule Time:\t${last !== '' ? rfc1123z(last) : '<unset>'}\n`);
  const active = arr(cj, 'status', 'active');
  w.write(0, 'Active Jobs:\t');
  w.line(active.length === 0 ? '<none>' : active.map((j) => str(j, 'name')).join(', '));
  printEvents(w, events);
  return w.toString();
}
