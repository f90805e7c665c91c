/**
 * Unknown-field walking over an object and its schema: the one traversal behind strict
 * field validation (findUnknownFields) and custom-resource pruning (pruneUnknownFields).
 * Paths follow upstream: fields joined by '.', list items as `[i]`; map entries as `.key`
 * for built-in kinds (strict JSON decoding) and `[key]` for custom resources (pruning).
 */
import { isPlainObject } from './node.ts';
import type { SchemaNode } from './node.ts';

/** How the walk renders map keys and resolves `$ref`s. */
export interface WalkOptions {
  resolve: (ref: string) => SchemaNode | undefined;
  mapKeys: 'dot' | 'bracket';
  /** Delete unknown fields from the object as they are found. */
  prune: boolean;
}

const objectMetaRef = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Follows `$ref` and single-element `allOf` wrappers to the node that describes the value. */
export function derefNode(node: SchemaNode, resolve: (ref: string) => SchemaNode | undefined): SchemaNode | undefined {
  let n: SchemaNode | undefined = node;
  for (let hops = 0; n !== undefined && hops < 16; hops++) {
    if (typeof n.$ref === 'string') {
      n = resolve(n.$ref);
      continue;
    }
    const allOf = n.allOf;
    if (Array.isArray(allOf) && allOf.length === 1 && n.properties === undefined) {
      n = allOf[0] as SchemaNode;
      continue;
    }
    return n;
  }
  return n;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Walks `value` under `node`, reporting (and optionally deleting) fields the schema does not know. */
export function walkUnknown(node: SchemaNode, value: unknown, path: string, out: string[], opts: WalkOptions): void {
  const n = derefNode(node, opts.resolve);
  if (n === undefined || n['x-kubernetes-int-or-string'] === true) {
    return;
  }
  if (Array.isArray(value)) {
    if (n.items !== undefined) {
      value.forEach((item, i) => walkUnknown(n.items as SchemaNode, item, `${path}[${i}]`, out, opts));
    }
    return;
  }
  if (!isPlainObject(value) || (n.type !== undefined && n.type !== 'object')) {
    return;
  }
  const props = n.properties;
  const additional = n.additionalProperties;
  const preserve = n['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = n['x-kubernetes-embedded-resource'] === true;
  if (props === undefined && additional === undefined && (preserve || (n.type === undefined && !embedded))) {
    return;
  }
  for (const key of Object.keys(value)) {
    const child = value[key];
    const prop = props?.[key];
    if (prop !== undefined) {
      walkUnknown(prop, child, join(path, key), out, opts);
    } else if (embedded && (key === 'apiVersion' || key === 'kind')) {
      continue;
    } else if (embedded && key === 'metadata') {
      walkUnknown({ $ref: objectMetaRef }, child, join(path, key), out, opts);
    } else if (isPlainObject(additional)) {
      walkUnknown(additional, child, opts.mapKeys === 'dot' ? join(path, key) : `${path}[${key}]`, out, opts);
    } else if (additional === true || preserve) {
      continue;
    } else {
      out.push(join(path, key));
      if (opts.prune) {
        delete value[key];
      }
    }
  }
}
