import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../object.ts';
import { applyDefaults, defaultPullPolicy } from './index.ts';

const g = (group: string, version: string, kind: string) => ({ group, version, kind });

test('pull policy follows the tag', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/app:v2'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
});

test('pod defaults match upstream', () => {
  const pod: KubeObject = {
    metadata: { name: 'p' },
    spec: {
      containers: [{
        name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1000m', memory: '1024Mi' } },
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      }],
      volumes: [{ name: 'a', configMap: { name: 'cm' } }, { name: 'b' }, { name: 'c', hostPath: { path: '/x' } }],
    },
  };
  applyDefaults(g('', 'v1', 'Pod'), pod);
  assert.deepEqual(pod.spec, {
    containers: [{
      name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
      livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
      imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    volumes: [{ name: 'a', configMap: { name: 'cm', defaultMode: 420 } }, { name: 'b', emptyDir: {} }, { name: 'c', hostPath: { path: '/x', type: '' } }],
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler',
    securityContext: {}, enableServiceLinks: true, serviceAccountName: 'default', serviceAccount: 'default', priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  });
  const again = structuredClone(pod);
  applyDefaults(g('', 'v1', 'Pod'), again);
  assert.deepEqual(again, pod, 'defaulting is idempotent');
  // Spellings seen before (canonical forms are remembered) come out the same; odd values stay as they are.
  const second: KubeObject = { metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1000m', memory: '1024Mi', 'example.com/odd': 'not-a-quantity' } } }] } };
  applyDefaults(g('', 'v1', 'Pod'), second);
  assert.deepEqual((second.spec as { containers: { resources: unknown }[] }).containers[0].resources, { requests: { cpu: '1', memory: '1Gi', 'example.com/odd': 'not-a-quantity' } });
});

test('an existing toleration for the taint is respected', () => {
  const pod: KubeObject = { metadata: { name: 'p' }, spec: { containers: [], tolerations: [{ operator: 'Exists' }] } };
  applyDefaults(g('', 'v1', 'Pod'), pod);
  assert.deepEqual((pod.spec as { tolerations: unknown[] }).tolerations, [{ operator: 'Exists' }]);
});

test('deployment defaults, with the template but without pod admission', () => {
  const d: KubeObject = { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  applyDefaults(g('apps', 'v1', 'Deployment'), d);
  const spec = d.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  const podSpec = (spec.template as { spec: Record<string, unknown> }).spec;
  assert.equal(podSpec.restartPolicy, 'Always');
  assert.equal(podSpec.tolerations, undefined);
  assert.equal(podSpec.serviceAccountName, undefined);
  assert.equal((podSpec.containers as Record<string, unknown>[])[0].imagePullPolicy, 'Always');
});

test('statefulset, daemonset, replicaset defaults', () => {
  const sts: KubeObject = { metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1024Mi' } } } }] } };
  applyDefaults(g('apps', 'v1', 'StatefulSet'), sts);
  const s = sts.spec as Record<string, unknown>;
  assert.equal(s.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
  assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.replicas, 1);
  assert.equal(s.revisionHistoryLimit, 10);
  assert.deepEqual(s.volumeClaimTemplates, [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);
  const ds: KubeObject = { metadata: { name: 'd' }, spec: {} };
  applyDefaults(g('apps', 'v1', 'DaemonSet'), ds);
  assert.deepEqual(ds.spec, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 });
  const rs: KubeObject = { metadata: { name: 'r' }, spec: {} };
  applyDefaults(g('apps', 'v1', 'ReplicaSet'), rs);
  assert.deepEqual(rs.spec, { replicas: 1 });
});

test('job defaults and generated selector', () => {
  const job: KubeObject = { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'perl:5' }], restartPolicy: 'Never' } } } };
  applyDefaults(g('batch', 'v1', 'Job'), job);
  const spec = job.spec as Record<string, unknown>;
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.equal(spec.manualSelector, undefined);
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  const generated = { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' };
  assert.deepEqual((spec.template as { metadata: unknown }).metadata, { labels: generated });
  assert.deepEqual(job.metadata.labels, generated, 'the Job carries its template labels, as upstream shows it');
  const parallel: KubeObject = { metadata: { name: 'p' }, spec: { parallelism: 3, template: {} } };
  applyDefaults(g('batch', 'v1', 'Job'), parallel);
  assert.equal((parallel.spec as Record<string, unknown>).completions, undefined, 'completions stay unset when parallelism is given');
});

test('cronjob, service, namespace, secret, pvc defaults', () => {
  const cj: KubeObject = { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
  applyDefaults(g('batch', 'v1', 'CronJob'), cj);
  const c = cj.spec as Record<string, unknown>;
  assert.deepEqual([c.concurrencyPolicy, c.suspend, c.successfulJobsHistoryLimit, c.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  assert.equal((c.jobTemplate as { spec: Record<string, unknown> }).spec.backoffLimit, undefined);

  const svc: KubeObject = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81, targetPort: 'http' }], selector: { a: 'b' } } };
  applyDefaults(g('', 'v1', 'Service'), svc);
  assert.deepEqual(svc.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 81, targetPort: 'http', protocol: 'TCP' }], selector: { a: 'b' },
    sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });

  const ns: KubeObject = { metadata: { name: 'team-a' } };
  applyDefaults(g('', 'v1', 'Namespace'), ns);
  assert.deepEqual(ns, { metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  const finalized: KubeObject = { metadata: { name: 'team-a', resourceVersion: '9' }, spec: {}, status: { phase: 'Terminating' } };
  applyDefaults(g('', 'v1', 'Namespace'), finalized, finalized);
  assert.deepEqual(finalized.spec, {}, 'the finalizer is not put back on update');

  const secret: KubeObject = { metadata: { name: 's' } };
  applyDefaults(g('', 'v1', 'Secret'), secret);
  assert.equal(secret.type, 'Opaque');

  const pvc: KubeObject = { metadata: { name: 'p' }, spec: {} };
  applyDefaults(g('', 'v1', 'PersistentVolumeClaim'), pvc);
  assert.deepEqual(pvc.spec, { volumeMode: 'Filesystem' });
  assert.deepEqual(pvc.status, { phase: 'Pending' });
});

test('hpa and rolebinding defaults', () => {
  const hpa: KubeObject = { metadata: { name: 'h' }, spec: { maxReplicas: 5 } };
  applyDefaults(g('autoscaling', 'v2', 'HorizontalPodAutoscaler'), hpa);
  assert.deepEqual(hpa.spec, { maxReplicas: 5, minReplicas: 1, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] });
  const rb: KubeObject = { metadata: { name: 'r' }, roleRef: { kind: 'Role', name: 'x' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'n' }] };
  applyDefaults(g('rbac.authorization.k8s.io', 'v1', 'RoleBinding'), rb);
  assert.deepEqual(rb.roleRef, { kind: 'Role', name: 'x', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(rb.subjects, [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'n' }]);
});

test('pod-only defaults stay out of templates; quantities round up to milli-units', () => {
  const d: KubeObject = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '0.0001' } } }] } } } };
  applyDefaults(g('apps', 'v1', 'Deployment'), d);
  const podSpec = (d.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  assert.equal(podSpec.enableServiceLinks, undefined);
  assert.deepEqual((podSpec.containers as Record<string, unknown>[])[0].resources, { limits: { cpu: '1m' } });
  const hostNet: KubeObject = { metadata: { name: 'p' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 53 }] }] } };
  applyDefaults(g('', 'v1', 'Pod'), hostNet);
  assert.deepEqual((hostNet.spec as { containers: { ports: unknown[] }[] }).containers[0].ports, [{ containerPort: 53, protocol: 'TCP', hostPort: 53 }]);
});

test('statefulset OnDelete gets no rollingUpdate; unparsable images are IfNotPresent', () => {
  const sts: KubeObject = { metadata: { name: 's' }, spec: { updateStrategy: { type: 'OnDelete' } } };
  applyDefaults(g('apps', 'v1', 'StatefulSet'), sts);
  assert.deepEqual((sts.spec as Record<string, unknown>).updateStrategy, { type: 'OnDelete' });
  assert.equal(defaultPullPolicy('Nginx'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('docker.io/library/nginx'), 'Always');
});

test('limit range container defaults and service affinity config', () => {
  const lr: KubeObject = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } };
  applyDefaults(g('', 'v1', 'LimitRange'), lr);
  assert.deepEqual(lr.spec, { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } }] });
  const svc: KubeObject = { metadata: { name: 's' }, spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } };
  applyDefaults(g('', 'v1', 'Service'), svc);
  assert.deepEqual((svc.spec as Record<string, unknown>).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('service account token volume, as the admission plugin adds it', async () => {
  const { addServiceAccountTokenVolume } = await import('./index.ts');
  const pod: KubeObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y', volumeMounts: [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }], volumes: [{ name: 'own', emptyDir: {} }] } };
  addServiceAccountTokenVolume(pod, 'x7k2p');
  addServiceAccountTokenVolume(pod, 'zzzzz');
  const spec = pod.spec as { containers: { volumeMounts?: unknown[] }[]; volumes: { name: string }[] };
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  assert.equal(spec.containers[1].volumeMounts?.length, 1, 'a container with its own mount there is left alone');
  assert.deepEqual(spec.volumes.map((v) => v.name), ['own', 'kube-api-access-x7k2p']);
  const off: KubeObject = { metadata: { name: 'q' }, spec: { automountServiceAccountToken: false, containers: [{ name: 'a', image: 'x' }] } };
  addServiceAccountTokenVolume(off, 'abcde');
  assert.equal((off.spec as { volumes?: unknown }).volumes, undefined);
});
