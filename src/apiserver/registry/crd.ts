/**
 * The CustomResourceDefinition controller inside the registry (upstream's apiextensions
 * naming + establishing + finalizer controllers, much reduced): watches CRDs, accepts
 * their names, marks them Established, serves one ResourceDescription per served version
 * (with the version's schema registered), and on deletion removes every custom object
 * before letting the CRD go.
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import { customResourceDescription } from '../../api/resources/index.ts';
import { registerCustomSchema, unregisterCustomSchema } from '../../api/schema/index.ts';
import { unregisterTableConvertors } from '../../api/tables/index.ts';
import type { SchemaNode } from '../../api/schema/index.ts';
import { isDeepStrictEqual } from 'node:util';
import type { WatchCache } from '../watchcache/cache.ts';
import type { CacheWatcher } from '../watchcache/watcher.ts';
import { isNotFound } from '../../api/errors.ts';
import { decodeObject, nowRfc3339, objectKey, resourcePrefix } from './codec.ts';
import { deleteObject } from './delete.ts';
import type { RegistryCore } from './core.ts';
import { markCustomResource } from './strategy.ts';
import type { WriteContext } from './types.ts';
import { updateObject } from './update.ts';

/** Upstream's finalizer that holds a CRD until its custom objects are gone. */
export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: SchemaNode };
  subresources?: { status?: object; scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string } };
  selectableFields?: { jsonPath: string }[];
}

interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

const systemContext = (): WriteContext => ({ user: { username: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, fieldManager: 'kube-apiserver', fieldValidation: 'Ignore', warnings: [] });

/** Problems with a CRD's names (empty when acceptable). */
export function crdNameProblems(crd: KubeObject): string[] {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  const problems: string[] = [];
  if (spec.group === undefined || spec.group === '') {
    problems.push('spec.group: Required value');
  }
  if (names.plural === undefined || !dnsLabel.test(names.plural)) {
    problems.push('spec.names.plural: must be a lowercase DNS label');
  }
  if (names.singular !== undefined && names.singular !== '' && !dnsLabel.test(names.singular)) {
    problems.push('spec.names.singular: must be a lowercase DNS label');
  }
  if (names.kind === undefined || names.kind === '') {
    problems.push('spec.names.kind: Required value');
  }
  if (crd.metadata.name !== `${names.plural ?? ''}.${spec.group ?? ''}`) {
    problems.push(`metadata.name: must be spec.names.plural+"."+spec.group`);
  }
  return problems;
}

/** The descriptions a CRD serves: one per served version (built by the resources catalogue). */
export function crdDescriptions(crd: KubeObject): ResourceDescription[] {
  const spec = (crd.spec ?? {}) as CrdSpec;
  return (spec.versions ?? [])
    .filter((v) => v.served !== false)
    .map((v) => {
      const desc = customResourceDescription(crd, v.name);
      markCustomResource(desc);
      return desc;
    });
}

function condition(type: string, status: string, reason: string, message: string, previous: Condition[]): Condition {
  const prev = previous.find((c) => c.type === type);
  const lastTransitionTime = prev !== undefined && prev.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : nowRfc3339();
  return { type, status, lastTransitionTime, reason, message };
}

/** Watches CRDs and keeps the served custom resources in step with them. */
export class CrdController {
  private readonly core: RegistryCore;
  private readonly crdDesc: ResourceDescription;
  private readonly onChange: (descs: readonly ResourceDescription[]) => void;
  private readonly served = new Map<string, ResourceDescription[]>();
  /** The CRD spec each served entry was built from (to skip no-op re-registrations). */
  private readonly servedSpec = new Map<string, string>();
  private cache: WatchCache | undefined;
  private watcher: CacheWatcher | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(core: RegistryCore, crdDesc: ResourceDescription, onChange: (descs: readonly ResourceDescription[]) => void) {
    this.core = core;
    this.crdDesc = crdDesc;
    this.onChange = onChange;
  }

  /** Serves every existing CRD, then follows changes; resolves once the existing ones are served. */
  async start(): Promise<void> {
    const cache = await this.core.cache(this.crdDesc);
    this.cache = cache;
    // List and subscribe with no await in between, so no CRD event slips through.
    const existing = cache.list(resourcePrefix(this.crdDesc)).map((o) => o.metadata.name ?? '');
    this.watcher = cache.watch(
      {
        keyPrefix: resourcePrefix(this.crdDesc),
        bookmarks: false,
        sink: {
          event: (_type, obj) => {
            const name = (obj as KubeObject).metadata?.name;
            if (name !== undefined) {
              this.enqueue(name);
            }
          },
          // The cache dropped us (its store watch broke and it relisted): subscribe again.
          close: () => {
            if (!this.stopped) {
              this.start().catch((err: unknown) => process.emitWarning(`crd controller: resubscribe failed: ${String(err)}`));
            }
          },
        },
      },
      { fromRevision: cache.revision, initialEvents: false, initialEventsEnd: false },
    );
    // Existing CRDs, plus any we served that disappeared while we were not watching.
    for (const name of new Set([...existing, ...this.served.keys()])) {
      this.enqueue(name);
    }
    await this.queue;
  }

  /** Stops following CRDs. */
  stop(): void {
    this.stopped = true;
    this.watcher?.stop(false);
  }

  private enqueue(name: string): void {
    this.queue = this.queue.then(() => this.reconcileSafely(name));
  }

  private async reconcileSafely(name: string): Promise<void> {
    if (this.stopped) {
      return;
    }
    try {
      await this.reconcile(name);
    } catch (err) {
      process.emitWarning(`crd controller: ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Serves descs for CRD name (undefined: stop); listeners hear only real changes (same spec → nothing). */
  private setServed(name: string, descs: ResourceDescription[] | undefined, specJson = ''): void {
    const before = this.served.get(name);
    if (descs !== undefined && before !== undefined && this.servedSpec.get(name) === specJson) {
      return;
    }
    const kept = new Set((descs ?? []).map((d) => `${d.group}/${d.version}/${d.kind}`));
    for (const d of before ?? []) {
      if (!kept.has(`${d.group}/${d.version}/${d.kind}`)) {
        unregisterCustomSchema({ group: d.group, version: d.version, kind: d.kind });
      }
    }
    if (descs === undefined) {
      if (before === undefined) {
        return;
      }
      this.served.delete(name);
      this.servedSpec.delete(name);
      // kubectl get's columns of a deleted CRD must not outlive it (a new CRD may reuse the plural).
      for (const resource of new Set(before.map((d) => `${d.group}\u0000${d.resource}`))) {
        const [group, plural] = resource.split('\u0000');
        unregisterTableConvertors(group, plural);
      }
    } else {
      this.served.set(name, descs);
      this.servedSpec.set(name, specJson);
    }
    this.onChange([...this.served.values()].flat());
  }

  private async reconcile(name: string): Promise<void> {
    const crd = this.cache?.get(objectKey(this.crdDesc, undefined, name));
    if (crd === undefined) {
      this.setServed(name, undefined);
      return;
    }
    if (crd.metadata.deletionTimestamp !== undefined) {
      await this.cleanup(name, crd);
      return;
    }
    const ctx = systemContext();
    if (!(crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) {
      await updateObject(this.core, this.crdDesc, undefined, name, ctx, (cur) => {
        const obj = cur as KubeObject;
        obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), cleanupFinalizer];
        return obj;
      }, { allowCreate: false });
      return; // the update comes back as an event
    }
    const problems = crdNameProblems(crd);
    const spec = (crd.spec ?? {}) as CrdSpec;
    const status = (crd.status ?? {}) as { conditions?: Condition[]; acceptedNames?: CrdNames; storedVersions?: string[] };
    const previous = status.conditions ?? [];
    const accepted = problems.length === 0;
    const names = spec.names ?? {};
    const kind = names.kind ?? '';
    const acceptedNames: CrdNames = accepted ? { plural: names.plural, singular: names.singular ?? kind.toLowerCase(), kind, listKind: names.listKind ?? `${kind}List` } : (status.acceptedNames ?? { plural: '', kind: '' });
    if (accepted && names.shortNames !== undefined) {
      acceptedNames.shortNames = names.shortNames;
    }
    if (accepted && names.categories !== undefined) {
      acceptedNames.categories = names.categories;
    }
    const conditions = [
      accepted ? condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', previous) : condition('NamesAccepted', 'False', 'InvalidNames', problems.join('; '), previous),
      accepted ? condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted', previous) : condition('Established', 'False', 'NotAccepted', 'not all names are accepted', previous),
    ];
    const storageVersion = (spec.versions ?? []).find((v) => v.storage === true)?.name;
    const storedVersions = [...(status.storedVersions ?? [])];
    if (storageVersion !== undefined && !storedVersions.includes(storageVersion)) {
      storedVersions.push(storageVersion);
    }
    const desired = { ...status, conditions, acceptedNames, storedVersions };
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(desired)), JSON.parse(JSON.stringify(status)))) {
      await updateObject(this.core, this.crdDesc, undefined, name, ctx, (cur) => {
        const obj = cur as KubeObject;
        obj.status = desired;
        return obj;
      }, { subresource: 'status', allowCreate: false });
    }
    if (!accepted) {
      this.setServed(name, undefined);
      return;
    }
    const specJson = JSON.stringify(crd.spec ?? {});
    if (this.served.has(name) && this.servedSpec.get(name) === specJson) {
      return; // e.g. our own status write coming back: nothing to re-serve
    }
    const descs = crdDescriptions(crd);
    for (const v of spec.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema !== undefined && v.served !== false) {
        registerCustomSchema({ group: spec.group ?? '', version: v.name, kind }, schema);
      }
    }
    this.setServed(name, descs, specJson);
  }

  /**
   * Deletes every custom object through the registry (their own finalizers are honoured, and
   * they stay served, creates refused, until gone), then stops serving and releases the CRD.
   */
  private async cleanup(name: string, crd: KubeObject): Promise<void> {
    const descs = this.served.get(name) ?? crdDescriptions(crd);
    const first = descs[0];
    if (first !== undefined) {
      const prefix = resourcePrefix(first);
      this.core.terminating.add(prefix);
      const ctx = systemContext();
      let remaining = 0;
      let after: string | undefined;
      for (;;) {
        const page = await this.core.storage.list(prefix, { limit: 500, startAfter: after });
        for (const kv of page.items) {
          const obj = decodeObject(kv);
          if (obj === undefined) {
            continue;
          }
          try {
            const res = await deleteObject(this.core, first, obj.metadata.namespace, obj.metadata.name ?? '', {}, ctx);
            remaining += res.finished ? 0 : 1;
          } catch (err) {
            if (!isNotFound(err)) {
              throw err;
            }
          }
        }
        after = page.items[page.items.length - 1]?.key;
        if (!page.more || page.items.length === 0) {
          break;
        }
      }
      if (remaining > 0) {
        // Objects held by their finalizers: look again shortly (upstream requeues too).
        const timer = setTimeout(() => this.enqueue(name), 2000);
        timer.unref();
        return;
      }
      this.core.terminating.delete(prefix);
      this.setServed(name, undefined);
      this.core.dropCache(first);
    } else {
      this.setServed(name, undefined);
    }
    if ((crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) {
      await updateObject(this.core, this.crdDesc, undefined, name, systemContext(), (cur) => {
        const obj = cur as KubeObject;
        obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
        return obj;
      }, { allowCreate: false });
    }
  }
}
