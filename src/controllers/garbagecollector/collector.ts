/**
 * The garbage collector controller: informs on every listable, deletable resource (found by
 * discovery, re-checked every 30 s for new CRDs), keeps the dependency graph, and runs two
 * queues like upstream — attemptToDelete (objects whose owners may be gone or deleting in
 * foreground; owners deleting in foreground waiting for their dependents) and attemptToOrphan
 * (owners deleted with the `orphan` finalizer). Every decision re-reads the objects live.
 */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { WorkQueue } from '../../client/index.ts';
import type { ClientLogger, RestClient, SharedInformerFactory } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { discoverResources } from '../manager/discovery.ts';
import type { DiscoveredResource } from '../manager/discovery.ts';
import { pause, runQueue, unwrap } from '../manager/kit.ts';
import { classifyOwners, decide, FOREGROUND_FINALIZER, isDeletingDependents, ORPHAN_FINALIZER } from './decide.ts';
import type { OwnerState } from './decide.ts';
import { DependencyGraph } from './graph.ts';
import type { GraphNode, ObjectIdentity } from './graph.ts';

/** Upstream's registration name. */
export const Name = 'garbage-collector-controller';

/** Resources the collector never watches (as upstream: events churn and are never owners). */
const ignored = new Set(['events', 'events.events.k8s.io', 'bindings', 'tokenreviews.authentication.k8s.io', 'subjectaccessreviews.authorization.k8s.io', 'selfsubjectaccessreviews.authorization.k8s.io', 'localsubjectaccessreviews.authorization.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io', 'selfsubjectreviews.authentication.k8s.io', 'componentstatuses']);

type GcClient = Pick<RestClient, 'get' | 'update' | 'delete'>;

function groupResource(r: { readonly group: string; readonly resource: string }): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/** The garbage collector (see the file comment). */
export class GarbageCollector {
  readonly graph = new DependencyGraph();
  readonly attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
  readonly attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan' });
  /** group|kind → resource, from discovery. */
  private readonly kinds = new Map<string, DiscoveredResource>();
  private readonly watched = new Set<string>();
  private readonly client: GcClient;
  private readonly logger: ClientLogger;

  constructor(client: GcClient, logger: ClientLogger) {
    this.client = client;
    this.logger = logger;
  }

  /** Learns resources (kind → resource mapping) and returns those not yet watched. */
  learn(resources: readonly DiscoveredResource[]): DiscoveredResource[] {
    const fresh: DiscoveredResource[] = [];
    for (const r of resources) {
      this.kinds.set(`${r.group}|${r.kind}`, r);
      const gr = groupResource(r);
      if (ignored.has(gr) || this.watched.has(gr) || !['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) {
        continue;
      }
      this.watched.add(gr);
      fresh.push(r);
    }
    return fresh;
  }

  /** Feeds an object seen by an informer into the graph and enqueues what it may affect. */
  observe(res: DiscoveredResource, obj: DeepReadonly<KubeObject>): void {
    const m = obj.metadata;
    if (m.uid === undefined || m.name === undefined) {
      return;
    }
    const node: GraphNode = {
      id: { group: res.group, version: res.version, resource: res.resource, namespace: res.namespaced ? (m.namespace ?? '') : '', name: m.name, uid: m.uid },
      owners: structuredClone(m.ownerReferences ?? []) as GraphNode['owners'],
      deleting: m.deletionTimestamp !== undefined,
      finalizers: [...(m.finalizers ?? [])],
    };
    const { removedOwners } = this.graph.upsert(node);
    if (node.deleting && node.finalizers.includes(ORPHAN_FINALIZER)) {
      this.attemptToOrphan.add(node.id.uid);
    }
    if (node.deleting && node.finalizers.includes(FOREGROUND_FINALIZER)) {
      this.attemptToDelete.add(node.id.uid);
      for (const d of this.graph.dependents(node.id.uid)) {
        this.attemptToDelete.add(d);
      }
    }
    for (const o of node.owners) {
      const owner = this.graph.get(o.uid);
      if (owner === undefined || (owner.deleting && owner.finalizers.includes(FOREGROUND_FINALIZER))) {
        this.attemptToDelete.add(node.id.uid);
      }
    }
    for (const u of removedOwners) {
      this.enqueueIfDeletingDependents(u);
    }
  }

  /** An object vanished: its dependents may now be dangling; an owner waiting on it may finish. */
  forget(uid: string | undefined): void {
    if (uid === undefined) {
      return;
    }
    const old = this.graph.remove(uid);
    for (const d of this.graph.dependents(uid)) {
      this.attemptToDelete.add(d);
    }
    for (const o of old?.owners ?? []) {
      this.enqueueIfDeletingDependents(o.uid);
    }
  }

  private enqueueIfDeletingDependents(uid: string): void {
    const n = this.graph.get(uid);
    if (n !== undefined && n.deleting && n.finalizers.includes(FOREGROUND_FINALIZER)) {
      this.attemptToDelete.add(uid);
    }
  }

  private async getLive(id: ObjectIdentity): Promise<KubeObject | undefined> {
    try {
      const o = await this.client.get({ group: id.group, version: id.version, resource: id.resource, namespace: id.namespace || undefined, name: id.name });
      return o.metadata.uid === id.uid ? o : undefined;
    } catch (e) {
      if (isNotFound(e)) {
        return undefined;
      }
      throw e;
    }
  }

  private ref(id: ObjectIdentity): { group: string; version: string; resource: string; namespace?: string; name: string } {
    return { group: id.group, version: id.version, resource: id.resource, namespace: id.namespace || undefined, name: id.name };
  }

  /** Live state of an owner referenced from an object in `namespace`. */
  private async ownerState(namespace: string, ref: DeepReadonly<{ apiVersion: string; kind: string; name: string; uid: string }>): Promise<OwnerState> {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const res = this.kinds.get(`${group}|${ref.kind}`);
    if (res === undefined) {
      this.logger('warning', `garbagecollector: unknown owner kind ${ref.apiVersion}/${ref.kind}; keeping the reference`);
      return { kind: 'unknown' };
    }
    if (res.namespaced && namespace === '') {
      // A cluster-scoped object cannot be owned by a namespaced one (upstream treats it as absent).
      return { kind: 'absent' };
    }
    const obj = await this.getLive({ group: res.group, version: res.version, resource: res.resource, namespace: res.namespaced ? namespace : '', name: ref.name, uid: ref.uid });
    return obj === undefined ? { kind: 'absent' } : { kind: 'present', obj };
  }

  /** attemptToDelete for one uid (upstream's attemptToDeleteItem / processDeletingDependentsItem). */
  async syncDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (node === undefined) {
      return;
    }
    const settled = !node.deleting && node.owners.every((o) => {
      const owner = this.graph.get(o.uid);
      return owner !== undefined && !(owner.deleting && owner.finalizers.includes(FOREGROUND_FINALIZER));
    });
    if (settled) {
      // Every owner is known to exist and none waits for its dependents: nothing to ask the server.
      return;
    }
    const live = await this.getLive(node.id);
    if (live === undefined) {
      return;
    }
    if (isDeletingDependents(live)) {
      await this.processDeletingDependents(node, live);
      return;
    }
    if (live.metadata.deletionTimestamp !== undefined) {
      return;
    }
    const refs = live.metadata.ownerReferences ?? [];
    if (refs.length === 0) {
      return;
    }
    const states = new Map<string, OwnerState>();
    for (const r of refs) {
      states.set(r.uid, await this.ownerState(node.id.namespace, r));
    }
    const classes = classifyOwners(refs, (r) => states.get(r.uid) ?? { kind: 'unknown' });
    const action = decide(live, classes, this.graph.dependents(uid).length > 0);
    if (action.kind === 'removeOwnerRefs') {
      await this.removeOwnerRefs(node.id, new Set(action.uids));
    } else if (action.kind === 'delete') {
      this.logger('info', `garbagecollector: deleting ${groupResource(node.id)} ${node.id.namespace}/${node.id.name} (propagationPolicy=${action.policy})`);
      try {
        await this.client.delete(this.ref(node.id), { propagationPolicy: action.policy, preconditions: { uid } });
      } catch (e) {
        if (!isNotFound(e)) {
          throw e;
        }
      }
    }
  }

  /** An owner deleting in foreground: delete its dependents; drop the finalizer once no blocking dependent is left. */
  private async processDeletingDependents(node: GraphNode, live: KubeObject): Promise<void> {
    const dependents = this.graph.dependents(node.id.uid).map((d) => this.graph.get(d)).filter((d): d is GraphNode => d !== undefined);
    const blocking = dependents.filter((d) => d.owners.some((o) => o.uid === node.id.uid && o.blockOwnerDeletion === true));
    if (blocking.length === 0) {
      await this.removeFinalizer(node.id, live, FOREGROUND_FINALIZER);
      return;
    }
    for (const d of dependents) {
      if (!d.deleting) {
        this.attemptToDelete.add(d.id.uid);
      }
    }
  }

  /** attemptToOrphan for one uid: strip this owner from every dependent, then drop the `orphan` finalizer. */
  async syncOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (node === undefined) {
      return;
    }
    for (const d of this.graph.dependents(uid)) {
      const dep = this.graph.get(d);
      if (dep !== undefined) {
        await this.removeOwnerRefs(dep.id, new Set([uid]));
      }
    }
    const live = await this.getLive(node.id);
    if (live !== undefined && live.metadata.deletionTimestamp !== undefined) {
      await this.removeFinalizer(node.id, live, ORPHAN_FINALIZER);
    }
  }

  private async removeOwnerRefs(id: ObjectIdentity, uids: ReadonlySet<string>): Promise<void> {
    const live = await this.getLive(id);
    if (live === undefined || !(live.metadata.ownerReferences ?? []).some((r) => uids.has(r.uid))) {
      return;
    }
    const next = structuredClone(live);
    const kept = (next.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
    if (kept.length === 0) {
      delete next.metadata.ownerReferences;
    } else {
      next.metadata.ownerReferences = kept;
    }
    await this.client.update(this.ref(id), next);
  }

  private async removeFinalizer(id: ObjectIdentity, live: KubeObject, finalizer: string): Promise<void> {
    if (!(live.metadata.finalizers ?? []).includes(finalizer)) {
      return;
    }
    const next = structuredClone(live);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.client.update(this.ref(id), next);
    } catch (e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  }

  /** Starts informers for `resources` on `factory`, wiring their events into the graph. */
  watch(factory: SharedInformerFactory, resources: readonly DiscoveredResource[]): void {
    for (const r of resources) {
      const inf = factory.informerFor({ group: r.group, version: r.version, resource: r.resource });
      inf.addEventHandler({
        onAdd: (o) => this.observe(r, o),
        onUpdate: (_old, o) => this.observe(r, o),
        onDelete: (o) => this.forget(unwrap(o).metadata.uid),
      });
    }
  }

}

/** Factory for the registration table. */
export function garbageCollectorFactory(ctx: ControllerContext): Controller {
  const gc = new GarbageCollector(ctx.client, ctx.logger);
  return {
    run: async (workers, signal) => {
      // Discovery and graph sync happen before any worker acts (upstream waits for the graph too).
      for (;;) {
        try {
          gc.watch(ctx.informers, gc.learn(await discoverResources(ctx.client)));
          break;
        } catch (e) {
          ctx.logger('warning', `garbagecollector: discovery failed: ${(e as Error).message}`);
          await pause(2000, signal);
          if (signal.aborted) {
            return;
          }
        }
      }
      await ctx.informers.waitForCacheSync(signal);
      const rediscover = (async () => {
        while (!signal.aborted) {
          await pause(30_000, signal);
          if (signal.aborted) {
            break;
          }
          try {
            gc.watch(ctx.informers, gc.learn(await discoverResources(ctx.client)));
          } catch (e) {
            ctx.logger('warning', `garbagecollector: discovery failed: ${(e as Error).message}`);
          }
        }
      })();
      await Promise.all([
        runQueue(gc.attemptToDelete, workers, signal, (k) => gc.syncDelete(k), ctx.logger),
        runQueue(gc.attemptToOrphan, 1, signal, (k) => gc.syncOrphan(k), ctx.logger),
        rediscover,
      ]);
    },
  };
}
