/**
 * CertificateSigningRequest strategy (upstream's pkg/registry/certificates/certificates): the
 * requester's identity is stamped on create, the spec never changes afterwards, approval
 * conditions change only through `/approval`, the certificate only through `/status`.
 */
import { invalid } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { UserInfo } from './types.ts';
import { clone } from '../../api/patch/json-values.ts';
import { nowRfc3339 } from './codec.ts';

type Obj = Record<string, unknown>;

interface Condition extends Obj {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

const APPROVAL_TYPES: ReadonlySet<string> = new Set(['Approved', 'Denied']);

function specOf(obj: KubeObject): Obj {
  return (obj.spec ?? {}) as Obj;
}

function statusOf(obj: KubeObject): Obj & { conditions?: Condition[] } {
  const s = obj.status;
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Obj) : {};
}

function conditionsOf(obj: KubeObject): Condition[] {
  return Array.isArray(statusOf(obj).conditions) ? (statusOf(obj).conditions as Condition[]) : [];
}

/** On create: the request carries who asked (never what the client claims), and no status: nothing is pre-approved. */
export function prepareCsrCreate(obj: KubeObject, user: UserInfo | undefined): void {
  const spec: Obj = { ...specOf(obj) };
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  if (user !== undefined) {
    spec.username = user.username;
    if ((user.uid ?? '') !== '') {
      spec.uid = user.uid;
    }
    if (user.groups.length > 0) {
      spec.groups = [...user.groups];
    }
    if (user.extra !== undefined && Object.keys(user.extra).length > 0) {
      spec.extra = clone(user.extra);
    }
  }
  obj.spec = spec;
  obj.status = {};
}

// As upstream's populateConditionTimestamps: a condition keeps its transition time while its status holds.
function stampConditions(conditions: Condition[], old: Condition[]): void {
  const now = nowRfc3339();
  for (const c of conditions) {
    c.lastUpdateTime ??= now;
    if (c.lastTransitionTime === undefined) {
      const before = old.find((o) => o.type === c.type);
      c.lastTransitionTime = before !== undefined && before.status === c.status && before.lastTransitionTime !== undefined ? before.lastTransitionTime : now;
    }
  }
}

function rejectBadApproval(obj: KubeObject, old: KubeObject): void {
  const conditions = conditionsOf(obj);
  const approved = conditions.some((c) => c.type === 'Approved');
  const denied = conditions.some((c) => c.type === 'Denied');
  const name = obj.metadata.name ?? '';
  if (approved && denied) {
    throw invalid('certificates.k8s.io', 'CertificateSigningRequest', name, [
      { type: 'FieldValueInvalid', field: 'status.conditions', message: 'Invalid value: "Approved": Approved and Denied conditions are mutually exclusive' },
    ]);
  }
  for (const type of APPROVAL_TYPES) {
    if (conditionsOf(old).some((c) => c.type === type) && !conditions.some((c) => c.type === type)) {
      throw invalid('certificates.k8s.io', 'CertificateSigningRequest', name, [
        { type: 'FieldValueForbidden', field: 'status.conditions', message: `Forbidden: updates may not remove a condition of type "${type}"` },
      ]);
    }
  }
}

/**
 * On update through the main resource (nothing changes but metadata), `/status` (certificate and
 * conditions other than Approved/Denied) or `/approval` (Approved/Denied and other conditions,
 * never the certificate).
 */
export function prepareCsrUpdate(obj: KubeObject, old: KubeObject, subresource: string | undefined): void {
  obj.spec = clone(old.spec);
  const oldStatus = statusOf(old);
  if (subresource !== 'status' && subresource !== 'approval') {
    obj.status = clone(oldStatus);
    return;
  }
  const status: Obj = { ...statusOf(obj) };
  let conditions = conditionsOf(obj).map((c) => ({ ...c }));
  if (subresource === 'status') {
    // Approval belongs to /approval: keep exactly the old Approved/Denied conditions.
    conditions = [...conditions.filter((c) => !APPROVAL_TYPES.has(c.type ?? '')), ...conditionsOf(old).filter((c) => APPROVAL_TYPES.has(c.type ?? ''))];
  } else if (oldStatus.certificate === undefined) {
    delete status.certificate;
  } else {
    status.certificate = oldStatus.certificate;
  }
  stampConditions(conditions, conditionsOf(old));
  if (conditions.length > 0) {
    status.conditions = conditions;
  } else {
    delete status.conditions;
  }
  obj.status = status;
  rejectBadApproval(obj, old);
}
