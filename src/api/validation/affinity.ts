/** Pod affinity and node selector terms (validateAffinity in core validation.go). */
import type { FieldError } from '../errors.ts';
import { asArr, asObj, asStr, child, duplicate, forbidden, index, invalid, isInt, notSupported, required } from './field.ts';
import type { Obj } from './field.ts';
import { isQualifiedName } from './names.ts';
import { validateLabelSelector } from './labelselector.ts';

function validateNodeSelectorRequirements(reqs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(reqs).forEach((raw, i) => {
    const r = asObj(raw) ?? {};
    const p = index(path, i);
    const op = asStr(r.operator);
    const values = asArr(r.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else if (op === 'Gt' || op === 'Lt') {
      if (values.length !== 1) {
        errs.push(required(child(p, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      }
    } else {
      errs.push(invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    const k = asStr(r.key);
    errs.push(...isQualifiedName(k).map((m) => invalid(child(p, 'key'), k, m)));
  });
  return errs;
}

function validateNodeSelectorTerm(term: unknown, path: string): FieldError[] {
  const t = asObj(term) ?? {};
  return [...validateNodeSelectorRequirements(t.matchExpressions, child(path, 'matchExpressions')), ...validateNodeSelectorRequirements(t.matchFields, child(path, 'matchFields'))];
}

function validatePodAffinityTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term.labelSelector, child(path, 'labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  const topologyKey = asStr(term.topologyKey);
  if (topologyKey === '') {
    errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  } else {
    errs.push(...isQualifiedName(topologyKey).map((m) => invalid(child(path, 'topologyKey'), topologyKey, m)));
  }
  return errs;
}

function validateWeight(weight: unknown, path: string): FieldError[] {
  return isInt(weight) && (weight < 1 || weight > 100) ? [invalid(path, weight, 'must be in the range 1-100')] : [];
}

/** spec.affinity: node affinity terms, pod (anti-)affinity terms, weights. */
export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  const a = asObj(affinity);
  if (a === undefined) {
    return [];
  }
  const errs: FieldError[] = [];
  const node = asObj(a.nodeAffinity);
  if (node !== undefined) {
    const np = child(path, 'nodeAffinity');
    const requiredTerms = asObj(node.requiredDuringSchedulingIgnoredDuringExecution);
    if (requiredTerms !== undefined) {
      const rp = child(np, 'requiredDuringSchedulingIgnoredDuringExecution');
      const terms = asArr(requiredTerms.nodeSelectorTerms);
      if (terms.length === 0) {
        errs.push(required(child(rp, 'nodeSelectorTerms'), 'must have at least one node selector term'));
      }
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, index(child(rp, 'nodeSelectorTerms'), i))));
    }
    asArr(node.preferredDuringSchedulingIgnoredDuringExecution).forEach((raw, i) => {
      const pref = asObj(raw) ?? {};
      const pp = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...validateWeight(pref.weight, child(pp, 'weight')));
      errs.push(...validateNodeSelectorTerm(pref.preference, child(pp, 'preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pa = asObj(a[kind]);
    if (pa === undefined) {
      continue;
    }
    const kp = child(path, kind);
    asArr(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((raw, i) => {
      errs.push(...validatePodAffinityTerm(asObj(raw) ?? {}, index(child(kp, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
    });
    asArr(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((raw, i) => {
      const w = asObj(raw) ?? {};
      const wp = index(child(kp, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...validateWeight(w.weight, child(wp, 'weight')));
      errs.push(...validatePodAffinityTerm(asObj(w.podAffinityTerm) ?? {}, child(wp, 'podAffinityTerm')));
    });
  }
  return errs;
}

const scheduleActions = ['DoNotSchedule', 'ScheduleAnyway'];

/** spec.topologySpreadConstraints: maxSkew > 0, topologyKey, whenUnsatisfiable, no repeated pairs. */
export function validateTopologySpreadConstraints(constraints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = asArr(constraints).map((c) => asObj(c) ?? {});
  list.forEach((c, i) => {
    const p = index(path, i);
    if (isInt(c.maxSkew) && c.maxSkew <= 0) {
      errs.push(invalid(child(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    }
    const topologyKey = asStr(c.topologyKey);
    if (topologyKey === '') {
      errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    }
    const action = asStr(c.whenUnsatisfiable);
    if (!scheduleActions.includes(action)) {
      errs.push(notSupported(child(p, 'whenUnsatisfiable'), action, scheduleActions));
    }
    if (list.slice(i + 1).some((o) => asStr(o.topologyKey) === topologyKey && asStr(o.whenUnsatisfiable) === action)) {
      errs.push(duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${topologyKey}, ${action}}`));
    }
    if (c.minDomains != null) {
      if (action !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`));
      } else if (isInt(c.minDomains) && c.minDomains <= 0) {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}
