/**
 * Writing responses on HTTP/1.1 and the HTTP/2 compat API alike: JSON/YAML bodies with a
 * Content-Length, metav1.Status errors, Warning headers; bodies over 128 KiB gzipped for clients
 * that accept it, as upstream. Never sets Transfer-Encoding or Connection (they crash http2 responses).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { pipeline } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
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
  if (extraHeaders['Cache-Control'] === undefined) {
    res.setHeader('Cache-Control', 'no-cache, private');
  }
  for (const [k, v] of Object.entries(extraHeaders)) {
    res.setHeader(k, v);
  }
  if (buf.length > gzipThresholdBytes && acceptsGzip(res)) {
    gzipped(res).end(buf);
    return;
  }
  res.setHeader('Content-Length', String(buf.length));
  res.end(buf);
}

/** Upstream (responsewriters) gzips a response whose body is larger than this when the client accepts gzip. */
export const gzipThresholdBytes = 128 * 1024;

/** Whether the request behind res sent `Accept-Encoding` with a `gzip` token (upstream compares each comma-separated token, trimmed, to "gzip"). */
export function acceptsGzip(res: AnyResponse): boolean {
  const header = (res as { req?: { headers?: IncomingHttpHeaders } }).req?.headers?.['accept-encoding'];
  return typeof header === 'string' && header.split(',').some((token) => token.trim() === 'gzip');
}

/**
 * Marks res as gzip-encoded (Content-Encoding, Vary; no Content-Length, so it is chunked) and
 * returns the stream to write the plain body into; ending it ends res. Level 1, as upstream
 * (kubernetes/kubernetes#112296: far less CPU for nearly the same ratio). Headers must not be sent yet.
 */
export function gzipped(res: AnyResponse): Gzip {
  res.setHeader('Content-Encoding', 'gzip');
  const vary = res.getHeader('Vary');
  res.setHeader('Vary', vary === undefined ? 'Accept-Encoding' : [...(Array.isArray(vary) ? vary : [String(vary)]), 'Accept-Encoding']);
  res.removeHeader('Content-Length');
  const gzip = createGzip({ level: 1, chunkSize: 64 * 1024 });
  // pipeline destroys the gzip stream when the client goes away mid-body.
  pipeline(gzip, res as unknown as NodeJS.WritableStream, () => undefined);
  return gzip;
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
