/**
 * The one schema registry (DESIGN.md "Schemas") that OpenAPI, field validation, pruning,
 * strategic merge and server-side apply read. The schema module owns this folder; these
 * first bodies know no schema yet.
 */
import type { GroupVersionKind, KubeObject } from '../object.ts';

/** An OpenAPI v3 / JSON-schema node (apiextensions JSONSchemaProps subset). */
export interface SchemaNode {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  required?: string[];
  $ref?: string;
  [extension: `x-kubernetes-${string}`]: unknown;
  [keyword: string]: unknown;
}

/**
 * Paths of fields the schema of `gvk` does not know, for fieldValidation=Strict/Warn,
 * rendered as upstream's messages expect (`spec.foo`, `spec.containers[0].bar`).
 */
export function findUnknownFields(_gvk: GroupVersionKind, _obj: KubeObject): string[] {
  return [];
}

/** Adds (or replaces) the structural schema of a custom resource version from its CRD. */
export function registerCustomSchema(_gvk: GroupVersionKind, _schema: SchemaNode): void {}

/** Forgets a custom resource version's schema (CRD deleted or version removed). */
export function unregisterCustomSchema(_gvk: GroupVersionKind): void {}

/**
 * The schema of a kind (built-in or custom), as an OpenAPI v3 node whose nested types are
 * `$ref: '#/components/schemas/<name>'` (upstream names, e.g. io.k8s.api.core.v1.Container).
 * Nodes carry upstream's list/map extensions: x-kubernetes-patch-merge-key,
 * x-kubernetes-patch-strategy, x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type.
 */
export function getSchema(_gvk: GroupVersionKind): SchemaNode | undefined {
  return undefined;
}

/** Follows a `$ref` produced by getSchema; undefined when unknown. */
export function resolveRef(_ref: string): SchemaNode | undefined {
  return undefined;
}
