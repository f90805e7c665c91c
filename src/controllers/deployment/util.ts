/** Deployment helpers with upstream's semantics (deployment/util): annotations, hashing, fenceposts, conditions, revisions. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Condition reasons exactly as upstream spells them. */
export const Reason = {
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  RSUpdated: 'ReplicaSetUpdated',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  FailedRSCreate: 'ReplicaSetCreateError',
} as const;

export type IntOrString = number | string;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; fullyLabeledReplicas?: number; observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

type RoRS = DeepReadonly<ReplicaSet>;
type RoD = DeepReadonly<Deployment>;

/** metav1.Time text (seconds precision). */
export function nowTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean, dflt: IntOrString): number {
  const x = v ?? dflt;
  if (typeof x === 'number') {
    return x;
  }
  const m = /^(\d+)%$/.exec(x);
  if (m === null) {
    const n = Number(x);
    if (Number.isInteger(n)) {
      return n;
    }
    throw new Error(`invalid value for IntOrString: invalid value "${x}"`);
  }
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

function isRolling(d: RoD): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: [surge, unavailable]; both zero turns unavailable into 1. */
export function resolveFenceposts(d: RoD): [number, number] {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge, replicas, true, '25%');
  let unavailable = scaledValue(ru?.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) {
    unavailable = 1;
  }
  return [surge, unavailable];
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: RoD): number {
  return isRolling(d) ? resolveFenceposts(d)[0] : 0;
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas > 0; never more than replicas. */
export function maxUnavailable(d: RoD): number {
  const replicas = d.spec?.replicas ?? 1;
  if (!isRolling(d) || replicas === 0) {
    return 0;
  }
  return Math.min(resolveFenceposts(d)[1], replicas);
}

/** FNV-1a 32-bit over UTF-8 text. */
function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with sorted keys, so equal objects hash and compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(canonicalJson).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: maps each character onto consonants and digits that never spell words. */
export function safeEncode(s: string): string {
  return [...s].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}

/** The `pod-template-hash` of a template (FNV-32a of the template and collisionCount, safe-encoded like upstream's ComputeHash). */
export function computeHash(template: DeepReadonly<PodTemplate> | undefined, collisionCount: number | undefined): string {
  let text = canonicalJson(template ?? {});
  if (collisionCount !== undefined) {
    text += String(collisionCount);
  }
  return safeEncode(String(fnv32a(text)));
}

function withoutHash(t: DeepReadonly<PodTemplate> | undefined): unknown {
  const c = structuredClone(t ?? {}) as PodTemplate;
  if (c.metadata?.labels !== undefined) {
    delete c.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(c.metadata.labels).length === 0) {
      delete c.metadata.labels;
    }
  }
  return c;
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is dropped from both. */
export function equalIgnoreHash(a: DeepReadonly<PodTemplate> | undefined, b: DeepReadonly<PodTemplate> | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** The revision number an object carries (0 when absent or malformed). */
export function revisionOf(o: { readonly metadata: DeepReadonly<KubeObject['metadata']> }): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(n) ? n : 0;
}

/** The highest revision among replica sets. */
export function maxRevision(rss: readonly RoRS[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Sum of spec.replicas. */
export function specReplicas(rss: readonly RoRS[]): number {
  return rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
}

/** Sum of a status counter. */
export function statusSum(rss: readonly RoRS[], field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return rss.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);
}

/** Oldest first, then by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: RoRS, b: RoRS): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return ta !== tb ? ta - tb : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The condition of `type`, if any. */
export function getCondition(status: DeepReadonly<DeploymentStatus> | undefined, type: string): DeepReadonly<DeploymentCondition> | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** A fresh condition stamped now. */
export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string): DeploymentCondition {
  const now = nowTime();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: no-op when status and reason are unchanged; keeps lastTransitionTime when only the reason changes. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const current = status.conditions?.find((x) => x.type === c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason) {
    return;
  }
  if (current !== undefined && current.status === c.status) {
    c.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

/** RemoveDeploymentCondition. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (status.conditions !== undefined) {
    status.conditions = status.conditions.filter((x) => x.type !== type);
  }
}
