/** The schema node type every schema module shares, and small helpers over it. */

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

/** Prefix of every `$ref` the registry hands out. */
export const refPrefix = '#/components/schemas/';

/** `#/components/schemas/io.k8s.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod` (also accepts v2's `#/definitions/` and bare names). */
export function refName(ref: string): string {
  if (ref.startsWith(refPrefix)) {
    return ref.slice(refPrefix.length);
  }
  if (ref.startsWith('#/definitions/')) {
    return ref.slice('#/definitions/'.length);
  }
  return ref;
}

/** True for a JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
