/**
 * RFC 6902 JSON patch and RFC 7386 JSON merge patch, with failures mapped to the Status
 * errors upstream's patch handler returns (malformed patch → 400, failed op → 422).
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, StatusError, StatusReason } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { clone, isObject } from './json-values.ts';

/** Upstream caps a JSON patch at this many operations (413 beyond). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** 422 as upstream's NewGenericServerResponse builds it: a fixed message, no causes. */
function rejected(): StatusError {
  return new StatusError(422, StatusReason.Invalid, 'the server rejected our request due to an error in our request', {});
}

function decodeOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, StatusReason.RequestEntityTooLarge, `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch.map((op: unknown) => {
    if (!isObject(op)) {
      throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type jsonpatch.Operation`);
    }
    return op as unknown as Operation;
  });
}

/** RFC 6902 JSON patch over a copy of `obj`. Throws 400 for a malformed patch and 422 when an operation fails. */
export function applyJsonPatch(obj: KubeObject, patch: unknown): KubeObject {
  const ops = decodeOperations(patch);
  let doc: unknown = clone(obj);
  for (const op of ops) {
    const kind = (op as { op?: unknown }).op;
    if (typeof kind !== 'string' || !OPS.has(kind)) {
      // evanphx/json-patch: "Unexpected kind: <op>"
      throw rejected();
    }
    try {
      doc = fastJsonPatch.applyOperation(doc, op, true, true, true).newDocument;
    } catch (e) {
      if (e instanceof Error && e.name !== 'Error') {
        throw rejected();
      }
      throw e;
    }
  }
  if (!isObject(doc)) {
    throw rejected();
  }
  return doc as KubeObject;
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) {
    return clone(patch);
  }
  const base: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete base[k];
    } else {
      base[k] = mergeInto(base[k], v);
    }
  }
  return base;
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(obj: KubeObject, patch: unknown): KubeObject {
  if (!isObject(patch)) {
    throw badRequest('Invalid JSON Patch');
  }
  return mergeInto(obj, patch) as KubeObject;
}
