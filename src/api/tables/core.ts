/**
 * Printers for core/v1 resources (services, endpoints, nodes, events, namespaces, secrets,
 * configmaps, service accounts, volumes and claims, quotas) and events.k8s.io/v1 events.
 */
import type { KubeObject } from '../object.ts';
import { accessModes, age, ageColumn, arr, col, count, formatLabels, get, int, joinHostPort, nameColumn, quantity, rec, since, str } from './format.ts';
import type { TableConvertor } from './types.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const isDeleting = (o: KubeObject): boolean => o.metadata.deletionTimestamp !== undefined && o.metadata.deletionTimestamp !== null;

/** Load-balancer ingress points (IP, else hostname), sorted and de-duplicated; not clipped (the server prints wide). */
function loadBalancerAddresses(status: unknown): string {
  const set = new Set<string>();
  for (const ing of arr(get(status, 'ingress')).map(rec)) {
    if (str(ing.ip) !== '') {
      set.add(str(ing.ip));
    } else if (str(ing.hostname) !== '') {
      set.add(str(ing.hostname));
    }
  }
  return [...set].sort().join(',');
}

/** The EXTERNAL-IP cell: `<none>`, `<pending>`, load-balancer and external IPs, or the external name. */
export function serviceExternalIP(svc: KubeObject): string {
  const spec = rec(svc.spec);
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(get(svc, 'status.loadBalancer'));
      if (externalIPs.length > 0) {
        return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',');
      }
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** PORT(S): `80/TCP`, `80:30080/TCP`, comma-joined; `<none>` when there are none. */
export function servicePorts(ports: unknown): string {
  const parts = arr(ports).map(rec).map((p) => {
    const protocol = str(p.protocol) === '' ? 'TCP' : str(p.protocol);
    return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${protocol}` : `${int(p.port)}/${protocol}`;
  });
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR]. */
export const serviceTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells: (o, now) => {
    const spec = rec(o.spec);
    const clusterIPs = arr(spec.clusterIPs).map(str);
    const clusterIP = clusterIPs[0] ?? (str(spec.clusterIP) === '' ? '<none>' : str(spec.clusterIP));
    return [name(o), str(spec.type), clusterIP, serviceExternalIP(o), servicePorts(spec.ports), age(o, now), formatLabels(spec.selector)];
  },
};

/** formatEndpoints: up to three `ip:port` entries, then `+ N more...`; `<none>` without subsets. */
function formatEndpoints(o: KubeObject): string {
  const subsets = arr(o.subsets).map(rec);
  if (subsets.length === 0) {
    return '<none>';
  }
  const list: string[] = [];
  const max = 3;
  let more = false;
  let total = 0;
  for (const ss of subsets) {
    const addresses = arr(ss.addresses).map(rec);
    const ports = arr(ss.ports).map(rec);
    const rounds = ports.length === 0 ? [undefined] : ports;
    for (const port of rounds) {
      total += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(port === undefined ? str(addr.ip) : joinHostPort(str(addr.ip), String(int(port.port))));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${total - max} more...` : ret;
}

/** endpoints: NAME ENDPOINTS AGE. */
export const endpointsTable: TableConvertor = {
  columns: [nameColumn, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageColumn],
  cells: (o, now) => [name(o), formatEndpoints(o), age(o, now)],
};

/** Node roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>` labels, sorted. */
function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') {
        roles.add(role);
      }
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(o: KubeObject, type: string): string {
  const a = arr(get(o, 'status.addresses')).map(rec).find((x) => x.type === type);
  return a === undefined ? '<none>' : str(a.address);
}

/** nodes: NAME STATUS ROLES AGE VERSION [INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME]. */
export const nodeTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells: (o, now) => {
    const ready = arr(get(o, 'status.conditions')).map(rec).find((c) => c.type === 'Ready');
    const status: string[] = [];
    if (ready !== undefined) {
      status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    } else {
      status.push('Unknown');
    }
    if (get(o, 'spec.unschedulable') === true) {
      status.push('SchedulingDisabled');
    }
    const info = rec(get(o, 'status.nodeInfo'));
    const orUnknown = (s: string): string => (s === '' ? '<unknown>' : s);
    return [
      name(o), status.join(','), nodeRoles(o), age(o, now), str(info.kubeletVersion),
      nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'), orUnknown(str(info.osImage)), orUnknown(str(info.kernelVersion)), orUnknown(str(info.containerRuntimeVersion)),
    ];
  },
};

interface EventView {
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: Record<string, unknown> | undefined;
  kind: string;
  objectName: string;
  fieldPath: string;
  component: string;
  host: string;
  reportingController: string;
  reportingInstance: string;
  type: string;
  reason: string;
  message: string;
}

/** Event cells (wide: LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME). */
function eventCells(o: KubeObject, e: EventView, now: Date): unknown[] {
  let first = since(e.firstTimestamp, now);
  if (first === '<unknown>') {
    first = since(e.eventTime, now);
  }
  let last = since(e.lastTimestamp, now);
  if (last === '<unknown>') {
    last = first;
  }
  let n = e.count;
  if (e.series !== undefined) {
    last = since(e.series.lastObservedTime, now);
    n = int(e.series.count);
  } else if (n === 0) {
    n = 1;
  }
  const target = e.objectName !== '' ? `${e.kind.toLowerCase()}/${e.objectName}` : e.kind.toLowerCase();
  const component = e.component !== '' ? e.component : e.reportingController;
  const host = e.host !== '' ? e.host : e.reportingInstance;
  const source = host === '' ? component : `${component}, ${host}`;
  return [last, e.type, e.reason, target, e.fieldPath, source, e.message.trim(), first, n, name(o)];
}

const eventColumns = [
  col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'string', 'The object that this event is about.'),
  col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 1),
  col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  col('Count', 'string', 'The number of times this event has occurred.', 1),
  { ...nameColumn, priority: 1 },
];

/** core/v1 events. */
export const eventTable: TableConvertor = {
  columns: eventColumns,
  cells: (o, now) => {
    const series = get(o, 'series');
    return eventCells(o, {
      firstTimestamp: o.firstTimestamp, lastTimestamp: o.lastTimestamp, eventTime: o.eventTime, count: int(o.count),
      series: series === undefined || series === null ? undefined : rec(series),
      kind: str(get(o, 'involvedObject.kind')), objectName: str(get(o, 'involvedObject.name')), fieldPath: str(get(o, 'involvedObject.fieldPath')),
      component: str(get(o, 'source.component')), host: str(get(o, 'source.host')),
      reportingController: str(o.reportingComponent), reportingInstance: str(o.reportingInstance),
      type: str(o.type), reason: str(o.reason), message: str(o.message),
    }, now);
  },
};

/** events.k8s.io/v1 events: the same printer over the new field names (core-shaped objects print as core events). */
export const eventsV1Table: TableConvertor = {
  columns: eventColumns,
  cells: (o, now) => {
    if (o.regarding === undefined && o.involvedObject !== undefined) {
      return eventTable.cells(o, now);
    }
    const series = get(o, 'series');
    return eventCells(o, {
      firstTimestamp: o.deprecatedFirstTimestamp, lastTimestamp: o.deprecatedLastTimestamp, eventTime: o.eventTime, count: int(o.deprecatedCount),
      series: series === undefined || series === null ? undefined : rec(series),
      kind: str(get(o, 'regarding.kind')), objectName: str(get(o, 'regarding.name')), fieldPath: str(get(o, 'regarding.fieldPath')),
      component: str(get(o, 'deprecatedSource.component')), host: str(get(o, 'deprecatedSource.host')),
      reportingController: str(o.reportingController), reportingInstance: str(o.reportingInstance),
      type: str(o.type), reason: str(o.reason), message: str(o.note),
    }, now);
  },
};

/** namespaces: NAME STATUS AGE. */
export const namespaceTable: TableConvertor = {
  columns: [nameColumn, col('Status', 'string', 'The status of the namespace'), ageColumn],
  cells: (o, now) => [name(o), str(get(o, 'status.phase')), age(o, now)],
};

/** secrets: NAME TYPE DATA AGE. */
export const secretTable: TableConvertor = {
  columns: [nameColumn, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), ageColumn],
  cells: (o, now) => [name(o), str(o.type), count(o.data), age(o, now)],
};

/** configmaps: NAME DATA AGE (data and binaryData keys together). */
export const configMapTable: TableConvertor = {
  columns: [nameColumn, col('Data', 'string', 'Data contains the configuration data.'), ageColumn],
  cells: (o, now) => [name(o), count(o.data) + count(o.binaryData), age(o, now)],
};

/** serviceaccounts: NAME SECRETS AGE. */
export const serviceAccountTable: TableConvertor = {
  columns: [nameColumn, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
  cells: (o, now) => [name(o), arr(o.secrets).length, age(o, now)],
};

/** The storage class of a PV/PVC: the beta annotation wins over spec.storageClassName. */
function storageClassOf(o: KubeObject): string {
  const ann = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return ann ?? str(get(o, 'spec.storageClassName'));
}

function orUnset(v: unknown): string {
  return typeof v === 'string' ? v : '<unset>';
}

/** persistentvolumes: NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE [VOLUMEMODE]. */
export const persistentVolumeTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells: (o, now) => {
    const claimRef = get(o, 'spec.claimRef');
    const claim = claimRef === undefined || claimRef === null ? '' : `${str(get(claimRef, 'namespace'))}/${str(get(claimRef, 'name'))}`;
    const phase = isDeleting(o) ? 'Terminating' : str(get(o, 'status.phase'));
    return [
      name(o), quantity(get(o, 'spec.capacity.storage')), accessModes(get(o, 'spec.accessModes')), str(get(o, 'spec.persistentVolumeReclaimPolicy')), phase, claim,
      storageClassOf(o), orUnset(get(o, 'spec.volumeAttributesClassName')), str(get(o, 'status.reason')), age(o, now), orUnset(get(o, 'spec.volumeMode')),
    ];
  },
};

/** persistentvolumeclaims: NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE [VOLUMEMODE]. */
export const persistentVolumeClaimTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells: (o, now) => {
    const volumeName = str(get(o, 'spec.volumeName'));
    const bound = volumeName !== '';
    const phase = isDeleting(o) ? 'Terminating' : str(get(o, 'status.phase'));
    return [
      name(o), phase, volumeName, bound ? quantity(get(o, 'status.capacity.storage')) : '', bound ? accessModes(get(o, 'status.accessModes')) : '',
      storageClassOf(o), orUnset(get(o, 'spec.volumeAttributesClassName')), age(o, now), orUnset(get(o, 'spec.volumeMode')),
    ];
  },
};

/** resourcequotas: NAME REQUEST LIMIT AGE, each `resource: used/hard` sorted by resource name. */
export const resourceQuotaTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const hard = rec(get(o, 'status.hard'));
    const used = rec(get(o, 'status.used'));
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const target = r.split('.').length > 1 && r.split('.')[0] === 'limits' ? limits : requests;
      target.push(`${r}: ${quantity(used[r])}/${quantity(hard[r])}`);
    }
    return [name(o), requests.join(', '), limits.join(', '), age(o, now)];
  },
};
