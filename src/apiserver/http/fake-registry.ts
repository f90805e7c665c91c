/**
 * Test-only in-memory Registry: enough behaviour (CRUD, merge patch, selectors on
 * metadata.name, watch fan-out, WatchList bookmarks) to drive the HTTP layer in unit tests.
 */
import { alreadyExists, notFound, type Status } from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { builtinResources } from '../../api/resources/index.ts';
import type { DeleteResult, Registry, WatchEventType, WatchSink, WriteContext, WriteResult } from '../registry/types.ts';

interface Watcher {
  readonly desc: ResourceDescription;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly sink: WatchSink;
}

/** A fake registry plus hooks tests use to observe and steer it. */
export interface FakeRegistry extends Registry {
  /** Every write context seen, newest last. */
  readonly contexts: WriteContext[];
  /** Active watchers count. */
  watcherCount(): number;
  /** Emits an event to matching watchers as a store change would. */
  emit(desc: ResourceDescription, type: WatchEventType, obj: KubeObject | Status): void;
  /** Ends every watch from the server side. */
  closeWatches(): void;
  /** Adds a resource description and fires onResourcesChanged. */
  addResource(desc: ResourceDescription): void;
  /** When set, delete() reports the object as still pending. */
  pendingDeletes: boolean;
}

const key = (d: ResourceDescription, ns: string | undefined, name: string): string => `${d.group}/${d.resource}/${ns ?? ''}/${name}`;
const nameFromSelector = (sel: string | undefined): string | undefined => /(?:^|,)metadata\.name=([^,]+)/.exec(sel ?? '')?.[1];

/** Creates the fake, seeded with the starter built-in resources. */
export function createFakeRegistry(extra: readonly ResourceDescription[] = []): FakeRegistry {
  const resources: ResourceDescription[] = [...builtinResources, ...extra];
  const objects = new Map<string, KubeObject>();
  const watchers = new Set<Watcher>();
  const listeners: (() => void)[] = [];
  let rv = 100;

  const emit = (desc: ResourceDescription, type: WatchEventType, obj: KubeObject | Status): void => {
    for (const w of watchers) {
      const meta = (obj as KubeObject).metadata as KubeObject['metadata'] | undefined;
      if (w.desc.resource !== desc.resource || w.desc.group !== desc.group) {
        continue;
      }
      if (type !== 'ERROR' && type !== 'BOOKMARK' && ((w.namespace !== undefined && meta?.namespace !== w.namespace) || (w.name !== undefined && meta?.name !== w.name))) {
        continue;
      }
      w.sink.event(type, obj);
    }
  };
  const store = (desc: ResourceDescription, ns: string | undefined, obj: KubeObject, type: WatchEventType): KubeObject => {
    rv += 1;
    const saved: KubeObject = { ...obj, metadata: { ...obj.metadata, namespace: desc.namespaced ? ns : undefined, resourceVersion: String(rv), uid: obj.metadata.uid ?? `uid-${rv}`, creationTimestamp: obj.metadata.creationTimestamp ?? new Date(0).toISOString() } };
    objects.set(key(desc, ns, saved.metadata.name ?? ''), saved);
    emit(desc, type, saved);
    return saved;
  };
  const itemsOf = (desc: ResourceDescription, ns: string | undefined): KubeObject[] =>
    [...objects.entries()].filter(([k]) => k.startsWith(`${desc.group}/${desc.resource}/${ns ?? ''}`)).map(([, o]) => o);

  const fake: FakeRegistry = {
    contexts: [],
    pendingDeletes: false,
    resolve: (group, version, resource) => resources.find((r) => r.group === group && r.version === version && r.resource === resource),
    resources: () => resources,
    onResourcesChanged: (l) => {
      listeners.push(l);
    },
    get: async (desc, ns, name) => {
      const o = objects.get(key(desc, ns, name));
      if (o === undefined) {
        throw notFound(desc.group, desc.resource, name);
      }
      return o;
    },
    list: async (desc, ns, q) => {
      const name = nameFromSelector(q.fieldSelector);
      let items = itemsOf(desc, ns).filter((o) => name === undefined || o.metadata.name === name);
      const start = q.continue === undefined ? 0 : Number(q.continue);
      const end = q.limit === undefined ? items.length : start + q.limit;
      const more = end < items.length;
      items = items.slice(start, end);
      const list: KubeList = { kind: desc.listKind, apiVersion: desc.group === '' ? desc.version : `${desc.group}/${desc.version}`, metadata: { resourceVersion: String(rv) }, items };
      if (more) {
        list.metadata.continue = String(end);
      }
      return list;
    },
    create: async (desc, ns, obj, ctx) => {
      fake.contexts.push(ctx);
      const name = obj.metadata.name ?? '';
      if (objects.has(key(desc, ns, name))) {
        throw alreadyExists(desc.group, desc.resource, name);
      }
      if (ctx.fieldValidation === 'Warn' && 'bogus' in obj) {
        ctx.warnings.push('unknown field "bogus"');
      }
      return ctx.dryRun ? obj : store(desc, ns, obj, 'ADDED');
    },
    update: async (desc, ns, name, obj, ctx): Promise<WriteResult> => {
      fake.contexts.push(ctx);
      const existed = objects.has(key(desc, ns, name));
      return { object: store(desc, ns, obj, existed ? 'MODIFIED' : 'ADDED'), created: !existed };
    },
    patch: async (desc, ns, name, type, body, ctx): Promise<WriteResult> => {
      fake.contexts.push(ctx);
      const cur = objects.get(key(desc, ns, name));
      if (cur === undefined) {
        if (type === 'application/apply-patch+yaml') {
          return { object: store(desc, ns, body as KubeObject, 'ADDED'), created: true };
        }
        throw notFound(desc.group, desc.resource, name);
      }
      const b = body as Record<string, unknown>;
      const merged = { ...cur, ...b, metadata: { ...cur.metadata, ...(b.metadata as object | undefined) } } as KubeObject;
      return { object: store(desc, ns, merged, 'MODIFIED'), created: false };
    },
    delete: async (desc, ns, name, _opts, ctx): Promise<DeleteResult> => {
      fake.contexts.push(ctx);
      const o = objects.get(key(desc, ns, name));
      if (o === undefined) {
        throw notFound(desc.group, desc.resource, name);
      }
      if (fake.pendingDeletes) {
        return { object: { ...o, metadata: { ...o.metadata, deletionTimestamp: new Date(0).toISOString() } }, finished: false };
      }
      objects.delete(key(desc, ns, name));
      emit(desc, 'DELETED', o);
      return { object: o, finished: true };
    },
    deleteCollection: async (desc, ns, _q, _opts, ctx) => {
      fake.contexts.push(ctx);
      const items = itemsOf(desc, ns);
      for (const o of items) {
        objects.delete(key(desc, ns, o.metadata.name ?? ''));
      }
      return { kind: desc.listKind, apiVersion: desc.group === '' ? desc.version : `${desc.group}/${desc.version}`, metadata: {}, items };
    },
    watch: async (desc, ns, q, sink) => {
      const w: Watcher = { desc, namespace: ns, name: nameFromSelector(q.fieldSelector), sink };
      if (q.sendInitialEvents) {
        for (const o of itemsOf(desc, ns).filter((x) => w.name === undefined || x.metadata.name === w.name)) {
          sink.event('ADDED', o);
        }
        sink.event('BOOKMARK', { kind: desc.kind, apiVersion: desc.version, metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } } });
      }
      watchers.add(w);
      return () => {
        watchers.delete(w);
      };
    },
    close: async () => undefined,
    watcherCount: () => watchers.size,
    emit,
    closeWatches: () => {
      for (const w of [...watchers]) {
        watchers.delete(w);
        w.sink.close();
      }
    },
    addResource: (desc) => {
      resources.push(desc);
      for (const l of listeners) {
        l();
      }
    },
  };
  return fake;
}
