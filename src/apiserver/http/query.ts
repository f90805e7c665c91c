/**
 * Query-string parsing for resource requests, with upstream's rules: booleans as Go's
 * strconv.ParseBool, integers strictly, option validation errors as upstream words them.
 */
import { badRequest, invalid, type FieldError } from '../../api/errors.ts';
import { FieldValidation, type DeleteOptions, type ListQuery, type WatchQuery } from '../registry/types.ts';

const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: undefined when the text is not a boolean. */
export function parseGoBool(text: string): boolean | undefined {
  if (trueWords.has(text)) {
    return true;
  }
  if (falseWords.has(text)) {
    return false;
  }
  return undefined;
}

/** A boolean query parameter; absent or empty → `fallback`; anything unparsable → 400. */
export function boolParam(q: URLSearchParams, name: string, fallback = false): boolean {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    return fallback;
  }
  const v = parseGoBool(raw);
  if (v === undefined) {
    throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return v;
}

/** An integer query parameter (base 10, optional sign); absent or empty → undefined; bad → 400. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    return undefined;
  }
  if (!/^[+-]?\d+$/.test(raw)) {
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

function stringParam(q: URLSearchParams, name: string): string | undefined {
  const raw = q.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

function invalidOptions(kind: string, errors: FieldError[]): Error {
  return invalid('meta.k8s.io', kind, '', errors);
}

function rvMatch(q: URLSearchParams): 'Exact' | 'NotOlderThan' | undefined {
  const m = stringParam(q, 'resourceVersionMatch');
  if (m === undefined || m === 'Exact' || m === 'NotOlderThan') {
    return m;
  }
  throw invalidOptions('ListOptions', [{ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: "${m}": supported values: "Exact", "NotOlderThan"` }]);
}

/** Whether this GET asks for a watch (`watch=` in any ParseBool spelling). */
export function isWatchRequest(q: URLSearchParams): boolean {
  return boolParam(q, 'watch');
}

/** ListOptions for a list or delete-collection, validated like upstream's ValidateListOptions. */
export function parseListQuery(q: URLSearchParams): ListQuery {
  const limit = intParam(q, 'limit');
  const resourceVersion = stringParam(q, 'resourceVersion');
  const resourceVersionMatch = rvMatch(q);
  const errors: FieldError[] = [];
  if (limit !== undefined && limit < 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'limit', message: `Invalid value: ${limit}: must be greater than or equal to 0` });
  }
  if (resourceVersionMatch !== undefined && resourceVersion === undefined) {
    errors.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' });
  }
  if (boolParam(q, 'sendInitialEvents')) {
    errors.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for list' });
  }
  if (errors.length > 0) {
    throw invalidOptions('ListOptions', errors);
  }
  return {
    labelSelector: stringParam(q, 'labelSelector'),
    fieldSelector: stringParam(q, 'fieldSelector'),
    limit: limit === 0 ? undefined : limit,
    continue: stringParam(q, 'continue'),
    resourceVersion,
    resourceVersionMatch,
  };
}

/** ListOptions for a watch; `extraFieldSelector` narrows legacy `/watch/.../<name>` paths. */
export function parseWatchQuery(q: URLSearchParams, extraFieldSelector?: string): WatchQuery {
  const resourceVersionMatch = rvMatch(q);
  const sendInitialEventsRaw = q.get('sendInitialEvents');
  const sendInitialEvents = boolParam(q, 'sendInitialEvents');
  const errors: FieldError[] = [];
  if (sendInitialEventsRaw !== null && sendInitialEventsRaw !== '' && resourceVersionMatch !== 'NotOlderThan') {
    errors.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
  }
  if (resourceVersionMatch !== undefined && sendInitialEventsRaw === null) {
    errors.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  const timeoutSeconds = intParam(q, 'timeoutSeconds');
  if (errors.length > 0) {
    throw invalidOptions('ListOptions', errors);
  }
  const userSelector = stringParam(q, 'fieldSelector');
  const fieldSelector = extraFieldSelector === undefined ? userSelector : userSelector === undefined ? extraFieldSelector : `${userSelector},${extraFieldSelector}`;
  return {
    labelSelector: stringParam(q, 'labelSelector'),
    fieldSelector,
    resourceVersion: stringParam(q, 'resourceVersion'),
    resourceVersionMatch,
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    sendInitialEvents,
    timeoutSeconds: timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds : undefined,
  };
}

/** `dryRun` values: only `All` is allowed (422 like upstream's ValidateDryRun otherwise). */
export function parseDryRun(values: readonly string[], optionsKind: string): boolean {
  const unsupported = values.filter((v) => v !== 'All');
  if (unsupported.length > 0) {
    throw invalidOptions(optionsKind, [{ type: 'FieldValueNotSupported', field: 'dryRun', message: `Unsupported value: ${JSON.stringify(values)}: supported values: "All"` }]);
  }
  return values.length > 0;
}

/** `fieldValidation`; absent → Warn (upstream's default for create, update and patch). */
export function parseFieldValidation(q: URLSearchParams, optionsKind: string): FieldValidation {
  const raw = stringParam(q, 'fieldValidation');
  if (raw === undefined) {
    return FieldValidation.Warn;
  }
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') {
    return raw;
  }
  throw invalidOptions(optionsKind, [{ type: 'FieldValueNotSupported', field: 'fieldValidation', message: `Unsupported value: "${raw}": supported values: "Ignore", "Strict", "Warn"` }]);
}

/** fieldManager, defaulted from the User-Agent's program name like upstream's prefixFromUserAgent. */
export function parseFieldManager(q: URLSearchParams, userAgent: string | undefined, optionsKind: string): string | undefined {
  const explicit = stringParam(q, 'fieldManager');
  const manager = explicit ?? (userAgent === undefined || userAgent === '' ? undefined : userAgent.split('/')[0]);
  if (manager === undefined) {
    return undefined;
  }
  if (explicit !== undefined && (manager.length > 128 || /[^\x20-\x7e]/.test(manager))) {
    throw invalidOptions(optionsKind, [{ type: 'FieldValueInvalid', field: 'fieldManager', message: `Invalid value: "${manager}": must be at most 128 printable characters` }]);
  }
  return manager.slice(0, 128);
}

const propagationPolicies = new Set(['Orphan', 'Background', 'Foreground']);

/**
 * DeleteOptions from the request body when there is one, else from the query parameters
 * (upstream reads one or the other, never both), validated like ValidateDeleteOptions.
 */
export function parseDeleteOptions(q: URLSearchParams, body: unknown): { options: DeleteOptions; dryRun: boolean } {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw badRequest('decoded object cannot be converted to DeleteOptions');
  }
  const b = (body ?? {}) as Record<string, unknown>;
  if (body !== undefined && typeof b.kind === 'string' && b.kind !== '' && b.kind !== 'DeleteOptions') {
    throw badRequest('decoded object cannot be converted to DeleteOptions');
  }
  const fromBody = body !== undefined;
  const grace = fromBody ? (typeof b.gracePeriodSeconds === 'number' ? b.gracePeriodSeconds : undefined) : intParam(q, 'gracePeriodSeconds');
  const policy = fromBody ? (typeof b.propagationPolicy === 'string' ? b.propagationPolicy : undefined) : stringParam(q, 'propagationPolicy');
  const orphanRaw = q.get('orphanDependents');
  const orphan = fromBody
    ? (typeof b.orphanDependents === 'boolean' ? b.orphanDependents : undefined)
    : orphanRaw !== null && orphanRaw !== '' ? boolParam(q, 'orphanDependents') : undefined;
  const dryRunValues = fromBody
    ? (Array.isArray(b.dryRun) ? b.dryRun.filter((v): v is string => typeof v === 'string') : [])
    : q.getAll('dryRun').filter((v) => v !== '');
  const dryRun = parseDryRun(dryRunValues, 'DeleteOptions');
  const errors: FieldError[] = [];
  if (policy !== undefined && !propagationPolicies.has(policy)) {
    errors.push({ type: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` });
  }
  if (policy !== undefined && orphan !== undefined) {
    errors.push({ type: 'FieldValueInvalid', field: 'propagationPolicy', message: `Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set` });
  }
  if (grace !== undefined && grace < 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'gracePeriodSeconds', message: `Invalid value: ${grace}: must be greater than or equal to 0` });
  }
  if (errors.length > 0) {
    throw invalidOptions('DeleteOptions', errors);
  }
  const pre = typeof b.preconditions === 'object' && b.preconditions !== null ? (b.preconditions as Record<string, unknown>) : undefined;
  const preconditions = pre === undefined ? undefined : {
    uid: typeof pre.uid === 'string' ? pre.uid : undefined,
    resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined,
  };
  return {
    options: {
      gracePeriodSeconds: grace,
      propagationPolicy: policy as DeleteOptions['propagationPolicy'],
      orphanDependents: orphan,
      preconditions,
    },
    dryRun,
  };
}

const durationUnits: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration (`32s`, `1m30s`, `500ms`) in seconds; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') {
    return 0;
  }
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) {
      return undefined;
    }
    total += Number(m[1]) * durationUnits[m[2]];
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : total;
}
