/**
 * The one schema registry (DESIGN.md "Schemas") that OpenAPI, field validation, pruning,
 * strategic merge and server-side apply read: built-in definitions generated from
 * @kubernetes/client-node plus upstream's list/patch markers (generated/), and custom
 * resource schemas registered from CRDs.
 */
import type { FieldError } from '../errors.ts';
import type { GroupVersionKind, KubeObject } from '../object.ts';
import { builtinDefinition, builtinDefinitionName } from './builtin.ts';
import { applyDefaultsFromSchema } from './defaults.ts';
import { customDefinition, customDefinitionName as customDefinitionNameOf, customSchema, deleteCustomSchema, isCustom, setCustomSchema } from './custom.ts';
import { refName } from './node.ts';
import type { SchemaNode } from './node.ts';
import { derefNode, walkUnknown } from './unknown.ts';
import { validateNode } from './validate.ts';

export type { SchemaNode } from './node.ts';
export { refName, refPrefix } from './node.ts';
export { customDefinitionName, customRevision, isCustom } from './custom.ts';
export { derefNode } from './unknown.ts';

/**
 * Paths of fields the schema of `gvk` does not know, for fieldValidation=Strict/Warn,
 * rendered as upstream's messages expect (`spec.foo`, `spec.containers[0].bar`).
 * Empty when the kind has no schema. Upstream stops at 100 distinct errors; so do we.
 */
export function findUnknownFields(gvk: GroupVersionKind, obj: KubeObject): string[] {
  const schema = getSchema(gvk);
  if (schema === undefined) {
    return [];
  }
  const out: string[] = [];
  walkUnknown(schema, obj, '', out, { resolve: resolveRef, mapKeys: isCustom(gvk) ? 'bracket' : 'dot', prune: false });
  return [...new Set(out)].slice(0, 100);
}

/**
 * Like findUnknownFields, but also deletes those fields from `obj` (in place), for any kind:
 * what fieldValidation=Ignore/Warn need (unknown fields never decode upstream). Exact even
 * when map keys contain dots, unlike re-parsing the returned paths.
 */
export function removeUnknownFields(gvk: GroupVersionKind, obj: KubeObject): string[] {
  const schema = getSchema(gvk);
  if (schema === undefined) {
    return [];
  }
  const out: string[] = [];
  walkUnknown(schema, obj, '', out, { resolve: resolveRef, mapKeys: isCustom(gvk) ? 'bracket' : 'dot', prune: true });
  return [...new Set(out)];
}

/**
 * Removes, in place, the fields a custom resource's schema does not specify (upstream's
 * pruning; x-kubernetes-preserve-unknown-fields keeps them) and returns their paths.
 * Built-in kinds are left untouched (their decoding drops unknown fields instead).
 */
export function pruneUnknownFields(gvk: GroupVersionKind, obj: KubeObject): string[] {
  const schema = customSchema(gvk);
  if (schema === undefined) {
    return [];
  }
  const out: string[] = [];
  walkUnknown(schema, obj, '', out, { resolve: resolveRef, mapKeys: 'bracket', prune: true });
  return out;
}

/**
 * Checks a custom resource against its CRD schema (type, enum, required, bounds, pattern,
 * lengths, item counts, basic formats) with upstream's messages, e.g. field `spec.replicas`,
 * message `Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
 * Empty for built-in kinds (their validation is hand-written) and kinds without a schema.
 */
export function validateAgainstSchema(gvk: GroupVersionKind, obj: KubeObject): FieldError[] {
  const schema = customSchema(gvk);
  if (schema === undefined) {
    return [];
  }
  const out: FieldError[] = [];
  validateNode(schema, obj, '', out);
  return out;
}

/**
 * Applies a custom resource's schema defaults in place (upstream defaults CRs after pruning,
 * on create/update and when reading from storage). No-op for built-in kinds.
 */
export function applyCustomDefaults(gvk: GroupVersionKind, obj: KubeObject): void {
  const schema = customSchema(gvk);
  if (schema !== undefined) {
    applyDefaultsFromSchema(schema, obj);
  }
}

/** Adds (or replaces) the structural schema of a custom resource version from its CRD. */
export function registerCustomSchema(gvk: GroupVersionKind, schema: SchemaNode): void {
  setCustomSchema(gvk, schema);
}

/** Forgets a custom resource version's schema (CRD deleted or version removed). */
export function unregisterCustomSchema(gvk: GroupVersionKind): void {
  deleteCustomSchema(gvk);
}

/**
 * The schema of a kind (built-in or custom), as an OpenAPI v3 node whose nested types are
 * `$ref: '#/components/schemas/<name>'` (upstream names, e.g. io.k8s.api.core.v1.Container).
 * Nodes carry upstream's list/map extensions: x-kubernetes-patch-merge-key,
 * x-kubernetes-patch-strategy, x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type.
 * The returned nodes are shared: callers must not mutate them.
 */
export function getSchema(gvk: GroupVersionKind): SchemaNode | undefined {
  const custom = customSchema(gvk);
  if (custom !== undefined) {
    return custom;
  }
  const name = builtinDefinitionName(gvk.group, gvk.version, gvk.kind);
  return name === undefined ? undefined : builtinDefinition(name);
}

/** Follows a `$ref` produced by getSchema; undefined when unknown. */
export function resolveRef(ref: string): SchemaNode | undefined {
  const name = refName(ref);
  return customDefinition(name) ?? builtinDefinition(name);
}

/**
 * The schema of the field at `path` (JSON field names; list items are entered with the
 * `items` of a list) below `node`, following `$ref`s; undefined when the schema has no such
 * field. Lets patch code ask e.g. for `['spec', 'template', 'spec', 'containers']`.
 */
export function schemaAtPath(node: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let n: SchemaNode | undefined = derefNode(node, resolveRef);
  for (const seg of path) {
    if (n === undefined) {
      return undefined;
    }
    const next: SchemaNode | undefined = n.properties?.[seg] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
    n = next === undefined ? undefined : derefNode(next, resolveRef);
  }
  return n;
}

/** The definition name of a kind's schema (built-in upstream name, or the CRD's), or undefined. */
export function definitionNameOf(gvk: GroupVersionKind): string | undefined {
  if (isCustom(gvk)) {
    return customDefinitionNameOf(gvk);
  }
  return builtinDefinitionName(gvk.group, gvk.version, gvk.kind);
}
