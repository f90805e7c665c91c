/**
 * Request bodies: read with a size cap (413 without buffering the excess), then decode by
 * Content-Type into JSON-shaped data (JSON, YAML, Kubernetes protobuf).
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { parse as parseYaml } from 'yaml';
import { badRequest, StatusError, StatusReason, tooLarge, unsupportedMediaType } from '../../api/errors.ts';
import { PatchType } from '../registry/types.ts';

/** Upstream's request body limit (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Reads the whole body; rejects with 413 as soon as it passes `limit` (and stops reading). */
export function readBody(req: IncomingMessage | Http2ServerRequest, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) {
        return;
      }
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err !== undefined) {
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > limit) {
        chunks.length = 0;
        finish(tooLarge());
        // HTTP/1.1 must get past the body to answer on a reusable connection: discard the rest
        // without keeping it. HTTP/2 streams are flow-controlled and reset when we answer.
        if (req.httpVersionMajor === 1) {
          req.resume();
        } else {
          req.pause();
        }
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (e: Error): void => finish(badRequest(`error reading request body: ${e.message}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The media type of a Content-Type header, lower-cased without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

const protobufType = 'application/vnd.kubernetes.protobuf';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseYamlText(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function decodeProtobuf(body: Buffer): Promise<unknown> {
  // Imported on first use: protobufjs and the message schemas are a noticeable part of start-up,
  // and only helm and `kubectl auth` send protobuf bodies.
  const { decodeProtobufBody } = await import('../protobuf/decode.ts');
  try {
    return decodeProtobufBody(body);
  } catch (e) {
    if (e instanceof StatusError) {
      throw e;
    }
    throw badRequest(`failed to decode protobuf body: ${(e as Error).message}`);
  }
}

/** Decodes an object body (create, update, DeleteOptions) by Content-Type; '' or JSON → JSON. */
export async function decodeBody(body: Buffer, contentType: string | undefined): Promise<unknown> {
  const type = mediaTypeOf(contentType);
  if (type === '' || type === 'application/json') {
    return parseJson(body.toString('utf8'));
  }
  if (type === 'application/yaml') {
    return parseYamlText(body.toString('utf8'));
  }
  if (type === protobufType) {
    return decodeProtobuf(body);
  }
  throw unsupportedMediaType(contentType ?? '');
}

/** Decodes an object body and insists it is a JSON object (400 otherwise). */
export async function decodeObjectBody(body: Buffer, contentType: string | undefined): Promise<Record<string, unknown>> {
  if (body.length === 0) {
    throw badRequest('the body of the request was empty');
  }
  const obj = await decodeBody(body, contentType);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw badRequest("Object 'Kind' is missing in the request body: the body must be a JSON object");
  }
  return obj as Record<string, unknown>;
}

const patchTypes: ReadonlySet<string> = new Set(Object.values(PatchType));

/** The PatchType named by a PATCH's Content-Type, or 415 with upstream's list. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = mediaTypeOf(contentType);
  if (!patchTypes.has(type) || type === PatchType.ApplyCbor) {
    throw new StatusError(415, StatusReason.UnsupportedMediaType,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
  return type as PatchType;
}

/** Decodes a PATCH body: JSON for the JSON-based patch types, YAML (which includes JSON) for apply. */
export function decodePatchBody(body: Buffer, type: PatchType): unknown {
  const text = body.toString('utf8');
  if (type === PatchType.Apply) {
    const v = parseYamlText(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw badRequest('error decoding YAML: the apply patch must be an object');
    }
    return v;
  }
  const v = parseJson(text);
  if (type === PatchType.Json ? !Array.isArray(v) : typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(type === PatchType.Json ? 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' : 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  }
  return v;
}
