/** StorageClass, PriorityClass, ResourceQuota, LimitRange, Endpoints, EndpointSlice validation. */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { asArr, asObj, asStr, child, deepEqual, forbidden, index, invalid, isInt, key, notSupported, required, tooMany } from './field.ts';
import { isDNS1123Label, isQualifiedName, isValidPortNum } from './names.ts';
import { quantityAt, validateResourceQuantityValue } from './resources.ts';

/** storage.k8s.io StorageClass: provisioner, policies; parameters/provisioner/reclaimPolicy/bindingMode fixed. */
export function validateStorageClass(sc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = asStr(sc.provisioner);
  if (provisioner === '') {
    errs.push(required('provisioner', ''));
  } else {
    errs.push(...isQualifiedName(provisioner.toLowerCase()).map((m) => invalid('provisioner', provisioner, m)));
  }
  const reclaim = sc.reclaimPolicy;
  if (reclaim != null && reclaim !== 'Delete' && reclaim !== 'Retain') {
    errs.push(notSupported('reclaimPolicy', reclaim, ['Delete', 'Retain']));
  }
  const mode = sc.volumeBindingMode;
  if (mode != null && mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') {
    errs.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  }
  if (old !== undefined) {
    if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) {
      errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    }
    if (provisioner !== asStr(old.provisioner)) {
      errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    }
    if ((sc.reclaimPolicy ?? 'Delete') !== (old.reclaimPolicy ?? 'Delete')) {
      errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    }
    if ((sc.volumeBindingMode ?? 'Immediate') !== (old.volumeBindingMode ?? 'Immediate')) {
      errs.push(forbidden('volumeBindingMode', 'field is immutable'));
    }
  }
  return errs;
}

const highestUserDefinablePriority = 1000000000;

/** scheduling.k8s.io PriorityClass: value range, reserved names, value immutable. */
export function validatePriorityClass(pc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(pc.metadata?.name);
  const systemNames = ['system-node-critical', 'system-cluster-critical'];
  if (systemNames.includes(name)) {
    // The built-in classes carry their fixed high values.
  } else if (name.startsWith('system-')) {
    errs.push(forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
  } else if (isInt(pc.value) && pc.value > highestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  const policy = pc.preemptionPolicy;
  if (policy != null && policy !== 'PreemptLowerPriority' && policy !== 'Never') {
    errs.push(notSupported('preemptionPolicy', policy, ['Never', 'PreemptLowerPriority']));
  }
  if (old !== undefined) {
    if (pc.value !== old.value) {
      errs.push(forbidden('value', 'may not be changed in an update.'));
    }
    if ((pc.preemptionPolicy ?? 'PreemptLowerPriority') !== (old.preemptionPolicy ?? 'PreemptLowerPriority')) {
      errs.push(invalid('preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
    }
  }
  return errs;
}

/** core/v1 ResourceQuota: hard/used quantities non-negative. */
export function validateResourceQuota(rq: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const [section, obj] of [['spec.hard', asObj(rq.spec)?.hard], ['status.hard', asObj(rq.status)?.hard], ['status.used', asObj(rq.status)?.used]] as const) {
    for (const [name, raw] of Object.entries(asObj(obj) ?? {})) {
      const p = key(section, name);
      errs.push(...isQualifiedName(name).map((m) => invalid(p, name, m)));
      const q = quantityAt(raw, p, errs);
      if (q !== undefined) {
        errs.push(...validateResourceQuantityValue(name, q, p));
      }
    }
  }
  const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];
  asArr(asObj(rq.spec)?.scopes).forEach((s, i) => {
    if (!scopes.includes(asStr(s))) {
      errs.push(notSupported(index('spec.scopes', i), s, scopes));
    }
  });
  return errs;
}

/** core/v1 LimitRange: supported types and parseable quantities. */
export function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['Container', 'PersistentVolumeClaim', 'Pod'];
  asArr(asObj(lr.spec)?.limits).forEach((raw, i) => {
    const item = asObj(raw) ?? {};
    const p = index('spec.limits', i);
    const type = asStr(item.type);
    if (type === '') {
      errs.push(required(child(p, 'type'), ''));
    } else if (!types.includes(type)) {
      errs.push(notSupported(child(p, 'type'), type, types));
    }
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      for (const [name, v] of Object.entries(asObj(item[f]) ?? {})) {
        const q = quantityAt(v, key(child(p, f), name), errs);
        if (q !== undefined) {
          errs.push(...validateResourceQuantityValue(name, q, key(child(p, f), name)));
        }
      }
    }
    if (type === 'Pod' && (item.default != null || item.defaultRequest != null)) {
      errs.push(forbidden(child(p, item.default != null ? 'default' : 'defaultRequest'), 'may not be specified when `type` is \'Pod\''));
    }
  });
  return errs;
}

function validateEndpointPorts(ports: unknown, path: string, requireName: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArr(ports).forEach((raw, i) => {
    const port = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(port.name);
    if (requireName && name === '') {
      errs.push(required(child(p, 'name'), ''));
    } else if (name !== '') {
      errs.push(...isDNS1123Label(name).map((m) => invalid(child(p, 'name'), name, m)));
    }
    const num = port.port;
    if (typeof num === 'number') {
      errs.push(...isValidPortNum(num).map((m) => invalid(child(p, 'port'), num, m)));
    }
    const protocol = port.protocol;
    if (protocol != null && !['SCTP', 'TCP', 'UDP'].includes(asStr(protocol))) {
      errs.push(notSupported(child(p, 'protocol'), protocol, ['SCTP', 'TCP', 'UDP']));
    }
  });
  return errs;
}

/** core/v1 Endpoints: addresses are IPs, ports are valid. */
export function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  asArr(ep.subsets).forEach((raw, i) => {
    const subset = asObj(raw) ?? {};
    const p = index('subsets', i);
    for (const f of ['addresses', 'notReadyAddresses']) {
      asArr(subset[f]).forEach((a, j) => {
        const ip = asStr(asObj(a)?.ip);
        if (isIP(ip) === 0) {
          errs.push(invalid(child(index(child(p, f), j), 'ip'), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
        }
      });
    }
    const ports = asArr(subset.ports);
    errs.push(...validateEndpointPorts(ports, child(p, 'ports'), ports.length > 1));
  });
  return errs;
}

/** discovery.k8s.io/v1 EndpointSlice: addressType, 1-100 addresses per endpoint, ports. */
export function validateEndpointSlice(es: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = asStr(es.addressType);
  const types = ['FQDN', 'IPv4', 'IPv6'];
  if (!types.includes(addressType)) {
    errs.push(notSupported('addressType', addressType, types));
  }
  asArr(es.endpoints).forEach((raw, i) => {
    const p = index('endpoints', i);
    const addresses = asArr(asObj(raw)?.addresses);
    if (addresses.length === 0) {
      errs.push(required(child(p, 'addresses'), 'must contain at least 1 address'));
    } else if (addresses.length > 100) {
      errs.push(tooMany(child(p, 'addresses'), addresses.length, 100));
    }
    addresses.forEach((a, j) => {
      const addr = asStr(a);
      const ap = index(child(p, 'addresses'), j);
      if (addressType === 'IPv4' && isIP(addr) !== 4) {
        errs.push(invalid(ap, addr, 'must be a valid IPv4 address'));
      } else if (addressType === 'IPv6' && isIP(addr) !== 6) {
        errs.push(invalid(ap, addr, 'must be a valid IPv6 address'));
      }
    });
  });
  errs.push(...validateEndpointPorts(es.ports, 'ports', false));
  if (old !== undefined && addressType !== asStr(old.addressType)) {
    errs.push(invalid('addressType', addressType, 'field is immutable'));
  }
  return errs;
}

/** autoscaling/v1 Scale (the /scale subresource): replicas may not be negative. */
export function validateScale(scale: KubeObject): FieldError[] {
  const replicas = asObj(scale.spec)?.replicas;
  return isInt(replicas) && replicas < 0 ? [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')] : [];
}

/** core/v1 Binding (pods/binding): the target must be a named Node. */
export function validateBinding(binding: KubeObject): FieldError[] {
  const target = asObj(binding.target) ?? {};
  const errs: FieldError[] = [];
  const kind = asStr(target.kind);
  if (kind !== '' && kind !== 'Node') {
    errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  }
  if (asStr(target.name) === '') {
    errs.push(required('target.name', ''));
  }
  return errs;
}
