/** The node IPAM controller (range allocator): every node gets `spec.podCIDR`/`podCIDRs` from --cluster-cidr, one --node-cidr-mask-size subnet each. */
import type { DeepReadonly, KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import { EventType, PatchType, WorkQueue } from '../../client/index.ts';
import type { Controller, ControllerContext } from '../manager/context.ts';
import { R, runQueue, unwrap } from '../manager/kit.ts';
import { CidrSet } from './cidrs.ts';

/** Upstream's registration name. */
export const Name = 'node-ipam-controller';

interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

/** Factory for the registration table (does nothing unless --allocate-node-cidrs). */
export function nodeIpamControllerFactory(ctx: ControllerContext): Controller {
  const queue = new WorkQueue<string>({ name: 'node_ipam' });
  const nodes = ctx.informers.informerFor<Node>(R.nodes);
  const recorder = ctx.recorder('cidrAllocator');
  const cidrs = new CidrSet(ctx.options.clusterCidr, ctx.options.nodeCidrMaskSize);
  /** node name → CIDR we allocated and have not yet seen on the node. */
  const pending = new Map<string, string>();
  const enabled = ctx.options.allocateNodeCidrs;
  if (enabled) {
    nodes.addEventHandler({
      onAdd: (n) => {
        for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR !== undefined ? [n.spec.podCIDR] : [])) {
          cidrs.occupy(c);
        }
        queue.add(n.metadata.name ?? '');
      },
      onUpdate: (_o, n) => queue.add(n.metadata.name ?? ''),
      onDelete: (o) => {
        const n = unwrap(o);
        for (const c of n.spec?.podCIDRs ?? []) {
          cidrs.release(c);
        }
        pending.delete(n.metadata.name ?? '');
      },
    });
  }

  const sync = async (name: string): Promise<void> => {
    const node: DeepReadonly<Node> | undefined = nodes.lister.get('', name);
    if (node === undefined) {
      const c = pending.get(name);
      if (c !== undefined) {
        cidrs.release(c);
        pending.delete(name);
      }
      return;
    }
    if ((node.spec?.podCIDRs ?? []).length > 0 || (node.spec?.podCIDR ?? '') !== '') {
      pending.delete(name);
      return;
    }
    let cidr = pending.get(name);
    if (cidr === undefined) {
      cidr = cidrs.allocateNext();
      if (cidr === undefined) {
        recorder.event(node, EventType.Normal, 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`failed to allocate cidr from cluster cidr ${ctx.options.clusterCidr}: no free CIDR left`);
      }
      pending.set(name, cidr);
    }
    try {
      await ctx.client.patch({ ...R.nodes, name }, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, PatchType.Merge);
      ctx.logger('info', `${Name}: set podCIDR ${cidr} on node ${name}`);
    } catch (e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
  };

  return {
    run: async (workers, signal) => {
      if (!enabled) {
        return;
      }
      await nodes.waitForSync(signal);
      await runQueue(queue, workers, signal, sync, ctx.logger);
    },
  };
}
