/**
 * Custom resource schemas registered from CRDs: the CRD version's openAPIV3Schema, completed
 * the way upstream publishes it (apiVersion, kind, metadata → ObjectMeta, the GVK extension).
 */
import type { GroupVersionKind } from '../object.ts';
import { refPrefix } from './node.ts';
import type { SchemaNode } from './node.ts';

const byGvk = new Map<string, { name: string; root: SchemaNode }>();
const byName = new Map<string, SchemaNode>();
let revision = 0;

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** Upstream's definition name for a custom kind: group reversed, e.g. com.example.stable.v1.CronTab. */
export function customDefinitionName(gvk: GroupVersionKind): string {
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

const apiVersionDescription =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const kindDescription =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const metadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** Stores a CRD version's schema; a later call for the same kind replaces it. */
export function setCustomSchema(gvk: GroupVersionKind, schema: SchemaNode): void {
  const copy = structuredClone(schema);
  const properties: Record<string, SchemaNode> = { ...(copy.properties ?? {}) };
  properties.apiVersion = { description: apiVersionDescription, type: 'string' };
  properties.kind = { description: kindDescription, type: 'string' };
  properties.metadata = { description: metadataDescription, $ref: `${refPrefix}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` };
  const root: SchemaNode = { ...copy, type: 'object', properties, 'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: gvk.kind, version: gvk.version }] };
  deleteCustomSchema(gvk);
  const name = customDefinitionName(gvk);
  byGvk.set(gvkKey(gvk), { name, root });
  byName.set(name, root);
  revision++;
}

/** Forgets a custom kind's schema; unknown kinds are ignored. */
export function deleteCustomSchema(gvk: GroupVersionKind): void {
  const prev = byGvk.get(gvkKey(gvk));
  if (prev !== undefined) {
    byGvk.delete(gvkKey(gvk));
    byName.delete(prev.name);
    revision++;
  }
}

/** The completed schema of a custom kind, or undefined. */
export function customSchema(gvk: GroupVersionKind): SchemaNode | undefined {
  return byGvk.get(gvkKey(gvk))?.root;
}

/** A custom definition by its upstream name. */
export function customDefinition(name: string): SchemaNode | undefined {
  return byName.get(name);
}

/** True when the kind's schema came from a CRD. */
export function isCustom(gvk: GroupVersionKind): boolean {
  return byGvk.has(gvkKey(gvk));
}

/** Bumped on every change, so OpenAPI documents can be re-hashed. */
export function customRevision(): number {
  return revision;
}
