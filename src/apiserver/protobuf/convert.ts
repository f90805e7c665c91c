/**
 * From protobufjs' plain objects to Kubernetes JSON: Go's generated protobuf writes every
 * non-pointer field (empty strings, zero times), while JSON omits them (omitempty), so each
 * converter keeps only what the JSON form would carry. Pointer fields (presence matters,
 * e.g. gracePeriodSeconds: 0) are kept whenever present on the wire.
 */
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's zero time.Time marshals as this many seconds; it means "unset". */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** metav1.Time → RFC 3339 (seconds precision, as upstream's JSON), or undefined for the zero time. */
export function timeToJson(t: unknown): string | undefined {
  if (!isObj(t)) {
    return undefined;
  }
  const seconds = typeof t.seconds === 'number' ? t.seconds : 0;
  if (seconds === GO_ZERO_TIME_SECONDS || (seconds === 0 && (t.nanos ?? 0) === 0 && t.seconds === undefined)) {
    return undefined;
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Copies the listed keys whose values are non-empty (omitempty semantics). */
function pickNonEmpty(src: Obj, keys: readonly string[], out: Obj = {}): Obj {
  for (const k of keys) {
    const v = src[k];
    if (v === undefined || v === null || v === '' || v === 0 || v === false) {
      continue;
    }
    if (Array.isArray(v) && v.length === 0) {
      continue;
    }
    if (isObj(v) && Object.keys(v).length === 0) {
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** Copies the listed keys when present on the wire (pointer fields). */
function pickPresent(src: Obj, keys: readonly string[], out: Obj): Obj {
  for (const k of keys) {
    if (src[k] !== undefined && src[k] !== null) {
      out[k] = src[k];
    }
  }
  return out;
}

function ownerReference(o: Obj): Obj {
  return pickPresent(o, ['controller', 'blockOwnerDeletion'], pickNonEmpty(o, ['apiVersion', 'kind', 'name', 'uid']));
}

function managedFieldsEntry(m: Obj): Obj {
  const out = pickNonEmpty(m, ['manager', 'operation', 'apiVersion']);
  const time = timeToJson(m.time);
  if (time !== undefined) {
    out.time = time;
  }
  if (typeof m.fieldsType === 'string' && m.fieldsType !== '') {
    out.fieldsType = m.fieldsType;
  }
  if (isObj(m.fieldsV1) && typeof m.fieldsV1.Raw === 'string') {
    // FieldsV1.Raw holds the JSON of the field set.
    out.fieldsV1 = JSON.parse(Buffer.from(m.fieldsV1.Raw, 'base64').toString('utf8')) as unknown;
  }
  if (typeof m.subresource === 'string' && m.subresource !== '') {
    out.subresource = m.subresource;
  }
  return out;
}

/** ObjectMeta → JSON metadata. */
export function objectMeta(m: unknown): Obj {
  if (!isObj(m)) {
    return {};
  }
  const out = pickNonEmpty(m, ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation']);
  for (const k of ['creationTimestamp', 'deletionTimestamp'] as const) {
    const t = timeToJson(m[k]);
    if (t !== undefined) {
      out[k] = t;
    }
  }
  pickPresent(m, ['deletionGracePeriodSeconds'], out);
  pickNonEmpty(m, ['labels', 'annotations', 'finalizers'], out);
  if (Array.isArray(m.ownerReferences) && m.ownerReferences.length > 0) {
    out.ownerReferences = (m.ownerReferences as Obj[]).map(ownerReference);
  }
  if (Array.isArray(m.managedFields) && m.managedFields.length > 0) {
    out.managedFields = (m.managedFields as Obj[]).map(managedFieldsEntry);
  }
  return out;
}

/** core/v1 Secret (data stays base64, which is the JSON encoding of []byte). */
export function secret(s: Obj): Obj {
  const out: Obj = { metadata: objectMeta(s.metadata) };
  pickNonEmpty(s, ['data', 'stringData', 'type'], out);
  return pickPresent(s, ['immutable'], out);
}

/** core/v1 ConfigMap. */
export function configMap(c: Obj): Obj {
  const out: Obj = { metadata: objectMeta(c.metadata) };
  pickNonEmpty(c, ['data', 'binaryData'], out);
  return pickPresent(c, ['immutable'], out);
}

/** meta/v1 DeleteOptions: every field but dryRun is a pointer upstream. */
export function deleteOptions(d: Obj): Obj {
  const out = pickPresent(d, ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential'], {});
  if (isObj(d.preconditions)) {
    out.preconditions = pickPresent(d.preconditions, ['uid', 'resourceVersion'], {});
  }
  return pickNonEmpty(d, ['dryRun'], out);
}

function selectorAttributes(a: unknown): Obj | undefined {
  if (!isObj(a)) {
    return undefined;
  }
  const out = pickNonEmpty(a, ['rawSelector']);
  if (Array.isArray(a.requirements) && a.requirements.length > 0) {
    out.requirements = (a.requirements as Obj[]).map((r) => pickNonEmpty(r, ['key', 'operator', 'values']));
  }
  return out;
}

/** authorization/v1 SelfSubjectAccessReview. */
export function selfSubjectAccessReview(r: Obj): Obj {
  const spec: Obj = {};
  const s = isObj(r.spec) ? r.spec : {};
  if (isObj(s.resourceAttributes)) {
    const ra = pickNonEmpty(s.resourceAttributes, ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']);
    const fs = selectorAttributes(s.resourceAttributes.fieldSelector);
    const ls = selectorAttributes(s.resourceAttributes.labelSelector);
    if (fs !== undefined) {
      ra.fieldSelector = fs;
    }
    if (ls !== undefined) {
      ra.labelSelector = ls;
    }
    spec.resourceAttributes = ra;
  }
  if (isObj(s.nonResourceAttributes)) {
    spec.nonResourceAttributes = pickNonEmpty(s.nonResourceAttributes, ['path', 'verb']);
  }
  const status = isObj(r.status) ? r.status : {};
  return { metadata: objectMeta(r.metadata), spec, status: { allowed: status.allowed === true, ...pickNonEmpty(status, ['denied', 'reason', 'evaluationError']) } };
}

/** authentication/v1 SelfSubjectReview (the request carries only metadata). */
export function selfSubjectReview(r: Obj): Obj {
  const out: Obj = { metadata: objectMeta(r.metadata) };
  const status = isObj(r.status) ? r.status : undefined;
  if (status !== undefined && isObj(status.userInfo)) {
    const u = status.userInfo;
    const userInfo = pickNonEmpty(u, ['username', 'uid', 'groups']);
    if (isObj(u.extra) && Object.keys(u.extra).length > 0) {
      userInfo.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, isObj(v) && Array.isArray(v.items) ? v.items : []]));
    }
    out.status = { userInfo };
  } else {
    out.status = {};
  }
  return out;
}
