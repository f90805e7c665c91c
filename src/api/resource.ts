/**
 * Resource descriptions (DESIGN.md §5, STYLE.md §6): the API server serves every resource
 * with one generic handler parameterised by one of these. Adding a resource is adding a
 * description (see src/api/resources/).
 */
import type { KubeObject } from './object.ts';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

/** Subresource served under `<resource>/<name>/<subresource>`. */
export interface SubresourceDescription {
  readonly name: string;
  /** Kind returned/accepted, e.g. Scale in autoscaling/v1 for `scale`, Binding for `binding`. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/** `scale` subresource paths into the parent object (as CRDs declare them). */
export interface ScaleDescription {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

export interface ResourceDescription {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Plural, lower-case: the URL segment and etcd key segment. */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly Verb[];
  readonly subresources: readonly SubresourceDescription[];
  /** True when the object has a `status` subresource: main writes ignore status, status writes ignore the rest. */
  readonly hasStatus: boolean;
  readonly scale?: ScaleDescription;
  /** True when spec changes bump metadata.generation (every resource with a spec, upstream). */
  readonly bumpsGeneration: boolean;
  /** Field selector fields beyond metadata.name / metadata.namespace, each read from the object. */
  readonly fieldSelectors: Readonly<Record<string, (obj: KubeObject) => string>>;
  /** Storage key segment when it differs from `resource` (upstream: services → services/specs). */
  readonly storagePrefix?: string;
  /** True for objects whose deletion is instant unless finalizers/grace say otherwise; pods default to graceful. */
  readonly gracefulDeletion?: boolean;
}
