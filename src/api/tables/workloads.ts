/**
 * Printers for workload controllers (apps, batch, autoscaling, policy, core RC/PodTemplate),
 * with upstream's columns and cell formats.
 */
import type { KubeObject } from '../object.ts';
import {
  age, ageColumn, arr, boolPtr, col, containerCells, containersColumn, formatLabels, formatLabelSelector, get, humanDuration, imagesColumn, int,
  intOrString, nameColumn, parseTime, plainLabelSelector, rec, since, str,
} from './format.ts';
import type { TableConvertor } from './types.ts';
import { hpaV1ToV2 } from '../resources/hpa-versions.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const selectorColumn = (what: string): ReturnType<typeof col> => col('Selector', 'string', `A label query over pods that should match the ${what}.`, 1);
const templateContainers = (o: KubeObject): unknown => get(o, 'spec.template.spec.containers');

/** deployments: NAME READY UP-TO-DATE AVAILABLE AGE [CONTAINERS IMAGES SELECTOR]. */
export const deploymentTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn, containersColumn, imagesColumn, selectorColumn('replica count'),
  ],
  cells: (o, now) => {
    const [names, images] = containerCells(templateContainers(o));
    return [name(o), `${int(get(o, 'status.readyReplicas'))}/${int(get(o, 'spec.replicas'))}`, int(get(o, 'status.updatedReplicas')), int(get(o, 'status.availableReplicas')), age(o, now), names, images, plainLabelSelector(get(o, 'spec.selector'))];
  },
};

/** replicasets: NAME DESIRED CURRENT READY AGE [CONTAINERS IMAGES SELECTOR]. */
export const replicaSetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn, containersColumn, imagesColumn, selectorColumn('replica count'),
  ],
  cells: (o, now) => {
    const [names, images] = containerCells(templateContainers(o));
    return [name(o), int(get(o, 'spec.replicas')), int(get(o, 'status.replicas')), int(get(o, 'status.readyReplicas')), age(o, now), names, images, formatLabelSelector(get(o, 'spec.selector'))];
  },
};

/** replicationcontrollers: like replicasets, but the selector is a plain label map. */
export const replicationControllerTable: TableConvertor = {
  columns: replicaSetTable.columns,
  cells: (o, now) => {
    const [names, images] = containerCells(templateContainers(o));
    return [name(o), int(get(o, 'spec.replicas')), int(get(o, 'status.replicas')), int(get(o, 'status.readyReplicas')), age(o, now), names, images, formatLabels(get(o, 'spec.selector'))];
  },
};

/** statefulsets: NAME READY AGE [CONTAINERS IMAGES]. */
export const statefulSetTable: TableConvertor = {
  columns: [nameColumn, col('Ready', 'string', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  cells: (o, now) => {
    const [names, images] = containerCells(templateContainers(o));
    return [name(o), `${int(get(o, 'status.readyReplicas'))}/${int(get(o, 'spec.replicas'))}`, age(o, now), names, images];
  },
};

/** daemonsets: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE [CONTAINERS IMAGES SELECTOR]. */
export const daemonSetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    ageColumn, containersColumn, imagesColumn, selectorColumn('daemon set'),
  ],
  cells: (o, now) => {
    const [names, images] = containerCells(templateContainers(o));
    const s = rec(o.status);
    return [
      name(o), int(s.desiredNumberScheduled), int(s.currentNumberScheduled), int(s.numberReady), int(s.updatedNumberScheduled), int(s.numberAvailable),
      formatLabels(get(o, 'spec.template.spec.nodeSelector')), age(o, now), names, images, formatLabelSelector(get(o, 'spec.selector')),
    ];
  },
};

function jobCondition(o: KubeObject, type: string): boolean {
  const c = arr(get(o, 'status.conditions')).map(rec).find((x) => x.type === type);
  return c?.status === 'True';
}

/** The job STATUS column, in upstream's order of precedence. */
function jobStatus(o: KubeObject): string {
  if (jobCondition(o, 'Complete')) {
    return 'Complete';
  }
  if (jobCondition(o, 'Failed')) {
    return 'Failed';
  }
  if (o.metadata.deletionTimestamp !== undefined && o.metadata.deletionTimestamp !== null) {
    return 'Terminating';
  }
  if (jobCondition(o, 'Suspended')) {
    return 'Suspended';
  }
  if (jobCondition(o, 'FailureTarget')) {
    return 'FailureTarget';
  }
  return 'Running';
}

/** jobs: NAME STATUS COMPLETIONS DURATION AGE [CONTAINERS IMAGES SELECTOR]. */
export const jobTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn, containersColumn, imagesColumn, selectorColumn('pod count'),
  ],
  cells: (o, now) => {
    const succeeded = int(get(o, 'status.succeeded'));
    const completionsSpec = get(o, 'spec.completions');
    const parallelism = int(get(o, 'spec.parallelism'));
    let completions: string;
    if (typeof completionsSpec === 'number') {
      completions = `${succeeded}/${completionsSpec}`;
    } else {
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(get(o, 'status.startTime'));
    const end = parseTime(get(o, 'status.completionTime'));
    const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
    const [names, images] = containerCells(templateContainers(o));
    return [name(o), jobStatus(o), completions, duration, age(o, now), names, images, formatLabelSelector(get(o, 'spec.selector'))];
  },
};

/** cronjobs: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE [CONTAINERS IMAGES SELECTOR]. */
export const cronJobTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn, containersColumn, imagesColumn, selectorColumn('pod count'),
  ],
  cells: (o, now) => {
    const last = get(o, 'status.lastScheduleTime');
    const tz = get(o, 'spec.timeZone');
    const [names, images] = containerCells(get(o, 'spec.jobTemplate.spec.template.spec.containers'));
    return [
      name(o), str(get(o, 'spec.schedule')), typeof tz === 'string' ? tz : '<none>', boolPtr(get(o, 'spec.suspend')), arr(get(o, 'status.active')).length,
      last === undefined || last === null ? '<none>' : since(last, now), age(o, now), names, images, formatLabelSelector(get(o, 'spec.jobTemplate.spec.selector')),
    ];
  },
};

/** One HPA metric as `current/target`, following formatHPAMetrics for autoscaling/v2 objects. */
function hpaMetric(spec: Record<string, unknown>, status: Record<string, unknown> | undefined): string {
  const unknown = '<unknown>';
  const q = (v: unknown): string => (typeof v === 'number' ? String(v) : str(v));
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = rec(get(spec, `${key}.target`));
      const current = rec(get(status, `${key}.current`));
      if (target.averageValue !== undefined) {
        return `${status !== undefined && current.averageValue !== undefined ? q(current.averageValue) : unknown}/${q(target.averageValue)} (avg)`;
      }
      return `${status !== undefined && get(status, key) !== undefined ? q(current.value) : unknown}/${q(target.value)}`;
    }
    case 'Pods':
      return `${status !== undefined && get(status, 'pods') !== undefined ? q(get(status, 'pods.current.averageValue')) : unknown}/${q(get(spec, 'pods.target.averageValue'))}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const target = rec(get(spec, `${key}.target`));
      const current = rec(get(status, `${key}.current`));
      const resourceName = str(get(spec, `${key}.name`));
      const hasStatus = status !== undefined && get(status, key) !== undefined;
      if (target.averageValue !== undefined) {
        return `${resourceName}: ${hasStatus ? q(current.averageValue) : unknown}/${q(target.averageValue)}`;
      }
      const cur = hasStatus && typeof current.averageUtilization === 'number' ? `${current.averageUtilization}%` : unknown;
      const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${resourceName}: ${cur}/${tgt}`;
    }
    default:
      return '<unknown type>';
  }
}

/** horizontalpodautoscalers: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE. */
export const hpaTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn,
  ],
  cells: (served, now) => {
    // Upstream prints from the internal (v2) object, so an autoscaling/v1 read shows the same targets.
    const o = served.apiVersion === 'autoscaling/v1' ? hpaV1ToV2(served) : served;
    const specs = arr(get(o, 'spec.metrics')).map(rec);
    const statuses = arr(get(o, 'status.currentMetrics')).map(rec);
    let targets = '<none>';
    if (specs.length > 0) {
      const list = specs.map((s, i) => hpaMetric(s, statuses[i]));
      targets = list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
    }
    const min = get(o, 'spec.minReplicas');
    return [
      name(o), `${str(get(o, 'spec.scaleTargetRef.kind'))}/${str(get(o, 'spec.scaleTargetRef.name'))}`, targets,
      typeof min === 'number' ? String(min) : '<unset>', int(get(o, 'spec.maxReplicas')), int(get(o, 'status.currentReplicas')), age(o, now),
    ];
  },
};

/** poddisruptionbudgets: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
export const pdbTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const min = get(o, 'spec.minAvailable');
    const max = get(o, 'spec.maxUnavailable');
    return [name(o), min === undefined || min === null ? 'N/A' : intOrString(min), max === undefined || max === null ? 'N/A' : intOrString(max), int(get(o, 'status.disruptionsAllowed')), age(o, now)];
  },
};

/** podtemplates: NAME CONTAINERS IMAGES POD LABELS. */
export const podTemplateTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells: (o) => {
    const [names, images] = containerCells(get(o, 'template.spec.containers'));
    return [name(o), names, images, formatLabels(get(o, 'template.metadata.labels'))];
  },
};

/** controllerrevisions: NAME CONTROLLER REVISION AGE. */
export const controllerRevisionTable: TableConvertor = {
  columns: [nameColumn, col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), ageColumn],
  cells: (o, now) => {
    const owner = (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
    let controller = '<none>';
    if (owner !== undefined) {
      const slash = owner.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
      const groupKind = group === '' ? owner.kind : `${owner.kind}.${group}`;
      controller = groupKind === '' ? owner.name : `${groupKind.toLowerCase()}/${owner.name}`;
    }
    return [name(o), controller, int(o.revision), age(o, now)];
  },
};
