/** apps/v1 and ReplicationController validation (apps validation.go, core RC rules). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { nonNegative } from './container.ts';
import { asObj, asStr, child, deepEqual, forbidden, goLabelSelector, immutable, invalid, isInt, notSupported, rendered, required } from './field.ts';
import type { Obj } from './field.ts';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labelselector.ts';
import { regexError } from './names.ts';
import { validateAnnotations, validateLabels } from './objectmeta.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { validateVolumeClaimTemplates } from './storage.ts';

/** An IntOrString as Go prints it through its String() method. */
function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : asStr(v);
}

/** ValidatePositiveIntOrPercent. */
function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') {
    return /^[0-9]+%$/.test(v) ? [] : [invalid(path, rendered(v), regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
  }
  return nonNegative(v, path);
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  const m = /^([0-9]+)%$/.exec(asStr(v));
  return m === null ? 0 : Number(m[1]);
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && /^[0-9]+%$/.test(v) && intOrPercentValue(v) > 100 ? [invalid(path, rendered(v), 'must not be greater than 100%')] : [];
}

/** Selector required, valid, non-empty, and matching the template's labels; then the template itself. */
function validateSelectorAndTemplate(spec: Obj, kindWord: string, path: string, requireSelector = true): FieldError[] {
  const templateErrors = kindWord === 'statefulset' ? statefulSetTemplateMeta : validatePodTemplateSpec;
  const errs: FieldError[] = [];
  const selector = asObj(spec.selector);
  const templatePath = child(path, 'template');
  if (selector === undefined) {
    // DaemonSets only report the template mismatch below (upstream has no Required there).
    if (requireSelector) {
      errs.push(required(child(path, 'selector'), ''));
    }
  } else {
    errs.push(...validateLabelSelector(selector, child(path, 'selector')));
    if (isEmptySelector(selector)) {
      errs.push(invalid(child(path, 'selector'), rendered(goLabelSelector(selector)), `empty selector is invalid for ${kindWord}`));
    }
  }
  const template = asObj(spec.template);
  if (template === undefined) {
    errs.push(required(templatePath, ''));
    return errs;
  }
  const labels = asObj(template.metadata)?.labels;
  // A missing selector selects nothing, so upstream reports the mismatch as well.
  if ((selector === undefined || !isEmptySelector(selector)) && !selectorMatches(selector, labels)) {
    errs.push(invalid(child(templatePath, 'metadata', 'labels'), asObj(labels) ?? rendered('map[string]string(nil)'), '`selector` does not match template `labels`'));
  }
  errs.push(...templateErrors(template, templatePath));
  return errs;
}

/**
 * Upstream's ValidatePodTemplateSpecForStatefulSet checks only the template's labels and
 * annotations (at `template.labels` / `template.annotations`): its pod spec is not validated,
 * because volumeMounts may name volumeClaimTemplates that only exist once pods are made.
 */
function statefulSetTemplateMeta(template: Obj, templatePath: string): FieldError[] {
  const meta = asObj(template.metadata) ?? {};
  return [...validateLabels(meta.labels, child(templatePath, 'labels')), ...validateAnnotations(meta.annotations, child(templatePath, 'annotations'))];
}

/** Workload templates must restart Always and have no activeDeadlineSeconds. */
function validateLongRunningTemplate(spec: Obj, kindName: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const podSpec = asObj(asObj(spec.template)?.spec);
  if (podSpec === undefined) {
    return errs;
  }
  const restartPolicy = asStr(podSpec.restartPolicy);
  if (restartPolicy !== '' && restartPolicy !== 'Always') {
    errs.push(notSupported(child(path, 'template', 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  }
  if (podSpec.activeDeadlineSeconds != null) {
    const p = child(path, 'template', 'spec', 'activeDeadlineSeconds');
    errs.push(kindName === 'DaemonSet' ? invalid(p, podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported') : forbidden(p, `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return errs;
}

/** Deployment spec (ValidateDeploymentSpec). */
export function validateDeployment(d: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(d.spec) ?? {};
  const path = 'spec';
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, child(path, 'replicas')));
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', path));
  errs.push(...validateLongRunningTemplate(spec, 'ReplicaSet', path));
  const strategy = asObj(spec.strategy) ?? {};
  const sp = child(path, 'strategy');
  const type = asStr(strategy.type);
  if (type === 'Recreate') {
    if (strategy.rollingUpdate != null) {
      errs.push(forbidden(child(sp, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type === 'RollingUpdate') {
    const ru = asObj(strategy.rollingUpdate);
    if (ru === undefined) {
      errs.push(required(child(sp, 'rollingUpdate'), 'this should be defaulted and never be nil'));
    } else {
      const rp = child(sp, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(child(rp, 'maxUnavailable'), rendered(intOrStringText(ru.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
    }
  } else {
    errs.push(notSupported(sp, rendered(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`), ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative(spec.minReadySeconds, child(path, 'minReadySeconds')));
  errs.push(...nonNegative(spec.revisionHistoryLimit, child(path, 'revisionHistoryLimit')));
  if (isInt(spec.progressDeadlineSeconds)) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, child(path, 'progressDeadlineSeconds')));
    const minReady = isInt(spec.minReadySeconds) ? spec.minReadySeconds : 0;
    if (spec.progressDeadlineSeconds <= minReady) {
      errs.push(invalid(child(path, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  if (old !== undefined) {
    errs.push(...selectorImmutable(d, old));
  }
  return errs;
}

function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = asObj(obj.spec)?.selector;
  const oldSel = asObj(old.spec)?.selector;
  return immutable('spec.selector', sel ?? null, oldSel ?? null, rendered(goLabelSelector(sel)));
}

/** ReplicaSet spec (ValidateReplicaSetSpec; upstream's message really says "deployment"). */
export function validateReplicaSet(rs: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(rs.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateSelectorAndTemplate(spec, 'deployment', 'spec'));
  errs.push(...validateLongRunningTemplate(spec, 'ReplicaSet', 'spec'));
  if (old !== undefined) {
    errs.push(...selectorImmutable(rs, old));
  }
  return errs;
}

const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** StatefulSet spec (ValidateStatefulSetSpec) and its update restrictions. */
export function validateStatefulSet(sts: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(sts.spec) ?? {};
  const errs: FieldError[] = [];
  const pmp = asStr(spec.podManagementPolicy);
  if (pmp === '') {
    errs.push(required('spec.podManagementPolicy', ''));
  } else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = asObj(spec.updateStrategy) ?? {};
  const type = asStr(strategy.type);
  if (type === '') {
    errs.push(required('spec.updateStrategy', ''));
  } else if (type === 'OnDelete') {
    if (strategy.rollingUpdate != null) {
      errs.push(invalid('spec.updateStrategy.rollingUpdate', rendered('apps.RollingUpdateStatefulSetStrategy'), "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (type === 'RollingUpdate') {
    const ru = asObj(strategy.rollingUpdate);
    if (ru !== undefined) {
      errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (ru.maxUnavailable !== undefined) {
        const mp = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, mp));
        if (intOrPercentValue(ru.maxUnavailable) === 0) {
          errs.push(invalid(mp, rendered(intOrStringText(ru.maxUnavailable)), 'cannot be 0'));
        }
        errs.push(...notMoreThan100Percent(ru.maxUnavailable, mp));
      }
    }
  } else {
    errs.push(invalid('spec.updateStrategy', rendered(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}}`), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = asObj(spec.persistentVolumeClaimRetentionPolicy);
  if (retention !== undefined) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = asStr(retention[f]);
      if (v !== 'Retain' && v !== 'Delete') {
        errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
      }
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(asObj(spec.ordinals)?.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, 'statefulset', 'spec'));
  errs.push(...validateLongRunningTemplate(spec, 'StatefulSet', 'spec'));
  errs.push(...validateVolumeClaimTemplates(spec.volumeClaimTemplates, 'spec.volumeClaimTemplates'));
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    const strip = (s: Obj): Obj => Object.fromEntries(Object.entries(s).filter(([k]) => !statefulSetMutable.includes(k)));
    if (!deepEqual(strip(spec), strip(oldSpec))) {
      errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return errs;
}

/** DaemonSet spec (ValidateDaemonSetSpec) and selector immutability. */
export function validateDaemonSet(ds: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(ds.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateSelectorAndTemplate(spec, 'daemonset', 'spec', false));
  errs.push(...validateLongRunningTemplate(spec, 'DaemonSet', 'spec'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const strategy = asObj(spec.updateStrategy) ?? {};
  const type = asStr(strategy.type);
  if (type === 'RollingUpdate') {
    const ru = asObj(strategy.rollingUpdate);
    if (ru === undefined) {
      errs.push(required('spec.updateStrategy.rollingUpdate', ''));
    } else {
      const rp = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${rp}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${rp}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(ru.maxSurge, `${rp}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(invalid(`${rp}.maxSurge`, rendered(intOrStringText(ru.maxSurge)), 'may not be set when maxUnavailable is non-zero'));
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(required(`${rp}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      }
    }
  } else if (type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy', rendered(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`), ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old !== undefined) {
    errs.push(...selectorImmutable(ds, old));
  }
  return errs;
}

/** ReplicationController (core/v1): map selector, replicas, template. */
export function validateReplicationController(rc: KubeObject): FieldError[] {
  const spec = asObj(rc.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selector = asObj(spec.selector) ?? {};
  if (Object.keys(selector).length === 0) {
    errs.push(required('spec.selector', ''));
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const template = asObj(spec.template);
  if (template === undefined) {
    errs.push(required('spec.template', ''));
    return errs;
  }
  const labels = asObj(asObj(template.metadata)?.labels) ?? {};
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  errs.push(...validateLongRunningTemplate(spec, 'ReplicationController', 'spec'));
  return errs;
}
