/** Pod, PodSpec and PodTemplateSpec validation (core validation.go), plus pod update rules. */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { validateAffinity, validateTopologySpreadConstraints } from './affinity.ts';
import { validateContainers } from './container.ts';
import { asArr, asObj, asStr, child, deepEqual, duplicate, forbidden, index, invalid, isInt, notSupported, required } from './field.ts';
import type { Obj } from './field.ts';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';
import { validateAnnotations, validateLabels } from './objectmeta.ts';
import { validateVolumes } from './volumes.ts';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** ValidateTolerations. */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(tolerations).forEach((raw, i) => {
    const t = asObj(raw) ?? {};
    const p = index(path, i);
    const k = asStr(t.key);
    const operator = asStr(t.operator);
    const effect = asStr(t.effect);
    const value = asStr(t.value);
    if (k !== '') {
      errs.push(...isQualifiedName(k).map((m) => invalid(child(p, 'key'), k, m)));
    }
    if (k === '' && operator !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) {
        errs.push(invalid(child(p, 'operator'), value, msgs.join(';')));
      }
    } else if (operator === 'Exists') {
      if (value !== '') {
        errs.push(invalid(child(p, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs.push(notSupported(child(p, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !taintEffects.includes(effect)) {
      errs.push(notSupported(child(p, 'effect'), effect, taintEffects));
    }
  });
  return errs;
}

/** Host ports must be unique per (hostIP, protocol, port) across all of the pod's containers. */
function validateUniqueHostPorts(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const list of ['initContainers', 'containers']) {
    asArr(spec[list]).forEach((c, i) => {
      asArr(asObj(c)?.ports).forEach((raw, j) => {
        const port = asObj(raw) ?? {};
        if (!isInt(port.hostPort) || port.hostPort === 0) {
          return;
        }
        const id = `${asStr(port.hostIP)}/${asStr(port.protocol)}/${port.hostPort}`;
        if (seen.has(id)) {
          errs.push(duplicate(child(index(child(index(child(path, list), i), 'ports'), j), 'hostPort'), id));
        }
        seen.add(id);
      });
    });
  }
  return errs;
}

/** ValidatePodSpec: containers, volumes, policies, names, tolerations. */
export function validatePodSpec(spec: Obj | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const vols = validateVolumes(s.volumes, child(path, 'volumes'));
  errs.push(...vols.errs);
  const ctx = { volumes: vols.names, hostNetwork: s.hostNetwork === true, names: new Set<string>() };
  const containers = asArr(s.containers);
  errs.push(...validateContainers(s.initContainers, child(path, 'initContainers'), ctx, true));
  if (containers.length === 0) {
    errs.push(required(child(path, 'containers'), ''));
  } else {
    errs.push(...validateContainers(containers, child(path, 'containers'), ctx, false));
  }
  const restartPolicy = asStr(s.restartPolicy);
  if (restartPolicy === '') {
    errs.push(required(child(path, 'restartPolicy'), ''));
  } else if (!restartPolicies.includes(restartPolicy)) {
    errs.push(notSupported(child(path, 'restartPolicy'), restartPolicy, restartPolicies));
  }
  const dnsPolicy = asStr(s.dnsPolicy);
  if (dnsPolicy === '') {
    errs.push(required(child(path, 'dnsPolicy'), ''));
  } else if (!dnsPolicies.includes(dnsPolicy)) {
    errs.push(notSupported(child(path, 'dnsPolicy'), dnsPolicy, dnsPolicies));
  } else if (dnsPolicy === 'None' && asObj(s.dnsConfig) === undefined) {
    errs.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  for (const f of ['serviceAccountName', 'nodeName']) {
    const v = asStr(s[f]);
    if (v !== '') {
      errs.push(...isDNS1123Subdomain(v).map((m) => invalid(child(path, f), v, m)));
    }
  }
  for (const f of ['hostname', 'subdomain']) {
    const v = asStr(s[f]);
    if (v !== '') {
      errs.push(...isDNS1123Label(v).map((m) => invalid(child(path, f), v, m)));
    }
  }
  if (isInt(s.activeDeadlineSeconds) && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2147483647)) {
    errs.push(invalid(child(path, 'activeDeadlineSeconds'), s.activeDeadlineSeconds, inclusiveRangeError(1, 2147483647)));
  }
  errs.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  errs.push(...validateAffinity(s.affinity, child(path, 'affinity')));
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  const priorityClassName = asStr(s.priorityClassName);
  if (priorityClassName !== '') {
    errs.push(...isDNS1123Subdomain(priorityClassName).map((m) => invalid(child(path, 'priorityClassName'), priorityClassName, m)));
  }
  errs.push(...validateUniqueHostPorts(s, path));
  const sc = asObj(s.securityContext);
  for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    const v = sc?.[f];
    if (isInt(v) && (v < 0 || v > 2147483647)) {
      errs.push(invalid(child(path, 'securityContext', f), v, inclusiveRangeError(0, 2147483647)));
    }
  }
  const preemption = s.preemptionPolicy;
  if (typeof preemption === 'string' && preemption !== 'PreemptLowerPriority' && preemption !== 'Never') {
    errs.push(notSupported(child(path, 'preemptionPolicy'), preemption, ['Never', 'PreemptLowerPriority']));
  }
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations and its pod spec. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = asObj(template);
  if (t === undefined) {
    return [required(path, '')];
  }
  const meta = asObj(t.metadata) ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, child(path, 'metadata', 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'metadata', 'annotations')));
  errs.push(...validatePodSpec(asObj(t.spec), child(path, 'spec')));
  return errs;
}

/** The fields a pod update may change, in upstream's message. */
export const podUpdatableFieldsMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function withImagesFrom(list: unknown, from: unknown): unknown {
  const oldList = asArr(from);
  return asArr(list).map((c, i) => {
    const o = asObj(c);
    const old = asObj(oldList[i]);
    return o !== undefined && old !== undefined ? { ...o, image: old.image } : c;
  });
}

/** The differing top-level spec fields, as a short diff after upstream's message. */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (!deepEqual(oldSpec[k], newSpec[k])) {
      lines.push(`- ${k}: ${JSON.stringify(oldSpec[k] ?? null)}`, `+ ${k}: ${JSON.stringify(newSpec[k] ?? null)}`);
    }
  }
  return `  core.PodSpec{\n${lines.map((l) => `  ${l}`).join('\n')}\n  }\n`;
}

/** Container lists may not grow or shrink, and images stay required (ValidateContainerUpdates). */
function validateContainerUpdates(list: unknown, oldList: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const now = asArr(list);
  if (now.length !== asArr(oldList).length) {
    return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  }
  const errs: FieldError[] = [];
  now.forEach((c, i) => {
    const image = asStr(asObj(c)?.image);
    if (image === '') {
      errs.push(required(child(index(path, i), 'image'), ''));
    }
  });
  return { errs, stop: false };
}

/** Existing tolerations must stay (only tolerationSeconds may change); new ones may be added. */
function validateOnlyAddedTolerations(now: unknown[], before: unknown[]): FieldError[] {
  for (const old of before) {
    const found = now.some((t) => deepEqual({ ...(asObj(old) ?? {}), tolerationSeconds: undefined }, { ...(asObj(t) ?? {}), tolerationSeconds: undefined }));
    if (!found) {
      return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
    }
  }
  return [];
}

/** ValidatePodUpdate's spec rules (metadata is checked separately). */
export function validatePodSpecUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(pod.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  for (const list of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(spec[list], oldSpec[list], child('spec', list));
    errs.push(...r.errs);
    if (r.stop) {
      return errs;
    }
  }
  const newDeadline = spec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (isInt(newDeadline)) {
    if (isInt(oldDeadline) && newDeadline > oldDeadline) {
      errs.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (isInt(oldDeadline)) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(asArr(spec.tolerations), asArr(oldSpec.tolerations)));
  const oldGates = asArr(oldSpec.schedulingGates).map((g) => asStr(asObj(g)?.name));
  for (const g of asArr(spec.schedulingGates)) {
    const name = asStr(asObj(g)?.name);
    if (!oldGates.includes(name)) {
      errs.push(forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${name}'`));
    }
  }
  if (deepEqual(spec, oldSpec)) {
    return errs;
  }
  const munged: Obj = { ...spec };
  munged.containers = withImagesFrom(spec.containers, oldSpec.containers);
  if (spec.initContainers !== undefined) {
    munged.initContainers = withImagesFrom(spec.initContainers, oldSpec.initContainers);
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (isInt(oldGrace) && oldGrace < 0 && spec.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  // Gated pods may gain nodeSelector entries and node affinity while they wait.
  if (oldGates.length > 0) {
    munged.nodeSelector = oldSpec.nodeSelector;
    const affinity = asObj(munged.affinity);
    if (affinity !== undefined) {
      munged.affinity = { ...affinity, nodeAffinity: asObj(oldSpec.affinity)?.nodeAffinity };
    }
  }
  for (const k of Object.keys(munged)) {
    if (munged[k] === undefined) {
      delete munged[k];
    }
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden('spec', `${podUpdatableFieldsMessage}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

/** Pod on create or update. */
export function validatePod(pod: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs = validatePodSpec(asObj(pod.spec), 'spec');
  if (old !== undefined) {
    errs.push(...validatePodSpecUpdate(pod, old));
  }
  return errs;
}

/** PodTemplate (core/v1 kind). */
export function validatePodTemplate(pt: KubeObject): FieldError[] {
  return validatePodTemplateSpec(pt.template, 'template');
}
