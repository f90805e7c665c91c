/**
 * The registry contract: what the HTTP layer (src/apiserver/http) asks of the generic
 * registry (src/apiserver/registry) and its watch cache. One generic implementation serves
 * every resource from its ResourceDescription (DESIGN.md §5); CRDs add descriptions at runtime.
 */
import type { Status } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { Authorizer } from '../authz/types.ts';

/** Who is asking (filled by authentication). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const FieldValidation = { Strict: 'Strict', Warn: 'Warn', Ignore: 'Ignore' } as const;
export type FieldValidation = (typeof FieldValidation)[keyof typeof FieldValidation];

/** Per-request options shared by every write. */
export interface WriteContext {
  readonly user: UserInfo;
  /** dryRun=All: run everything, persist nothing. */
  readonly dryRun: boolean;
  readonly fieldManager: string | undefined;
  readonly fieldValidation: FieldValidation;
  /** Warnings to return in `Warning: 299 - "..."` headers (fieldValidation=Warn, deprecations). */
  readonly warnings: string[];
  /** The request's authorizer, for admission that checks the writer's own permissions (RBAC escalation); absent for the server's own writes. */
  readonly authorizer?: Authorizer;
}

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  readonly allowWatchBookmarks: boolean;
  /** WatchList: initial ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end. */
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Where a watch delivers; the HTTP layer encodes each event (JSON or Table) and writes it. */
export interface WatchSink {
  event(type: WatchEventType, object: KubeObject | Status): void;
  /** The watch ended from the server side (e.g. 410 after falling behind); the HTTP layer ends the response. */
  close(): void;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly orphanDependents?: boolean;
}

export const PatchType = {
  Json: 'application/json-patch+json',
  Merge: 'application/merge-patch+json',
  Strategic: 'application/strategic-merge-patch+json',
  Apply: 'application/apply-patch+yaml',
  ApplyCbor: 'application/apply-patch+cbor',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

export interface WriteResult {
  readonly object: KubeObject;
  /** True when an update/apply created the object (201 instead of 200). */
  readonly created: boolean;
}

export interface DeleteResult {
  /** The object as deleted, or as it is now when deletion is pending (finalizers, grace). */
  readonly object: KubeObject;
  /** False when the object still exists (202 Accepted upstream for graceful/finalized deletes). */
  readonly finished: boolean;
}

/** Names a subresource write: `status`, `scale`, `binding`, `eviction`, ... */
export type Subresource = string | undefined;

export interface Registry {
  /** The description serving `/apis/<group>/<version>/<resource>`, CRDs included. */
  resolve(group: string, version: string, resource: string): ResourceDescription | undefined;
  /** Every served resource (discovery, OpenAPI), built-ins then CRDs. */
  resources(): readonly ResourceDescription[];
  /** Called when the set of served resources changes (CRD established/removed). */
  onResourcesChanged(listener: () => void): void;

  get(desc: ResourceDescription, namespace: string | undefined, name: string, subresource?: Subresource): Promise<KubeObject>;
  list(desc: ResourceDescription, namespace: string | undefined, query: ListQuery): Promise<KubeList>;
  create(desc: ResourceDescription, namespace: string | undefined, obj: KubeObject, ctx: WriteContext, subresource?: Subresource, parentName?: string): Promise<KubeObject>;
  update(desc: ResourceDescription, namespace: string | undefined, name: string, obj: KubeObject, ctx: WriteContext, subresource?: Subresource): Promise<WriteResult>;
  patch(desc: ResourceDescription, namespace: string | undefined, name: string, type: PatchType, body: unknown, ctx: WriteContext, opts: { force: boolean; subresource?: Subresource }): Promise<WriteResult>;
  delete(desc: ResourceDescription, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<DeleteResult>;
  deleteCollection(desc: ResourceDescription, namespace: string | undefined, query: ListQuery, opts: DeleteOptions, ctx: WriteContext): Promise<KubeList>;
  /** Starts a watch; resolves once it is registered (so the HTTP layer can flush headers); returns its stop function. */
  watch(desc: ResourceDescription, namespace: string | undefined, query: WatchQuery, sink: WatchSink): Promise<() => void>;
  close(): Promise<void>;
}
