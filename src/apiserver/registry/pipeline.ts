/**
 * The steps every write runs before the store, in upstream's order: defaults → validation
 * (422) → unknown fields per fieldValidation → managed fields.
 */
import { badRequest, invalid } from '../../api/errors.ts';
import type { FieldError, StatusError } from '../../api/errors.ts';
import { applyDefaults } from '../../api/defaults/index.ts';
import type { GroupVersionKind, KubeObject } from '../../api/object.ts';
import { apiVersionOf, parseApiVersion } from '../../api/object.ts';
import { updateManagedFields } from '../../api/patch/index.ts';
import type { OwnershipOptions } from '../../api/patch/index.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { applyCustomDefaults, pruneUnknownFields, removeUnknownFields, validateAgainstSchema } from '../../api/schema/index.ts';
import { isCustomResource } from './strategy.ts';
import { decodeErrorMessage, validateObject } from '../../api/validation/index.ts';
import type { WriteContext } from './types.ts';

/** The GVK desc serves. */
export function gvkOf(desc: ResourceDescription): GroupVersionKind {
  return { group: desc.group, version: desc.version, kind: desc.kind };
}

/** Fills apiVersion/kind from the URL when the body omits them; 400 when they disagree. */
export function checkTypeMeta(desc: ResourceDescription, obj: KubeObject, expected?: { group: string; version: string; kind: string }): void {
  const want = expected ?? gvkOf(desc);
  const wantApiVersion = apiVersionOf(want.group, want.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== wantApiVersion) {
    const gv = parseApiVersion(obj.apiVersion);
    if (gv.group !== want.group || gv.version !== want.version) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${wantApiVersion})`);
    }
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== want.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${want.kind})`);
  }
  obj.apiVersion = wantApiVersion;
  obj.kind = want.kind;
}

/** Field ownership rules of desc: custom resources reset status on main-resource writes only when their version has a status subresource (built-ins: the patch module's default). */
export function ownershipOptions(desc: ResourceDescription): OwnershipOptions {
  return isCustomResource(desc) ? { statusSubresource: desc.hasStatus } : {};
}

/** 422 for field errors on obj. */
export function throwInvalid(desc: ResourceDescription, obj: KubeObject, errors: readonly FieldError[]): never {
  throw invalid(desc.group, desc.kind, obj.metadata.name ?? '', errors);
}

/**
 * Runs defaults, validation and unknown-field handling on obj (mutating it), then sets
 * managedFields for a non-apply write by ctx.fieldManager.
 */
export function admitWrite(desc: ResourceDescription, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, subresource: string | undefined, opts: { skipManagedFields?: boolean; skipValidation?: boolean } = {}): void {
  const gvk = gvkOf(desc);
  const custom = isCustomResource(desc);
  // Unknown fields first: upstream meets them while decoding, before defaults and validation.
  if (custom) {
    // Custom resources: prune what the schema does not specify, then schema defaults.
    reportUnknownFields(gvk, pruneUnknownFields(gvk, obj), ctx);
    applyCustomDefaults(gvk, obj);
  } else {
    checkUnknownFields(desc, obj, ctx);
    applyDefaults(gvk, obj, old);
  }
  if (!opts.skipValidation) {
    const errors = validateObject(gvk, obj, old);
    if (custom) {
      errors.push(...validateAgainstSchema(gvk, obj));
    }
    if (errors.length > 0) {
      // An unparsable quantity never decodes upstream: 400, not the 422 of validation.
      const undecodable = decodeErrorMessage(gvk, errors);
      if (undecodable !== undefined) {
        throw badRequest(undecodable);
      }
      throwInvalid(desc, obj, errors);
    }
  }
  if (!opts.skipManagedFields) {
    obj.metadata.managedFields = updateManagedFields(gvk, old, obj, ctx.fieldManager ?? 'unknown', subresource, ownershipOptions(desc));
    if (obj.metadata.managedFields.length === 0) {
      delete obj.metadata.managedFields;
    }
  }
}

/** fieldValidation: Strict → 400, Warn → warnings; unknown fields are dropped in every mode (they never decode). */
export function checkUnknownFields(desc: ResourceDescription, obj: KubeObject, ctx: WriteContext): void {
  const gvk = gvkOf(desc);
  reportUnknownFields(gvk, removeUnknownFields(gvk, obj), ctx);
}

/** Upstream's decode error: `<Kind> in version "<v>" cannot be handled as a <Kind>: <why>` (400). */
export function decodeError(gvk: GroupVersionKind, why: string): StatusError {
  return badRequest(`${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: ${why}`);
}

/** Strict: 400 naming every unknown field (at most 100, like upstream); Warn: one warning each; Ignore: nothing. */
function reportUnknownFields(gvk: GroupVersionKind, unknown: readonly string[], ctx: WriteContext): void {
  if (unknown.length === 0) {
    return;
  }
  if (ctx.fieldValidation === 'Strict') {
    throw decodeError(gvk, `strict decoding error: ${unknown.slice(0, 100).map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  if (ctx.fieldValidation === 'Warn') {
    for (const f of unknown) {
      ctx.warnings.push(`unknown field "${f}"`);
    }
  }
}
