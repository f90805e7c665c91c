/**
 * The namespace controller: for a namespace with a deletionTimestamp and the `kubernetes`
 * finalizer, deletes all its content, keeps the deletion conditions current, and once nothing
 * is left removes the finalizer through `namespaces/<name>/finalize` (the apiserver then
 * deletes the namespace). Content still draining is re-checked after an estimate.
 */
import type { KubeObject } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { discoverResources } from '../manager/discovery.ts';
import type { DiscoveredResource } from '../manager/discovery.ts';
import { enqueueHandler, R, runQueue } from '../manager/kit.ts';
import { deleteNamespaceContent, deletionConditions } from './deleter.ts';
import type { NamespaceCondition } from './deleter.ts';

/** Upstream's registration name. */
export const Name = 'namespace-controller';

const FINALIZER = 'kubernetes';

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** Keeps lastTransitionTime of conditions whose status did not change; true when anything differs. */
function mergeConditions(old: readonly NamespaceCondition[], next: NamespaceCondition[]): boolean {
  let changed = old.length !== next.length;
  for (const c of next) {
    const prev = old.find((o) => o.type === c.type);
    if (prev !== undefined && prev.status === c.status) {
      c.lastTransitionTime = prev.lastTransitionTime;
    }
    if (prev === undefined || prev.status !== c.status || prev.reason !== c.reason || prev.message !== c.message) {
      changed = true;
    }
  }
  return changed;
}

/** Factory for the registration table. */
export function namespaceControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'namespace' });
  const informer = ctx.informers.informerFor<Namespace>(R.namespaces);
  informer.addEventHandler(enqueueHandler<Namespace>(queue));
  let cached: { at: number; resources: DiscoveredResource[] } | undefined;

  const resources = async (): Promise<DiscoveredResource[]> => {
    if (cached === undefined || performance.now() - cached.at > 10_000) {
      cached = { at: performance.now(), resources: await discoverResources(ctx.client) };
    }
    return cached.resources;
  };

  const sync = async (name: string): Promise<void> => {
    const ns = informer.lister.get('', name);
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined || !(ns.spec?.finalizers ?? []).includes(FINALIZER)) {
      return;
    }
    let discoveryError: string | undefined;
    let found: DiscoveredResource[] = [];
    try {
      found = await resources();
    } catch (e) {
      discoveryError = (e as Error).message;
    }
    const pass = await deleteNamespaceContent(ctx.client, name, found);
    const conditions = deletionConditions(pass, discoveryError, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const live = structuredClone(ns) as Namespace;
    if (mergeConditions(live.status?.conditions ?? [], conditions)) {
      live.status = { ...live.status, phase: 'Terminating', conditions };
      try {
        await ctx.client.update({ ...R.namespaces, name, subresource: 'status' }, live);
      } catch (e) {
        if (isNotFound(e)) {
          return;
        }
        if (!isConflict(e)) {
          throw e;
        }
      }
    }
    if (discoveryError !== undefined || pass.errors.length > 0 || pass.remaining.size > 0) {
      queue.addAfter(name, (Math.floor(pass.estimateSeconds / 2) + 1) * 1000);
      return;
    }
    const fresh = await ctx.client.get<Namespace>({ ...R.namespaces, name });
    fresh.spec = { ...fresh.spec, finalizers: (fresh.spec?.finalizers ?? []).filter((f) => f !== FINALIZER) };
    ctx.logger('info', `namespace-controller: namespace ${name} is empty; finalizing`);
    try {
      await ctx.client.update({ ...R.namespaces, name, subresource: 'finalize' }, fresh);
    } catch (e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  };

  return {
    run: async (workers, signal) => {
      await informer.waitForSync(signal);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
