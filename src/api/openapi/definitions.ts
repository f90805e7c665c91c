/**
 * The definitions an OpenAPI document carries: every schema reachable from its roots,
 * looked up in the schema registry, plus the list kinds upstream synthesizes for CRDs.
 * Renders registry nodes into v3 (`allOf`-wrapped refs with siblings) or v2 (`#/definitions/`).
 */
import type { GroupVersionKind } from '../object.ts';
import type { ResourceDescription } from '../resource.ts';
import { customDefinitionName, definitionNameOf, isCustom, refName, resolveRef } from '../schema/index.ts';
import type { SchemaNode } from '../schema/index.ts';
import { metaPkg } from './operations.ts';

const listMetaDescription = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Looks up definitions by name, including the list kinds of custom resources. */
export class DefinitionSource {
  readonly #customLists = new Map<string, SchemaNode>();

  constructor(resources: readonly ResourceDescription[]) {
    for (const r of resources) {
      const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
      if (isCustom(gvk)) {
        const listName = customDefinitionName({ ...gvk, kind: r.listKind });
        this.#customLists.set(listName, {
          description: `${r.listKind} is a list of ${r.kind}`,
          type: 'object',
          required: ['items'],
          properties: {
            apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
            items: { description: `List of ${r.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: { $ref: `#/components/schemas/${customDefinitionName(gvk)}` } },
            kind: { description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' },
            metadata: { description: listMetaDescription, $ref: `#/components/schemas/${metaPkg}.ListMeta` },
          },
          'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.listKind, version: r.version }],
        });
      }
    }
  }

  /** The definition name of a kind, or undefined when no schema is known. */
  nameOf(gvk: GroupVersionKind): string | undefined {
    const name = definitionNameOf(gvk);
    if (name !== undefined) {
      return name;
    }
    const listName = customDefinitionName(gvk);
    return this.#customLists.has(listName) ? listName : undefined;
  }

  /** A definition by name. */
  get(name: string): SchemaNode | undefined {
    return this.#customLists.get(name) ?? resolveRef(name);
  }

  /** Every definition reachable from `roots`, sorted by name. */
  collect(roots: Iterable<string>): Map<string, SchemaNode> {
    const found = new Map<string, SchemaNode>();
    const pending = [...roots];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (found.has(name)) {
        continue;
      }
      const def = this.get(name);
      if (def === undefined) {
        continue;
      }
      found.set(name, def);
      collectRefs(def, pending);
    }
    return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

function collectRefs(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const n of node) {
      collectRefs(n, out);
    }
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        out.push(refName(v));
      } else if (k !== 'enum' && k !== 'default' && k !== 'example') {
        collectRefs(v, out);
      }
    }
  }
}

const nested = ['items', 'additionalProperties', 'not'] as const;

/** Renders a registry node as upstream's v3 documents do (a `$ref` with siblings becomes `allOf: [{$ref}]`). */
export function toV3(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && typeof v === 'object' && v !== null) {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, SchemaNode>).map(([p, s]) => [p, toV3(s)]));
    } else if ((nested as readonly string[]).includes(k) && typeof v === 'object' && v !== null) {
      out[k] = toV3(v as SchemaNode);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map((s: SchemaNode) => toV3(s));
    } else if (k !== '$ref') {
      out[k] = v;
    }
  }
  if (typeof node.$ref === 'string') {
    if (Object.keys(out).length === 0) {
      return { $ref: node.$ref };
    }
    return { allOf: [{ $ref: node.$ref }], ...out };
  }
  return out;
}

/** Renders a registry node for swagger 2.0: `#/definitions/` refs, one-of scalars as their v2 types. */
export function toV2(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && typeof v === 'object' && v !== null) {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, SchemaNode>).map(([p, s]) => [p, toV2(s)]));
    } else if ((nested as readonly string[]).includes(k) && typeof v === 'object' && v !== null) {
      out[k] = toV2(v as SchemaNode);
    } else if (k === '$ref' && typeof v === 'string') {
      out.$ref = `#/definitions/${refName(v)}`;
    } else if (k === 'oneOf' || k === 'anyOf' || k === 'nullable') {
      continue;
    } else if (k === 'allOf' && Array.isArray(v)) {
      out.allOf = v.map((s: SchemaNode) => toV2(s));
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(node.oneOf) && out.type === undefined) {
    // Quantity and IntOrString: swagger 2.0 has no oneOf; upstream publishes them as strings.
    out.type = 'string';
  }
  return out;
}
