/**
 * Writing responses on HTTP/1.1 and the HTTP/2 compat API alike: JSON/YAML bodies with a
 * Content-Length, metav1.Status errors, Warning headers. Never sets Transfer-Encoding or
 * Connection (they crash http2 responses).
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { stringify as toYaml } from 'yaml';
import { internalError, isStatusError, type Status } from '../../api/errors.ts';

/** Either kind of response object the handler may be given. */
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Encodes a value as the negotiated encoding. */
export function encode(value: unknown, encoding: 'json' | 'yaml', pretty: boolean): string {
  if (encoding === 'yaml') {
    return toYaml(value);
  }
  return pretty ? `${JSON.stringify(value, null, 2)}\n` : `${JSON.stringify(value)}\n`;
}

/** Sends a complete body with a status code and Content-Type; ignored if the response already started. */
export function send(res: AnyResponse, code: number, contentType: string, body: string | Buffer, extraHeaders: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(buf.length));
  if (extraHeaders['Cache-Control'] === undefined) {
    res.setHeader('Cache-Control', 'no-cache, private');
  }
  for (const [k, v] of Object.entries(extraHeaders)) {
    res.setHeader(k, v);
  }
  res.end(buf);
}

/** Sends a JSON value. */
export function sendJson(res: AnyResponse, code: number, value: unknown, contentType = 'application/json', pretty = false): void {
  send(res, code, contentType, encode(value, 'json', pretty));
}

/** Turns anything thrown into a metav1.Status; unexpected errors become 500 InternalError (and are logged). */
export function toStatus(err: unknown, log: (msg: string) => void): Status {
  if (isStatusError(err)) {
    return err.toStatus();
  }
  const message = err instanceof Error ? err.message : String(err);
  log(`apiserver: internal error: ${err instanceof Error && err.stack !== undefined ? err.stack : message}`);
  return internalError(message).toStatus();
}

/** Sends an error as a Status (or ends a response already started). */
export function sendError(res: AnyResponse, err: unknown, log: (msg: string) => void): number {
  const status = toStatus(err, log);
  if (res.headersSent) {
    res.end();
    return status.code;
  }
  sendJson(res, status.code, status);
  return status.code;
}

/** Sets `Warning: 299 - "<msg>"` headers (RFC 7234 warn-text, quotes and backslashes escaped). */
export function setWarnings(res: AnyResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) {
    return;
  }
  const unique = [...new Set(warnings)];
  // Header values must stay printable ASCII (Node throws on others): escape quotes, replace the rest.
  const text = (w: string): string => w.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  res.setHeader('Warning', unique.map((w) => `299 - "${text(w)}"`));
}

/** Sends status and headers now (before any body byte), on HTTP/1.1 and HTTP/2 alike. */
export function startStream(res: AnyResponse, code: number, headers: Record<string, string>): void {
  res.statusCode = code;
  for (const [k, v] of Object.entries(headers)) {
    res.setHeader(k, v);
  }
  if ('flushHeaders' in res) {
    res.flushHeaders();
  } else {
    // The HTTP/2 compat response sends its HEADERS frame on writeHead.
    res.writeHead(code);
  }
}

/** Writes one chunk of a streamed body. */
export function writeChunk(res: AnyResponse, text: string): void {
  (res as { write(chunk: string): boolean }).write(text);
}
