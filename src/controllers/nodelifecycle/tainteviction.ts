/**
 * The taint eviction controller: pods on a node with NoExecute taints they do not tolerate
 * are deleted at once; pods tolerating them for tolerationSeconds are deleted when that runs
 * out (counted from the taint's timeAdded); before deleting, a DisruptionTarget condition
 * records why, as upstream does.
 */
import type { DeepReadonly } from '../../api/object.ts';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { EventType, WorkQueue, splitKey } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { canonicalJson } from '../deployment/util.ts';
import { keyOf, R, runQueue } from '../manager/kit.ts';
import type { Pod } from '../replicaset/pods.ts';
import { evictionTime } from './health.ts';
import type { Node, Toleration } from './health.ts';

/** Upstream's registration name. */
export const Name = 'taint-eviction-controller';

type TolerantPod = Pod & { spec?: Pod['spec'] & { tolerations?: Toleration[] } };

/** Factory for the registration table. */
export function taintEvictionControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'taint_eviction' });
  const nodes = ctx.informers.informerFor<Node>(R.nodes);
  const pods = ctx.informers.informerFor<TolerantPod>(R.pods);
  const recorder = ctx.recorder('taint-eviction-controller');
  const noExecute = (n: DeepReadonly<Node> | undefined): string => canonicalJson((n?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute'));
  const podsOn = (nodeName: string): void => {
    for (const p of pods.lister.list()) {
      if (p.spec?.nodeName === nodeName) {
        queue.add(keyOf(p));
      }
    }
  };
  nodes.addEventHandler({
    onAdd: (n) => {
      if (noExecute(n) !== '[]') {
        podsOn(n.metadata.name ?? '');
      }
    },
    onUpdate: (old, n) => {
      if (noExecute(old) !== noExecute(n)) {
        podsOn(n.metadata.name ?? '');
      }
    },
  });
  pods.addEventHandler({
    onAdd: (p) => {
      if ((p.spec?.nodeName ?? '') !== '') {
        queue.add(keyOf(p));
      }
    },
    onUpdate: (old, p) => {
      if ((p.spec?.nodeName ?? '') !== '' && (old.spec?.nodeName !== p.spec?.nodeName || canonicalJson(old.spec?.tolerations ?? []) !== canonicalJson(p.spec?.tolerations ?? []))) {
        queue.add(keyOf(p));
      }
    },
  });

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const pod = pods.lister.get(namespace, name);
    if (pod === undefined || pod.metadata.deletionTimestamp !== undefined || (pod.spec?.nodeName ?? '') === '') {
      return;
    }
    const node = nodes.lister.get('', pod.spec?.nodeName ?? '');
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (taints.length === 0) {
      return;
    }
    const now = Date.now();
    const when = evictionTime(pod.spec?.tolerations ?? [], taints, now);
    if (when === 'never') {
      return;
    }
    if (when !== 'now' && when > now) {
      queue.addAfter(key, when - now + 10);
      return;
    }
    const ref = { ...R.pods, namespace, name };
    const next = structuredClone(pod) as Pod;
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    next.status = { ...next.status, conditions: [...(next.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', lastTransitionTime: stamp, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' } as { type: string; status: string; lastTransitionTime: string }] };
    try {
      await ctx.client.update({ ...ref, subresource: 'status' }, next);
    } catch (e) {
      if (isNotFound(e)) {
        return;
      }
      if (!isConflict(e)) {
        throw e;
      }
    }
    recorder.event(pod, EventType.Normal, 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    await ctx.client.delete(ref, { preconditions: { uid: pod.metadata.uid } }).catch((e: unknown) => {
      if (!isNotFound(e)) {
        throw e;
      }
    });
  };

  return {
    run: async (workers, signal) => {
      await Promise.all([nodes.waitForSync(signal), pods.waitForSync(signal)]);
      await runQueue(queue, Math.max(workers, 4), signal, sync, ctx.logger);
    },
  };
}
