import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { nextCronTime, parseCronSchedule } from './cron.ts';
import { validateObject } from './index.ts';

const msgs = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);
const deployGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };

function make(gvk: GroupVersionKind, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  const o: KubeObject = { metadata: { name: 'w', namespace: 'default', ...meta }, spec };
  applyDefaults(gvk, o);
  return o;
}
const template = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } });

test('a defaulted deployment is valid', () => {
  assert.deepEqual(validateObject(deployGvk, make(deployGvk, { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) })), []);
});

test('deployment replicas, selector mismatch, strategy (kubectl-visible messages)', () => {
  const d = make(deployGvk, { replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'other' }) });
  assert.deepEqual(msgs(validateObject(deployGvk, d)), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  ]);
  const noSel = make(deployGvk, { template: template({ app: 'web' }) });
  assert.deepEqual(msgs(validateObject(deployGvk, noSel)), ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
  const empty = make(deployGvk, { selector: {}, template: template({ app: 'web' }) });
  assert.deepEqual(msgs(validateObject(deployGvk, empty)), ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment']);
  const recreate = make(deployGvk, { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } });
  assert.deepEqual(msgs(validateObject(deployGvk, recreate)), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  const zero = make(deployGvk, { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } });
  assert.deepEqual(msgs(validateObject(deployGvk, zero)), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0']);
  const never = make(deployGvk, { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { restartPolicy: 'Never' }) });
  assert.deepEqual(msgs(validateObject(deployGvk, never)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('deployment selector is immutable', () => {
  const old = make(deployGvk, { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '2' }) }, { resourceVersion: '1' });
  const changed = structuredClone(old);
  (changed.spec as Record<string, unknown>).selector = { matchLabels: { app: 'web', v: '2' } };
  assert.deepEqual(msgs(validateObject(deployGvk, changed, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('statefulset, daemonset, replicaset rules', () => {
  const stsGvk = { group: 'apps', version: 'v1', kind: 'StatefulSet' };
  const sts = make(stsGvk, { podManagementPolicy: 'Random', selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) });
  assert.deepEqual(msgs(validateObject(stsGvk, sts)), [`spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`]);
  // Upstream validates only a StatefulSet template's labels/annotations: mounts may name volumeClaimTemplates.
  const withClaim = make(stsGvk, {
    podManagementPolicy: 'OrderedReady', selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  });
  assert.deepEqual(msgs(validateObject(stsGvk, withClaim)), []);
  const stsOld = make(stsGvk, { serviceName: 'a', selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) }, { resourceVersion: '1' });
  const stsNew = structuredClone(stsOld);
  (stsNew.spec as Record<string, unknown>).serviceName = 'b';
  assert.deepEqual(msgs(validateObject(stsGvk, stsNew, stsOld)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const dsGvk = { group: 'apps', version: 'v1', kind: 'DaemonSet' };
  const ds = make(dsGvk, { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }), updateStrategy: { rollingUpdate: { maxUnavailable: 0 } } });
  assert.deepEqual(msgs(validateObject(dsGvk, ds)), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
  const rsGvk = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
  const rs = make(rsGvk, { selector: { matchExpressions: [{ key: 'a', operator: 'In' }] }, template: template({ a: 'b' }) });
  assert.ok(msgs(validateObject(rsGvk, rs)).includes("spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"));
});

test('jobs: generated selector is valid, restartPolicy must not be Always', () => {
  const jobGvk = { group: 'batch', version: 'v1', kind: 'Job' };
  const job = make(jobGvk, { template: template({}, { restartPolicy: 'Never' }) }, { uid: 'u-1' });
  assert.deepEqual(validateObject(jobGvk, job), []);
  const always = make(jobGvk, { template: template({}) }, { uid: 'u-2' });
  assert.deepEqual(msgs(validateObject(jobGvk, always)), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const manual = make(jobGvk, { manualSelector: true, parallelism: -1, template: template({ a: 'b' }, { restartPolicy: 'Never' }) }, { uid: 'u-3' });
  assert.deepEqual(msgs(validateObject(jobGvk, manual)), ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0', 'spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"a":"b"}: `selector` does not match template `labels`']);
  const wrongSelector = make(jobGvk, { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }, { restartPolicy: 'Never' }) }, { uid: '1a2b3c' });
  assert.ok(msgs(validateObject(jobGvk, wrongSelector)).includes('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b", "batch.kubernetes.io/controller-uid":"1a2b3c"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated'));
  const old = structuredClone(job);
  old.metadata.resourceVersion = '1';
  const updated = structuredClone(old);
  (updated.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image = 'other';
  assert.deepEqual(msgs(validateObject(jobGvk, updated, old)), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
});

test('cronjobs: schedule syntax with robfig messages', () => {
  const cjGvk = { group: 'batch', version: 'v1', kind: 'CronJob' };
  const cj = (schedule: string) => make(cjGvk, { schedule, jobTemplate: { spec: { template: template({}, { restartPolicy: 'OnFailure' }) } } });
  for (const ok of ['*/5 * * * *', '@hourly', '0 0 * * MON-FRI', '@every 1h30m', '0 12 1 jan,jul ?']) {
    assert.deepEqual(validateObject(cjGvk, cj(ok)), [], ok);
  }
  assert.deepEqual(msgs(validateObject(cjGvk, cj('* * *'))), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
  assert.deepEqual(msgs(validateObject(cjGvk, cj('61 * * * *'))), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(msgs(validateObject(cjGvk, cj('@sometimes'))), ['spec.schedule: Invalid value: "@sometimes": unrecognized descriptor: @sometimes']);
  assert.deepEqual(msgs(validateObject(cjGvk, cj('x * * * *'))), ['spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax']);
  assert.deepEqual(msgs(validateObject(cjGvk, cj('TZ=UTC 0 * * * *'))), ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  const tmpl = make(cjGvk, { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }, { restartPolicy: 'Never' }) } } });
  assert.deepEqual(msgs(validateObject(cjGvk, tmpl)), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
  ]);
});

test('next cron activation', () => {
  const at = (s: string, from: string) => nextCronTime(parseCronSchedule(s), new Date(from))?.toISOString();
  assert.equal(at('*/15 * * * *', '2026-01-01T10:07:30Z'), '2026-01-01T10:15:00.000Z');
  assert.equal(at('0 0 * * *', '2026-01-01T10:07:30Z'), '2026-01-02T00:00:00.000Z');
  assert.equal(at('30 9 * * mon', '2026-01-01T10:00:00Z'), '2026-01-05T09:30:00.000Z');
  assert.equal(at('0 0 1 * *', '2026-01-31T23:59:00Z'), '2026-02-01T00:00:00.000Z');
});
