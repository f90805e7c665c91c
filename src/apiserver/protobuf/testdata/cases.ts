/**
 * The objects capture.ts serves to real kubectl: a CronJob as an apiserver returns it (defaulted,
 * rich pod template), a CronJob whose job template sets every field our schema knows, and a
 * CertificateSigningRequest likewise (filled from the schema itself, so a field with a wrong
 * number or type shows up).
 */
import type protobuf from 'protobufjs';
import { messageType } from '../schema/index.ts';

type Obj = Record<string, unknown>;

/** A scalar of the field's proto type, recognisable in a diff. */
function scalarFor(field: protobuf.Field): unknown {
  switch (field.type) {
    case 'string':
      return `${field.name}-v`;
    case 'bool':
      return true;
    case 'double':
    case 'float':
      return 1.5;
    case 'bytes':
      return Buffer.from(field.name).toString('base64');
    default:
      return 3;
  }
}

const specialValues: Readonly<Record<string, unknown>> = {
  Time: '2024-05-06T07:08:09Z',
  MicroTime: '2024-05-06T07:08:09.123456Z',
  IntOrString: 8080,
  Quantity: '250m',
  FieldsV1: { 'f:metadata': { 'f:labels': {} } },
};

/** The JSON of `type` with every field set (as Kubernetes JSON: inline fields lifted, named slices as lists). */
export function everyField(type: protobuf.Type, depth = 0): Obj {
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const msg = field.resolvedType !== null && 'fieldsArray' in field.resolvedType ? (field.resolvedType as protobuf.Type) : undefined;
    let value: unknown;
    if (msg === undefined) {
      value = scalarFor(field);
    } else if (specialValues[msg.name] !== undefined) {
      value = specialValues[msg.name];
    } else if (msg.options?.['(items)'] === true) {
      value = ['a', 'b'];
    } else if (depth < 12) {
      value = everyField(msg, depth + 1);
    } else {
      continue;
    }
    if (field.options?.['(inline)'] === true) {
      Object.assign(out, value);
    } else {
      out[field.name] = field.map ? { k: value } : field.repeated ? [value] : value;
    }
  }
  return out;
}

interface CronJob {
  apiVersion: 'batch/v1';
  kind: 'CronJob';
  metadata: { name: string } & Obj;
  spec: Obj;
}

const cronMeta = (name: string): CronJob['metadata'] => ({
  name, namespace: 'default', uid: `${name}-uid`, resourceVersion: '42', generation: 1, creationTimestamp: '2024-05-06T07:08:09Z',
});

/** What an apiserver answers for a CronJob created from a manifest: defaults filled in. */
const defaulted: CronJob = {
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: cronMeta('defaulted'),
  spec: {
    schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
      spec: {
        backoffLimit: 6, completionMode: 'NonIndexed', manualSelector: false, parallelism: 1, completions: 1, suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        template: {
          metadata: { labels: { app: 'cj' } },
          spec: {
            restartPolicy: 'OnFailure', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
            securityContext: {}, enableServiceLinks: true,
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } },
              { name: 'sec', secret: { secretName: 'sec', defaultMode: 420, optional: false } },
              { name: 'proj', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } },
              { name: 'host', hostPath: { path: '/tmp', type: '' } },
            ],
            affinity: {
              nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } },
              podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cj' } }, topologyKey: 'kubernetes.io/hostname' } }] },
            },
            tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'cj' } } }],
            containers: [{
              name: 'main', image: 'busybox', command: ['sh', '-c', 'date'], imagePullPolicy: 'Always',
              terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '0', memory: '0' } },
              ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
              env: [{ name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, { name: 'EMPTY' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/cfg', readOnly: true }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
              readinessProbe: { exec: { command: ['true'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
              startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
              lifecycle: { preStop: { sleep: { seconds: 1 } } },
              securityContext: { runAsNonRoot: true, runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: false },
            }],
          },
        },
      },
    },
  },
};

const everything: CronJob = {
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: cronMeta('everything'),
  spec: { schedule: '0 * * * *', jobTemplate: everyField(messageType('JobTemplateSpec')) },
};

/** A CertificateSigningRequest with every field set and no Approved/Denied condition yet. */
const csr = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', ...everyField(messageType('CertificateSigningRequest')) };

/** One kubectl command making one protobuf write against objects the mock serves. */
export interface CaptureCase {
  name: string;
  /** Objects the mock API server answers GETs with, by URL path. */
  serve: Readonly<Record<string, unknown>>;
  args: readonly string[];
  /** `args` + `--dry-run=client -o json` prints the body kubectl would send (create job; certificate approve has no dry run). */
  dryRun: boolean;
}

const cronJobCase = (name: string, cronJob: CronJob): CaptureCase => ({
  name, serve: { [`/apis/batch/v1/namespaces/default/cronjobs/${cronJob.metadata.name}`]: cronJob },
  args: ['create', 'job', `job-${cronJob.metadata.name}`, `--from=cronjob/${cronJob.metadata.name}`], dryRun: true,
});

/** The capture cases. */
export const captureCases: readonly CaptureCase[] = [
  cronJobCase('defaulted CronJob with probes, volumes, securityContext, affinity', defaulted),
  cronJobCase('every field of JobTemplateSpec', everything),
  {
    name: 'certificate approve: every field of CertificateSigningRequest', serve: { '/apis/certificates.k8s.io/v1/certificatesigningrequests/name-v': csr },
    args: ['certificate', 'approve', 'name-v'], dryRun: false,
  },
];
