/**
 * Small builders that turn a compact, upstream-shaped spec into a full ResourceDescription,
 * so each catalogue entry reads like a line of `kubectl api-resources`.
 */
import type { KubeObject } from '../object.ts';
import type { ResourceDescription, ScaleDescription, SubresourceDescription, Verb } from '../resource.ts';

/** Every REST verb: what most upstream resources serve. */
export const allVerbs: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Namespaces (and a few others) refuse deletecollection. */
export const verbsNoDeleteCollection: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const getPatchUpdate = ['get', 'patch', 'update'] as const;

/** A subresource served with get/patch/update (status, scale, resize, ...). */
export function sub(name: string, group: string, version: string, kind: string, verbs: readonly string[] = getPatchUpdate): SubresourceDescription {
  return { name, group, version, kind, verbs };
}

/** autoscaling/v1 Scale at `.spec.replicas` / `.status.replicas` / `.status.selector`, as built-in workloads serve it. */
export const workloadScale: ScaleDescription = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

export interface ResourceSpec {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs?: readonly Verb[];
  /** Adds the `status` subresource (and hasStatus). */
  status?: boolean;
  /** Adds the autoscaling/v1 `scale` subresource. */
  scale?: boolean;
  /** Subresources beyond status and scale. */
  subresources?: readonly SubresourceDescription[];
  fieldSelectors?: Readonly<Record<string, (obj: KubeObject) => string>>;
  bumpsGeneration?: boolean;
  storagePrefix?: string;
  gracefulDeletion?: boolean;
}

/** Expands a compact spec into a ResourceDescription (listKind `<Kind>List`, singular = lower-case kind). */
export function describe(spec: ResourceSpec): ResourceDescription {
  const subresources: SubresourceDescription[] = [...(spec.subresources ?? [])];
  if (spec.scale === true) {
    subresources.push(sub('scale', 'autoscaling', 'v1', 'Scale'));
  }
  if (spec.status === true) {
    subresources.push(sub('status', spec.group, spec.version, spec.kind));
  }
  subresources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const desc: ResourceDescription = {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? allVerbs,
    subresources,
    hasStatus: spec.status === true,
    bumpsGeneration: spec.bumpsGeneration ?? false,
    fieldSelectors: spec.fieldSelectors ?? {},
    ...(spec.scale === true ? { scale: workloadScale } : {}),
    ...(spec.storagePrefix !== undefined ? { storagePrefix: spec.storagePrefix } : {}),
    ...(spec.gracefulDeletion !== undefined ? { gracefulDeletion: spec.gracefulDeletion } : {}),
  };
  return desc;
}

/** Reads a dotted path (`spec.nodeName`) from an object; undefined when any step is missing. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const step of path.split('.')) {
    if (cur === null || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

/** A field-selector reader for a string field; missing → `''` (Go's zero value). */
export function stringField(path: string): (obj: KubeObject) => string {
  return (obj) => {
    const v = readPath(obj, path);
    return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  };
}

/** A field-selector reader for a boolean field; missing → `false`, as strconv.FormatBool of the zero value. */
export function boolField(path: string): (obj: KubeObject) => string {
  return (obj) => String(readPath(obj, path) === true);
}

/** A field-selector reader for an integer field; missing → `0`. */
export function intField(path: string): (obj: KubeObject) => string {
  return (obj) => {
    const v = readPath(obj, path);
    return typeof v === 'number' ? String(Math.trunc(v)) : '0';
  };
}
