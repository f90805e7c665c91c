/**
 * The generic registry of kube-apiserver (DESIGN.md §5): one implementation of the Registry
 * contract for every resource description, backed by the store and its watch caches.
 */
import { badRequest, isNotFound, methodNotSupported, notFound, StatusError, StatusReason } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { builtinResources } from '../../api/resources/index.ts';
import type { Storage } from '../../storage/interface.ts';
import type { WatchCacheOptions } from '../watchcache/cache.ts';
import { asServed, cloneObject, decodeObject, objectKey } from './codec.ts';
import { RegistryCore } from './core.ts';
import { createObject } from './create.ts';
import { CrdController } from './crd.ts';
import { deleteObject } from './delete.ts';
import { listObjects } from './list.ts';
import { patchObject } from './patch.ts';
import { defaultServiceRanges, isService } from './services.ts';
import type { ServiceRanges } from './services.ts';
import { allowCreateOnUpdate } from './strategy.ts';
import { evictPod } from './eviction.ts';
import { bindPod, patchScale, toScale, updateScale } from './subresources.ts';
import type { DeleteOptions, DeleteResult, ListQuery, PatchType, Registry, Subresource, WatchQuery, WatchSink, WriteContext, WriteResult } from './types.ts';
import { createServiceAccountToken } from './token.ts';
import type { CoreGetter, ServiceAccountTokenOptions } from './token.ts';
import { updateObject } from './update.ts';
import { watchObjects } from './watch.ts';

export type * from './types.ts';
export { listJson, objectJson } from './codec.ts';
export type { ServiceRanges } from './services.ts';
export type { ServiceAccountTokenOptions } from './token.ts';

export interface RegistryOptions {
  readonly storage: Storage;
  /** Built-in descriptions (default: the catalogue in src/api/resources). */
  readonly resources?: readonly ResourceDescription[];
  /** Watch cache tuning (tests use small rings). */
  readonly watchCache?: WatchCacheOptions;
  /** Events are deleted this long after their last write (upstream's `--event-ttl`, default 1 h); 0: never. */
  readonly eventTtlSeconds?: number;
  /** Serve CustomResourceDefinitions (default true when the catalogue has them). */
  readonly crds?: boolean;
  /** Service ClusterIP CIDR and NodePort range (defaults: 10.96.0.0/12, 30000-32767). */
  readonly services?: Partial<ServiceRanges>;
  /** Keys for serviceaccounts/<name>/token (TokenRequest); without them token requests answer 400. */
  readonly serviceAccountTokens?: ServiceAccountTokenOptions;
}

/** Upstream's `--event-ttl` default: one hour. */
export const defaultEventTtlSeconds = 3600;

/** Upstream answers 404 for a subresource path the resource does not serve. */
function requireSubresource(desc: ResourceDescription, subresource: string | undefined): void {
  if (subresource === undefined) {
    return;
  }
  const served = desc.subresources.some((s) => s.name === subresource) || (subresource === 'status' && desc.hasStatus) || (subresource === 'scale' && desc.scale !== undefined);
  if (!served) {
    throw new StatusError(404, StatusReason.NotFound, 'the server could not find the requested resource');
  }
}

/** Subresources whose body is the whole object (the strategy picks the slice that may change). */
const objectSubresources = new Set(['status', 'finalize', 'ephemeralcontainers', 'resize', 'approval']);

function gvrKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

/** Builds the registry serving `resources` (built-ins) plus every established CRD from `storage`. */
export function createRegistry(opts: RegistryOptions): Registry & { readonly ready: Promise<void> } {
  const core = new RegistryCore(opts.storage, opts.watchCache);
  core.eventTtlSeconds = opts.eventTtlSeconds === 0 ? undefined : (opts.eventTtlSeconds ?? defaultEventTtlSeconds);
  core.serviceRanges = { ...defaultServiceRanges, ...opts.services };
  /** Service writes run one at a time: address allocation reads every Service, then writes. */
  const serialised = <T>(desc: ResourceDescription, fn: () => Promise<T>): Promise<T> => (isService(desc) ? core.serviceLock.run(fn) : fn());
  const builtins = opts.resources ?? builtinResources;
  const byGvr = new Map<string, ResourceDescription>();
  for (const d of builtins) {
    byGvr.set(gvrKey(d.group, d.version, d.resource), d);
  }
  core.namespaceDesc = builtins.find((d) => d.group === '' && d.resource === 'namespaces');
  const podsDesc = builtins.find((d) => d.group === '' && d.resource === 'pods');
  core.lookup = (group, resource) => [...builtins, ...custom].find((d) => d.group === group && d.resource === resource);
  const listeners: (() => void)[] = [];
  let custom: readonly ResourceDescription[] = [];

  const crdDesc = builtins.find((d) => d.group === 'apiextensions.k8s.io' && d.resource === 'customresourcedefinitions');
  const crds = crdDesc !== undefined && opts.crds !== false
    ? new CrdController(core, crdDesc, (descs) => {
      for (const d of custom) {
        byGvr.delete(gvrKey(d.group, d.version, d.resource));
      }
      custom = descs;
      for (const d of custom) {
        byGvr.set(gvrKey(d.group, d.version, d.resource), d);
      }
      for (const l of listeners) {
        try {
          l();
        } catch (err) {
          process.emitWarning(`registry: onResourcesChanged listener failed: ${String(err)}`);
        }
      }
    })
    : undefined;
  const ready = crds !== undefined ? crds.start() : Promise.resolve();

  async function getObject(desc: ResourceDescription, namespace: string | undefined, name: string): Promise<KubeObject> {
    const key = objectKey(desc, namespace, name);
    const cache = await core.freshCache(desc);
    const obj = cache !== undefined ? cache.get(key) : await core.storage.get(key).then((kv) => (kv === undefined ? undefined : decodeObject(kv)));
    if (obj === undefined) {
      throw notFound(desc.group, desc.resource, name);
    }
    return obj;
  }

  function podsFor(desc: ResourceDescription): ResourceDescription {
    if (podsDesc === undefined) {
      throw methodNotSupported(desc.group, desc.resource, 'create');
    }
    return podsDesc;
  }

  const coreGetter: CoreGetter = (resource, namespace, name) => {
    const desc = byGvr.get(gvrKey('', 'v1', resource));
    if (desc === undefined) {
      throw notFound('', resource, name);
    }
    return getObject(desc, namespace, name);
  };

  const registry: Registry & { readonly ready: Promise<void> } = {
    ready,
    resolve(group, version, resource) {
      return byGvr.get(gvrKey(group, version, resource));
    },
    resources() {
      return [...builtins, ...custom];
    },
    onResourcesChanged(listener) {
      listeners.push(listener);
    },

    async get(desc, namespace, name, subresource?: Subresource) {
      requireSubresource(desc, subresource);
      const obj = await getObject(desc, namespace, name);
      if (subresource === 'scale') {
        return toScale(desc, obj);
      }
      if (subresource !== undefined && !objectSubresources.has(subresource)) {
        throw methodNotSupported(desc.group, `${desc.resource}/${subresource}`, 'get');
      }
      return asServed(desc, cloneObject(obj));
    },

    list(desc, namespace, query: ListQuery): Promise<KubeList> {
      return listObjects(core, desc, namespace, query);
    },

    async create(desc, namespace, obj, ctx: WriteContext, subresource?: Subresource, parentName?: string) {
      requireSubresource(desc, subresource);
      if (subresource === 'binding' || (subresource === undefined && desc.group === '' && desc.resource === 'bindings')) {
        return bindPod(core, podsFor(desc), namespace, parentName ?? obj.metadata?.name ?? '', obj, ctx);
      }
      if (subresource === 'eviction') {
        return evictPod(core, podsFor(desc), namespace, parentName ?? obj.metadata?.name ?? '', obj, ctx);
      }
      if (subresource === 'token' && desc.group === '' && desc.resource === 'serviceaccounts') {
        return createServiceAccountToken(opts.serviceAccountTokens, coreGetter, namespace, parentName ?? '', obj);
      }
      if (subresource !== undefined) {
        throw methodNotSupported(desc.group, `${desc.resource}/${subresource}`, 'create');
      }
      return asServed(desc, await serialised(desc, () => createObject(core, desc, namespace, obj, ctx)));
    },

    async update(desc, namespace, name, obj, ctx, subresource?: Subresource): Promise<WriteResult> {
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        throw badRequest('the body of the request must be an object');
      }
      requireSubresource(desc, subresource);
      if (subresource === 'scale') {
        return updateScale(core, desc, namespace, name, obj, ctx);
      }
      if (subresource !== undefined && !objectSubresources.has(subresource)) {
        throw methodNotSupported(desc.group, `${desc.resource}/${subresource}`, 'update');
      }
      const res = await serialised(desc, () => updateObject(core, desc, namespace, name, ctx, () => cloneObject(obj), {
        subresource,
        allowCreate: subresource === undefined && allowCreateOnUpdate(desc),
        precondition: obj.metadata?.resourceVersion,
        skipValidation: subresource === 'ephemeralcontainers' || subresource === 'resize',
      }));
      return { object: asServed(desc, res.object), created: res.created };
    },

    async patch(desc, namespace, name, type: PatchType, body, ctx, opts): Promise<WriteResult> {
      requireSubresource(desc, opts.subresource);
      if (opts.subresource === 'scale') {
        return patchScale(core, desc, namespace, name, await getObject(desc, namespace, name), type, body, ctx);
      }
      if (opts.subresource !== undefined && !objectSubresources.has(opts.subresource)) {
        throw methodNotSupported(desc.group, `${desc.resource}/${opts.subresource}`, 'patch');
      }
      const res = await serialised(desc, () => patchObject(core, desc, namespace, name, type, body, ctx, opts));
      return { object: asServed(desc, res.object), created: res.created };
    },

    async delete(desc, namespace, name, opts: DeleteOptions, ctx): Promise<DeleteResult> {
      const res = await deleteObject(core, desc, namespace, name, opts, ctx);
      return { object: asServed(desc, res.object), finished: res.finished };
    },

    async deleteCollection(desc, namespace, query, opts, ctx): Promise<KubeList> {
      const listed = await listObjects(core, desc, namespace, { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector, resourceVersion: query.resourceVersion, resourceVersionMatch: query.resourceVersionMatch });
      const items: KubeObject[] = [];
      for (const item of listed.items) {
        try {
          const res = await deleteObject(core, desc, item.metadata.namespace, item.metadata.name ?? '', opts, ctx);
          items.push(asServed(desc, res.object));
        } catch (err) {
          if (!isNotFound(err)) {
            throw err;
          }
        }
      }
      return { apiVersion: apiVersionOf(desc.group, desc.version), kind: desc.listKind, metadata: { resourceVersion: listed.metadata.resourceVersion }, items };
    },

    watch(desc, namespace, query: WatchQuery, sink: WatchSink) {
      return watchObjects(core, desc, namespace, query, sink);
    },

    close() {
      crds?.stop();
      core.close();
      return Promise.resolve();
    },
  };
  return registry;
}
