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

/** The metadata of an embedded resource is an ObjectMeta (one node, so derefCached remembers it). */
const objectMetaNode: SchemaNode = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };

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

/** derefNode results per resolver: schemas are immutable once loaded, and the walk visits the same nodes for every object. */
const derefMemo = new WeakMap<(ref: string) => SchemaNode | undefined, WeakMap<SchemaNode, SchemaNode | null>>();

function derefCached(node: SchemaNode, resolve: (ref: string) => SchemaNode | undefined): SchemaNode | undefined {
  let memo = derefMemo.get(resolve);
  if (memo === undefined) {
    memo = new WeakMap();
    derefMemo.set(resolve, memo);
  }
  let n = memo.get(node);
  if (n === undefined) {
    n = derefNode(node, resolve) ?? null;
    memo.set(node, n);
  }
  return n ?? undefined;
}

/** Walks `value` under `node`, reporting (and optionally deleting) fields the schema does not know. */
export function walkUnknown(node: SchemaNode, value: unknown, path: string, out: string[], opts: WalkOptions): void {
  walk(node, value, path === '' ? [] : [path], out, opts);
}

/** A field's segment: `key` at the root, `.key` below it. */
function keySegment(segments: readonly string[], key: string): string {
  return segments.length === 0 ? key : `.${key}`;
}

/** `segments` is the path so far, joined only when a field is reported (most walks report none). */
function walk(node: SchemaNode, value: unknown, segments: string[], out: string[], opts: WalkOptions): void {
  const n = derefCached(node, opts.resolve);
  if (n === undefined || n['x-kubernetes-int-or-string'] === true) {
    return;
  }
  if (Array.isArray(value)) {
    const items = n.items as SchemaNode | undefined;
    if (items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        segments.push(`[${i}]`);
        walk(items, value[i], segments, out, opts);
        segments.pop();
      }
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
    let childNode: SchemaNode | undefined;
    let segment: string | undefined;
    if (prop !== undefined) {
      childNode = prop;
    } else if (embedded && (key === 'apiVersion' || key === 'kind')) {
      continue;
    } else if (embedded && key === 'metadata') {
      childNode = objectMetaNode;
    } else if (isPlainObject(additional)) {
      childNode = additional;
      segment = opts.mapKeys === 'dot' ? undefined : `[${key}]`;
    } else if (additional === true || preserve) {
      continue;
    } else {
      out.push(segments.join('') + keySegment(segments, key));
      if (opts.prune) {
        delete value[key];
      }
      continue;
    }
    // Scalars under a known field cannot hide unknown fields: no need to descend.
    if (child === null || typeof child !== 'object') {
      continue;
    }
    segments.push(segment ?? keySegment(segments, key));
    walk(childNode, child, segments, out, opts);
    segments.pop();
  }
}
