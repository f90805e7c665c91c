/**
 * Printers for networking, RBAC, storage, scheduling, coordination, discovery, node,
 * certificates and admission-registration resources.
 */
import type { KubeObject } from '../object.ts';
import { age, ageColumn, arr, col, formatLabelSelector, get, humanDuration, int, listWithMore, nameColumn, rec, str } from './format.ts';
import type { TableConvertor } from './types.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';

/** HOSTS of an ingress: up to three hosts, `*` when none. */
function ingressHosts(rules: unknown): string {
  const list: string[] = [];
  const all = arr(rules).map(rec);
  let more = false;
  for (const rule of all) {
    if (list.length === 3) {
      more = true;
    }
    if (!more && str(rule.host) !== '') {
      list.push(str(rule.host));
    }
  }
  if (list.length === 0) {
    return '*';
  }
  return more ? `${list.join(',')} + ${all.length - 3} more...` : list.join(',');
}

/** ingresses: NAME CLASS HOSTS ADDRESS PORTS AGE. */
export const ingressTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: (o, now) => {
    const cls = get(o, 'spec.ingressClassName');
    const addresses = new Set<string>();
    for (const ing of arr(get(o, 'status.loadBalancer.ingress')).map(rec)) {
      if (str(ing.ip) !== '') {
        addresses.add(str(ing.ip));
      } else if (str(ing.hostname) !== '') {
        addresses.add(str(ing.hostname));
      }
    }
    const ports = arr(get(o, 'spec.tls')).length > 0 ? '80, 443' : '80';
    return [name(o), typeof cls === 'string' ? cls : '<none>', ingressHosts(get(o, 'spec.rules')), [...addresses].sort().join(','), ports, age(o, now)];
  },
};

/** ingressclasses: NAME CONTROLLER PARAMETERS AGE. */
export const ingressClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells: (o, now) => {
    const p = get(o, 'spec.parameters');
    let parameters = '<none>';
    if (p !== undefined && p !== null) {
      const group = get(p, 'apiGroup');
      parameters = `${str(get(p, 'kind'))}${typeof group === 'string' ? `.${group}` : ''}/${str(get(p, 'name'))}`;
    }
    return [name(o), str(get(o, 'spec.controller')), parameters, age(o, now)];
  },
};

/** networkpolicies: NAME POD-SELECTOR AGE. */
export const networkPolicyTable: TableConvertor = {
  columns: [nameColumn, col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn],
  cells: (o, now) => [name(o), formatLabelSelector(get(o, 'spec.podSelector') ?? {}), age(o, now)],
};

/** rbac.SubjectsStrings: users, groups and `namespace:name` service accounts. */
function subjects(o: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(o.subjects).map(rec)) {
    if (s.kind === 'User') {
      users.push(str(s.name));
    } else if (s.kind === 'Group') {
      groups.push(str(s.name));
    } else if (s.kind === 'ServiceAccount') {
      sas.push(`${str(s.namespace)}:${str(s.name)}`);
    }
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingTable(what: string): TableConvertor {
  return {
    columns: [
      nameColumn,
      col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageColumn,
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    cells: (o, now) => [name(o), `${str(get(o, 'roleRef.kind'))}/${str(get(o, 'roleRef.name'))}`, age(o, now), ...subjects(o)],
  };
}

/** rolebindings: NAME ROLE AGE [USERS GROUPS SERVICEACCOUNTS]. */
export const roleBindingTable: TableConvertor = bindingTable('roleBinding');
/** clusterrolebindings: NAME ROLE AGE [USERS GROUPS SERVICEACCOUNTS]. */
export const clusterRoleBindingTable: TableConvertor = bindingTable('clusterRoleBinding');

/** The CONDITION of a CSR: Denied / Approved / Pending, then `,Failed` and `,Issued`. */
function csrCondition(o: KubeObject): string {
  const types = new Set(arr(get(o, 'status.conditions')).map((c) => rec(c).type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) {
    status += ',Failed';
  }
  if (str(get(o, 'status.certificate')) !== '') {
    status += ',Issued';
  }
  return status;
}

/** certificatesigningrequests: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION. */
export const csrTable: TableConvertor = {
  columns: [
    nameColumn,
    ageColumn,
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
  ],
  cells: (o, now) => {
    const signer = str(get(o, 'spec.signerName'));
    const exp = get(o, 'spec.expirationSeconds');
    return [name(o), age(o, now), signer === '' ? '<none>' : signer, str(get(o, 'spec.username')), typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>', csrCondition(o)];
  },
};

/** leases: NAME HOLDER AGE. */
export const leaseTable: TableConvertor = {
  columns: [nameColumn, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells: (o, now) => [name(o), str(get(o, 'spec.holderIdentity')), age(o, now)],
};

/** storageclasses: NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE; `(default)` marks the default class. */
export const storageClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const ann = o.metadata.annotations ?? {};
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    const reclaim = o.reclaimPolicy;
    const binding = o.volumeBindingMode;
    return [
      isDefault ? `${name(o)} (default)` : name(o), str(o.provisioner), typeof reclaim === 'string' ? reclaim : 'Delete',
      typeof binding === 'string' ? binding : 'Immediate', o.allowVolumeExpansion === true, age(o, now),
    ];
  },
};

/** priorityclasses: NAME VALUE GLOBAL-DEFAULT AGE [PREEMPTIONPOLICY]. */
export const priorityClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Value', 'integer', 'value represents the integer value of this priority class.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageColumn,
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.', 1),
  ],
  cells: (o, now) => [name(o), int(o.value), o.globalDefault === true, age(o, now), str(o.preemptionPolicy)],
};

/** runtimeclasses: NAME HANDLER AGE. */
export const runtimeClassTable: TableConvertor = {
  columns: [nameColumn, col('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'), ageColumn],
  cells: (o, now) => [name(o), str(o.handler), age(o, now)],
};

/** volumeattachments: NAME ATTACHER PV NODE ATTACHED AGE. */
export const volumeAttachmentTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', 0, 'name'),
    col('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    ageColumn,
  ],
  cells: (o, now) => [name(o), str(get(o, 'spec.attacher')), str(get(o, 'spec.source.persistentVolumeName')), str(get(o, 'spec.nodeName')), get(o, 'status.attached') === true, age(o, now)],
};

/** endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
export const endpointSliceTable: TableConvertor = {
  columns: [
    nameColumn,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const ports = arr(o.ports).map(rec);
    const portList = ports.slice(0, 3).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
    const addresses = arr(o.endpoints).flatMap((e) => arr(rec(e).addresses).map(str));
    return [
      name(o), str(o.addressType), listWithMore(portList, ports.length > 3, ports.length, 3),
      listWithMore(addresses.slice(0, 3), addresses.length > 3, addresses.length, 3), age(o, now),
    ];
  },
};

/** csinodes: NAME DRIVERS AGE. */
export const csiNodeTable: TableConvertor = {
  columns: [nameColumn, col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn],
  cells: (o, now) => [name(o), arr(get(o, 'spec.drivers')).length, age(o, now)],
};

/** csidrivers: NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE. */
export const csiDriverTable: TableConvertor = {
  columns: [
    nameColumn,
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report.'),
    col('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const spec = rec(o.spec);
    const modes = arr(spec.volumeLifecycleModes).map(str).join(',');
    const tokens = spec.tokenRequests === undefined || spec.tokenRequests === null ? '<unset>' : arr(spec.tokenRequests).map((t) => str(rec(t).audience)).join(',');
    return [
      name(o), spec.attachRequired !== false, spec.podInfoOnMount === true, spec.storageCapacity === true, tokens, spec.requiresRepublish === true,
      modes === '' ? '<none>' : modes, age(o, now),
    ];
  },
};

/** mutating/validating webhook configurations: NAME WEBHOOKS AGE. */
export const webhookConfigurationTable: TableConvertor = {
  columns: [nameColumn, col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn],
  cells: (o, now) => [name(o), arr(o.webhooks).length, age(o, now)],
};
