/**
 * Pod and pod-template defaults (core/v1 defaults.go: SetDefaults_PodSpec, _Container,
 * _Probe, _Volume, ...), plus what upstream's admission chain adds to a created Pod.
 */
import { canonicalResourceQuantity } from '../quantity.ts';
import { ensureObj, objAt, objsAt, setDefault } from './util.ts';
import type { Obj } from './util.ts';

/** `Always` for `:latest` or untagged images without a digest, else `IfNotPresent`. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  // Upstream ignores a parse error and then sees no tag: unparsable references get IfNotPresent.
  if (image === '' || !isParsableReference(image)) {
    return 'IfNotPresent';
  }
  if (image.includes('@')) {
    // A digest pins the image; a tag before it is informational.
    const beforeDigest = image.slice(0, image.indexOf('@'));
    return tagOf(beforeDigest) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  const tag = tagOf(image);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** A loose docker reference check: repository path components are lower case. */
function isParsableReference(image: string): boolean {
  const name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  const lastColon = name.lastIndexOf(':');
  const repo = lastColon > lastSlash ? name.slice(0, lastColon) : name;
  const parts = repo.split('/');
  // The first component is a registry host when it has a dot or port or is localhost.
  const path = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]) ? parts.slice(1) : parts;
  return path.length > 0 && path.every((p) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p));
}

function tagOf(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  const lastColon = ref.lastIndexOf(':');
  return lastColon > lastSlash ? ref.slice(lastColon + 1) : '';
}

function defaultHandler(handler: Obj | undefined): void {
  const httpGet = handler === undefined ? undefined : objAt(handler, 'httpGet');
  if (httpGet !== undefined) {
    setDefault(httpGet, 'path', '/');
    setDefault(httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(probe: Obj | undefined): void {
  if (probe === undefined) {
    return;
  }
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

// Requests and limits repeat the same few spellings ('100m', '500Mi') across every pod: parse each once.
const canonicalSpellings = new Map<string, unknown>();

function canonicalQuantity(v: unknown): unknown {
  if (typeof v !== 'string') {
    return canonicalResourceQuantity(v);
  }
  let c = canonicalSpellings.get(v);
  if (c === undefined) {
    c = canonicalResourceQuantity(v);
    if (canonicalSpellings.size >= 1024) {
      canonicalSpellings.clear(); // bounded: odd spellings must not grow it forever
    }
    canonicalSpellings.set(v, c);
  }
  return c;
}

/** Canonical quantity spellings (`1000m` → `1`), as upstream's serializer writes them. */
function canonicalizeResourceList(list: Obj | undefined): void {
  if (list === undefined) {
    return;
  }
  for (const k of Object.keys(list)) {
    list[k] = canonicalQuantity(list[k]);
  }
}

function canonicalizeResources(resources: Obj | undefined): void {
  if (resources !== undefined) {
    canonicalizeResourceList(objAt(resources, 'limits'));
    canonicalizeResourceList(objAt(resources, 'requests'));
  }
}

/** SetDefaults_Pod (pods only, not templates): a limit without a request makes the request equal to the limit. */
function defaultRequestsFromLimits(resources: Obj | undefined): void {
  if (resources === undefined) {
    return;
  }
  const limits = objAt(resources, 'limits');
  if (limits !== undefined) {
    const requests = ensureObj(resources, 'requests');
    for (const [name, value] of Object.entries(limits)) {
      if (requests[name] === undefined || requests[name] === null) {
        requests[name] = value;
      }
    }
  }
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(typeof c.image === 'string' ? c.image : ''));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of objsAt(c, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
  }
  for (const env of objsAt(c, 'env')) {
    const fieldRef = objAt(objAt(env, 'valueFrom') ?? {}, 'fieldRef');
    if (fieldRef !== undefined) {
      setDefault(fieldRef, 'apiVersion', 'v1');
    }
  }
  defaultProbe(objAt(c, 'livenessProbe'));
  defaultProbe(objAt(c, 'readinessProbe'));
  defaultProbe(objAt(c, 'startupProbe'));
  const lifecycle = objAt(c, 'lifecycle');
  if (lifecycle !== undefined) {
    defaultHandler(objAt(lifecycle, 'postStart'));
    defaultHandler(objAt(lifecycle, 'preStop'));
  }
  canonicalizeResources(objAt(c, 'resources'));
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

/** Volume names as listed by upstream (for "exactly one source" checks too). */
export const VolumeSourceFields: readonly string[] = volumeSources;

function defaultVolume(v: Obj): void {
  if (!volumeSources.some((s) => v[s] !== undefined && v[s] !== null)) {
    v.emptyDir = {};
  }
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = objAt(v, kind);
    if (src !== undefined) {
      setDefault(src, 'defaultMode', 420);
    }
  }
  const hostPath = objAt(v, 'hostPath');
  if (hostPath !== undefined && hostPath.type === undefined) {
    hostPath.type = '';
  }
  for (const source of objsAt(objAt(v, 'projected'), 'sources')) {
    const token = objAt(source, 'serviceAccountToken');
    if (token !== undefined) {
      setDefault(token, 'expirationSeconds', 3600);
    }
    for (const item of objsAt(objAt(source, 'downwardAPI'), 'items')) {
      const fieldRef = objAt(item, 'fieldRef');
      if (fieldRef !== undefined) {
        setDefault(fieldRef, 'apiVersion', 'v1');
      }
    }
  }
  for (const item of objsAt(objAt(v, 'downwardAPI'), 'items')) {
    const fieldRef = objAt(item, 'fieldRef');
    if (fieldRef !== undefined) {
      setDefault(fieldRef, 'apiVersion', 'v1');
    }
  }
  const imageSource = objAt(v, 'image');
  if (imageSource !== undefined) {
    setDefault(imageSource, 'pullPolicy', defaultPullPolicy(typeof imageSource.reference === 'string' ? imageSource.reference : ''));
  }
  const ephemeralSpec = objAt(objAt(objAt(v, 'ephemeral') ?? {}, 'volumeClaimTemplate') ?? {}, 'spec');
  if (ephemeralSpec !== undefined) {
    setDefault(ephemeralSpec, 'volumeMode', 'Filesystem');
  }
}

/** Defaults for any PodSpec (pods and every pod template). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  ensureObj(spec, 'securityContext');
  // v1 conversion keeps the deprecated serviceAccount field mirroring serviceAccountName.
  if ((spec.serviceAccountName === undefined || spec.serviceAccountName === '') && typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') {
    spec.serviceAccount = spec.serviceAccountName;
  }
  for (const c of [...objsAt(spec, 'initContainers'), ...objsAt(spec, 'containers'), ...objsAt(spec, 'ephemeralContainers')]) {
    defaultContainer(c);
  }
  for (const v of objsAt(spec, 'volumes')) {
    defaultVolume(v);
  }
  canonicalizeResources(objAt(spec, 'resources'));
}

/** Defaults for a pod template (`spec.template` of workloads). */
export function defaultPodTemplateSpec(template: Obj | undefined): void {
  if (template === undefined) {
    return;
  }
  defaultPodSpec(ensureObj(template, 'spec'));
}

const notReadyTaint = 'node.kubernetes.io/not-ready';
const unreachableTaint = 'node.kubernetes.io/unreachable';

function toleratesNoExecute(tolerations: Obj[], taintKey: string): boolean {
  return tolerations.some((t) => (t.key === undefined || t.key === '' || t.key === taintKey) && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute'));
}

/**
 * What upstream's admission plugins add to every Pod on create (not to templates):
 * ServiceAccount (`serviceAccountName: default`), Priority (`priority: 0`,
 * `preemptionPolicy: PreemptLowerPriority` when no priority class is named) and
 * DefaultTolerationSeconds (not-ready/unreachable NoExecute for 300 s). The service
 * account token volume is not added here.
 */
export function admitPod(pod: Obj): void {
  const spec = ensureObj(pod, 'spec');
  if (spec.serviceAccountName === undefined || spec.serviceAccountName === '') {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  if (spec.priority === undefined || spec.priority === null) {
    if (spec.priorityClassName === undefined || spec.priorityClassName === '') {
      spec.priority = 0;
    }
  }
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = objsAt(spec, 'tolerations');
  const added: Obj[] = [];
  if (!toleratesNoExecute(tolerations, notReadyTaint)) {
    added.push({ key: notReadyTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  if (!toleratesNoExecute(tolerations, unreachableTaint)) {
    added.push({ key: unreachableTaint, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  if (added.length > 0) {
    spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
  }
}

/**
 * Pod defaults: the PodSpec defaults, what SetDefaults_Pod adds for pods only (requests from
 * limits, enableServiceLinks, host ports under hostNetwork), then the admission-time additions.
 */
export function defaultPod(pod: Obj): void {
  const spec = ensureObj(pod, 'spec');
  defaultPodSpec(spec);
  for (const c of [...objsAt(spec, 'containers'), ...objsAt(spec, 'initContainers')]) {
    defaultRequestsFromLimits(objAt(c, 'resources'));
    if (spec.hostNetwork === true) {
      for (const port of objsAt(c, 'ports')) {
        if (port.hostPort === undefined || port.hostPort === null || port.hostPort === 0) {
          port.hostPort = port.containerPort;
        }
      }
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) {
    spec.enableServiceLinks = true;
  }
  admitPod(pod);
}

/** Where the ServiceAccount admission plugin mounts the API credentials. */
export const ServiceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The ServiceAccount admission plugin's token volume, for the registry to call on Pod create
 * when the pod (and its ServiceAccount) allow automounting: a projected `kube-api-access-<suffix>`
 * volume (bound token 3607 s, `kube-root-ca.crt` ca.crt, the namespace) mounted read-only at
 * ServiceAccountMountPath in every container that has nothing mounted there yet. `suffix` is
 * 5 random characters (upstream's alphabet: bcdfghjklmnpqrstvwxz2456789). Idempotent.
 */
export function addServiceAccountTokenVolume(pod: Obj, suffix: string): void {
  const spec = ensureObj(pod, 'spec');
  if (spec.automountServiceAccountToken === false) {
    return;
  }
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : [];
  const existing = objsAt(spec, 'volumes').find((v) => typeof v.name === 'string' && v.name.startsWith('kube-api-access-'));
  const name = typeof existing?.name === 'string' ? existing.name : `kube-api-access-${suffix}`;
  let mounted = false;
  for (const c of [...objsAt(spec, 'initContainers'), ...objsAt(spec, 'containers')]) {
    const mounts = objsAt(c, 'volumeMounts');
    if (mounts.some((m) => m.mountPath === ServiceAccountMountPath)) {
      mounted = mounted || mounts.some((m) => m.name === name);
      continue;
    }
    c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name, readOnly: true, mountPath: ServiceAccountMountPath }];
    mounted = true;
  }
  if (existing === undefined && mounted) {
    spec.volumes = [
      ...volumes,
      {
        name,
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
          defaultMode: 420,
        },
      },
    ];
  }
}
