/** Turns an HTTP error response into a StatusError, like client-go's NewGenericServerResponse. */
import { StatusError, StatusReason } from '../api/errors.ts';
import type { StatusDetails } from '../api/errors.ts';

/** A watch ERROR 410 (or a 410 answer): the requested resourceVersion is too old; relist. */
export class GoneError extends StatusError {
  constructor(message: string, details?: StatusDetails) {
    super(410, StatusReason.Expired, message, details);
    this.name = 'GoneError';
  }
}

/** True for a 410 Gone / Expired error (the informer relists on it). */
export function isGone(e: unknown): boolean {
  return e instanceof StatusError && (e.code === 410 || e.reason === StatusReason.Expired || e.reason === StatusReason.Gone);
}

const genericReasons: Readonly<Record<number, [StatusReason, string]>> = {
  400: [StatusReason.BadRequest, 'the server rejected our request for an unknown reason'],
  401: [StatusReason.Unauthorized, 'the server has asked for the client to provide credentials'],
  403: [StatusReason.Forbidden, 'the server does not allow access to the requested resource'],
  404: [StatusReason.NotFound, 'the server could not find the requested resource'],
  405: [StatusReason.MethodNotAllowed, 'the server does not allow this method on the requested resource'],
  406: [StatusReason.NotAcceptable, 'the server was unable to respond with a content type that the client supports'],
  409: [StatusReason.Conflict, 'the server reported a conflict'],
  410: [StatusReason.Gone, 'the server has asked for the client to provide credentials'],
  413: [StatusReason.RequestEntityTooLarge, 'the server has rejected the request because the request entity is too large'],
  415: [StatusReason.UnsupportedMediaType, 'the server was unable to respond with a content type that the client supports'],
  422: [StatusReason.Invalid, 'the server rejected our request due to an error in our request'],
  429: [StatusReason.TooManyRequests, 'the server has received too many requests and has asked us to try again later'],
  500: [StatusReason.InternalError, 'an error on the server has prevented the request from succeeding'],
  503: [StatusReason.ServiceUnavailable, 'the server is currently unable to handle the request'],
  504: [StatusReason.Timeout, 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes a metav1.Status value (a watch ERROR object or an error body) into a StatusError (GoneError for 410). */
export function statusToError(status: unknown, httpCode?: number): StatusError {
  if (isRecord(status) && status.kind === 'Status') {
    const code = typeof status.code === 'number' ? status.code : (httpCode ?? 500);
    const reason = (typeof status.reason === 'string' && status.reason !== '' ? status.reason : (genericReasons[code]?.[0] ?? StatusReason.InternalError)) as StatusReason;
    const message = typeof status.message === 'string' ? status.message : (genericReasons[code]?.[1] ?? `unknown (${code})`);
    const details = isRecord(status.details) ? (status.details as StatusDetails) : undefined;
    return code === 410 ? new GoneError(message, details) : new StatusError(code, reason, message, details);
  }
  return errorFromResponse(httpCode ?? 500, typeof status === 'string' ? status : JSON.stringify(status));
}

/** The error for an HTTP answer with status `code` and raw `body`: the Status it carries, else a generic one. */
export function errorFromResponse(code: number, body: string): StatusError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed) && parsed.kind === 'Status') {
      return statusToError(parsed, code);
    }
  } catch {
    // not JSON: fall through to the generic message, keeping the text like client-go does
  }
  const [reason, generic] = genericReasons[code] ?? [code >= 500 ? StatusReason.InternalError : StatusReason.BadRequest, `an error on the server ("${body.trim().slice(0, 200)}") has prevented the request from succeeding`];
  const text = body.trim();
  const message = text === '' || genericReasons[code] === undefined ? generic : `${generic} (${text.slice(0, 200)})`;
  return code === 410 ? new GoneError(message) : new StatusError(code, reason, message);
}
