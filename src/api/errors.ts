/** metav1.Status errors (STYLE.md §7): one error type, constructors named after upstream's. */

export const StatusReason = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Invalid: 'Invalid',
  BadRequest: 'BadRequest',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  MethodNotAllowed: 'MethodNotAllowed',
  Gone: 'Gone',
  Expired: 'Expired',
  TooManyRequests: 'TooManyRequests',
  RequestEntityTooLarge: 'RequestEntityTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  NotAcceptable: 'NotAcceptable',
  InternalError: 'InternalError',
  ServiceUnavailable: 'ServiceUnavailable',
  Timeout: 'Timeout',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

/** Thrown anywhere in request handling; the HTTP layer turns it into a Status response. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details !== undefined) {
      s.details = this.details;
    }
    return s;
  }
}

/** `pods "x"` or `deployments.apps "x"`: upstream's qualified resource naming in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function notFound(group: string, resource: string, name: string): StatusError {
  return new StatusError(404, StatusReason.NotFound, `${qualifiedResource(group, resource)} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

export function alreadyExists(group: string, resource: string, name: string): StatusError {
  return new StatusError(409, StatusReason.AlreadyExists, `${qualifiedResource(group, resource)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

/** Optimistic-concurrency failure, with upstream's wording. */
export function conflict(group: string, resource: string, name: string, why: string): StatusError {
  return new StatusError(409, StatusReason.Conflict, `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, StatusReason.BadRequest, message);
}

export function methodNotSupported(group: string, resource: string, verb: string): StatusError {
  return new StatusError(405, StatusReason.MethodNotAllowed, `${verb} is not supported on resources of kind "${qualifiedResource(group, resource)}"`, { group: group || undefined, kind: resource });
}

export function unauthorized(): StatusError {
  return new StatusError(401, StatusReason.Unauthorized, 'Unauthorized');
}

export function forbidden(message: string, details?: StatusDetails): StatusError {
  return new StatusError(403, StatusReason.Forbidden, message, details);
}

export function gone(message: string): StatusError {
  return new StatusError(410, StatusReason.Expired, message);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, StatusReason.InternalError, `Internal error occurred: ${message}`);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, StatusReason.UnsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
}

export function tooLarge(): StatusError {
  return new StatusError(413, StatusReason.RequestEntityTooLarge, 'Request entity too large: limit is 3145728');
}

/** One field error, rendered like apimachinery's field.Error. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid' | 'FieldValueNotFound' | 'InternalError';
  field: string;
  /** Full message after the field path, e.g. `Invalid value: -1: must be greater than or equal to 0`. */
  message: string;
}

/** 422 Invalid aggregating field errors: `Deployment "x" is invalid: [a: ..., b: ...]`. */
export function invalid(group: string, kind: string, name: string, errors: readonly FieldError[]): StatusError {
  const parts = errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  return new StatusError(422, StatusReason.Invalid, `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}
export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.reason === StatusReason.NotFound;
}
export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.reason === StatusReason.Conflict;
}
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === StatusReason.AlreadyExists;
}
