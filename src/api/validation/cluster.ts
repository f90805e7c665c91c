/** Namespace, Node, Event, Lease, PodDisruptionBudget and HPA validation. */
import { isIPv4, isIPv6 } from 'node:net';
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { nonNegative } from './container.ts';
import { asArr, asObj, asStr, duplicate, forbidden, index, invalid, isInt, notSupported, rendered, required } from './field.ts';
import { isQualifiedName, isValidLabelValue, nameIsPathSegment, regexError } from './names.ts';
import { validateLabelSelector } from './labelselector.ts';

/** Namespace spec.finalizers are qualified names (standard `kubernetes` allowed). */
export function validateNamespace(ns: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  asArr(asObj(ns.spec)?.finalizers).forEach((f, i) => {
    const name = asStr(f);
    const msgs = isQualifiedName(name);
    errs.push(...msgs.map((m) => invalid(index('spec.finalizers', i), name, m)));
    if (msgs.length === 0 && !name.includes('/') && name !== 'kubernetes') {
      errs.push(invalid(index('spec.finalizers', i), name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) {
    return false;
  }
  const ip = s.slice(0, slash);
  const bits = Number(s.slice(slash + 1));
  return Number.isInteger(bits) && ((isIPv4(ip) && bits >= 0 && bits <= 32) || (isIPv6(ip) && bits >= 0 && bits <= 128));
}

/** Node: taints, podCIDRs (+ podCIDRs/providerID set-once on update). */
export function validateNode(node: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(node.spec) ?? {};
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArr(spec.taints).forEach((raw, i) => {
    const t = asObj(raw) ?? {};
    const p = index('spec.taints', i);
    const k = asStr(t.key);
    errs.push(...isQualifiedName(k).map((m) => invalid(`${p}.key`, k, m)));
    const v = asStr(t.value);
    const vm = isValidLabelValue(v);
    if (vm.length > 0) {
      errs.push(invalid(`${p}.value`, v, vm.join(';')));
    }
    const effect = asStr(t.effect);
    if (effect === '') {
      errs.push(required(`${p}.effect`, ''));
    } else if (!taintEffects.includes(effect)) {
      errs.push(notSupported(`${p}.effect`, effect, taintEffects));
    }
    const id = `${k}:${effect}`;
    if (seen.has(id)) {
      const d = duplicate(p, rendered(`core.Taint{Key:${JSON.stringify(k)}, Value:${JSON.stringify(v)}, Effect:${JSON.stringify(effect)}, TimeAdded:<nil>}`));
      errs.push({ ...d, message: `${d.message}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  asArr(spec.podCIDRs).forEach((c, i) => {
    if (!isCIDR(asStr(c))) {
      errs.push(invalid(index('spec.podCIDRs', i), asStr(c), 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    }
  });
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    const oldCIDRs = asArr(oldSpec.podCIDRs);
    if (oldCIDRs.length > 0 && JSON.stringify(oldCIDRs) !== JSON.stringify(asArr(spec.podCIDRs))) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (asStr(oldSpec.providerID) !== '' && oldSpec.providerID !== spec.providerID) {
      errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
  }
  return errs;
}

/**
 * Events: legacy (core/v1) rules for everyone — the involved object's namespace must match
 * the event's (an event about a cluster-scoped object lives in "" or "default") — plus the
 * strict events.k8s.io/v1 rules for events created through that API.
 */
export function validateEvent(ev: KubeObject, gvk: GroupVersionKind): FieldError[] {
  const errs: FieldError[] = [];
  const involved = asObj(ev.involvedObject ?? ev.regarding) ?? {};
  const ns = asStr(ev.metadata?.namespace);
  const involvedNs = asStr(involved.namespace);
  const involvedPath = gvk.group === 'events.k8s.io' ? 'regarding.namespace' : 'involvedObject.namespace';
  const eventTime = ev.eventTime;
  if (eventTime == null || eventTime === '') {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      errs.push(invalid(involvedPath, involvedNs, 'does not match event.namespace'));
    }
  }
  if (gvk.group === 'events.k8s.io') {
    if (eventTime == null || eventTime === '') {
      errs.push(required('eventTime', ''));
    }
    const type = asStr(ev.type);
    if (type !== 'Normal' && type !== 'Warning') {
      errs.push(invalid('type', '', `has invalid value: ${type}`));
    }
    for (const f of ['reportingController', 'reportingInstance', 'action', 'reason']) {
      if (asStr(ev[f]) === '') {
        errs.push(required(f, ''));
      }
    }
  }
  return errs;
}

/** coordination.k8s.io Lease. */
export function validateLease(lease: KubeObject): FieldError[] {
  const spec = asObj(lease.spec) ?? {};
  const errs: FieldError[] = [];
  if (isInt(spec.leaseDurationSeconds) && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}

function intOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) {
      return [invalid(path, rendered(v), regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
    }
    return Number(v.slice(0, -1)) > 100 ? [invalid(path, rendered(v), 'must not be greater than 100%')] : [];
  }
  return nonNegative(v, path);
}

/** policy/v1 PodDisruptionBudget. */
export function validatePDB(pdb: KubeObject): FieldError[] {
  const spec = asObj(pdb.spec) ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(invalid('spec', rendered('policy.PodDisruptionBudgetSpec'), 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (spec.minAvailable != null) {
    errs.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'));
  }
  if (spec.maxUnavailable != null) {
    errs.push(...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

/** autoscaling HorizontalPodAutoscaler (v1 and v2 shapes). */
export function validateHPA(hpa: KubeObject): FieldError[] {
  const spec = asObj(hpa.spec) ?? {};
  const errs: FieldError[] = [];
  const ref = asObj(spec.scaleTargetRef) ?? {};
  if (asStr(ref.kind) === '') {
    errs.push(required('spec.scaleTargetRef.kind', ''));
  } else {
    errs.push(...nameIsPathSegment(asStr(ref.kind), false).map((m) => invalid('spec.scaleTargetRef.kind', ref.kind, m)));
  }
  if (asStr(ref.name) === '') {
    errs.push(required('spec.scaleTargetRef.name', ''));
  } else {
    errs.push(...nameIsPathSegment(asStr(ref.name), false).map((m) => invalid('spec.scaleTargetRef.name', ref.name, m)));
  }
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (isInt(min) && min < 1) {
    errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  }
  if (isInt(max) && max < 1) {
    errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  }
  if (isInt(min) && isInt(max) && max < min) {
    errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  const cpu = spec.targetCPUUtilizationPercentage;
  if (isInt(cpu) && cpu < 1) {
    errs.push(invalid('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than 0'));
  }
  asArr(spec.metrics).forEach((raw, i) => {
    const m = asObj(raw) ?? {};
    const types = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
    const type = asStr(m.type);
    if (type === '') {
      errs.push(required(`${index('spec.metrics', i)}.type`, 'must specify a metric source type'));
    } else if (!types.includes(type)) {
      errs.push(notSupported(`${index('spec.metrics', i)}.type`, type, types));
    }
  });
  return errs;
}
