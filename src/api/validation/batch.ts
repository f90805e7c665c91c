/** batch/v1 validation: Job and CronJob (pkg/apis/batch/validation). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { nonNegative } from './container.ts';
import { asObj, asStr, child, goLabelSelector, goStringMap, immutable, invalid, isInt, key, notSupported, rendered, required } from './field.ts';
import type { Obj } from './field.ts';
import { CronParseError, isKnownTimeZone, parseCronSchedule } from './cron.ts';
import { selectorMatches, validateLabelSelector } from './labelselector.ts';
import { validateAnnotations, validateLabels } from './objectmeta.ts';
import { validatePodTemplateSpec } from './pod.ts';

const maxParallelismForIndexedJob = 100000;

/** Rules shared by Jobs and CronJob job templates (validateJobSpec). */
function validateJobSpecCommon(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[f], child(path, f)));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      errs.push(notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    }
    if (mode === 'Indexed') {
      if (spec.completions == null) {
        errs.push(required(child(path, 'completions'), 'when completion mode is Indexed'));
      }
      if (isInt(spec.parallelism) && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(invalid(child(path, 'parallelism'), spec.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  const prp = spec.podReplacementPolicy;
  if (prp != null && prp !== 'TerminatingOrFailed' && prp !== 'Failed') {
    errs.push(notSupported(child(path, 'podReplacementPolicy'), prp, ['TerminatingOrFailed', 'Failed']));
  }
  const templatePath = child(path, 'template');
  errs.push(...validatePodTemplateSpec(spec.template, templatePath));
  const restartPolicy = asStr(asObj(asObj(spec.template)?.spec)?.restartPolicy);
  if (asObj(spec.template) !== undefined && restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(notSupported(child(templatePath, 'spec', 'restartPolicy'), restartPolicy, ['OnFailure', 'Never']));
  }
  return errs;
}

function hasLabel(labels: Record<string, unknown>, name: string, expected: string, path: string): FieldError[] {
  const p = key(child(path, 'labels'), name);
  if (!(name in labels)) {
    return [required(p, `must be '${expected}'`)];
  }
  return labels[name] === expected ? [] : [invalid(p, rendered(goStringMap(labels)), `must be '${expected}'`)];
}

/** validateGeneratedSelector: the template labels and selector the Job strategy generated. */
function validateGeneratedSelector(job: KubeObject, spec: Obj): FieldError[] {
  const uid = asStr(job.metadata?.uid);
  const name = asStr(job.metadata?.name);
  const labels = asObj(asObj(asObj(spec.template)?.metadata)?.labels);
  if (spec.manualSelector === true || spec.selector == null) {
    return [];
  }
  const errs: FieldError[] = [];
  if (uid === '') {
    // An empty uid would make the generated selector `controller-uid=`.
    errs.push(required('metadata.uid', ''));
  }
  if (labels === undefined) {
    return errs;
  }
  const mp = 'spec.template.metadata';
  errs.push(
    ...hasLabel(labels, 'controller-uid', uid, mp),
    ...hasLabel(labels, 'job-name', name, mp),
    ...hasLabel(labels, 'batch.kubernetes.io/controller-uid', uid, mp),
    ...hasLabel(labels, 'batch.kubernetes.io/job-name', name, mp),
  );
  const expected = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  if (!selectorMatches(spec.selector, expected)) {
    errs.push(invalid('spec.selector', rendered(goLabelSelector(spec.selector)), '`selector` not auto-generated'));
  }
  return errs;
}

/** Job on create and update (ValidateJob, ValidateJobSpecUpdate). */
export function validateJob(job: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(job.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateGeneratedSelector(job, spec));
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  const selector = asObj(spec.selector);
  if (selector === undefined) {
    errs.push(required('spec.selector', ''));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
  }
  const labels = asObj(asObj(asObj(spec.template)?.metadata)?.labels);
  if (!selectorMatches(selector, labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels ?? rendered('map[string]string(nil)'), '`selector` does not match template `labels`'));
  }
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    errs.push(...immutable('spec.selector', spec.selector ?? null, oldSpec.selector ?? null, rendered(goLabelSelector(spec.selector))));
    errs.push(...immutable('spec.completionMode', spec.completionMode ?? null, oldSpec.completionMode ?? null));
    // Completions may only change together with parallelism for elastic Indexed Jobs.
    if (!(spec.completionMode === 'Indexed' && spec.completions === spec.parallelism)) {
      errs.push(...immutable('spec.completions', spec.completions ?? null, oldSpec.completions ?? null));
    }
    // The pod template is immutable, except scheduling directives of a suspended Job that never started.
    const template = asObj(spec.template) ?? {};
    const oldTemplate = asObj(oldSpec.template) ?? {};
    const mutableWhileSuspended = ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'];
    const strip = (t: Obj): Obj => {
      const podSpec = { ...(asObj(t.spec) ?? {}) };
      if (oldSpec.suspend === true) {
        for (const f of mutableWhileSuspended) {
          delete podSpec[f];
        }
      }
      return { ...t, spec: podSpec };
    };
    errs.push(...immutable('spec.template', strip(template), strip(oldTemplate), rendered('core.PodTemplateSpec{...}')));
  }
  return errs;
}

/** CronJob on create and update (ValidateCronJobCreate/Update). */
export function validateCronJob(cj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(cj.metadata?.name);
  if (name.length > 52) {
    errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  }
  const spec = asObj(cj.spec) ?? {};
  const schedule = asStr(spec.schedule);
  const timeZone = spec.timeZone;
  if (schedule === '') {
    errs.push(required('spec.schedule', ''));
  } else {
    try {
      parseCronSchedule(schedule);
    } catch (e) {
      errs.push(invalid('spec.schedule', schedule, e instanceof CronParseError ? e.message : String(e)));
    }
    // TZ in the schedule is only tolerated on objects that already had it.
    const allowTZ = old !== undefined && asStr(asObj(old.spec)?.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && timeZone != null) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  if (typeof timeZone === 'string') {
    if (timeZone === '') {
      errs.push(invalid('spec.timeZone', timeZone, 'timeZone must be nil or non-empty string'));
    } else if (!isKnownTimeZone(timeZone)) {
      errs.push(invalid('spec.timeZone', timeZone, `unknown time zone ${timeZone}`));
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  const cp = asStr(spec.concurrencyPolicy);
  if (cp === '') {
    errs.push(required('spec.concurrencyPolicy', ''));
  } else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) {
    errs.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  }
  const jobTemplate = asObj(spec.jobTemplate) ?? {};
  const jobSpec = asObj(jobTemplate.spec) ?? {};
  const jobMeta = asObj(jobTemplate.metadata) ?? {};
  errs.push(...validateLabels(jobMeta.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(jobMeta.annotations, 'spec.jobTemplate.metadata.annotations'));
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector != null) {
    errs.push(invalid('spec.jobTemplate.spec.selector', rendered(goLabelSelector(jobSpec.selector)), '`selector` will be auto-generated'));
  }
  if (jobSpec.manualSelector === true) {
    errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  }
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}
