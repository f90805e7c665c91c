/**
 * What the patch algorithms need to know about a field: its list semantics (merge key,
 * patch strategy, list type and map keys) and whether a map is atomic. Read from the
 * schema registry when it describes the field, else from a small built-in table of
 * upstream's `+patchMergeKey`/`+listType` markers for the core paths.
 */
import type { GroupVersionKind } from '../object.ts';
import { getSchema, resolveRef } from '../schema/index.ts';
import type { SchemaNode } from '../schema/index.ts';
import { isObject } from './json-values.ts';

/** Where a walk stands: the schema node (if any) and the field-name path from the root. */
export interface TypeCursor {
  readonly gvk: GroupVersionKind;
  /** The property node as written (it carries the x-kubernetes extensions). */
  readonly prop: SchemaNode | undefined;
  /** The property node with `$ref`/`allOf` followed (it carries properties/items). */
  readonly node: SchemaNode | undefined;
  /** Field names from the root, list items adding nothing (`spec.template.spec.containers.ports`). */
  readonly path: readonly string[];
}

/** SSA list types (x-kubernetes-list-type). */
export const ListType = { Atomic: 'atomic', Set: 'set', Map: 'map' } as const;
export type ListType = (typeof ListType)[keyof typeof ListType];

/** A list's semantics for strategic merge (strategy, mergeKey) and apply (listType, keys). */
export interface ListSemantics {
  /** Strategic merge patch strategies (`merge`, `retainKeys`, `replace`); empty: replace. */
  readonly patchStrategy: readonly string[];
  readonly mergeKey: string | undefined;
  readonly listType: ListType;
  readonly mapKeys: readonly string[];
  /** Schema defaults of key fields, used when an item omits one (protocol → TCP). */
  readonly keyDefaults: Readonly<Record<string, unknown>>;
}

interface BuiltinList {
  /** Dot-joined field-name path suffix; a leading `^` anchors it at the root. */
  readonly path: string;
  readonly kinds?: readonly string[];
  readonly strategy: string;
  readonly mergeKey?: string;
  readonly listType: ListType;
  readonly mapKeys?: readonly string[];
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
}

const containerLists = ['containers', 'initContainers', 'ephemeralContainers'];
const ports = { strategy: 'merge', mergeKey: 'containerPort', listType: ListType.Map, mapKeys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } } as const;

/** Upstream's markers on core API types (staging/src/k8s.io/api/**\/types.go), used until the schema has them. */
const BUILTIN_LISTS: readonly BuiltinList[] = [
  ...containerLists.map((c) => ({ path: c, strategy: 'merge', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] })),
  ...containerLists.map((c) => ({ path: `${c}.ports`, ...ports })),
  { path: 'env', strategy: 'merge', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
  { path: 'volumeMounts', strategy: 'merge', mergeKey: 'mountPath', listType: ListType.Map, mapKeys: ['mountPath'] },
  { path: 'volumeDevices', strategy: 'merge', mergeKey: 'devicePath', listType: ListType.Map, mapKeys: ['devicePath'] },
  { path: 'resizePolicy', strategy: '', listType: ListType.Atomic },
  { path: 'volumes', strategy: 'merge,retainKeys', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
  { path: 'imagePullSecrets', strategy: 'merge', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
  { path: 'hostAliases', strategy: 'merge', mergeKey: 'ip', listType: ListType.Map, mapKeys: ['ip'] },
  { path: 'topologySpreadConstraints', strategy: 'merge', mergeKey: 'topologyKey', listType: ListType.Map, mapKeys: ['topologyKey', 'whenUnsatisfiable'] },
  { path: 'resourceClaims', strategy: 'merge,retainKeys', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
  { path: 'schedulingGates', strategy: 'merge', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
  { path: 'conditions', strategy: 'merge', mergeKey: 'type', listType: ListType.Map, mapKeys: ['type'] },
  { path: '^status.addresses', kinds: ['Node'], strategy: 'merge', mergeKey: 'type', listType: ListType.Atomic },
  { path: '^metadata.ownerReferences', strategy: 'merge', mergeKey: 'uid', listType: ListType.Map, mapKeys: ['uid'] },
  { path: '^metadata.finalizers', strategy: 'merge', listType: ListType.Set },
  { path: '^spec.ports', kinds: ['Service'], strategy: 'merge', mergeKey: 'port', listType: ListType.Map, mapKeys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } },
  { path: '^secrets', kinds: ['ServiceAccount'], strategy: 'merge', mergeKey: 'name', listType: ListType.Map, mapKeys: ['name'] },
];

/** Maps upstream marks `+mapType=atomic`/`+structType=atomic` (LabelSelector, nodeSelector, Service selector). */
const BUILTIN_ATOMIC_MAPS = ['selector', 'podSelector', 'namespaceSelector', 'labelSelector', 'nodeSelector', 'matchLabelKeys'];

/** Maps whose keys are data, not declared fields (each key is its own managed field). */
const BUILTIN_GRANULAR_MAPS = ['labels', 'annotations', 'data', 'binaryData', 'stringData', 'limits', 'requests', 'capacity', 'allocatable', 'matchLabels'];

function followRefs(node: SchemaNode | undefined, depth = 0): SchemaNode | undefined {
  if (node === undefined || depth > 8) {
    return node;
  }
  if (typeof node.$ref === 'string') {
    return followRefs(resolveRef(node.$ref), depth + 1);
  }
  const allOf = node.allOf;
  if (Array.isArray(allOf) && allOf.length > 0 && isObject(allOf[0]) && node.properties === undefined && node.items === undefined) {
    return followRefs(allOf[0] as SchemaNode, depth + 1);
  }
  return node;
}

/*
 * Cursors below a schema are memoised: a declared field's cursor, a list's item cursor and a
 * list's semantics are the same every time (every write walks the same paths), so they are
 * computed once per schema node. Cursors for data keys (labels, map entries) and schema-less
 * cursors are not kept, so the memo stays bounded by the schemas' size.
 */
const rootCursors = new WeakMap<SchemaNode, Map<string, TypeCursor>>();
const fieldCursors = new WeakMap<TypeCursor, Map<string, TypeCursor>>();
const itemCursors = new WeakMap<TypeCursor, TypeCursor>();
const listSemanticsMemo = new WeakMap<TypeCursor, ListSemantics>();

/** The cursor at an object's root for `gvk` (schema-less when the registry does not know it). */
export function rootCursor(gvk: GroupVersionKind): TypeCursor {
  const schema = getSchema(gvk);
  if (schema === undefined) {
    return { gvk, prop: schema, node: undefined, path: [] };
  }
  let byGvk = rootCursors.get(schema);
  if (byGvk === undefined) {
    byGvk = new Map();
    rootCursors.set(schema, byGvk);
  }
  const id = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let c = byGvk.get(id);
  if (c === undefined) {
    c = { gvk, prop: schema, node: followRefs(schema), path: [] };
    byGvk.set(id, c);
  }
  return c;
}

/** The cursor of field `name` under an object-valued cursor. */
export function fieldCursor(c: TypeCursor, name: string): TypeCursor {
  const n = c.node;
  const declared = n?.properties?.[name];
  if (declared !== undefined) {
    let children = fieldCursors.get(c);
    if (children === undefined) {
      children = new Map();
      fieldCursors.set(c, children);
    }
    let child = children.get(name);
    if (child === undefined) {
      child = { gvk: c.gvk, prop: declared, node: followRefs(declared), path: [...c.path, name] };
      children.set(name, child);
    }
    return child;
  }
  const prop = n !== undefined && isObject(n.additionalProperties) ? n.additionalProperties : undefined;
  return { gvk: c.gvk, prop, node: followRefs(prop), path: [...c.path, name] };
}

/** The cursor of a list's items (the path does not change: lists are matched by field name). */
export function itemCursor(c: TypeCursor): TypeCursor {
  const memo = itemCursors.get(c);
  if (memo !== undefined) {
    return memo;
  }
  const items = c.node?.items;
  const ic: TypeCursor = { gvk: c.gvk, prop: items, node: followRefs(items), path: c.path };
  if (items !== undefined) {
    itemCursors.set(c, ic);
  }
  return ic;
}

/** True when the field `name` is declared by the object's schema (a struct field, not a map key). */
export function isDeclaredField(c: TypeCursor, name: string): boolean {
  if (c.node?.properties !== undefined) {
    return Object.hasOwn(c.node.properties, name);
  }
  if (c.node?.['x-kubernetes-preserve-unknown-fields'] === true) {
    return false;
  }
  if (c.node !== undefined && c.node.additionalProperties !== undefined && c.node.additionalProperties !== false) {
    return false;
  }
  const last = c.path[c.path.length - 1];
  return !(last !== undefined && BUILTIN_GRANULAR_MAPS.includes(last));
}

/** True for a map keyed by data (labels, data, resources.limits), not a struct with declared fields. */
export function isGranularMap(c: TypeCursor): boolean {
  if (c.node !== undefined) {
    return c.node.properties === undefined && c.node.additionalProperties !== undefined && c.node.additionalProperties !== false;
  }
  const last = c.path[c.path.length - 1];
  return last !== undefined && BUILTIN_GRANULAR_MAPS.includes(last);
}

function extension(c: TypeCursor, name: string): unknown {
  const key = `x-kubernetes-${name}` as const;
  return c.prop?.[key] ?? c.node?.[key];
}

function builtinList(c: TypeCursor): BuiltinList | undefined {
  const joined = c.path.join('.');
  return BUILTIN_LISTS.find((b) => {
    if (b.kinds !== undefined && !b.kinds.includes(c.gvk.kind)) {
      return false;
    }
    if (b.path.startsWith('^')) {
      return joined === b.path.slice(1);
    }
    return joined === b.path || joined.endsWith(`.${b.path}`);
  });
}

function keyDefaultsFromSchema(c: TypeCursor, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const item = itemCursor(c);
  for (const k of keys) {
    const d = fieldCursor(item, k).node?.default;
    if (d !== undefined) {
      out[k] = d;
    } else if (k === 'protocol') {
      out[k] = 'TCP';
    }
  }
  return out;
}

/** The semantics of the list at `c`: schema extensions first, then the built-in table, else atomic/replace. */
export function listSemantics(c: TypeCursor): ListSemantics {
  let sem = listSemanticsMemo.get(c);
  if (sem === undefined) {
    sem = computeListSemantics(c);
    listSemanticsMemo.set(c, sem);
  }
  return sem;
}

function computeListSemantics(c: TypeCursor): ListSemantics {
  const strategyExt = extension(c, 'patch-strategy');
  const mergeKeyExt = extension(c, 'patch-merge-key');
  const listTypeExt = extension(c, 'list-type');
  const mapKeysExt = extension(c, 'list-map-keys');
  if (strategyExt !== undefined || listTypeExt !== undefined) {
    const patchStrategy = typeof strategyExt === 'string' ? strategyExt.split(',').filter((s) => s !== '') : [];
    const mergeKey = typeof mergeKeyExt === 'string' ? mergeKeyExt : undefined;
    let listType: ListType = ListType.Atomic;
    let mapKeys: string[] = [];
    if (listTypeExt === ListType.Map || listTypeExt === ListType.Set || listTypeExt === ListType.Atomic) {
      listType = listTypeExt;
      mapKeys = Array.isArray(mapKeysExt) ? mapKeysExt.filter((k): k is string => typeof k === 'string') : [];
    } else if (patchStrategy.includes('merge')) {
      // Upstream's schema conversion reads a merge strategy as an associative list (or a set).
      listType = mergeKey !== undefined ? ListType.Map : ListType.Set;
      mapKeys = mergeKey !== undefined ? [mergeKey] : [];
    }
    if (listType === ListType.Map && mapKeys.length === 0) {
      listType = ListType.Atomic;
    }
    return { patchStrategy, mergeKey, listType, mapKeys, keyDefaults: keyDefaultsFromSchema(c, mapKeys) };
  }
  const b = builtinList(c);
  if (b !== undefined) {
    return {
      patchStrategy: b.strategy.split(',').filter((s) => s !== ''),
      mergeKey: b.mergeKey,
      listType: b.listType,
      mapKeys: b.mapKeys ?? [],
      keyDefaults: b.keyDefaults ?? {},
    };
  }
  return { patchStrategy: [], mergeKey: undefined, listType: ListType.Atomic, mapKeys: [], keyDefaults: {} };
}

/** The strategic-merge strategy of a map-valued field (`retainKeys`, `replace`), from the schema only. */
export function mapPatchStrategy(c: TypeCursor): readonly string[] {
  const s = extension(c, 'patch-strategy');
  if (typeof s === 'string') {
    return s.split(',');
  }
  return c.path.join('.') === 'spec.strategy' || c.path.join('.') === 'spec.updateStrategy' ? ['retainKeys'] : [];
}

/** True when the object-valued field is replaced as a whole (map-type/struct-type atomic). */
export function isAtomicMap(c: TypeCursor): boolean {
  const t = extension(c, 'map-type');
  if (t !== undefined) {
    return t === 'atomic';
  }
  if (c.node !== undefined) {
    return false;
  }
  const last = c.path[c.path.length - 1];
  return last !== undefined && BUILTIN_ATOMIC_MAPS.includes(last) && c.path.length > 1;
}
