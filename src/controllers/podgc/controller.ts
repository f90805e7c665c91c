/**
 * The pod garbage collector (upstream's podgc): every 20 s it force-deletes pods bound to
 * nodes that no longer exist (confirmed live, after a 40 s quarantine), terminating pods
 * that were never scheduled, and the oldest terminated pods beyond
 * --terminated-pod-gc-threshold.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { pause, R } from '../manager/kit.ts';
import type { Pod } from '../replicaset/pods.ts';

/** Upstream's registration name. */
export const Name = 'pod-garbage-collector-controller';

const GC_CHECK_PERIOD_MS = 20_000;
const QUARANTINE_MS = 40_000;

/** Oldest terminated pods beyond `threshold` (by creation time), as upstream's gcTerminated picks them. */
export function terminatedToDelete(pods: readonly DeepReadonly<Pod>[], threshold: number): DeepReadonly<Pod>[] {
  if (threshold <= 0) {
    return [];
  }
  const terminated = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
  const excess = terminated.length - threshold;
  if (excess <= 0) {
    return [];
  }
  return [...terminated].sort((a, b) => (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0)).slice(0, excess);
}

/** Factory for the registration table. */
export function podGcControllerFactory(ctx: ControllerContext): Controller {
  const pods = ctx.informers.informerFor<Pod>(R.pods);
  const nodes = ctx.informers.informerFor(R.nodes);
  /** node name → when (our clock) we first saw it missing. */
  const missingSince = new Map<string, number>();

  const forceDelete = async (p: DeepReadonly<Pod>, why: string): Promise<void> => {
    ctx.logger('info', `${Name}: ${why}: force-deleting pod ${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
    await ctx.client.delete({ ...R.pods, namespace: p.metadata.namespace, name: p.metadata.name }, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } }).catch((e: unknown) => {
      if (!isNotFound(e)) {
        ctx.logger('warning', `${Name}: deleting pod ${p.metadata.name ?? ''}: ${(e as Error).message}`);
      }
    });
  };

  const nodeGone = async (name: string, now: number): Promise<boolean> => {
    if (nodes.lister.get('', name) !== undefined) {
      missingSince.delete(name);
      return false;
    }
    const since = missingSince.get(name) ?? now;
    missingSince.set(name, since);
    if (now - since < QUARANTINE_MS) {
      return false;
    }
    try {
      await ctx.client.get({ ...R.nodes, name });
      return false;
    } catch (e) {
      return isNotFound(e);
    }
  };

  const gc = async (): Promise<void> => {
    const all = pods.lister.list();
    for (const p of terminatedToDelete(all, ctx.options.terminatedPodGcThreshold)) {
      await forceDelete(p, 'terminated pods over the threshold');
    }
    const now = performance.now();
    const checked = new Map<string, boolean>();
    for (const p of all) {
      const node = p.spec?.nodeName ?? '';
      if (node === '') {
        if (p.metadata.deletionTimestamp !== undefined) {
          await forceDelete(p, 'unscheduled terminating pod');
        }
        continue;
      }
      let gone = checked.get(node);
      if (gone === undefined) {
        gone = await nodeGone(node, now);
        checked.set(node, gone);
      }
      if (gone) {
        await forceDelete(p, `orphaned pod (node ${node} no longer exists)`);
      }
    }
  };

  return {
    run: async (_workers, signal) => {
      await Promise.all([pods.waitForSync(signal), nodes.waitForSync(signal)]);
      while (!signal.aborted) {
        try {
          await gc();
        } catch (e) {
          ctx.logger('warning', `${Name}: ${(e as Error).message}`);
        }
        await pause(GC_CHECK_PERIOD_MS, signal);
      }
    },
  };
}
