/**
 * Structural-schema defaulting of custom resources (upstream's CRD `default`): a missing
 * property whose schema has a `default` gets a copy of it; defaults apply only under objects
 * that exist (an absent parent is not created), and recurse into items and map values.
 */
import { isPlainObject } from './node.ts';
import type { SchemaNode } from './node.ts';

/** Fills defaults into `value` (in place) following `node`. */
export function applyDefaultsFromSchema(node: SchemaNode, value: unknown): void {
  if (Array.isArray(value)) {
    if (isPlainObject(node.items)) {
      for (const item of value) {
        applyDefaultsFromSchema(node.items, item);
      }
    }
    return;
  }
  if (!isPlainObject(value)) {
    return;
  }
  for (const [key, prop] of Object.entries(node.properties ?? {})) {
    if (!(key in value) && prop.default !== undefined) {
      value[key] = structuredClone(prop.default);
    }
    if (key in value && typeof prop.$ref !== 'string') {
      applyDefaultsFromSchema(prop, value[key]);
    }
  }
  if (isPlainObject(node.additionalProperties)) {
    for (const [key, child] of Object.entries(value)) {
      if (node.properties?.[key] === undefined) {
        applyDefaultsFromSchema(node.additionalProperties, child);
      }
    }
  }
}
